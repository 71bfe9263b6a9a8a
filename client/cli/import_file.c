/*
 * Reading and checking an import file (see import_file.h). Cells are
 * normalised by csvkinds.c; here each row is matched to the header, checked
 * against what the server takes (UTF-8, at most MAX_CELL_BYTES a cell) and
 * given its op id.
 */
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "import_file.h"
#include "xmalloc.h"

#define MAX_CELL_BYTES 4096 /* the server's limit per cell */

void
import_add_bad(struct import *im, unsigned line, const char *field, const char *msg)
{
	if (im->nbad == im->bcap) {
		im->bcap = im->bcap ? im->bcap * 2 : 64;
		im->bad = xrealloc(im->bad, im->bcap * sizeof(*im->bad));
	}
	im->bad[im->nbad].line = line;
	im->bad[im->nbad].field = xstrdup(field ? field : "");
	im->bad[im->nbad].message = xstrdup(msg ? msg : "");
	im->nbad++;
}

/* The header row: which of the kind's columns each file column is. */
static int
read_header(struct import *im, unsigned line, int n, char **cells)
{
	im->map = xcalloc((size_t)n, sizeof(int));
	for (int i = 0; i < n; i++) {
		int col = csv_kind_column(im->kind, cells[i]);
		if (col < 0) {
			char cols[512] = "";
			for (int c = 0; c < im->kind->ncols; c++)
				snprintf(cols + strlen(cols), sizeof(cols) - strlen(cols),
					"%s%s", c ? ", " : "", im->kind->cols[c].name);
			snprintf(im->fatal, sizeof(im->fatal),
				_("line %u: unknown column '%s' (the columns of %s "
				  "are: %s)"),
				line, cells[i], im->kind->name, cols);
			return 1;
		}
		for (int j = 0; j < i; j++)
			if (im->map[j] == col) {
				snprintf(im->fatal, sizeof(im->fatal),
					_("line %u: column '%s' appears twice"),
					line, im->kind->cols[col].name);
				return 1;
			}
		im->map[i] = col;
	}
	im->nfile = n;
	return 0;
}

/* Well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static int
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 0 : *p >= 0xc2 && *p <= 0xdf ? 1 :
			*p >= 0xe0 && *p <= 0xef		  ? 2 :
			*p >= 0xf0 && *p <= 0xf4		  ? 3 :
								    -1;
		unsigned cp = n == 0 ? *p : *p & (0x3f >> n);

		if (n < 0)
			return 0;
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
			(n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += n + 1;
	}
	return 1;
}

static int
all_empty(int n, char **cells)
{
	for (int i = 0; i < n; i++)
		if (strspn(cells[i], " \t") != strlen(cells[i]))
			return 0;
	return 1;
}

static int
row_fn(void *ctx, unsigned line, int n, char **cells)
{
	struct import *im = ctx;
	const struct csv_kind *k = im->kind;
	char **norm;

	if (im->nfile == 0)
		return read_header(im, line, n, cells);
	if (all_empty(n, cells))
		return 0;
	if (n != im->nfile) {
		char msg[128];
		snprintf(msg, sizeof(msg), _("expected %d cells, found %d"),
			im->nfile, n);
		import_add_bad(im, line, "", msg);
		return 0;
	}
	norm = xcalloc((size_t)k->ncols, sizeof(char *));
	for (int i = 0; i < n; i++) {
		const struct csv_column *col = &k->cols[im->map[i]];
		const char *why = csv_cell_normalise(col, cells[i],
			&norm[im->map[i]]);
		if (why != NULL) {
			import_add_bad(im, line, col->name, _(why));
			for (int c = 0; c < k->ncols; c++)
				free(norm[c]);
			free(norm);
			return 0;
		}
	}
	for (int c = 0; c < k->ncols; c++) {
		const char *why = NULL;
		if (norm[c] == NULL)
			norm[c] = xstrdup(""); /* a column the file leaves out */
		else if (!utf8_ok(norm[c]))
			why = _("not UTF-8 text (save the file as \"CSV UTF-8\")");
		else if (strlen(norm[c]) > MAX_CELL_BYTES)
			why = _("longer than 4096 bytes");
		if (why != NULL) {
			import_add_bad(im, line, k->cols[c].name, why);
			for (int i = 0; i < k->ncols; i++)
				free(norm[i]);
			free(norm);
			return 0;
		}
	}
	if (im->nrows == im->rcap) {
		im->rcap = im->rcap ? im->rcap * 2 : 1024;
		im->rows = xrealloc(im->rows, im->rcap * sizeof(*im->rows));
	}
	im->rows[im->nrows].line = line;
	im->rows[im->nrows].cells = norm;
	rowid_next(im->ids, norm, (size_t)k->ncols, im->rows[im->nrows].op);
	im->nrows++;
	return 0;
}

void
import_fini(struct import *im)
{
	for (size_t i = 0; i < im->nrows; i++) {
		for (int c = 0; c < im->kind->ncols; c++)
			free(im->rows[i].cells[c]);
		free(im->rows[i].cells);
	}
	for (size_t i = 0; i < im->nbad; i++) {
		free(im->bad[i].field);
		free(im->bad[i].message);
	}
	free(im->rows);
	free(im->bad);
	free(im->map);
	rowid_free(im->ids);
	memset(im, 0, sizeof(*im));
}

void
import_init(struct import *im, const struct csv_kind *kind)
{
	memset(im, 0, sizeof(*im));
	im->kind = kind;
	im->ids = rowid_new(kind->name);
}

int
import_read(struct import *im, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char err[512];
	int rc;

	if (f == NULL) {
		fprintf(stderr, _("pace: cannot open %s: %m\n"), path);
		return EXIT_USAGE;
	}
	rc = csvread(f, row_fn, im, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (rc < 0 || im->fatal[0]) {
		fprintf(stderr, "pace: %s: %s\n", path, rc < 0 ? err : im->fatal);
		return EXIT_INVALID;
	}
	if (im->nfile == 0) {
		fprintf(stderr, _("pace: %s: the file is empty (it needs a header "
				  "row naming the columns)\n"),
			path);
		return EXIT_INVALID;
	}
	return EXIT_OK;
}

