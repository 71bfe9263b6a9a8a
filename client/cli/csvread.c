/*
 * CSV rows with their line numbers (see csvread.h). The file is fed to
 * libcsv one line at a time; a row starts on the first line fed after the
 * previous row ended, which is how each row learns its line number even
 * when a quoted cell holds line breaks.
 */
#define _GNU_SOURCE /* getline */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "cli.h"
#include "csvread.h"
#include "xmalloc.h"

struct reader {
	char **cells;
	int n, cap;
	unsigned row_line;  /* line the current row started on */
	int between;        /* no row is open (the last one ended) */
	int stop;           /* the row function's result, once non-zero */
	csvread_row_fn fn;
	void *ctx;
};

static void
cell_cb(void *s, size_t len, void *data)
{
	struct reader *r = data;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->cells = xrealloc(r->cells, (size_t)r->cap * sizeof(char *));
	}
	r->cells[r->n++] = xstrndup(s ? (const char *)s : "", s ? len : 0);
}

static void
row_cb(int c, void *data)
{
	struct reader *r = data;

	if (!r->stop)
		r->stop = r->fn(r->ctx, r->row_line, r->n, r->cells);
	for (int i = 0; i < r->n; i++)
		free(r->cells[i]);
	r->n = 0;
	r->between = 1;
}

static int
is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

int
csvread(FILE *f, csvread_row_fn fn, void *ctx, char *err, size_t errlen)
{
	struct csv_parser p;
	struct reader r = {.between = 1, .fn = fn, .ctx = ctx};
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	int rc = 0;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		snprintf(err, errlen, "%s", _("out of memory"));
		return -1;
	}
	while (!r.stop && (len = getline(&line, &cap, f)) > 0) {
		const char *s = line;

		lineno++;
		/* A byte order mark (Excel's "CSV UTF-8") is not data. */
		if (lineno == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			len -= 3;
		}
		if (r.between) {
			if (is_blank(s, (size_t)len))
				continue;
			r.row_line = lineno;
			r.between = 0;
		}
		if (csv_parse(&p, s, (size_t)len, cell_cb, row_cb, &r) !=
			(size_t)len) {
			snprintf(err, errlen, _("line %u: not valid CSV (%s)"),
				lineno, csv_strerror(csv_error(&p)));
			rc = -1;
			goto out;
		}
	}
	if (!r.stop && csv_fini(&p, cell_cb, row_cb, &r) != 0) {
		snprintf(err, errlen,
			_("line %u: not valid CSV (a quoted cell is not closed)"),
			r.row_line);
		rc = -1;
		goto out;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s", _("cannot read the file"));
		rc = -1;
		goto out;
	}
	rc = r.stop;
out:
	for (int i = 0; i < r.n; i++)
		free(r.cells[i]);
	free(r.cells);
	free(line);
	csv_free(&p);
	return rc;
}
