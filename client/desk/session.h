/*
 * The desk's session: between the model and the network. It signs in
 * (Login with the given credentials, or Resume with the token stored by
 * pace or pace-desk under $XDG_CONFIG_HOME/pace/config), subscribes to
 * the chosen view, fetches the leaderboard after each snapshot and the
 * daily series for the chart, lists and acknowledges alerts, and when the
 * link is lost shows "offline — reconnecting" and reconnects with backoff,
 * resuming from the last sequence number seen.
 */
#ifndef PACE_DESK_SESSION_H
#define PACE_DESK_SESSION_H

#include "model.h"

struct desk_session;

struct desk_session_opts {
	const char *server;   /* HOST:PORT; NULL: stored, else the default */
	int tls;
	const char *tls_ca;
	const char *login;    /* with password: sign in with these */
	const char *password;
	int no_save;          /* do not write the store (kiosk/wall use) */
	int series_refresh_s; /* min seconds between series refreshes (10) */
};

struct desk_session *desk_session_new(DeskModel *m,
	const struct desk_session_opts *o);
/* Sign in with the credentials or the stored token, or show the form. */
void desk_session_start(struct desk_session *s);
void desk_session_free(struct desk_session *s);

/* Counters, for the test report and measurements. */
struct desk_session_stats {
	unsigned long pushes;      /* push frames received */
	unsigned long snapshots;
	unsigned long alerts;
	unsigned long boards;      /* Board replies */
	unsigned long series;      /* KpiGet replies */
	unsigned long connects;    /* successful sign-ins (incl. resumes) */
	uint64_t seq;
};
void desk_session_stats(const struct desk_session *s,
	struct desk_session_stats *out);
const char *desk_session_server(const struct desk_session *s);

#endif
