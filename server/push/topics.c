/*
 * Topics, subscriptions and coalesced snapshot pushes (see topics.h).
 *
 * Invariants:
 * - A topic lives while it has subscribers or a snapshot query in flight
 *   (busy); the last one to leave frees it.
 * - A topic is on the dirty list iff its `dirty` flag is set; the flush
 *   timer runs while the list is non-empty.
 * - A snapshot is pushed only if its content differs from the last one
 *   pushed on the topic, so a recompute that changes nothing sends nothing;
 *   except to subscribers marked fresh (new, or back from an alert
 *   catch-up), who get it anyway, once.
 * - At most one snapshot query per topic is in flight (busy), so the
 *   snapshots a subscriber gets are in the order they were computed.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "arena.h"
#include "clock.h"
#include "db/db.h"
#include "jsonutil.h"
#include "kpi_conv.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "topics.h"
#include "xmalloc.h"

struct topic {
	uint64_t id;
	int64_t org_id;
	char kind[8];
	int64_t scope_id;
	char period[16];
	struct conn **subs; /* borrowed: a closing conn unsubscribes itself */
	uint8_t *fresh;     /* per subscriber: owed a snapshot */
	int nsubs, cap;
	unsigned dirty : 1;
	unsigned busy : 1;
	unsigned again : 1; /* changed while its query was in flight */
	uint8_t last[16];   /* hash of the last snapshot pushed */
	int has_last;
	struct topic *next;       /* all topics */
	struct topic *next_dirty; /* the dirty list */
};

static const struct stmt st_kpi_scope = {"kpi_scope",
	"SELECT pace.kpi_scope($1, $2, $3, $4, $5::bigint) AS k", 5};
const struct stmt *const topics_stmts[] = {&st_kpi_scope, NULL};

static struct {
	uv_timer_t timer;
	int coalesce_ms;
	int timer_on;
	struct topic *all;
	struct topic *dirty;
	uint64_t next_id;
	uint64_t seq;
	int ntopics, nsubs;
	int backoff_ms; /* added to the window while snapshots fail */
} T;

/* Extra wait before snapshot retries while the database fails them. */
#define TOPIC_BACKOFF_MIN_MS 100
#define TOPIC_BACKOFF_MAX_MS 5000

static void flush_cb(uv_timer_t *t);

void
topics_init(uv_loop_t *loop, int coalesce_ms)
{
	uv_timer_init(loop, &T.timer);
	T.coalesce_ms = coalesce_ms;
}

void
topics_fini(void)
{
	uv_timer_stop(&T.timer);
	uv_close((uv_handle_t *)&T.timer, NULL);
}

uint64_t
topics_seq(void)
{
	return T.seq;
}

void
topics_set_seq(uint64_t seq)
{
	if (seq > T.seq)
		T.seq = seq;
}

void
topics_stats(int *ntopics, int *nsubs)
{
	*ntopics = T.ntopics;
	*nsubs = T.nsubs;
}

