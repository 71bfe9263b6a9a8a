/*
 * The pool of pg_conns behind db.h: a bounded wait queue for reads, a
 * group-commit queue for writes, and the choice of connection. Dispatch runs
 * from a uv_prepare handle, once per loop turn right before polling, so all
 * writes that arrived in one turn go out as one transaction, and while every
 * connection is busy committing, new writes gather into the next batch.
 */
#ifndef PACE_PG_POOL_H
#define PACE_PG_POOL_H

#include <uv.h>

#include "err.h"

struct pg_pool_opts {
	const char *conninfo;
	int size;              /* connections */
	int pipeline_depth;    /* max jobs in flight per connection */
	int queue_limit;       /* max jobs waiting for a connection */
	int batch_max;         /* max writes per group commit */
	int reconnect_min_ms;
	int reconnect_max_ms;
	int connect_timeout_ms;
	/* Called once, when the first connection becomes ready. */
	void (*on_first_ready)(void *arg);
	/* Called after each committed batch that asked for DB_NOTIFY. */
	void (*on_commit_notify)(void *arg);
	void *arg;
};

struct pg_pool_stats {
	int conns_ready;
	int conns_total;
	int reads_waiting;
	int writes_waiting;
	int inflight;
	unsigned long long batches;
	unsigned long long batch_items;
	unsigned long long writes_committed;
	unsigned long long write_retries;
};

/* Create the process's pool and start connecting. */
void pg_pool_start(uv_loop_t *loop, const struct pg_pool_opts *opts);

struct pg_job;

/*
 * Queue a job (a read, or a write when job->write) for the next dispatch.
 * Takes the job: 0, or E_DB_BUSY / E_UNAVAILABLE after freeing it (its
 * callback then never runs). db.c builds the jobs of db_read/db_write.
 */
int pg_pool_submit(struct pg_job *job) WARN_UNUSED;

/* Jobs queued or in flight (0 when idle). */
int pg_pool_busy(void);
void pg_pool_get_stats(struct pg_pool_stats *st);

/* Drop every connection (they reconnect after the backoff). For tests. */
void pg_pool_reset(void);

/* Close every connection; queued jobs fail. `done` runs when closed. */
void pg_pool_stop(void (*done)(void *), void *arg);

#endif
