/*
 * What the review family (review.c, action.c) shares with the rest of the
 * server: the action item's JSON -> wire conversion, and the scheduled
 * review work the leader runs (server/push/feed.c calls review_sched_run
 * after each time-driven alert evaluation).
 */
#ifndef PACE_REVIEW_H
#define PACE_REVIEW_H

#include <cjson/cJSON.h>

#include "arena.h"
#include "review.pb-c.h"

/* Fill an ActionItem from pace.action_json() (strings borrowed from j). */
void action_from_json(Pace__V1__ActionItem *m, const cJSON *j);

/*
 * Leader only: raise the alerts of overdue action items and generate the
 * scheduled reviews that are due (pace.review_evaluate, one review per
 * statement, repeated while there is one), then wake every instance to
 * deliver the alerts. A call while a run is in progress runs once more
 * after it.
 */
void review_sched_run(void);

#endif