static void
topic_free(struct topic *t)
{
	struct topic **pp;

	for (pp = &T.all; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	if (t->dirty)
		for (pp = &T.dirty; *pp; pp = &(*pp)->next_dirty)
			if (*pp == t) {
				*pp = t->next_dirty;
				break;
			}
	T.ntopics--;
	free(t->subs);
	free(t->fresh);
	free(t);
}

static void
mark_dirty(struct topic *t)
{
	if (t->busy) {
		t->again = 1;
		return;
	}
	if (!t->dirty) {
		t->dirty = 1;
		t->next_dirty = T.dirty;
		T.dirty = t;
	}
	if (!T.timer_on) {
		T.timer_on = 1;
		uv_timer_start(&T.timer, flush_cb,
			(uint64_t)T.coalesce_ms + (uint64_t)T.backoff_ms, 0);
	}
}

uint64_t
topics_subscribe(struct conn *c, int64_t org_id, const char *kind,
	int64_t scope_id, const char *period)
{
	struct topic *t;
	struct sub *s;

	for (t = T.all; t; t = t->next)
		if (t->org_id == org_id && t->scope_id == scope_id &&
			strcmp(t->kind, kind) == 0 && strcmp(t->period, period) == 0)
			break;
	if (t)
		for (s = c->subs; s; s = s->next)
			if (s->topic == t)
				return t->id;
	if (c->nsubs >= srv.cfg.max_subscriptions_per_client)
		return 0;
	if (t == NULL) {
		t = xcalloc(1, sizeof(*t));
		t->id = ++T.next_id;
		t->org_id = org_id;
		snprintf(t->kind, sizeof(t->kind), "%s", kind);
		t->scope_id = scope_id;
		snprintf(t->period, sizeof(t->period), "%s", period);
		t->next = T.all;
		T.all = t;
		T.ntopics++;
	}
	if (t->nsubs == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4;
		t->subs = xrealloc(t->subs, (size_t)t->cap * sizeof(*t->subs));
		t->fresh = xrealloc(t->fresh, (size_t)t->cap * sizeof(*t->fresh));
	}
	t->fresh[t->nsubs] = 0;
	t->subs[t->nsubs++] = c;
	s = xcalloc(1, sizeof(*s));
	s->topic = t;
	s->next = c->subs;
	c->subs = s;
	c->nsubs++;
	T.nsubs++;
	return t->id;
}

static void
detach(struct conn *c, struct topic *t)
{
	for (int i = 0; i < t->nsubs; i++)
		if (t->subs[i] == c) {
			--t->nsubs;
			t->subs[i] = t->subs[t->nsubs];
			t->fresh[i] = t->fresh[t->nsubs];
			break;
		}
	T.nsubs--;
	if (t->nsubs == 0 && !t->busy)
		topic_free(t);
}

int
topics_unsubscribe(struct conn *c, uint64_t topic_id)
{
	struct sub **pp, *s;

	for (pp = &c->subs; (s = *pp) != NULL; pp = &s->next)
		if (s->topic->id == topic_id) {
			*pp = s->next;
			c->nsubs--;
			detach(c, s->topic);
			free(s);
			return 0;
		}
	return E_NOTFOUND;
}

void
topics_conn_closed(struct conn *c)
{
	struct sub *s;

	while ((s = c->subs) != NULL) {
		c->subs = s->next;
		detach(c, s->topic);
		free(s);
	}
	c->nsubs = 0;
}

void
topics_changed(int64_t org_id, const char *kind, int64_t scope_id)
{
	int all = strcmp(kind, "*") == 0;

	for (struct topic *t = T.all; t; t = t->next)
		if (t->org_id == org_id &&
			(all || (t->scope_id == scope_id && strcmp(t->kind, kind) == 0)))
			mark_dirty(t);
}

void
topics_all_changed(void)
{
	for (struct topic *t = T.all; t; t = t->next)
		mark_dirty(t);
}

/*
 * Publish a snapshot: packed once, queued by ref to every subscriber when
 * it changed (all), else only to those owed one (fresh). Connections
 * catching up on alerts get nothing now: they are refreshed at the end.
 */
static void
publish(struct topic *t, Pace__V1__Kpi *k, int all)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Push p = PACE__V1__PUSH__INIT;
	struct frame *fr = NULL;
	size_t dropped = 0, sent = 0;

	p.seq = T.seq;
	p.subscription = t->id;
	p.body_case = PACE__V1__PUSH__BODY_SNAPSHOT;
	p.snapshot = k;
	f.body_case = PACE__V1__FRAME__BODY_PUSH;
	f.push = &p;
	/* Iterate from the end: a subscriber dropped for being too far behind
	 * is removed from this array by conn_close -> topics_conn_closed. */
	for (int i = t->nsubs - 1; i >= 0; i--) {
		struct conn *c;

		if (i >= t->nsubs)
			continue;
		c = t->subs[i];
		if (c->alert_mode == ALERTS_CATCHUP || !(all || t->fresh[i]))
			continue;
		t->fresh[i] = 0;
		if (fr == NULL)
			fr = frame_pack(&f);
		if (conn_send_frame(c, fr) == 0)
			sent++;
		else
			dropped++;
	}
	if (fr) {
		metrics_push(sent, dropped);
		frame_unref(fr);
	}
}

