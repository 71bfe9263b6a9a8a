/* The change feed, alert delivery and the leader (see feed.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conn.h"
#include "db/db.h"
#include "db/pg_conn.h"
#include "feed.h"
#include "kpi_conv.h"
#include "log.h"
#include "metrics.h"
#include "review.h"
#include "server.h"
#include "topics.h"
#include "xmalloc.h"

/* Any 64-bit key no one else uses: the leader of time-driven work. */
#define LEADER_LOCK 7420002

static const struct stmt st_listen = {"listen", "LISTEN pace_events", 0};
/* Operators (and tests) find this connection in pg_stat_activity by name. */
static const struct stmt st_appname = {"listen_appname",
	"SELECT set_config('application_name', 'pace-listen', false)", 0};
static const struct stmt st_clock_offset = {"clock_get",
	"SELECT offset_us, coalesce(frozen_us, 0) AS frozen_us "
	"FROM pace.clock_get()", 0};
static const struct stmt st_leader = {"leader_lock",
	"SELECT pg_try_advisory_lock(7420002) AS ok", 0};
static const struct stmt st_changes = {"changes_since",
	"SELECT * FROM pace.changes_since($1)", 1};
static const struct stmt st_alert_seq = {"alert_seq",
	"SELECT pace.alert_seq() AS seq", 0};
static const struct stmt st_alerts_after = {"alerts_after",
	"SELECT * FROM pace.alerts_after($1::bigint)", 1};
static const struct stmt st_evaluate = {"alerts_evaluate",
	"SELECT pace.alerts_evaluate($1::bigint, $2::bigint[], $3::boolean) AS n", 3};
static const struct stmt st_notify = {"notify",
	"SELECT pg_notify('pace_events', '')", 0};
static const struct stmt st_prune = {"change_log_prune",
	"SELECT pace.change_log_prune($1::int) AS n", 1};

const struct stmt *const feed_stmts[] = {&st_listen, &st_appname,
	&st_clock_offset, &st_leader, &st_changes,
	&st_alert_seq, &st_alerts_after, &st_evaluate, &st_notify, &st_prune,
	NULL};

static struct {
	struct pg_conn *pc;   /* LISTEN and the leader lock */
	uv_timer_t timer;
	int ready;
	int leader;
	char *snap;           /* snapshot of the last change read; NULL: none */
	int reading, pending;
	uint64_t last_alert;
	int seq_known;
	/* Leader: users whose scopes changed, awaiting evaluation. */
	int64_t *users;
	size_t nusers, capusers;
	int eval_running, eval_again, eval_nodes;
	int64_t last_nodes_us, last_try_us, last_poll_us, last_prune_us;
} F;

int
feed_is_leader(void)
{
	return F.leader;
}

int
feed_is_ready(void)
{
	return F.ready;
}

/* Send one statement on the LISTEN connection. */
static int
listen_send(const struct stmt *st, db_cb cb, void *arg)
{
	struct pg_txn *txn;
	struct pg_job *job;

	if (!F.ready)
		return E_UNAVAILABLE;
	job = pg_job_new(st, NULL, cb, arg);
	txn = pg_txn_new(0);
	TAILQ_INSERT_TAIL(&txn->jobs, job, entry);
	txn->njobs = 1;
	pg_conn_send(F.pc, txn);
	return 0;
}

static void run_evaluate(void);

static void
leader_cb(void *arg, const struct db_result *r)
{
	int was = F.leader;

	if (r->err != 0)
		return;
	F.leader = db_bool(r->res, 0, "ok");
	if (F.leader && !was) {
		log_info("this instance now runs the time-driven alerts (leader)");
		F.eval_nodes = 1;
		run_evaluate();
	}
}

static void
listen_cb(void *arg, const struct db_result *r)
{
	if (r->err != 0)
		log_warn("feed: LISTEN failed: %s", r->message);
}

/* --test-clock: take over the clock a ClockSet stored (any instance's). */
static void
clock_offset_cb(void *arg, const struct db_result *r)
{
	int64_t offset, frozen;

	if (r->err != 0 || !srv.cfg.test_clock)
		return;
	offset = db_int(r->res, 0, "offset_us");
	frozen = db_int(r->res, 0, "frozen_us");
	if (srv.clock_offset_us != offset || srv.clock_frozen_us != frozen) {
		srv.clock_offset_us = offset;
		srv.clock_frozen_us = frozen;
		log_info("test clock: offset %lld us, frozen at %lld "
			 "(from the database)",
			(long long)offset, (long long)frozen);
	}
}

