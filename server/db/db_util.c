/* Reading text-format results by column name (see db.h). */
#include <stdlib.h>
#include <string.h>

#include "db.h"

static int
col(const PGresult *res, const char *name)
{
	return PQfnumber(res, name);
}

int
db_isnull(const PGresult *res, int row, const char *name)
{
	int c = col(res, name);

	return c < 0 || row >= PQntuples(res) || PQgetisnull(res, row, c);
}

long long
db_int(const PGresult *res, int row, const char *name)
{
	if (db_isnull(res, row, name))
		return 0;
	return strtoll(PQgetvalue(res, row, col(res, name)), NULL, 10);
}

const char *
db_str(const PGresult *res, int row, const char *name)
{
	if (db_isnull(res, row, name))
		return "";
	return PQgetvalue(res, row, col(res, name));
}

int
db_bool(const PGresult *res, int row, const char *name)
{
	const char *v = db_str(res, row, name);

	return v[0] == 't';
}
