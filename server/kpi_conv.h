/*
 * The KPI object: from the jsonb pace.kpi() returns to the wire's Kpi
 * message (used by KpiGet replies and by push snapshots), and scope kinds
 * between the wire and SQL.
 */
#ifndef PACE_KPI_CONV_H
#define PACE_KPI_CONV_H

#include <cjson/cJSON.h>

#include "arena.h"
#include "kpi.pb-c.h"

/* Fill k from j; every piece is allocated in a (strings included). */
void kpi_from_json(Pace__V1__Kpi *k, const cJSON *j, struct arena *a);

/* "user", "team", "office", "org", or "" for SCOPE_UNSPECIFIED. */
const char *scope_kind_sql(Pace__V1__ScopeKind kind);
Pace__V1__ScopeKind scope_kind_wire(const char *sql);
Pace__V1__Status status_wire(const char *s);

/* Wrapped optional values: NULL when absent/null in JSON. */
Pace__V1__Num *num_opt(const cJSON *j, const char *key, struct arena *a);
Pace__V1__Fen *fen_opt(const cJSON *j, const char *key, struct arena *a);
Pace__V1__Num *num_text(const char *text, struct arena *a); /* NULL if "" */
Pace__V1__Fen *fen_text(const char *text, struct arena *a);

#endif
