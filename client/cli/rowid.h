/*
 * Deterministic op ids for imported rows. A row's id is a BLAKE2b hash of
 * the import kind, the row's normalised cells and how many identical rows
 * came before it in the file, shaped as a version 4 UUID: importing the
 * same file again gives every row the id it had, so the server applies
 * nothing twice, while two genuinely identical rows (two calls logged
 * alike) still count as two.
 */
#ifndef PACE_CLI_ROWID_H
#define PACE_CLI_ROWID_H

#include <stddef.h>

struct rowid;

struct rowid *rowid_new(const char *kind);
void rowid_free(struct rowid *r);

/* The op id of the next row with these cells. */
void rowid_next(struct rowid *r, char *const *cells, size_t n, char out[37]);

#endif
