/*
 * Reading a CSV file with libcsv, row by row, each row with the line it
 * starts on (quoted cells may span lines). UTF-8 with or without a byte
 * order mark (Excel writes one); blank lines are skipped.
 */
#ifndef PACE_CLI_CSVREAD_H
#define PACE_CLI_CSVREAD_H

#include <stdio.h>

/*
 * Called for each row; cells are borrowed for the call. A non-zero return
 * stops the reading and becomes csvread()'s result.
 */
typedef int (*csvread_row_fn)(void *ctx, unsigned line, int ncells,
	char **cells);

/*
 * Read f to the end. Returns 0; the row function's non-zero result; or -1
 * for a file that is not CSV (a broken quote), with the line and reason in
 * err.
 */
int csvread(FILE *f, csvread_row_fn fn, void *ctx, char *err, size_t errlen);

#endif
