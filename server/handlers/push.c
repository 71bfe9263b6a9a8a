/*
 * Push family: Subscribe / Unsubscribe to (scope, period) snapshots,
 * AlertList / AlertAck, and ClockSet (tests, with --test-clock).
 *
 * Subscribe is authorised in SQL (pace.subscribe_check: the scope must be
 * readable in full) and answered with Subscribed. The first subscription of
 * a connection joins its alert stream (see topics.h): with resume_from > 0
 * every alert raised for the user since is pushed first, in order, once;
 * then (at once without resume_from) a snapshot of the scope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "feed.h"
#include "handlers.h"
#include "jsonutil.h"
#include "kpi_conv.h"
#include "log.h"
#include "server.h"
#include "topics.h"
#include "xmalloc.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static const struct stmt st_sub_check = {"subscribe_check",
	"SELECT * FROM pace.subscribe_check($1, $2, $3, $4)", 4};
static const struct stmt st_alerts_for = {"alerts_for",
	"SELECT * FROM pace.alerts_for($1, $2::bigint, $3::boolean, $4::int)", 4};
static const struct stmt st_alert_ack = {"alert_ack",
	"SELECT pace.alert_ack_set($1, $2, $3, $4::bigint) AS r", 4};

static const struct stmt st_clock_set = {"clock_set",
	"SELECT pace.clock_set($1::bigint, nullif($2::bigint, 0)) AS n", 2};

const struct stmt *const push_stmts[] = {&st_sub_check, &st_alerts_for,
	&st_alert_ack, &st_clock_set, NULL};

/* A subscription being made: check -> Subscribed -> (catch-up) snapshot. */
struct subscribing {
	struct req r;
	uint64_t resume_from;
	int resume;
};

/* An alert catch-up in progress on a connection (see topics.h). */
struct catchup {
	struct conn *c; /* ref */
	char uid[24];
};

#define CATCHUP_PAGE 1000

static void catchup_read(struct catchup *k);

static void
catchup_cb(void *arg, const struct db_result *res)
{
	struct catchup *k = arg;
	struct conn *c = k->c;
	int n;

	if (conn_is_closing(c))
		goto done;
	if (res->err != 0) {
		/* It cannot go live without them: the client will resume. */
		conn_close(c, "could not read the alerts missed: %s",
			res->message ? res->message : err_str(res->err));
		goto done;
	}
	n = PQntuples(res->res);
	for (int i = 0; i < n; i++) {
		Pace__V1__Frame f = PACE__V1__FRAME__INIT;
		Pace__V1__Push p = PACE__V1__PUSH__INIT;
		Pace__V1__Alert al;
		Pace__V1__Scope subject;

		alert_from_row(&al, &subject, res->res, i);
		if (al.id <= c->push_seq)
			continue;
		p.seq = al.id;
		p.body_case = PACE__V1__PUSH__BODY_ALERT;
		p.alert = &al;
		f.body_case = BODY(PUSH);
		f.push = &p;
		conn_send(c, &f);
		if (conn_is_closing(c))
			goto done;
		c->push_seq = al.id;
	}
	/* A full page, or an alert delivered meanwhile that this read may
	 * not have seen: read on from where we are. */
	if (n >= CATCHUP_PAGE || c->alert_gap) {
		c->alert_gap = 0;
		catchup_read(k);
		return;
	}
	c->alert_mode = ALERTS_LIVE;
	topics_refresh_conn(c, 0);
done:
	conn_unref(c);
	free(k);
}

static void
catchup_read(struct catchup *k)
{
	char after[24], limit[16];
	const char *p[4];

	snprintf(after, sizeof(after), "%llu",
		(unsigned long long)k->c->push_seq);
	snprintf(limit, sizeof(limit), "%d", CATCHUP_PAGE);
	p[0] = k->uid;
	p[1] = after;
	p[2] = "true";
	p[3] = limit;
	if (db_read(&st_alerts_for, p, catchup_cb, k) != 0) {
		conn_close(k->c, "could not read the alerts missed: %s",
			err_str(E_DB_BUSY));
		conn_unref(k->c);
		free(k);
	}
}

static void
catchup_start(struct conn *c)
{
	struct catchup *k = xcalloc(1, sizeof(*k));

	conn_ref(c);
	k->c = c;
	req_actor(c, k->uid);
	catchup_read(k);
}

