/*
 * Connection pool, wait queues and group commit (see pg_pool.h, db.h).
 *
 * Invariants:
 * - A job is on exactly one of: readq, writeq, a txn in flight on a conn.
 * - Each conn has at most one write txn in flight: a batch commits (one WAL
 *   flush) while the next one gathers, which is what makes group commit
 *   adapt to load with no timer and no added latency when idle.
 * - A failed write batch is split: the job at fault is answered with its
 *   error, the others go back to the front of writeq in their order, the
 *   ones before it (which had run fine) as a batch of their own, so that
 *   k bad writes cost about k small re-runs, not k re-runs of everything.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "pg_conn.h"
#include "pg_pool.h"
#include "xmalloc.h"

/* A batch that fails for no job's fault is re-run at most this often. */
#define MAX_WRITE_RETRIES 5

struct pg_pool {
	uv_loop_t *loop;
	struct pg_pool_opts opts;
	char *conninfo;
	struct pg_conn **conns;
	int nconns;
	int nready;
	int first_ready_done;
	struct pg_jobq readq;
	struct pg_jobq writeq;
	int nreads, nwrites;
	uv_prepare_t prepare;
	struct pg_pool_stats stats;
	int stopping;
	int pending_closes;
	void (*stop_done)(void *);
	void *stop_arg;
};

static struct pg_pool *pool;

static void
on_state(struct pg_conn *pc, int ready, void *arg)
{
	if (ready) {
		pool->nready++;
		if (!pool->first_ready_done) {
			pool->first_ready_done = 1;
			if (pool->opts.on_first_ready)
				pool->opts.on_first_ready(pool->opts.arg);
		}
	} else {
		pool->nready--;
	}
}

static int
is_retryable(const struct pg_job *job)
{
	return job->err == E_UNAVAILABLE;
}

static void
requeue_front(struct pg_jobq *from, struct pg_job *stop)
{
	/* Move jobs from the back of `from` to the front of writeq, in order. */
	struct pg_job *job;

	while ((job = TAILQ_LAST(from, pg_jobq)) != NULL && job != stop) {
		TAILQ_REMOVE(from, job, entry);
		if (job->res) {
			PQclear(job->res);
			job->res = NULL;
		}
		job->err = 0;
		job->out_of_scope = 0;
		free(job->message);
		free(job->field);
		job->message = job->field = NULL;
		TAILQ_INSERT_HEAD(&pool->writeq, job, entry);
		pool->nwrites++;
	}
}

static void
write_txn_done(struct pg_txn *txn)
{
	struct pg_job *job, *next, *culprit = NULL;
	int notify = 0, blameless;

	if (!txn->failed) {
		pool->stats.writes_committed += (unsigned)txn->njobs;
		while ((job = TAILQ_FIRST(&txn->jobs)) != NULL) {
			TAILQ_REMOVE(&txn->jobs, job, entry);
			if (job->flags & DB_NOTIFY)
				notify = 1;
			pg_job_finish(job);
		}
		pg_txn_free(txn);
		if (notify && pool->opts.on_commit_notify)
			pool->opts.on_commit_notify(pool->opts.arg);
		return;
	}
	/* Find the job whose own statement failed. */
	TAILQ_FOREACH(job, &txn->jobs, entry)
	{
		if (job->err != 0) {
			culprit = job;
			break;
		}
	}
	/*
	 * A job whose own statement failed is answered with its error, and
	 * the rest run again: that is no fault of theirs and does not count
	 * against them (with k bad writes in one batch, the good ones run k
	 * more times and still get their own outcome). Only a failure that is
	 * no job's fault (deadlock, serialization, a retryable error) counts,
	 * at most MAX_WRITE_RETRIES times.
	 */
	blameless = culprit == NULL || is_retryable(culprit);
	if (!blameless) {
		struct pg_job *before = TAILQ_PREV(culprit, pg_jobq, entry);

		if (before)
			before->cut = 1;
		TAILQ_REMOVE(&txn->jobs, culprit, entry);
		pg_job_finish(culprit);
	}
	for (job = TAILQ_FIRST(&txn->jobs); job != NULL; job = next) {
		next = TAILQ_NEXT(job, entry);
		pool->stats.write_retries++;
		if (!blameless || ++job->retries <= MAX_WRITE_RETRIES)
			continue;
		TAILQ_REMOVE(&txn->jobs, job, entry);
		job->err = 0;
		pg_job_set_error(job, E_UNAVAILABLE,
			"database unavailable (transaction kept failing)", NULL);
		pg_job_finish(job);
	}
	requeue_front(&txn->jobs, NULL);
	pg_txn_free(txn);
}

