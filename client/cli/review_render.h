/*
 * A stored review as people and programs read it: Markdown (status as a
 * coloured mark), JSON, CSV (one row per scope, team and member) and XLSX
 * (one sheet per part, through libxlsxwriter). Every format is rendered
 * here, from the JSON the server stored (docs/review.md), never recomputed.
 */
#ifndef PACE_REVIEW_RENDER_H
#define PACE_REVIEW_RENDER_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "review.pb-c.h"

enum review_format {
	REVIEW_MD,
	REVIEW_JSON,
	REVIEW_CSV,
	REVIEW_XLSX,
};

/* "md", "json", "csv", "xlsx" -> the format; -1 for anything else. */
int review_format_parse(const char *s);

/*
 * The review as one JSON document: the stored content, plus "id",
 * "generated_at", "generated_by", "version" and "actions" (this review's
 * action items as they are now). NULL if the content is not JSON.
 */
cJSON *review_doc(const Pace__V1__Review *r);

/* An action item as JSON (pace action list --json, the review's actions). */
cJSON *action_item_json(const Pace__V1__ActionItem *a);

void review_md(FILE *out, const cJSON *doc);
int review_csv(FILE *out, const cJSON *doc);
/* Write the workbook to path; 0, or -1 after saying why on stderr. */
int review_xlsx(const char *path, const cJSON *doc);

/*
 * Diagnosis d of a review in one sentence for people (the md line, and
 * the text of an action item made from it).
 */
char *review_diagnosis_text(const cJSON *d, const char *currency, char *buf,
	size_t len);

/* pace board --star (cmd_review.c): the star of a period for the board's
 * scope options. Returns an exit code. */
struct cli;
struct args;
int board_star(struct cli *cli, const struct args *a);

#endif
