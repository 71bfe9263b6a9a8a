/*
 * A non-blocking pipelined libpq connection on libuv (see pg_conn.h).
 *
 * Invariants:
 * - At most one uv_poll_t watches the socket; it is replaced (old one
 *   closed) when PQsocket() changes during connect.
 * - The watch mask is always READABLE, plus WRITABLE while PQflush() has
 *   data left; it is re-armed only when it changes.
 * - `inflight` holds the txns sent, in send order; results are matched to
 *   them in that order, and each txn ends with its PGRES_PIPELINE_SYNC.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg_conn.h"
#include "xmalloc.h"

enum pg_state {
	PG_DOWN,       /* waiting for the backoff timer */
	PG_CONNECTING, /* PQconnectPoll in progress */
	PG_PREPARING,  /* connected, statements being prepared */
	PG_READY,      /* serving txns */
	PG_CLOSED,     /* pg_conn_close() called */
};

struct pg_conn {
	uv_loop_t *loop;          /* borrowed */
	char *conninfo;           /* owned */
	struct pg_conn_opts opts; /* copy; strings borrowed */
	PGconn *pg;               /* owned; NULL while down */
	uv_poll_t *poll;          /* owned; freed in poll_closed_cb */
	int fd;                   /* the socket poll watches */
	int mask;                 /* events poll watches */
	uv_timer_t timer;         /* reconnect backoff */
	enum pg_state state;
	int attempt;              /* failed connects in a row */
	struct pg_txnq inflight;  /* txns sent, oldest first */
	int njobs;                /* jobs in inflight */
	int nwrites;              /* write txns in inflight */
	void (*done)(void *);     /* pg_conn_close completion */
	void *done_arg;
	int pending_closes;       /* handles still closing */
};

static void poll_cb(uv_poll_t *h, int status, int events);
static void conn_lost(struct pg_conn *pc, const char *why);

struct pg_conn *
pg_conn_new(uv_loop_t *loop, const char *conninfo,
	const struct pg_conn_opts *opts)
{
	struct pg_conn *pc = xcalloc(1, sizeof(*pc));

	pc->loop = loop;
	pc->conninfo = xstrdup(conninfo);
	pc->opts = *opts;
	pc->fd = -1;
	TAILQ_INIT(&pc->inflight);
	uv_timer_init(loop, &pc->timer);
	pc->timer.data = pc;
	return pc;
}

const char *
pg_conn_name(const struct pg_conn *pc)
{
	return pc->opts.name ? pc->opts.name : "db";
}

int
pg_conn_is_ready(const struct pg_conn *pc)
{
	return pc->state == PG_READY;
}

int
pg_conn_inflight(const struct pg_conn *pc)
{
	return pc->njobs;
}

int
pg_conn_writes_inflight(const struct pg_conn *pc)
{
	return pc->nwrites;
}

static void
maybe_done(struct pg_conn *pc)
{
	if (pc->state == PG_CLOSED && pc->pending_closes == 0 && pc->done) {
		void (*done)(void *) = pc->done;
		void *arg = pc->done_arg;

		free(pc->conninfo);
		free(pc);
		done(arg);
	}
}

static void
poll_closed_cb(uv_handle_t *h)
{
	struct pg_conn *pc = h->data;

	free(h);
	pc->pending_closes--;
	maybe_done(pc);
}

static void
poll_drop(struct pg_conn *pc)
{
	if (pc->poll == NULL)
		return;
	uv_poll_stop(pc->poll);
	pc->pending_closes++;
	uv_close((uv_handle_t *)pc->poll, poll_closed_cb);
	pc->poll = NULL;
	pc->mask = 0;
	pc->fd = -1;
}

/* Watch `fd` for `mask`, replacing the handle if the socket changed. */
static int
poll_watch(struct pg_conn *pc, int fd, int mask)
{
	int rc;

	if (pc->poll && pc->fd != fd)
		poll_drop(pc);
	if (pc->poll == NULL) {
		pc->poll = xcalloc(1, sizeof(*pc->poll));
		rc = uv_poll_init_socket(pc->loop, pc->poll, fd);
		if (rc != 0) {
			free(pc->poll);
			pc->poll = NULL;
			return rc;
		}
		pc->poll->data = pc;
		pc->fd = fd;
		pc->mask = 0;
	}
	if (mask != pc->mask) {
		rc = uv_poll_start(pc->poll, mask, poll_cb);
		if (rc != 0)
			return rc;
		pc->mask = mask;
	}
	return 0;
}

