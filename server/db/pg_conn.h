/*
 * One non-blocking, pipelined libpq connection driven by one uv_poll_t on
 * PQsocket(). It connects with PQconnectStart/PQconnectPoll, prepares every
 * statement, then runs txns (pg_job.h) in pipeline mode, reading their
 * results in order. When the link is lost every in-flight job fails with
 * E_UNAVAILABLE and the connection comes back after a jittered backoff.
 * Nothing here blocks the loop.
 */
#ifndef PACE_PG_CONN_H
#define PACE_PG_CONN_H

#include <uv.h>

#include "pg_job.h"

struct pg_conn;

struct pg_conn_opts {
	const char *name;      /* for logs, e.g. "db#1" or "listen" */
	int reconnect_min_ms;
	int reconnect_max_ms;
	int connect_timeout_ms; /* give up a connect attempt after this; 0: never */
	int prepare;           /* prepare every statement when connected */
	/* Called when the connection becomes ready or is lost. */
	void (*on_state)(struct pg_conn *pc, int ready, void *arg);
	/* Called for each NOTIFY received (LISTEN connections). */
	void (*on_notify)(struct pg_conn *pc, const char *channel,
		const char *payload, void *arg);
	/* Called when a txn finished (its jobs have been answered). */
	void (*on_txn_done)(struct pg_conn *pc, struct pg_txn *txn, void *arg);
	void *arg;
};

struct pg_conn *pg_conn_new(uv_loop_t *loop, const char *conninfo,
	const struct pg_conn_opts *opts);
void pg_conn_start(struct pg_conn *pc);

int pg_conn_is_ready(const struct pg_conn *pc);
/* Jobs sent and not yet answered. */
int pg_conn_inflight(const struct pg_conn *pc);
/* Write txns sent and not yet answered. */
int pg_conn_writes_inflight(const struct pg_conn *pc);
const char *pg_conn_name(const struct pg_conn *pc);

/*
 * Send a txn (the connection must be ready). The connection owns it until
 * it completes; its jobs' callbacks run then, or with E_UNAVAILABLE if the
 * link is lost first. Completed writes that failed are handed back through
 * on_txn_done with the jobs still attached for the pool to re-run.
 */
void pg_conn_send(struct pg_conn *pc, struct pg_txn *txn);

/* Drop the link now and reconnect after the backoff (tests, failover). */
void pg_conn_reset(struct pg_conn *pc);

/* Close for good; in-flight jobs fail. `done` runs once the handles closed. */
void pg_conn_close(struct pg_conn *pc, void (*done)(void *), void *arg);

#endif