static void
checked_cb(void *arg, const struct db_result *res)
{
	struct subscribing *s = arg;
	struct conn *c = s->r.c;
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Subscribed ok = PACE__V1__SUBSCRIBED__INIT;
	uint64_t topic;
	int catchup = 0;

	if (res->err != 0) {
		req_fail_db(&s->r, res);
		free(s);
		return;
	}
	if (conn_is_closing(c)) {
		req_fail(&s->r, E_CLOSED, NULL, "closed");
		free(s);
		return;
	}
	topic = topics_subscribe(c, db_int(res->res, 0, "org_id"),
		db_str(res->res, 0, "kind"), db_int(res->res, 0, "id"),
		db_str(res->res, 0, "period"));
	if (topic == 0) {
		req_fail(&s->r, E_EXHAUSTED, NULL,
			"at most %lld subscriptions per connection",
			srv.cfg.max_subscriptions_per_client);
		free(s);
		return;
	}
	/* The first subscription joins the alert stream: from resume_from
	 * (after reading what was missed), else from now. */
	if (c->alert_mode == ALERTS_OFF) {
		if (s->resume) {
			c->alert_mode = ALERTS_CATCHUP;
			c->alert_gap = 0;
			c->push_seq = s->resume_from;
			catchup = 1;
		} else {
			c->alert_mode = ALERTS_LIVE;
			c->push_seq = topics_seq();
		}
	}
	ok.subscription = topic;
	ok.seq = c->push_seq;
	f.body_case = BODY(SUBSCRIBED);
	f.subscribed = &ok;
	req_reply(&s->r, &f);
	free(s);
	if (catchup)
		catchup_start(c);
	else if (c->alert_mode == ALERTS_LIVE)
		topics_refresh_conn(c, topic);
	/* (A catch-up in progress refreshes every topic when it ends.) */
}

static void
exec_subscribe(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__Subscribe *m = f->subscribe;
	struct subscribing *s;
	char uid[24];
	const char *p[4];
	int rc;

	if ((m->scope && (strlen(m->scope->name) > 200 ||
				 m->scope->kind < 0 ||
				 m->scope->kind > PACE__V1__SCOPE_KIND__SCOPE_ORG)) ||
		strlen(m->period) > 16) {
		conn_send_error(c, id, E_INVALID, "scope", "bad scope or period");
		return;
	}
	if (c->nsubs >= srv.cfg.max_subscriptions_per_client) {
		conn_send_error(c, id, E_EXHAUSTED, NULL,
			"at most %lld subscriptions per connection",
			srv.cfg.max_subscriptions_per_client);
		return;
	}
	s = xcalloc(1, sizeof(*s));
	s->resume_from = m->resume_from;
	s->resume = m->resume || m->resume_from > 0;
	req_actor(c, uid);
	req_start(&s->r, c, id, BODY(SUBSCRIBE));
	p[0] = uid;
	p[1] = m->scope ? scope_kind_sql(m->scope->kind) : "";
	p[2] = m->scope ? m->scope->name : "";
	p[3] = m->period;
	rc = db_read(&st_sub_check, p, checked_cb, s);
	if (rc != 0) {
		req_fail(&s->r, rc, NULL, "%s", err_str(rc));
		free(s);
	}
}

static void
exec_unsubscribe(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	Pace__V1__Frame out = PACE__V1__FRAME__INIT;
	Pace__V1__Ok ok = PACE__V1__OK__INIT;

	if (topics_unsubscribe(c, f->unsubscribe->subscription) != 0) {
		conn_send_error(c, id, E_NOTFOUND, "subscription",
			"no such subscription on this connection");
		return;
	}
	out.id = id;
	out.body_case = BODY(OK);
	out.ok = &ok;
	conn_send(c, &out);
}

static void
alerts_listed(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__AlertListReply reply = PACE__V1__ALERT_LIST_REPLY__INIT;
	struct arena a = ARENA_INIT;
	int n = PQntuples(res->res);

	reply.n_alerts = (size_t)n;
	reply.alerts = arena_alloc(&a, ((size_t)n + 1) * sizeof(*reply.alerts));
	for (int i = 0; i < n; i++) {
		Pace__V1__Alert *al = ARENA_NEW(&a, Pace__V1__Alert);
		Pace__V1__Scope *subject = ARENA_NEW(&a, Pace__V1__Scope);

		alert_from_row(al, subject, res->res, i);
		reply.alerts[i] = al;
	}
	f.body_case = BODY(ALERT_LIST_REPLY);
	f.alert_list_reply = &reply;
	req_reply(r, &f);
	arena_free(&a);
}