/* Flush what libpq has buffered and set the mask accordingly. */
static void
flush_and_arm(struct pg_conn *pc)
{
	int f = PQflush(pc->pg);

	if (f < 0) {
		conn_lost(pc, PQerrorMessage(pc->pg));
		return;
	}
	if (poll_watch(pc, PQsocket(pc->pg),
		    UV_READABLE | (f == 1 ? UV_WRITABLE : 0)) != 0)
		conn_lost(pc, "poll failed");
}

/*
 * One timer, two uses: while down it is the reconnect backoff; while
 * connecting it is the deadline (libpq's connect_timeout does not apply to
 * PQconnectPoll, and a server that never answers must not stall us).
 */
static void
timer_cb(uv_timer_t *t)
{
	struct pg_conn *pc = t->data;

	if (pc->state == PG_DOWN)
		pg_conn_start(pc);
	else if (pc->state == PG_CONNECTING || pc->state == PG_PREPARING)
		conn_lost(pc, "connect timed out");
}

static void
schedule_reconnect(struct pg_conn *pc)
{
	long delay = pc->opts.reconnect_min_ms;
	long span;

	for (int i = 0; i < pc->attempt && delay < pc->opts.reconnect_max_ms; i++)
		delay *= 2;
	if (delay > pc->opts.reconnect_max_ms)
		delay = pc->opts.reconnect_max_ms;
	/* Full jitter on the upper half, so instances do not reconnect in step. */
	span = delay / 2;
	if (span > 0)
		delay = delay - span + (long)(random() % (span + 1));
	if (pc->attempt < 30)
		pc->attempt++;
	uv_timer_start(&pc->timer, timer_cb, (uint64_t)delay, 0);
}

static void
fail_inflight(struct pg_conn *pc)
{
	struct pg_txn *txn;

	while ((txn = TAILQ_FIRST(&pc->inflight)) != NULL) {
		struct pg_job *job;

		TAILQ_REMOVE(&pc->inflight, txn, entry);
		while ((job = TAILQ_FIRST(&txn->jobs)) != NULL) {
			TAILQ_REMOVE(&txn->jobs, job, entry);
			job->err = 0;
			pg_job_set_error(job, E_UNAVAILABLE,
				"database unavailable", NULL);
			pg_job_finish(job);
		}
		pg_txn_free(txn);
	}
	pc->njobs = 0;
	pc->nwrites = 0;
}

static void
conn_lost(struct pg_conn *pc, const char *why)
{
	int was_ready = pc->state == PG_READY;
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", why ? why : "");
	msg[strcspn(msg, "\n")] = '\0';
	if (pc->state != PG_CLOSED)
		log_warn("%s: connection lost: %s", pg_conn_name(pc), msg);
	poll_drop(pc);
	if (pc->pg) {
		PQfinish(pc->pg);
		pc->pg = NULL;
	}
	fail_inflight(pc);
	if (pc->state == PG_CLOSED) {
		maybe_done(pc);
		return;
	}
	pc->state = PG_DOWN;
	if (was_ready && pc->opts.on_state)
		pc->opts.on_state(pc, 0, pc->opts.arg);
	schedule_reconnect(pc);
}

void
pg_conn_reset(struct pg_conn *pc)
{
	if (pc->state == PG_CONNECTING || pc->state == PG_PREPARING ||
		pc->state == PG_READY)
		conn_lost(pc, "reset");
}

static void
send_prepares(struct pg_conn *pc)
{
	const struct stmt *const *all = stmt_all();
	struct pg_txn *txn = pg_txn_new(0);

	txn->prepare = 1;
	txn->step = STEP_PREPARE;
	for (const struct stmt *const *s = all; *s; s++) {
		if (!PQsendPrepare(pc->pg, (*s)->name, (*s)->sql,
			    (*s)->nparams, NULL)) {
			pg_txn_free(txn);
			conn_lost(pc, PQerrorMessage(pc->pg));
			return;
		}
	}
	if (!PQpipelineSync(pc->pg)) {
		pg_txn_free(txn);
		conn_lost(pc, PQerrorMessage(pc->pg));
		return;
	}
	TAILQ_INSERT_TAIL(&pc->inflight, txn, entry);
	pc->state = PG_PREPARING;
	flush_and_arm(pc);
}

