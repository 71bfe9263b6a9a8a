/* Tables, colour and JSON for the CLI (see output.h). */
#define _GNU_SOURCE /* wcwidth */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "output.h"
#include "pc_time.h"
#include "xmalloc.h"

struct table {
	int ncols, nrows, cap;
	char **cells; /* nrows+1 rows of ncols; row 0 is the header */
	int right[16];
};

static int color_on;

int
display_width(const char *s)
{
	mbstate_t st;
	int w = 0;

	memset(&st, 0, sizeof(st));
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		int cw;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* Not decodable in this locale: count bytes. */
			memset(&st, 0, sizeof(st));
			s++;
			w++;
			continue;
		}
		cw = wcwidth(wc);
		w += cw > 0 ? cw : 0;
		s += n;
	}
	return w;
}

struct table *
table_new(int ncols, const char *const *headers)
{
	struct table *t = xcalloc(1, sizeof(*t));

	t->ncols = ncols;
	t->cap = 16;
	t->cells = xcalloc((size_t)t->cap * (size_t)ncols, sizeof(char *));
	for (int i = 0; i < ncols; i++)
		t->cells[i] = xstrdup(headers[i]);
	return t;
}

void
table_row(struct table *t, const char *const *values)
{
	int row = t->nrows + 1;

	if (row >= t->cap) {
		t->cap *= 2;
		t->cells = xrealloc(t->cells,
			(size_t)t->cap * (size_t)t->ncols * sizeof(char *));
	}
	for (int i = 0; i < t->ncols; i++)
		t->cells[row * t->ncols + i] =
			xstrdup(values[i] ? values[i] : "");
	t->nrows++;
}

void
table_align_right(struct table *t, int col)
{
	if (col >= 0 && col < 16)
		t->right[col] = 1;
}

void
table_print(struct table *t)
{
	int width[16] = {0};

	for (int r = 0; r <= t->nrows; r++)
		for (int c = 0; c < t->ncols && c < 16; c++) {
			int w = display_width(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	for (int r = 0; r <= t->nrows; r++) {
		for (int c = 0; c < t->ncols && c < 16; c++) {
			const char *s = t->cells[r * t->ncols + c];
			int pad = width[c] - display_width(s);
			int last = c == t->ncols - 1;

			if (r == 0)
				fputs(col_bold(), stdout);
			if (t->right[c])
				printf("%*s%s", pad, "", s);
			else
				printf("%s%*s", s, last ? 0 : pad, "");
			if (r == 0)
				fputs(col_reset(), stdout);
			if (!last)
				fputs("  ", stdout);
		}
		putchar('\n');
	}
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < (t->nrows + 1) * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

void
kv_print(const char *const *pairs, int n)
{
	int w = 0;

	for (int i = 0; i < n; i++)
		if (pairs[2 * i + 1] && *pairs[2 * i + 1] &&
			display_width(pairs[2 * i]) > w)
			w = display_width(pairs[2 * i]);
	for (int i = 0; i < n; i++) {
		const char *k = pairs[2 * i], *v = pairs[2 * i + 1];

		if (v == NULL || *v == '\0')
			continue;
		printf("%s%s%s%*s  %s\n", col_bold(), k, col_reset(),
			w - display_width(k), "", v);
	}
}

void
json_add_i64(cJSON *j, const char *name, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	cJSON_AddRawToObject(j, name, buf);
}

void
json_add_time(cJSON *j, const char *name, int64_t us)
{
	char iso[48], key[64];

	snprintf(key, sizeof(key), "%s_iso", name);
	if (us == 0) {
		cJSON_AddNullToObject(j, name);
		cJSON_AddNullToObject(j, key);
		return;
	}
	json_add_i64(j, name, us);
	cJSON_AddStringToObject(j, key, pc_time_iso(us, iso, sizeof(iso)));
}

void
json_print(cJSON *j)
{
	char *s = cJSON_Print(j);

	if (s) {
		puts(s);
		free(s);
	}
	cJSON_Delete(j);
}

void
output_set_color(int on)
{
	color_on = on;
}

const char *col_green(void) { return color_on ? "\033[32m" : ""; }
const char *col_yellow(void) { return color_on ? "\033[33m" : ""; }
const char *col_red(void) { return color_on ? "\033[31m" : ""; }
const char *col_bold(void) { return color_on ? "\033[1m" : ""; }
const char *col_dim(void) { return color_on ? "\033[2m" : ""; }
const char *col_reset(void) { return color_on ? "\033[0m" : ""; }