/* --- alerts ---------------------------------------------------------------- */

static Pace__V1__AlertKind
alert_kind(const char *k)
{
	static const char *const names[] = {"", "status", "stale_deal",
		"stuck_deal", "close_passed", "payment_overdue", "action_due",
		"review_ready"};

	for (int i = 1; i < 8; i++)
		if (strcmp(k, names[i]) == 0)
			return (Pace__V1__AlertKind)i;
	return PACE__V1__ALERT_KIND__ALERT_UNSPECIFIED;
}

/* Fill an Alert from a row of alerts_after / alerts_for (shared shape). */
void
alert_from_row(Pace__V1__Alert *al, Pace__V1__Scope *subject,
	const PGresult *res, int i)
{
	pace__v1__alert__init(al);
	pace__v1__scope__init(subject);
	al->id = (uint64_t)db_int(res, i, "id");
	al->kind = alert_kind(db_str(res, i, "kind"));
	al->raised_at = db_int(res, i, "raised_at");
	subject->kind = scope_kind_wire(db_str(res, i, "subject_kind"));
	subject->id = db_int(res, i, "subject_id");
	subject->name = (char *)db_str(res, i, "subject");
	al->subject = subject;
	al->title = (char *)db_str(res, i, "title");
	al->detail = (char *)db_str(res, i, "detail");
	al->from = status_wire(db_str(res, i, "from_status"));
	al->to = status_wire(db_str(res, i, "to_status"));
	al->metric = (char *)db_str(res, i, "metric");
	al->period = (char *)db_str(res, i, "period");
	al->deal_id = db_int(res, i, "deal_id");
	al->entity_id = db_int(res, i, "entity_id");
	if (PQfnumber(res, "acknowledged") >= 0)
		al->acknowledged = db_bool(res, i, "acknowledged");
}

/* Is user in the SQL array text "{1,2,3}"? */
static int
in_array(const char *arr, int64_t user)
{
	const char *p = arr;

	while (*p) {
		char *end;
		long long v;

		while (*p == '{' || *p == ',' || *p == '}')
			p++;
		if (*p == '\0')
			break;
		v = strtoll(p, &end, 10);
		if (end == p)
			break;
		if (v == user)
			return 1;
		p = end;
	}
	return 0;
}

static void read_alerts(void);

static void
alerts_cb(void *arg, const struct db_result *r)
{
	int n;

	if (r->err != 0) {
		F.reading = 0;
		return;
	}
	n = PQntuples(r->res);
	for (int i = 0; i < n; i++) {
		Pace__V1__Frame f = PACE__V1__FRAME__INIT;
		Pace__V1__Push p = PACE__V1__PUSH__INIT;
		Pace__V1__Alert al;
		Pace__V1__Scope subject;
		const char *rcpt = db_str(r->res, i, "recipients");
		int64_t org = db_int(r->res, i, "org_id");
		struct frame *fr;
		struct conn *c, *next;
		size_t sent = 0, dropped = 0;

		alert_from_row(&al, &subject, r->res, i);
		topics_set_seq(al.id);
		F.last_alert = al.id;
		p.seq = al.id;
		p.body_case = PACE__V1__PUSH__BODY_ALERT;
		p.alert = &al;
		f.body_case = PACE__V1__FRAME__BODY_PUSH;
		f.push = &p;
		fr = frame_pack(&f);
		for (c = TAILQ_FIRST(&srv.clients); c; c = next) {
			next = TAILQ_NEXT(c, all_entry);
			if (c->ident == NULL || c->alert_mode == ALERTS_OFF ||
				c->ident->org_id != org ||
				!in_array(rcpt, c->ident->user_id))
				continue;
			if (c->alert_mode == ALERTS_CATCHUP) {
				c->alert_gap = 1; /* its catch-up reads again */
				continue;
			}
			if (al.id <= c->push_seq)
				continue; /* it had this one (resumed past it) */
			if (conn_send_frame(c, fr) == 0) {
				c->push_seq = al.id;
				sent++;
			} else {
				dropped++;
			}
		}
		metrics_push(sent, dropped);
		frame_unref(fr);
	}
	if (n == 1000) { /* more than one page: keep reading */
		read_alerts();
		return;
	}
	F.reading = 0;
	if (F.pending) {
		F.pending = 0;
		feed_poke();
	}
}

static void
read_alerts(void)
{
	char after[24];
	const char *p[1];

	snprintf(after, sizeof(after), "%llu", (unsigned long long)F.last_alert);
	p[0] = after;
	if (db_read(&st_alerts_after, p, alerts_cb, NULL) != 0)
		F.reading = 0;
}

