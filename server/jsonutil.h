/* Reading JSON values that SQL functions return (cJSON). */
#ifndef PACE_JSONUTIL_H
#define PACE_JSONUTIL_H

#include <stdint.h>

#include <cjson/cJSON.h>
#include <libpq-fe.h>

/* Parse a json/jsonb column; an empty object if NULL or unparsable. */
cJSON *db_json(const PGresult *res, int row, const char *col);
int64_t json_int(const cJSON *j, const char *key);
double json_num(const cJSON *j, const char *key);
/* "" when absent; borrowed from j. */
const char *json_str(const cJSON *j, const char *key);

#endif