static void
on_txn_done(struct pg_conn *pc, struct pg_txn *txn, void *arg)
{
	struct pg_job *job;

	metrics_db_txn(txn->write, txn->njobs, clock_mono_us() - txn->sent_us);
	if (txn->write) {
		write_txn_done(txn);
		return;
	}
	while ((job = TAILQ_FIRST(&txn->jobs)) != NULL) {
		TAILQ_REMOVE(&txn->jobs, job, entry);
		pg_job_finish(job);
	}
	pg_txn_free(txn);
}

/*
 * The connection for a read: ready, under the pipeline depth, preferably
 * with no write batch in flight (a read sent behind a commit waits for it),
 * then the least loaded.
 */
static struct pg_conn *
pick_read_conn(void)
{
	struct pg_conn *best = NULL;
	int best_busy = 0;

	for (int i = 0; i < pool->nconns; i++) {
		struct pg_conn *pc = pool->conns[i];
		int busy;

		if (!pg_conn_is_ready(pc) ||
			pg_conn_inflight(pc) >= pool->opts.pipeline_depth)
			continue;
		busy = pg_conn_writes_inflight(pc) > 0;
		if (best == NULL || (best_busy && !busy) ||
			(busy == best_busy &&
				pg_conn_inflight(pc) < pg_conn_inflight(best))) {
			best = pc;
			best_busy = busy;
		}
	}
	return best;
}

static void
fail_queue(struct pg_jobq *q, int *n)
{
	struct pg_job *job;

	while ((job = TAILQ_FIRST(q)) != NULL) {
		TAILQ_REMOVE(q, job, entry);
		(*n)--;
		job->err = 0;
		pg_job_set_error(job, E_UNAVAILABLE, "database unavailable",
			NULL);
		pg_job_finish(job);
	}
}

/*
 * Write batches. A keyed write goes to the write connection its key maps
 * to, so one user's writes are always sent on one connection, in order:
 * they never wait on each other across connections, and no wider lock is
 * needed. An unkeyed write goes to the least busy free write connection.
 * The last ready connection takes no writes while another can: reads (push
 * snapshots, logins, the change feed) must not queue behind commits.
 */
static void
dispatch_writes(void)
{
	struct pg_conn *wc[256];
	struct pg_txn *batch[256];
	int room[256], closed[256];
	struct pg_job *job, *next;
	int n = 0;

	for (int i = 0; i < pool->nconns && n < 256; i++)
		if (pg_conn_is_ready(pool->conns[i]))
			wc[n++] = pool->conns[i];
	if (n > 1)
		n--; /* keep the last one for reads */
	for (int i = 0; i < n; i++) {
		batch[i] = NULL;
		closed[i] = pg_conn_writes_inflight(wc[i]) > 0;
		room[i] = pool->opts.pipeline_depth - pg_conn_inflight(wc[i]);
		if (room[i] > pool->opts.batch_max)
			room[i] = pool->opts.batch_max;
		if (room[i] <= 0)
			closed[i] = 1;
	}
	for (job = TAILQ_FIRST(&pool->writeq); job; job = next) {
		int t = -1;

		next = TAILQ_NEXT(job, entry);
		if (job->key != 0) {
			t = (int)((uint64_t)job->key % (uint64_t)n);
		} else {
			for (int i = 0; i < n; i++)
				if (!closed[i] && (t < 0 || pg_conn_inflight(wc[i]) <
								 pg_conn_inflight(wc[t])))
					t = i;
		}
		if (t < 0 || closed[t])
			continue; /* its connection is busy: next round */
		if (batch[t] == NULL)
			batch[t] = pg_txn_new(1);
		TAILQ_REMOVE(&pool->writeq, job, entry);
		pool->nwrites--;
		TAILQ_INSERT_TAIL(&batch[t]->jobs, job, entry);
		if (++batch[t]->njobs >= room[t])
			closed[t] = 1;
		if (job->cut) {
			job->cut = 0;
			closed[t] = 1;
		}
	}
	for (int i = 0; i < n; i++) {
		if (batch[i] == NULL)
			continue;
		pool->stats.batches++;
		pool->stats.batch_items += (unsigned)batch[i]->njobs;
		pg_conn_send(wc[i], batch[i]);
	}
}

static void
dispatch(void)
{
	struct pg_conn *pc;
	struct pg_job *job;

	if (pool->nready == 0) {
		/* Nothing can run: answer now rather than let clients hang. */
		fail_queue(&pool->readq, &pool->nreads);
		fail_queue(&pool->writeq, &pool->nwrites);
		return;
	}
	while ((job = TAILQ_FIRST(&pool->readq)) != NULL &&
		(pc = pick_read_conn()) != NULL) {
		struct pg_txn *txn = pg_txn_new(0);

		TAILQ_REMOVE(&pool->readq, job, entry);
		pool->nreads--;
		TAILQ_INSERT_TAIL(&txn->jobs, job, entry);
		txn->njobs = 1;
		pg_conn_send(pc, txn);
	}
	dispatch_writes();
}

