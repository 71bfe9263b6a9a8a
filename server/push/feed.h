/*
 * The change feed: how a paced learns that numbers changed anywhere, on any
 * instance. A dedicated LISTEN connection wakes it (NOTIFY pace_events,
 * sent once per committed batch, after the commit); the change log in
 * PostgreSQL is the truth, read by snapshot so that nothing committed is
 * missed; topics are marked dirty; new alerts are delivered.
 *
 * The same connection holds the leader lock (a session advisory lock): the
 * one instance holding it runs the alert evaluation, after changes and on
 * a timer, one evaluation at a time.
 */
#ifndef PACE_FEED_H
#define PACE_FEED_H

#include <uv.h>

void feed_start(uv_loop_t *loop, const char *conninfo);
void feed_stop(void);

/* A batch with KPI-affecting writes committed here: wake every instance. */
void feed_notify(void *arg);

/* Read the change log now (also done on NOTIFY and on a timer). */
void feed_poke(void);

/* Run the time-driven evaluation now if this instance leads (tests). */
void feed_evaluate_now(void);

/* Fill an Alert (and its subject) from a row of pace.alerts_after() or
 * pace.alerts_for(); strings are borrowed from the result. */
#include <libpq-fe.h>
#include "push.pb-c.h"
void alert_from_row(Pace__V1__Alert *al, Pace__V1__Scope *subject,
	const PGresult *res, int i);

/* Is this instance the leader? */
int feed_is_leader(void);
/* Is the LISTEN connection up? (metrics) */
int feed_is_ready(void);

#endif
