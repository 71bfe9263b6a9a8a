/* How alerts look, for pace alerts and pace watch. */
#ifndef PACE_ALERT_VIEW_H
#define PACE_ALERT_VIEW_H

#include <cjson/cJSON.h>

#include "push.pb-c.h"

cJSON *alert_json(const Pace__V1__Alert *al);
/* Newest first, in a table. */
void alerts_print(Pace__V1__Alert **al, size_t n);
/* "stale deal", "status", ... (translated). */
const char *alert_kind_name(Pace__V1__AlertKind k);

#endif
