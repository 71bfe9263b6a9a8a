/*
 * Push family: Subscribe / Unsubscribe to (scope, period) snapshots,
 * AlertList / AlertAck, and ClockSet (tests, with --test-clock).
 *
 * Subscribe is authorised in SQL (pace.subscribe_check: the scope must be
 * readable in full), answered with Subscribed, then the subscriber gets its
 * first snapshot at once and, when it resumes (resume_from > 0), every
 * alert raised for it since, in order.
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
static const struct stmt st_sub_kpi = {"subscribe_kpi",
	"SELECT pace.kpi_scope($1, $2, $3, $4, $5::bigint) AS k", 5};
static const struct stmt st_alerts_for = {"alerts_for",
	"SELECT * FROM pace.alerts_for($1, $2::bigint, $3::boolean, $4::int)", 4};
static const struct stmt st_alert_ack = {"alert_ack",
	"SELECT pace.alert_ack_set($1, $2, $3, $4::bigint) AS r", 4};

const struct stmt *const push_stmts[] = {&st_sub_check, &st_sub_kpi,
	&st_alerts_for, &st_alert_ack, NULL};

/* A subscription being made: check -> Subscribed -> snapshot -> alerts. */
struct subscribing {
	struct req r;
	uint64_t topic;
	uint64_t resume_from;
	char org[24], kind[8], id[24], period[16], uid[24];
};

static void
resumed_alerts_cb(void *arg, const struct db_result *res)
{
	struct subscribing *s = arg;
	struct conn *c = s->r.c;

	if (res->err == 0) {
		for (int i = 0; i < PQntuples(res->res); i++) {
			Pace__V1__Frame f = PACE__V1__FRAME__INIT;
			Pace__V1__Push p = PACE__V1__PUSH__INIT;
			Pace__V1__Alert al;
			Pace__V1__Scope subject;

			alert_from_row(&al, &subject, res->res, i);
			p.seq = al.id;
			p.body_case = PACE__V1__PUSH__BODY_ALERT;
			p.alert = &al;
			f.body_case = BODY(PUSH);
			f.push = &p;
			conn_send(c, &f);
		}
	}
	conn_req_end(c);
	free(s);
}

static void
first_snapshot_cb(void *arg, const struct db_result *res)
{
	struct subscribing *s = arg;
	struct conn *c = s->r.c;
	const char *p[4];

	if (res->err == 0 && !conn_is_closing(c)) {
		Pace__V1__Frame f = PACE__V1__FRAME__INIT;
		Pace__V1__Push push = PACE__V1__PUSH__INIT;
		Pace__V1__Kpi k;
		struct arena a = ARENA_INIT;
		cJSON *j = db_json(res->res, 0, "k");

		kpi_from_json(&k, j, &a);
		k.computed_at = clock_now_us();
		push.seq = topics_seq();
		push.subscription = s->topic;
		push.body_case = PACE__V1__PUSH__BODY_SNAPSHOT;
		push.snapshot = &k;
		f.body_case = BODY(PUSH);
		f.push = &push;
		conn_send(c, &f);
		cJSON_Delete(j);
		arena_free(&a);
	}
	if (s->resume_from == 0 || conn_is_closing(c)) {
		conn_req_end(c);
		free(s);
		return;
	}
	/* Every alert for this user since resume_from, in order. */
	{
		char after[24];
		snprintf(after, sizeof(after), "%llu",
			(unsigned long long)s->resume_from);
		p[0] = s->uid;
		p[1] = after;
		p[2] = "true";
		p[3] = "1000";
		if (db_read(&st_alerts_for, p, resumed_alerts_cb, s) != 0) {
			conn_req_end(c);
			free(s);
		}
	}
}

static void
checked_cb(void *arg, const struct db_result *res)
{
	struct subscribing *s = arg;
	struct conn *c = s->r.c;
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Subscribed ok = PACE__V1__SUBSCRIBED__INIT;
	char now[24];
	const char *p[5];

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
	snprintf(s->org, sizeof(s->org), "%s", db_str(res->res, 0, "org_id"));
	snprintf(s->kind, sizeof(s->kind), "%s", db_str(res->res, 0, "kind"));
	snprintf(s->id, sizeof(s->id), "%s", db_str(res->res, 0, "id"));
	snprintf(s->period, sizeof(s->period), "%s", db_str(res->res, 0, "period"));
	s->topic = topics_subscribe(c, db_int(res->res, 0, "org_id"), s->kind,
		db_int(res->res, 0, "id"), s->period);
	if (s->topic == 0) {
		req_fail(&s->r, E_EXHAUSTED, NULL,
			"at most %lld subscriptions per connection",
			srv.cfg.max_subscriptions_per_client);
		free(s);
		return;
	}
	ok.subscription = s->topic;
	ok.seq = topics_seq();
	f.body_case = BODY(SUBSCRIBED);
	f.subscribed = &ok;
	/* The request is answered; the conn stays referenced for the pushes. */
	conn_req_begin(c);
	req_reply(&s->r, &f);
	snprintf(now, sizeof(now), "%lld", (long long)srv_now_us());
	p[0] = s->org;
	p[1] = s->kind;
	p[2] = s->id;
	p[3] = s->period;
	p[4] = now;
	s->r.c = c;
	if (db_read(&st_sub_kpi, p, first_snapshot_cb, s) != 0) {
		conn_req_end(c);
		free(s);
	}
}

static void
exec_subscribe(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__Subscribe *m = f->subscribe;
	struct subscribing *s;
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
	req_actor(c, s->uid);
	req_start(&s->r, c, id, BODY(SUBSCRIBE));
	p[0] = s->uid;
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

static void
exec_clock_set(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	Pace__V1__Frame out = PACE__V1__FRAME__INIT;
	Pace__V1__Ok ok = PACE__V1__OK__INIT;

	if (!srv.cfg.test_clock) {
		conn_send_error(c, id, E_DENIED, NULL,
			"the clock can only be set when paced runs with --test-clock");
		return;
	}
	srv.clock_offset_us = f->clock_set->now ? f->clock_set->now - clock_now_us()
						: 0;
	conn_log(c, LOG_INFO, "test clock set to %lld (offset %lld us)",
		(long long)f->clock_set->now, (long long)srv.clock_offset_us);
	if (f->clock_set->evaluate)
		feed_evaluate_now();
	/* Snapshots depend on "now" (elapsed, pace): refresh them. */
	topics_all_changed();
	out.id = id;
	out.body_case = BODY(OK);
	out.ok = &ok;
	conn_send(c, &out);
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