static void
exec_alert_list(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__AlertList *m = f->alert_list;
	char uid[24], limit[16];
	const char *p[4];

	if (m->limit < 0 || m->limit > 1000) {
		conn_send_error(c, id, E_INVALID, "limit", "limit must be 0-1000");
		return;
	}
	req_actor(c, uid);
	snprintf(limit, sizeof(limit), "%d", m->limit);
	p[0] = uid;
	p[1] = NULL;
	p[2] = m->all ? "true" : "false";
	p[3] = limit;
	req_read(c, id, BODY(ALERT_LIST), &st_alerts_for, p, alerts_listed);
}

static void
acked(struct req *r, const struct db_result *res)
{
	req_ok(r, 0);
}

static void
exec_alert_ack(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__AlertAck *m = f->alert_ack;
	char uid[24], hash[33], aid[24];
	const char *p[4];

	if (!valid_op_id(m->client_op_id)) {
		conn_send_error(c, id, E_INVALID, "client_op_id",
			"client_op_id must be a UUID");
		return;
	}
	req_actor(c, uid);
	request_hash(&m->base, hash);
	snprintf(aid, sizeof(aid), "%llu", (unsigned long long)m->id);
	p[0] = uid;
	p[1] = m->client_op_id;
	p[2] = hash;
	p[3] = aid;
	req_write(c, id, BODY(ALERT_ACK), &st_alert_ack, p, 0, acked);
}

/* A ClockSet being stored (so that SQL's now() moves too: 032_clock.sql). */
struct clocking {
	struct req r;
	int evaluate;
};

static void
clock_stored_cb(void *arg, const struct db_result *res)
{
	struct clocking *k = arg;

	if (res->err != 0) {
		req_fail_db(&k->r, res);
	} else {
		if (k->evaluate)
			feed_evaluate_now();
		/* Snapshots depend on "now" (elapsed, pace): refresh them. */
		topics_all_changed();
		req_ok(&k->r, 0);
	}
	free(k);
}

static void
exec_clock_set(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ClockSet *m = f->clock_set;
	struct clocking *k;
	char offset[24], frozen[24];
	const char *p[2];
	int rc;

	if (!srv.cfg.test_clock) {
		conn_send_error(c, id, E_DENIED, NULL,
			"the clock can only be set when paced runs with --test-clock");
		return;
	}
	srv.clock_offset_us = m->now ? m->now - clock_now_us() : 0;
	srv.clock_frozen_us = m->now && m->freeze ? m->now : 0;
	conn_log(c, LOG_INFO, "test clock set to %lld%s (offset %lld us)",
		(long long)m->now, srv.clock_frozen_us ? ", frozen" : "",
		(long long)srv.clock_offset_us);
	k = xcalloc(1, sizeof(*k));
	k->evaluate = m->evaluate;
	req_start(&k->r, c, id, BODY(CLOCK_SET));
	snprintf(offset, sizeof(offset), "%lld", (long long)srv.clock_offset_us);
	snprintf(frozen, sizeof(frozen), "%lld", (long long)srv.clock_frozen_us);
	p[0] = offset;
	p[1] = frozen;
	rc = db_write(&st_clock_set, p, DB_NOTIFY, clock_stored_cb, k);
	if (rc != 0) {
		req_fail(&k->r, rc, NULL, "%s", err_str(rc));
		free(k);
	}
}

const struct handler handler_subscribe = {"subscribe", 0, ROLES_ANY,
	exec_subscribe};
const struct handler handler_unsubscribe = {"unsubscribe", 0, ROLES_ANY,
	exec_unsubscribe};
const struct handler handler_alert_list = {"alerts", 0, ROLES_ANY,
	exec_alert_list};
const struct handler handler_alert_ack = {"alert ack", 0, ROLES_ANY,
	exec_alert_ack};
const struct handler handler_clock_set = {"clock set", 0,
	ROLE_BIT(ROLE_ADMIN), exec_clock_set};