static void
snapshot_cb(void *arg, const struct db_result *res)
{
	struct topic *t = arg;
	struct arena a = ARENA_INIT;
	uint8_t h[16];

	/* Still busy while publishing: a subscriber dropped for being too
	 * far behind must not free the topic under us. */
	if (res->err == 0 && t->nsubs > 0) {
		cJSON *j = db_json(res->res, 0, "k");
		Pace__V1__Kpi k;
		size_t n;
		uint8_t *buf;
		int changed;

		kpi_from_json(&k, j, &a);
		/* The content decides whether anything changed. */
		n = pace__v1__kpi__get_packed_size(&k);
		buf = xmalloc(n ? n : 1);
		pace__v1__kpi__pack(&k, buf);
		crypto_generichash(h, sizeof(h), buf, n, NULL, 0);
		free(buf);
		changed = !t->has_last || memcmp(h, t->last, sizeof(h)) != 0;
		if (changed) {
			memcpy(t->last, h, sizeof(h));
			t->has_last = 1;
		}
		k.computed_at = clock_now_us();
		publish(t, &k, changed);
		cJSON_Delete(j);
		arena_free(&a);
		if (T.backoff_ms != 0) {
			log_info("push: snapshots computed again");
			T.backoff_ms = 0;
		}
	} else if (res->err != 0) {
		/*
		 * Try again later, backing off while the failures last (the
		 * database is usually down for every topic at once): one line
		 * when it starts, not one per topic and window.
		 */
		if (T.backoff_ms == 0)
			log_warn("push: snapshot of %s %lld failed: %s; retrying "
				"with backoff", t->kind, (long long)t->scope_id,
				res->message);
		T.backoff_ms = T.backoff_ms == 0 ? TOPIC_BACKOFF_MIN_MS :
			T.backoff_ms * 2;
		if (T.backoff_ms > TOPIC_BACKOFF_MAX_MS)
			T.backoff_ms = TOPIC_BACKOFF_MAX_MS;
		t->again = 1;
	}
	t->busy = 0;
	if (t->nsubs == 0) {
		topic_free(t);
		return;
	}
	if (t->again) {
		t->again = 0;
		mark_dirty(t);
	}
}

/* Send the topic's snapshot query; 0, or E_DB_BUSY (then not busy). */
static int
query(struct topic *t)
{
	char org[24], id[24], now[24];
	const char *p[5];

	snprintf(org, sizeof(org), "%lld", (long long)t->org_id);
	snprintf(id, sizeof(id), "%lld", (long long)t->scope_id);
	snprintf(now, sizeof(now), "%lld", (long long)srv_now_us());
	p[0] = org;
	p[1] = t->kind;
	p[2] = id;
	p[3] = t->period;
	p[4] = now;
	t->busy = 1;
	if (db_read(&st_kpi_scope, p, snapshot_cb, t) != 0) {
		t->busy = 0;
		return E_DB_BUSY;
	}
	return 0;
}

static void
unlink_dirty(struct topic *t)
{
	struct topic **pp;

	if (!t->dirty)
		return;
	for (pp = &T.dirty; *pp; pp = &(*pp)->next_dirty)
		if (*pp == t) {
			*pp = t->next_dirty;
			break;
		}
	t->dirty = 0;
}

static void
flush_cb(uv_timer_t *timer)
{
	struct topic *t;

	T.timer_on = 0;
	while ((t = T.dirty) != NULL) {
		T.dirty = t->next_dirty;
		t->dirty = 0;
		if (query(t) != 0) {
			/* Queue full: try again after the next window. */
			t->again = 0;
			mark_dirty(t);
			break;
		}
	}
}

void
topics_refresh_conn(struct conn *c, uint64_t topic_id)
{
	for (struct sub *s = c->subs; s; s = s->next) {
		struct topic *t = s->topic;

		if (topic_id != 0 && t->id != topic_id)
			continue;
		for (int i = 0; i < t->nsubs; i++)
			if (t->subs[i] == c)
				t->fresh[i] = 1;
		/* In flight: its result goes to c too. Else compute it now,
		 * ahead of the coalescing window. */
		if (t->busy)
			continue;
		unlink_dirty(t);
		if (query(t) != 0)
			mark_dirty(t);
	}
}
