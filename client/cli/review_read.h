/*
 * Reading a stored review's JSON, for the renderers of review_render.c
 * (Markdown, CSV) and review_xlsx.c.
 */
#ifndef PACE_REVIEW_READ_H
#define PACE_REVIEW_READ_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* The member at a dotted path ("summary.followups.total"), or NULL. */
const cJSON *jget(const cJSON *j, const char *path);
/* Absent or JSON null. */
int jnull(const cJSON *v);
/* A number that SQL may have written as a JSON string (money) or number. */
double jdbl(const cJSON *v);
/* Money in fen, however it was written. */
int64_t jfen(const cJSON *v);
/* The string at a dotted path, or "". */
const char *jstr(const cJSON *j, const char *path);

/* A diagnosis rule's title, and a diagnosis in words. */
const char *rule_title(const char *rule);
void rule_text(const cJSON *d, const char *cur, char *buf, size_t len);

/* A row of the trend table: a KPI, its label and how it is shown. */
struct trend_row {
	const char *metric;
	const char *label;
	char kind; /* m money, c count, r ratio, d days */
};
const struct trend_row *trend_row(const char *metric);

#endif
