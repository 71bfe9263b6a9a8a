/*
 * Reading an import file: the CSV rows of one kind (csvkinds.h), checked
 * and normalised cell by cell, each with its line number and its
 * deterministic op id (rowid.h); the rows that cannot be sent are kept
 * apart with the reason, naming the column.
 */
#ifndef PACE_CLI_IMPORT_FILE_H
#define PACE_CLI_IMPORT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "csvkinds.h"
#include "rowid.h"

struct import_row {
	unsigned line;
	char op[37];
	char **cells; /* kind->ncols normalised cells, owned */
};

struct import_bad {
	unsigned line;
	char *field;   /* owned; "" when no one column is at fault */
	char *message; /* owned, already translated */
};

struct import {
	const struct csv_kind *kind;
	int *map;          /* file column -> kind column */
	int nfile;         /* columns in the file's header; 0 before it */
	struct import_row *rows;
	size_t nrows, rcap;
	struct import_bad *bad;
	size_t nbad, bcap;
	struct rowid *ids;
	char fatal[512];   /* why the whole file is refused */
	int64_t unlisted;  /* rows the server refused beyond those it listed */
};

/* Start reading a file of this kind. */
void import_init(struct import *im, const struct csv_kind *kind);
void import_fini(struct import *im);

/*
 * Read path ("-": standard input) into im: good rows into rows, bad ones
 * into bad. Returns EXIT_OK, or an exit code after saying why the file as a
 * whole cannot be imported (missing, not CSV, unknown column, empty).
 */
int import_read(struct import *im, const char *path);

/* Record a bad row. */
void import_add_bad(struct import *im, unsigned line, const char *field,
	const char *msg);

#endif