/* --- changes --------------------------------------------------------------- */

static void
add_user(int64_t u)
{
	for (size_t i = 0; i < F.nusers; i++)
		if (F.users[i] == u)
			return;
	if (F.nusers == F.capusers) {
		F.capusers = F.capusers ? F.capusers * 2 : 64;
		F.users = xrealloc(F.users, F.capusers * sizeof(*F.users));
	}
	F.users[F.nusers++] = u;
}

static void
changes_cb(void *arg, const struct db_result *r)
{
	int n, users = 0, first = F.snap == NULL;

	if (r->err != 0) {
		F.reading = 0;
		return;
	}
	/*
	 * The first read only says where the log starts for this instance:
	 * what committed before it is not reported. A topic subscribed before
	 * that point may have computed its snapshot before such a commit, so
	 * every topic is computed again once the starting point is known.
	 */
	if (first)
		topics_all_changed();
	n = PQntuples(r->res);
	for (int i = 0; i < n; i++) {
		const char *kind = db_str(r->res, i, "kind");

		if (i == 0) {
			free(F.snap);
			F.snap = xstrdup(db_str(r->res, i, "snap"));
		}
		if (db_isnull(r->res, i, "org_id"))
			continue;
		topics_changed(db_int(r->res, i, "org_id"), kind,
			db_int(r->res, i, "id"));
		if (F.leader && strcmp(kind, "user") == 0) {
			add_user(db_int(r->res, i, "id"));
			users++;
		}
		if (F.leader && strcmp(kind, "*") == 0)
			F.eval_again = 1; /* targets changed: check every scope */
	}
	if (users || F.eval_again)
		run_evaluate();
	read_alerts();
}

static void
seq_cb(void *arg, const struct db_result *r)
{
	if (r->err != 0) {
		F.reading = 0;
		return;
	}
	F.last_alert = (uint64_t)db_int(r->res, 0, "seq");
	topics_set_seq(F.last_alert);
	F.seq_known = 1;
	F.reading = 0;
	feed_poke();
}

void
feed_poke(void)
{
	const char *p[1];

	if (F.reading) {
		F.pending = 1;
		return;
	}
	F.reading = 1;
	F.last_poll_us = clock_mono_us();
	if (!F.seq_known) {
		if (db_read(&st_alert_seq, NULL, seq_cb, NULL) != 0)
			F.reading = 0;
		return;
	}
	p[0] = F.snap ? F.snap : "";
	if (db_read(&st_changes, p, changes_cb, NULL) != 0)
		F.reading = 0;
}

/* --- leader: evaluation ---------------------------------------------------- */

static void
notify_cb(void *arg, const struct db_result *r)
{
	if (r->err != 0)
		log_warn("feed: NOTIFY failed: %s", r->message);
}

void
feed_notify(void *arg)
{
	if (db_read(&st_notify, NULL, notify_cb, NULL) != 0)
		log_warn("feed: NOTIFY not sent (queue full)");
}

static void
evaluate_cb(void *arg, const struct db_result *r)
{
	F.eval_running = 0;
	if (r->err != 0) {
		log_warn("alerts: evaluation failed: %s", r->message);
	} else if (db_int(r->res, 0, "n") > 0) {
		for (long long i = 0; i < db_int(r->res, 0, "n"); i++)
			metrics_alert();
		feed_notify(NULL); /* wake every instance to deliver them */
	}
	/* After a time-driven pass: overdue action items, scheduled reviews. */
	if (arg != NULL && r->err == 0)
		review_sched_run();
	if (F.nusers > 0 || F.eval_again || F.eval_nodes)
		run_evaluate();
}

static void
run_evaluate(void)
{
	char now[24], *users = NULL;
	const char *p[3];
	size_t cap, at = 0;
	int all = F.eval_again || F.eval_nodes, nodes;

	if (!F.leader || F.eval_running)
		return;
	if (!all && F.nusers == 0)
		return;
	snprintf(now, sizeof(now), "%lld", (long long)srv_now_us());
	if (!all) {
		cap = F.nusers * 24 + 4;
		users = xmalloc(cap);
		for (size_t i = 0; i < F.nusers; i++)
			at += (size_t)snprintf(users + at, cap - at, "%s%lld",
				i ? "," : "{", (long long)F.users[i]);
		snprintf(users + at, cap - at, "}");
	}
	p[0] = now;
	p[1] = users; /* NULL: every scope */
	p[2] = F.eval_nodes ? "true" : "false";
	nodes = F.eval_nodes;
	F.nusers = 0;
	F.eval_again = 0;
	F.eval_running = 1;
	if (F.eval_nodes)
		F.last_nodes_us = clock_mono_us();
	F.eval_nodes = 0;
	if (db_write(&st_evaluate, p, 0, evaluate_cb, nodes ? &F : NULL) != 0)
		F.eval_running = 0;
	free(users);
}

