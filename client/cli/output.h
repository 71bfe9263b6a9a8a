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

/*
 * Print "key  value" lines with the keys aligned (show commands); pairs
 * holds 2 * n strings, key then value. Pairs with a NULL or empty value
 * are left out.
 */
void kv_print(const char *const *pairs, int n);

/* Print JSON (pretty) to stdout and free it. */
void json_print(cJSON *j);
/* An exact integer member (money in fen, µs, ids): never a rounded double. */
void json_add_i64(cJSON *j, const char *name, int64_t v);
/*
 * A time as two members: name = µs since the epoch, name_iso = local ISO
 * 8601 (pc_time_iso); both null when us is 0 (no time).
 */
void json_add_time(cJSON *j, const char *name, int64_t us);

/* Colour codes, empty strings when colour is off. */
void output_set_color(int on);
const char *col_green(void);
const char *col_yellow(void);
const char *col_red(void);
const char *col_bold(void);
const char *col_dim(void);
const char *col_reset(void);

#endif
