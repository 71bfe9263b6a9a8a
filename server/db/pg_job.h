/*
 * Jobs and transactions inside the database layer (not for handlers: they
 * use db.h). A job is one prepared statement with its callback. A txn is
 * what one pg_conn sends between two pipeline syncs: a single read, or a
 * group-committed batch of writes. Statements between two syncs run in one
 * implicit transaction, which the server commits when it reaches the sync
 * (or rolls back if any statement failed); the PGRES_PIPELINE_SYNC result
 * therefore arrives only after the commit is durable.
 */
#ifndef PACE_PG_JOB_H
#define PACE_PG_JOB_H

#include <stdint.h>
#include <sys/queue.h>
#include <libpq-fe.h>

#include "db.h"

struct pg_job {
	TAILQ_ENTRY(pg_job) entry; /* on a pool queue or a txn */
	const struct stmt *stmt;   /* borrowed: statements are static */
	char **params;             /* owned: one allocation with the strings */
	db_cb cb;
	void *arg; /* borrowed: the caller's, handed back in cb */
	unsigned flags;
	unsigned write : 1;
	unsigned cut : 1; /* a write batch ends after this job (pg_pool.c) */
	int64_t key;   /* writes with the same key share a connection; 0: any */
	int retries;   /* times re-run after a deadlock or the like */
	PGresult *res; /* owned until the txn completes */
	int err;
	unsigned out_of_scope : 1; /* err came from SQLSTATE PA4S4 */
	char *message, *field; /* owned copies of the error text */
};
TAILQ_HEAD(pg_jobq, pg_job);

enum pg_step_kind { STEP_JOB, STEP_PREPARE, STEP_SYNC };

struct pg_txn {
	TAILQ_ENTRY(pg_txn) entry; /* on its pg_conn's in-flight list */
	struct pg_jobq jobs;       /* owned */
	int njobs;
	unsigned write : 1;
	unsigned prepare : 1;     /* the statement-preparation txn of a connect */
	unsigned sync_seen : 1;
	struct pg_job *cur;       /* job whose results are being read */
	enum pg_step_kind step;   /* what the next results belong to */
	int failed;               /* a step failed: all is rolled back */
	int nprepared;            /* STEP_PREPARE results seen */
	int64_t sent_us;          /* created (and sent) at; for metrics */
};
TAILQ_HEAD(pg_txnq, pg_txn);

struct pg_job *pg_job_new(const struct stmt *st, const char *const *params,
	db_cb cb, void *arg);
void pg_job_set_error(struct pg_job *job, int err, const char *message,
	const char *field);
void pg_job_set_result(struct pg_job *job, PGresult *res);
/* Run the callback and free the job. */
void pg_job_finish(struct pg_job *job);
void pg_job_free(struct pg_job *job);

/* Map an error result (SQLSTATE) to an E_* code and user-facing text. */
void pg_job_error_from_result(struct pg_job *job, const PGresult *res);

struct pg_txn *pg_txn_new(int write);
void pg_txn_free(struct pg_txn *txn);

#endif
