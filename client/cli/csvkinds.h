/*
 * The CSV files of `pace import` and `pace export`: for each kind of row
 * (customers, deals, activities, payments) its columns, in the order the
 * server takes the cells (docs/import.md), and how each cell is made ready
 * to send: amounts become integer fen and times microseconds, so that the
 * cells (and the op id derived from them) do not depend on how a person or
 * a spreadsheet happened to write them.
 */
#ifndef PACE_CLI_CSVKINDS_H
#define PACE_CLI_CSVKINDS_H

#include <stddef.h>

enum cell_type {
	CELL_TEXT,  /* as written, trimmed */
	CELL_WORD,  /* a keyword: trimmed, lower-case */
	CELL_MONEY, /* pc_money_parse -> fen, e.g. "12000000" */
	CELL_TIME,  /* µs as is (2000..2100) or pc_time_parse -> µs, e.g.
		     * "1795761000000000"; may be empty */
	CELL_DATE,  /* YYYY-MM-DD, checked; may be empty */
};

struct csv_column {
	const char *name;
	enum cell_type type;
};

struct csv_kind {
	const char *name; /* "customers" ... as on the wire (ImportBegin.kind) */
	const struct csv_column *cols;
	int ncols;
};

/* The kind by name, or NULL. */
const struct csv_kind *csv_kind_find(const char *name);

/* The column index of name (case-insensitive, trimmed), or -1. */
int csv_kind_column(const struct csv_kind *k, const char *name);

/*
 * Make a cell ready to send. Returns NULL with *out set (xmalloc'd), or an
 * English, translatable reason the cell is refused.
 */
const char *csv_cell_normalise(const struct csv_column *c, const char *in,
	char **out);

#endif
