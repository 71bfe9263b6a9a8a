/*
 * Output for people and for scripts: aligned tables (CJK-aware widths),
 * colour only on a terminal, and JSON through cJSON.
 */
#ifndef PACE_OUTPUT_H
#define PACE_OUTPUT_H

#include <cjson/cJSON.h>
#include <stdint.h>

struct table;

struct table *table_new(int ncols, const char *const *headers);
/* Add a row; values are copied. */
void table_row(struct table *t, const char *const *values);
/* Mark a column right-aligned (numbers). */
void table_align_right(struct table *t, int col);
void table_print(struct table *t);
void table_free(struct table *t);

/* Terminal columns a UTF-8 string takes. */
int display_width(const char *s);

/* Print JSON (pretty) to stdout and free it. */
void json_print(cJSON *j);

/* Colour codes, empty strings when colour is off. */
void output_set_color(int on);
const char *col_green(void);
const char *col_yellow(void);
const char *col_red(void);
const char *col_bold(void);
const char *col_dim(void);
const char *col_reset(void);

#endif
