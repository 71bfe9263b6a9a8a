/* JSON from SQL results (see jsonutil.h). */
#include <stdlib.h>

#include "db/db.h"
#include "jsonutil.h"

cJSON *
db_json(const PGresult *res, int row, const char *col)
{
	cJSON *j = NULL;

	if (!db_isnull(res, row, col))
		j = cJSON_Parse(db_str(res, row, col));
	return j ? j : cJSON_CreateObject();
}

int64_t
json_int(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	if (cJSON_IsNumber(v))
		return (int64_t)v->valuedouble;
	if (cJSON_IsString(v))
		return strtoll(v->valuestring, NULL, 10);
	return 0;
}

double
json_num(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

const char *
json_str(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}