static void
became_connected(struct pg_conn *pc)
{
	if (PQsetnonblocking(pc->pg, 1) != 0 ||
		PQenterPipelineMode(pc->pg) != 1) {
		conn_lost(pc, PQerrorMessage(pc->pg));
		return;
	}
	log_info("%s: connected (server %d)", pg_conn_name(pc),
		PQserverVersion(pc->pg));
	if (pc->opts.prepare && stmt_count() > 0) {
		send_prepares(pc);
		return;
	}
	pc->state = PG_READY;
	pc->attempt = 0;
	uv_timer_stop(&pc->timer);
	flush_and_arm(pc);
	if (pc->opts.on_state)
		pc->opts.on_state(pc, 1, pc->opts.arg);
}

static void
connect_poll(struct pg_conn *pc)
{
	PostgresPollingStatusType st = PQconnectPoll(pc->pg);
	int rc = 0;

	switch (st) {
	case PGRES_POLLING_READING:
		rc = poll_watch(pc, PQsocket(pc->pg), UV_READABLE);
		break;
	case PGRES_POLLING_WRITING:
		rc = poll_watch(pc, PQsocket(pc->pg), UV_WRITABLE);
		break;
	case PGRES_POLLING_OK:
		became_connected(pc);
		return;
	default:
		conn_lost(pc, PQerrorMessage(pc->pg));
		return;
	}
	if (rc != 0)
		conn_lost(pc, uv_strerror(rc));
}

/* Server notices (warnings, "terminating connection") go to our log. */
static void
notice_cb(void *arg, const char *message)
{
	struct pg_conn *pc = arg;
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", message);
	msg[strcspn(msg, "\n")] = '\0';
	log_info("%s: server says: %s", pg_conn_name(pc), msg);
}

void
pg_conn_start(struct pg_conn *pc)
{
	if (pc->state != PG_DOWN)
		return;
	pc->pg = PQconnectStart(pc->conninfo);
	if (pc->pg == NULL) {
		conn_lost(pc, "out of memory");
		return;
	}
	if (PQstatus(pc->pg) == CONNECTION_BAD) {
		conn_lost(pc, PQerrorMessage(pc->pg));
		return;
	}
	PQsetNoticeProcessor(pc->pg, notice_cb, pc);
	pc->state = PG_CONNECTING;
	if (pc->opts.connect_timeout_ms > 0)
		uv_timer_start(&pc->timer, timer_cb,
			(uint64_t)pc->opts.connect_timeout_ms, 0);
	/* A fresh connect is "writing" first (libpq's documented start). */
	if (poll_watch(pc, PQsocket(pc->pg), UV_WRITABLE) != 0)
		conn_lost(pc, "poll failed");
}

void
pg_conn_send(struct pg_conn *pc, struct pg_txn *txn)
{
	struct pg_job *job;

	TAILQ_FOREACH(job, &txn->jobs, entry)
	{
		if (!PQsendQueryPrepared(pc->pg, job->stmt->name,
			    job->stmt->nparams,
			    (const char *const *)job->params, NULL, NULL, 0))
			goto fail;
	}
	if (!PQpipelineSync(pc->pg))
		goto fail;
	txn->step = STEP_JOB;
	txn->cur = TAILQ_FIRST(&txn->jobs);
	TAILQ_INSERT_TAIL(&pc->inflight, txn, entry);
	pc->njobs += txn->njobs;
	if (txn->write)
		pc->nwrites++;
	flush_and_arm(pc);
	return;
fail:
	/* The txn is not on the list yet: put it there so conn_lost fails it. */
	TAILQ_INSERT_TAIL(&pc->inflight, txn, entry);
	conn_lost(pc, PQerrorMessage(pc->pg));
}

/* Move to the step after the one whose results just ended (NULL result). */
static void
txn_advance(struct pg_txn *txn)
{
	if (txn->step == STEP_JOB) {
		txn->cur = TAILQ_NEXT(txn->cur, entry);
		if (txn->cur == NULL)
			txn->step = STEP_SYNC;
	}
	/* Prepares and the sync end when the sync result arrives. */
}

