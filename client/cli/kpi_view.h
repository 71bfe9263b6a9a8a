/*
 * How KPI objects, leaderboards and targets look: JSON for scripts (the
 * exact keys of the issue) and text for people (aligned, money as
 * ¥1,234.56, status coloured on a terminal, "—" for undefined). Shared by
 * pace kpi/board/funnel/pipeline and pace watch.
 */
#ifndef PACE_KPI_VIEW_H
#define PACE_KPI_VIEW_H

#include <cjson/cJSON.h>

#include "kpi.pb-c.h"

struct args;
struct cli;

/* Fill s from --user/--team/--office/--org; EXIT_OK or EXIT_USAGE. */
int cli_scope(struct cli *cli, const struct args *a, Pace__V1__Scope *s);
/* The same with the usage error `one_of` (translated) for a command whose
 * options are fewer (no --user for reviews). */
int cli_scope_of(struct cli *cli, const struct args *a, Pace__V1__Scope *s,
	const char *one_of);

cJSON *kpi_json(const Pace__V1__Kpi *k);
void kpi_print(const Pace__V1__Kpi *k);
cJSON *funnel_json(const Pace__V1__Kpi *k);
void funnel_print(const Pace__V1__Kpi *k);
cJSON *pipeline_json(const Pace__V1__Kpi *k);
void pipeline_print(const Pace__V1__Kpi *k);
cJSON *board_json(const Pace__V1__Board *b, const char *metric);
void board_print(const Pace__V1__Board *b, const char *metric);

/* Nullable members: null when the value is absent (n, f) or unknown (s). */
void json_add_num(cJSON *j, const char *name, const Pace__V1__Num *n);
void json_add_fen(cJSON *j, const char *name, const Pace__V1__Fen *f);
void json_add_status(cJSON *j, const char *name, Pace__V1__Status s);

/* "green", "yellow", "red" or NULL. */
const char *status_name(Pace__V1__Status s);
/* The colour escape for a status (empty when colour is off). */
const char *status_color(Pace__V1__Status s);
/* "52.3%" or "—". */
char *fmt_ratio(const Pace__V1__Num *n, char *buf, size_t len);
/* A bar of `width` cells filled to ratio (0..1+), coloured by status. */
char *fmt_bar(double ratio, int width, Pace__V1__Status s, char *buf,
	size_t len);
/* Money of the metric: ¥ for revenue/collected, a count otherwise. */
char *fmt_metric(const char *metric, int64_t v, const char *currency,
	char *buf, size_t len);

#endif
