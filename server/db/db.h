/*
 * The database interface handlers use. Every call is asynchronous: the
 * callback runs later on the loop with the outcome, exactly once, even if the
 * database goes away (then with E_UNAVAILABLE).
 *
 * Reads run in their own implicit transaction. Writes are group-committed:
 * writes that arrive close together share one transaction, and every
 * callback of a write runs only after that transaction has committed. A
 * write that fails is answered with its error and the others in its batch
 * are re-run without it, so one bad item never fails its neighbours.
 *
 * Errors raised by SQL with SQLSTATE class PA (see deploy/sql) map to Pace
 * codes: PA400 invalid (DETAIL names the field), PA401 unauthenticated,
 * PA403 denied, PA404 not found, PA409 conflict, PA429 exhausted; PA4S4 is
 * "not found" for something out of the actor's scope (see out_of_scope).
 */
#ifndef PACE_DB_H
#define PACE_DB_H

#include <stdint.h>

#include <libpq-fe.h>

#include "err.h"
#include "stmts.h"

struct db_result {
	int err;             /* 0 or E_* */
	PGresult *res;       /* rows on success; borrowed for the callback */
	const char *message; /* on error: a message fit for the user */
	const char *field;   /* on error: the field at fault, or NULL */
	int out_of_scope;    /* E_NOTFOUND for something that exists outside
				the actor's scope (SQLSTATE PA4S4): answered
				as absent, audited as a denial */
};

typedef void (*db_cb)(void *arg, const struct db_result *r);

enum {
	DB_NOTIFY = 1 << 0, /* after commit, wake the other instances */
};

/*
 * Submit a read or a write. Params are text (NULL for SQL NULL) and are
 * copied. Returns 0, or E_DB_BUSY when the queue is full (the callback then
 * never runs).
 */
int db_read(const struct stmt *st, const char *const *params, db_cb cb,
	void *arg) WARN_UNUSED;
int db_write(const struct stmt *st, const char *const *params, unsigned flags,
	db_cb cb, void *arg) WARN_UNUSED;
/*
 * A write keyed by its actor: writes with the same key always go to the same
 * database connection (while it is up), in order, so one user's writes never
 * contend with each other across connections and need no wider lock.
 */
int db_write_keyed(int64_t key, const struct stmt *st,
	const char *const *params, unsigned flags, db_cb cb, void *arg)
	WARN_UNUSED;

/* Helpers for reading text results. */
long long db_int(const PGresult *res, int row, const char *col);
const char *db_str(const PGresult *res, int row, const char *col);
int db_bool(const PGresult *res, int row, const char *col);
int db_isnull(const PGresult *res, int row, const char *col);

#endif