static void
txn_result(struct pg_conn *pc, struct pg_txn *txn, PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	if (txn->step == STEP_JOB && txn->cur) {
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			pg_job_set_result(txn->cur, res);
			return;
		}
		if (st == PGRES_FATAL_ERROR) {
			pg_job_error_from_result(txn->cur, res);
			txn->failed = 1;
		} else if (st == PGRES_PIPELINE_ABORTED) {
			txn->failed = 1;
		}
	} else if (txn->step == STEP_PREPARE) {
		if (st == PGRES_COMMAND_OK) {
			txn->nprepared++;
		} else {
			log_error("%s: prepare failed: %s", pg_conn_name(pc),
				PQresultErrorMessage(res));
			txn->failed = 1;
		}
	} else if (st == PGRES_FATAL_ERROR || st == PGRES_PIPELINE_ABORTED) {
		txn->failed = 1;
	}
	PQclear(res);
}

static void
txn_complete(struct pg_conn *pc, struct pg_txn *txn)
{
	TAILQ_REMOVE(&pc->inflight, txn, entry);
	pc->njobs -= txn->njobs;
	if (txn->write)
		pc->nwrites--;
	if (txn->prepare) {
		int failed = txn->failed;

		pg_txn_free(txn);
		if (failed) {
			conn_lost(pc, "statements could not be prepared");
			return;
		}
		pc->state = PG_READY;
		pc->attempt = 0;
		uv_timer_stop(&pc->timer);
		log_debug("%s: %d statements prepared", pg_conn_name(pc),
			stmt_count());
		if (pc->opts.on_state)
			pc->opts.on_state(pc, 1, pc->opts.arg);
		return;
	}
	if (pc->opts.on_txn_done)
		pc->opts.on_txn_done(pc, txn, pc->opts.arg);
	else
		pg_txn_free(txn);
}

static void
drain_notifies(struct pg_conn *pc)
{
	PGnotify *n;

	while ((n = PQnotifies(pc->pg)) != NULL) {
		if (pc->opts.on_notify)
			pc->opts.on_notify(pc, n->relname, n->extra,
				pc->opts.arg);
		PQfreemem(n);
	}
}

/* Read every result available without blocking. */
static void
read_results(struct pg_conn *pc)
{
	struct pg_txn *txn;
	int nulls = 0;

	if (!PQconsumeInput(pc->pg)) {
		conn_lost(pc, PQerrorMessage(pc->pg));
		return;
	}
	drain_notifies(pc);
	while ((txn = TAILQ_FIRST(&pc->inflight)) != NULL &&
		!PQisBusy(pc->pg)) {
		PGresult *res = PQgetResult(pc->pg);

		if (res == NULL) {
			/* Two NULLs in a row: libpq has nothing more for now. */
			if (txn->step == STEP_SYNC || ++nulls > 1)
				break;
			txn_advance(txn);
			continue;
		}
		nulls = 0;
		if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			txn_complete(pc, txn);
			if (pc->state != PG_READY && pc->state != PG_PREPARING)
				return; /* lost while completing */
			continue;
		}
		txn_result(pc, txn, res);
	}
	if (pc->pg && PQstatus(pc->pg) == CONNECTION_BAD)
		conn_lost(pc, PQerrorMessage(pc->pg));
}

static void
poll_cb(uv_poll_t *h, int status, int events)
{
	struct pg_conn *pc = h->data;

	if (status < 0 && pc->state == PG_CONNECTING) {
		/* A refused connect shows as EBADF here: libpq knows why. */
		connect_poll(pc);
		return;
	}
	if (status < 0) {
		conn_lost(pc, uv_strerror(status));
		return;
	}
	if (pc->state == PG_CONNECTING) {
		connect_poll(pc);
		return;
	}
	if (pc->pg == NULL)
		return;
	if (events & UV_READABLE) {
		read_results(pc);
		if (pc->pg == NULL)
			return;
	}
	flush_and_arm(pc);
}

static void
timer_closed_cb(uv_handle_t *h)
{
	struct pg_conn *pc = h->data;

	pc->pending_closes--;
	maybe_done(pc);
}

void
pg_conn_close(struct pg_conn *pc, void (*done)(void *), void *arg)
{
	pc->done = done;
	pc->done_arg = arg;
	pc->state = PG_CLOSED;
	uv_timer_stop(&pc->timer);
	pc->pending_closes++;
	uv_close((uv_handle_t *)&pc->timer, timer_closed_cb);
	conn_lost(pc, "closing");
}