void
feed_evaluate_now(void)
{
	F.eval_nodes = 1;
	run_evaluate();
}

static void
prune_cb(void *arg, const struct db_result *r)
{
	if (r->err == 0 && db_int(r->res, 0, "n") > 0)
		log_debug("change log: %lld old rows pruned",
			(long long)db_int(r->res, 0, "n"));
}

static void
timer_cb(uv_timer_t *t)
{
	int64_t now = clock_mono_us();

	if (F.ready && !F.leader && now - F.last_try_us > 2000000) {
		F.last_try_us = now;
		if (listen_send(&st_leader, leader_cb, NULL) != 0)
			log_debug("feed: leader check skipped");
	}
	if (now - F.last_poll_us > srv.cfg.change_poll_ms * 1000)
		feed_poke();
	if (F.leader && now - F.last_nodes_us > srv.cfg.alert_interval_s * 1000000) {
		F.eval_nodes = 1;
		run_evaluate();
	}
	if (F.leader && now - F.last_prune_us > 60000000) {
		char keep[24];
		const char *p[1] = {keep};

		F.last_prune_us = now;
		snprintf(keep, sizeof(keep), "%lld", srv.cfg.change_log_keep_s);
		if (db_write(&st_prune, p, 0, prune_cb, NULL) != 0)
			log_debug("change log: prune skipped (queue full)");
	}
}

static void
on_state(struct pg_conn *pc, int ready, void *arg)
{
	F.ready = ready;
	if (!ready) {
		if (F.leader)
			log_warn("leader lock lost with the LISTEN connection");
		F.leader = 0;
		return;
	}
	if (listen_send(&st_appname, listen_cb, NULL) != 0 ||
		listen_send(&st_listen, listen_cb, NULL) != 0 ||
		(srv.cfg.test_clock &&
			listen_send(&st_clock_offset, clock_offset_cb, NULL) != 0) ||
		listen_send(&st_leader, leader_cb, NULL) != 0)
		log_warn("feed: LISTEN connection not ready");
	F.last_try_us = clock_mono_us();
	/* Notifications were not heard while down: catch up from the log,
	 * and refresh every topic in case the log was pruned meanwhile. */
	topics_all_changed();
	feed_poke();
}

static void
on_notify(struct pg_conn *pc, const char *channel, const char *payload,
	void *arg)
{
	/* A ClockSet on another instance notifies too: follow its clock. */
	if (srv.cfg.test_clock &&
		listen_send(&st_clock_offset, clock_offset_cb, NULL) != 0)
		log_debug("feed: clock offset not read");
	feed_poke();
}

static void
on_txn_done(struct pg_conn *pc, struct pg_txn *txn, void *arg)
{
	struct pg_job *job;

	while ((job = TAILQ_FIRST(&txn->jobs)) != NULL) {
		TAILQ_REMOVE(&txn->jobs, job, entry);
		pg_job_finish(job);
	}
	pg_txn_free(txn);
}

void
feed_start(uv_loop_t *loop, const char *conninfo)
{
	struct pg_conn_opts o = {
		.name = "listen",
		.reconnect_min_ms = (int)srv.cfg.pg_reconnect_min_ms,
		.reconnect_max_ms = (int)srv.cfg.pg_reconnect_max_ms,
		.connect_timeout_ms = (int)srv.cfg.pg_connect_timeout_ms,
		.prepare = 1,
		.on_state = on_state,
		.on_notify = on_notify,
		.on_txn_done = on_txn_done,
	};

	F.pc = pg_conn_new(loop, conninfo, &o);
	pg_conn_start(F.pc);
	uv_timer_init(loop, &F.timer);
	uv_timer_start(&F.timer, timer_cb, 250, 250);
}

static void
closed(void *arg)
{
	F.pc = NULL;
}

void
feed_stop(void)
{
	uv_timer_stop(&F.timer);
	uv_close((uv_handle_t *)&F.timer, NULL);
	if (F.pc)
		pg_conn_close(F.pc, closed, NULL);
	free(F.snap);
	free(F.users);
	F.snap = NULL;
	F.users = NULL;
	F.ready = F.leader = 0;
}