static void
prepare_cb(uv_prepare_t *h)
{
	if (!TAILQ_EMPTY(&pool->readq) || !TAILQ_EMPTY(&pool->writeq))
		dispatch();
}

int
pg_pool_submit(struct pg_job *job)
{
	struct pg_jobq *q;
	int *n;

	if (pool == NULL || pool->stopping) {
		pg_job_free(job);
		return E_UNAVAILABLE;
	}
	if (pool->nreads + pool->nwrites >= pool->opts.queue_limit) {
		pg_job_free(job);
		return E_DB_BUSY;
	}
	q = job->write ? &pool->writeq : &pool->readq;
	n = job->write ? &pool->nwrites : &pool->nreads;
	TAILQ_INSERT_TAIL(q, job, entry);
	(*n)++;
	return 0;
}

void
pg_pool_start(uv_loop_t *loop, const struct pg_pool_opts *opts)
{
	pool = xcalloc(1, sizeof(*pool));
	pool->loop = loop;
	pool->opts = *opts;
	pool->conninfo = xstrdup(opts->conninfo);
	pool->opts.conninfo = pool->conninfo;
	TAILQ_INIT(&pool->readq);
	TAILQ_INIT(&pool->writeq);
	uv_prepare_init(loop, &pool->prepare);
	uv_prepare_start(&pool->prepare, prepare_cb);
	pool->nconns = opts->size;
	pool->conns = xcalloc((size_t)opts->size, sizeof(*pool->conns));
	for (int i = 0; i < opts->size; i++) {
		char *name = xasprintf("db#%d", i + 1);
		struct pg_conn_opts co = {
			.name = name,
			.reconnect_min_ms = opts->reconnect_min_ms,
			.reconnect_max_ms = opts->reconnect_max_ms,
			.connect_timeout_ms = opts->connect_timeout_ms,
			.prepare = 1,
			.on_state = on_state,
			.on_txn_done = on_txn_done,
		};
		/* The name lives as long as the conn: freed in conn_closed. */
		pool->conns[i] = pg_conn_new(loop, pool->conninfo, &co);
	}
	for (int i = 0; i < opts->size; i++)
		pg_conn_start(pool->conns[i]);
}

int
pg_pool_busy(void)
{
	int n;

	if (pool == NULL)
		return 0;
	n = pool->nreads + pool->nwrites;
	for (int i = 0; i < pool->nconns; i++)
		n += pg_conn_inflight(pool->conns[i]);
	return n;
}

void
pg_pool_get_stats(struct pg_pool_stats *st)
{
	*st = pool->stats;
	st->conns_total = pool->nconns;
	st->conns_ready = pool->nready;
	st->reads_waiting = pool->nreads;
	st->writes_waiting = pool->nwrites;
	st->inflight = 0;
	for (int i = 0; i < pool->nconns; i++)
		st->inflight += pg_conn_inflight(pool->conns[i]);
}

void
pg_pool_reset(void)
{
	for (int i = 0; i < pool->nconns; i++)
		pg_conn_reset(pool->conns[i]);
}

static void
maybe_stopped(void)
{
	if (pool->pending_closes > 0)
		return;
	void (*done)(void *) = pool->stop_done;
	void *arg = pool->stop_arg;

	free(pool->conns);
	free(pool->conninfo);
	free(pool);
	pool = NULL;
	if (done)
		done(arg);
}

static void
conn_closed(void *arg)
{
	free(arg); /* the conn's name */
	pool->pending_closes--;
	maybe_stopped();
}

static void
prepare_closed_cb(uv_handle_t *h)
{
	pool->pending_closes--;
	maybe_stopped();
}

void
pg_pool_stop(void (*done)(void *), void *arg)
{
	pool->stopping = 1;
	pool->stop_done = done;
	pool->stop_arg = arg;
	fail_queue(&pool->readq, &pool->nreads);
	fail_queue(&pool->writeq, &pool->nwrites);
	pool->pending_closes = pool->nconns + 1;
	uv_prepare_stop(&pool->prepare);
	uv_close((uv_handle_t *)&pool->prepare, prepare_closed_cb);
	for (int i = 0; i < pool->nconns; i++)
		pg_conn_close(pool->conns[i], conn_closed,
			(void *)pg_conn_name(pool->conns[i]));
}
