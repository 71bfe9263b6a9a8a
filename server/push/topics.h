/*
 * Topics: one per (org, scope, period) that somebody follows. A topic knows
 * its subscribers (connections), whether its numbers changed (dirty), and
 * the hash of the last snapshot it pushed. Changes are coalesced: a burst of
 * writes on a scope marks it dirty many times and costs one recompute after
 * push_coalesce_ms, and one push per subscriber, encoded once.
 */
#ifndef PACE_TOPICS_H
#define PACE_TOPICS_H

#include <stdint.h>

#include "conn.h"

struct topic;

/*
 * A connection's alert stream (conn->alert_mode). OFF until its first
 * Subscribe; then LIVE: every alert for its user with a sequence number
 * above conn->push_seq is pushed as the feed reads it, once, in order. A
 * Subscribe with resume_from starts in CATCHUP: the alerts missed since are
 * read from the database first; meanwhile the connection gets neither live
 * alerts (conn->alert_gap notes that one came, so the catch-up reads again)
 * nor snapshots, so no push ever carries a sequence number beyond what the
 * connection has received. At the end it goes LIVE and gets a fresh
 * snapshot of every topic it follows.
 */
enum { ALERTS_OFF = 0, ALERTS_LIVE, ALERTS_CATCHUP };

/* A connection's link to a topic (conn->subs is a list of these). */
struct sub {
	struct topic *topic;
	struct sub *next;
};

void topics_init(uv_loop_t *loop, int coalesce_ms);

/*
 * Subscribe c to the topic (creating it). Returns the topic id, or 0 when
 * c already has its maximum of subscriptions. Already subscribed: same id.
 */
uint64_t topics_subscribe(struct conn *c, int64_t org_id, const char *kind,
	int64_t scope_id, const char *period);
/*
 * Give c a snapshot of one of its topics (topic_id), or of every one (0),
 * as soon as possible: the topic's next computed snapshot goes to c even if
 * it is the same as the last one pushed. Snapshots of a topic are computed
 * one at a time, so a subscriber never gets an older one after a newer.
 */
void topics_refresh_conn(struct conn *c, uint64_t topic_id);
/* Drop one subscription of c (by topic id); 0 or E_NOTFOUND. */
int topics_unsubscribe(struct conn *c, uint64_t topic_id);
/* Drop every subscription of a closing connection. */
void topics_conn_closed(struct conn *c);

/* Mark topics whose scope is (org, kind, id) dirty; kind "*": the org's. */
void topics_changed(int64_t org_id, const char *kind, int64_t scope_id);
/* Mark every topic dirty (after the change feed lost track). */
void topics_all_changed(void);

/* The push sequence: the highest alert id this instance has seen. */
uint64_t topics_seq(void);
void topics_set_seq(uint64_t seq);

/* Number of topics and of subscriptions (metrics). */
void topics_stats(int *ntopics, int *nsubs);

/* Close the coalescing timer (shutdown). */
void topics_fini(void);

#endif
