/*
 * The desk's session (see session.h).
 *
 * States: no credentials -> the sign-in form (page SIGN_IN, link
 * SIGNED_OUT); connecting -> Hello -> Login or Resume -> online, then
 * Subscribe -> Subscribed (seq) -> snapshot pushes. A lost link, or a
 * server answering UNAVAILABLE, schedules a reconnect after a backoff of
 * 0.5 s doubling to 30 s, with jitter; the next Subscribe carries the last
 * sequence number so the server resends what was missed. Only a refused
 * login or token sends the person back to the form.
 */
#include <libintl.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "net_glib.h"
#include "pc.h"
#include "session.h"

#define _(s) gettext(s)
#define BODY(name) PACE__V1__FRAME__BODY_##name
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000

struct desk_session {
	DeskModel *model;            /* ref */
	struct desk_net *net;        /* owned */
	struct pc_store store;       /* owned: what pace and pace-desk share */
	char *server;                /* owned */
	int tls;
	char *tls_ca;                /* owned */
	char *login;                 /* owned: for Login */
	char *password;              /* owned: until the first Login succeeds */
	int interactive;             /* signing in from the form */
	int no_save;
	int series_min_s;

	int authed;                  /* Login/Resume done on this link */
	guint retry_src;
	int backoff_ms;
	gulong sig[5];

	uint64_t seq;                /* highest sequence number seen */
	int resume;                  /* subscribed before as this user */
	uint64_t notify_floor;       /* alerts above this are new (notify) */
	int have_floor;
	uint64_t sub;                /* current subscription (0: none) */
	unsigned view_gen;           /* bumped by every view change */
	int board_busy, board_again;
	int series_busy;
	gint64 series_last;          /* monotonic µs of the last request */
	guint series_src;

	struct desk_session_stats stats;
};

static void connect_now(struct desk_session *s);
static void subscribe(struct desk_session *s);
static void request_board(struct desk_session *s);

/* --- helpers ---------------------------------------------------------------------- */

static void
wipe(char **p)
{
	if (*p) {
		memset(*p, 0, strlen(*p));
		g_free(*p);
		*p = NULL;
	}
}

static void
view_scope(struct desk_session *s, Pace__V1__Scope *scope, const char **period)
{
	Pace__V1__ScopeKind kind;
	const char *name;

	model_view(s->model, &kind, &name, period);
	pace__v1__scope__init(scope);
	scope->kind = kind;
	scope->name = (char *)name;
}

static void
save_store(struct desk_session *s, const char *token)
{
	if (s->no_save)
		return;
	/* Re-read: pace may have changed it meanwhile. */
	pc_store_free(&s->store);
	if (pc_store_load(&s->store) != 0)
		memset(&s->store, 0, sizeof(s->store));
	free(s->store.server);
	s->store.server = strdup(s->server);
	if (s->login) {
		free(s->store.login);
		s->store.login = strdup(s->login);
	}
	free(s->store.token);
	s->store.token = token ? strdup(token) : NULL;
	if (s->tls_ca) {
		free(s->store.tls_ca);
		s->store.tls_ca = strdup(s->tls_ca);
	}
	if (pc_store_save(&s->store) != 0)
		g_warning("cannot save the session under %s", pc_store_dir());
}

/* --- reconnecting -------------------------------------------------------------------- */

static gboolean
retry_cb(gpointer data)
{
	struct desk_session *s = data;

	s->retry_src = 0;
	connect_now(s);
	return G_SOURCE_REMOVE;
}

static void
schedule_retry(struct desk_session *s, const char *why)
{
	int delay;

	s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (s->backoff_ms > BACKOFF_MAX_MS)
		s->backoff_ms = BACKOFF_MAX_MS;
	/* Jitter, so that a whole office does not reconnect in step. */
	delay = s->backoff_ms / 2 + g_random_int_range(0, s->backoff_ms / 2 + 1);
	if (s->retry_src)
		g_source_remove(s->retry_src);
	s->retry_src = g_timeout_add((guint)delay, retry_cb, s);
	model_set_link(s->model, DESK_LINK_OFFLINE, why);
}

/* The link is gone (or unusable): back to the form or try again later. */
static void
link_lost(struct desk_session *s, const char *why)
{
	if (s->authed)
		g_message("link to %s lost: %s", s->server, why ? why : "?");
	s->authed = 0;
	s->sub = 0;
	s->board_busy = s->board_again = 0;
	s->series_busy = 0;
	desk_net_close(s->net);
	if (s->interactive) {
		/* A sign-in from the form that could not reach the server. */
		char *msg = g_strdup_printf(_("Cannot reach the server: %s"),
			why ? why : "");
		s->interactive = 0;
		model_set_link(s->model, DESK_LINK_SIGNED_OUT, why);
		model_set_sign_in_error(s->model, msg);
		g_free(msg);
		return;
	}
	schedule_retry(s, why);
}

/* A refused login or token: the form, with the reason. */
static void
auth_refused(struct desk_session *s, const char *why)
{
	desk_net_close(s->net);
	s->authed = 0;
	s->interactive = 0;
	wipe(&s->password);
	if (s->retry_src) {
		g_source_remove(s->retry_src);
		s->retry_src = 0;
	}
	model_reset(s->model);
	model_set_sign_in_error(s->model, why);
	model_set_link(s->model, DESK_LINK_SIGNED_OUT, why);
	model_set_page(s->model, DESK_PAGE_SIGN_IN);
}

/* --- replies ------------------------------------------------------------------------ */

static void
board_cb(struct desk_net *n, const pace_frame_t *f, int rc, const char *msg,
	void *data)
{
	struct desk_session *s = data;
	int again = s->board_again;

	s->board_busy = 0;
	s->board_again = 0;
	if (f && f->body_case == BODY(BOARD)) {
		s->stats.boards++;
		model_apply_board(s->model, f->board);
	}
	if (again && s->authed)
		request_board(s);
}

/* The leaderboard that goes with the view: a person's team, a team's reps,
 * an office's or the org's teams. One request in flight at a time. */
static void
request_board(struct desk_session *s)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__BoardGet m = PACE__V1__BOARD_GET__INIT;
	Pace__V1__Scope scope;
	const char *period;

	if (s->board_busy) {
		s->board_again = 1;
		return;
	}
	view_scope(s, &scope, &period);
	m.level = "";
	if (scope.kind == PACE__V1__SCOPE_KIND__SCOPE_USER) {
		scope.kind = PACE__V1__SCOPE_KIND__SCOPE_UNSPECIFIED;
		scope.name = "";
	} else if (scope.kind == PACE__V1__SCOPE_KIND__SCOPE_OFFICE ||
		scope.kind == PACE__V1__SCOPE_KIND__SCOPE_ORG) {
		m.level = "team";
	}
	m.scope = &scope;
	m.period = (char *)period;
	m.metric = "";
	req.body_case = BODY(BOARD_GET);
	req.board_get = &m;
	if (desk_net_call(s->net, &req, board_cb, s) == 0)
		s->board_busy = 1;
}

struct series_req {
	struct desk_session *s;
	unsigned gen;
};

static void
series_cb(struct desk_net *n, const pace_frame_t *f, int rc, const char *msg,
	void *data)
{
	struct series_req *r = data;
	struct desk_session *s = r->s;

	if (r->gen == s->view_gen) {
		s->series_busy = 0;
		if (f && f->body_case == BODY(KPI)) {
			s->stats.series++;
			model_apply_kpi(s->model, f->kpi);
		}
	}
	g_free(r);
}

static void
request_series(struct desk_session *s)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__KpiGet m = PACE__V1__KPI_GET__INIT;
	Pace__V1__Scope scope;
	const char *period;
	struct series_req *r;

	if (s->series_busy || !s->authed)
		return;
	view_scope(s, &scope, &period);
	m.scope = &scope;
	m.period = (char *)period;
	req.body_case = BODY(KPI_GET);
	req.kpi_get = &m;
	r = g_new0(struct series_req, 1);
	r->s = s;
	r->gen = s->view_gen;
	if (desk_net_call(s->net, &req, series_cb, r) == 0) {
		s->series_busy = 1;
		s->series_last = g_get_monotonic_time();
	} else {
		g_free(r);
	}
}

static gboolean
series_timer_cb(gpointer data)
{
	struct desk_session *s = data;

	s->series_src = 0;
	request_series(s);
	return G_SOURCE_REMOVE;
}

/* After a snapshot: refresh the series, at most every series_min_s. */
static void
series_soon(struct desk_session *s)
{
	gint64 since = (g_get_monotonic_time() - s->series_last) / 1000;
	gint64 min_ms = (gint64)s->series_min_s * 1000;

	if (s->series_src)
		return;
	if (since >= min_ms) {
		request_series(s);
		return;
	}
	s->series_src = g_timeout_add((guint)(min_ms - since), series_timer_cb, s);
}

static void
alert_list_cb(struct desk_net *n, const pace_frame_t *f, int rc,
	const char *msg, void *data)
{
	struct desk_session *s = data;

	if (f && f->body_case == BODY(ALERT_LIST_REPLY))
		model_apply_alert_list(s->model, f->alert_list_reply);
}

static void
request_alert_list(struct desk_session *s)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__AlertList m = PACE__V1__ALERT_LIST__INIT;

	m.limit = 50;
	req.body_case = BODY(ALERT_LIST);
	req.alert_list = &m;
	(void)desk_net_call(s->net, &req, alert_list_cb, s);
}

struct subscribing {
	struct desk_session *s;
	unsigned gen;
	uint64_t old_sub;
};

static void
subscribed_cb(struct desk_net *n, const pace_frame_t *f, int rc,
	const char *msg, void *data)
{
	struct subscribing *r = data;
	struct desk_session *s = r->s;
	uint64_t old = r->old_sub;
	unsigned gen = r->gen;

	g_free(r);
	if (gen != s->view_gen)
		return; /* an older view's answer */
	if (f == NULL) {
		if (rc == E_CLOSED)
			return;
		if (rc == E_UNAVAILABLE || rc == E_DB_BUSY || rc == E_TIMEOUT) {
			link_lost(s, msg);
			return;
		}
		/* A scope this person may not follow: say so, stay online. */
		model_set_link(s->model, DESK_LINK_ONLINE, msg);
		return;
	}
	if (f->body_case != BODY(SUBSCRIBED))
		return;
	s->sub = f->subscribed->subscription;
	s->resume = 1;
	if (f->subscribed->seq > s->seq)
		s->seq = f->subscribed->seq;
	if (!s->have_floor) {
		/* Alerts up to now are listed, later ones are news. */
		s->notify_floor = f->subscribed->seq;
		s->have_floor = 1;
		request_alert_list(s);
	}
	if (old && old != s->sub) {
		pace_frame_t req = PACE__V1__FRAME__INIT;
		Pace__V1__Unsubscribe u = PACE__V1__UNSUBSCRIBE__INIT;

		u.subscription = old;
		req.body_case = BODY(UNSUBSCRIBE);
		req.unsubscribe = &u;
		(void)desk_net_call(s->net, &req, NULL, NULL);
	}
	request_series(s);
}

/* Subscribe to the view (the old subscription goes once the new is in). */
static void
subscribe(struct desk_session *s)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__Subscribe m = PACE__V1__SUBSCRIBE__INIT;
	Pace__V1__Scope scope;
	const char *period;
	struct subscribing *r;

	view_scope(s, &scope, &period);
	m.scope = &scope;
	m.period = (char *)period;
	/*
	 * After a reconnect (or a change of view) as the same user, resume:
	 * the alerts raised meanwhile come once, also when none was seen yet.
	 */
	m.resume_from = s->seq;
	m.resume = s->resume;
	req.body_case = BODY(SUBSCRIBE);
	req.subscribe = &m;
	r = g_new0(struct subscribing, 1);
	r->s = s;
	r->gen = s->view_gen;
	r->old_sub = s->sub;
	if (desk_net_call(s->net, &req, subscribed_cb, r) != 0)
		g_free(r);
}

static void
list_cb(struct desk_net *n, const pace_frame_t *f, int rc, const char *msg,
	void *data);

struct lists {
	struct desk_session *s;
	pace_frame_t *teams;   /* owned copies, until both are in */
	pace_frame_t *offices;
	int waiting;
};

static pace_frame_t *
copy_frame(const pace_frame_t *f)
{
	size_t len;
	uint8_t *buf = msg_pack(f, &len);
	pace_frame_t *c = msg_unpack(buf + 4, len - 4);

	free(buf);
	return c;
}

static void
list_cb(struct desk_net *n, const pace_frame_t *f, int rc, const char *msg,
	void *data)
{
	struct lists *l = data;

	if (f && f->body_case == BODY(TEAM_LIST_REPLY))
		l->teams = copy_frame(f);
	else if (f && f->body_case == BODY(OFFICE_LIST_REPLY))
		l->offices = copy_frame(f);
	if (--l->waiting > 0)
		return;
	if (l->teams || l->offices)
		model_set_choices(l->s->model,
			l->teams ? l->teams->team_list_reply : NULL,
			l->offices ? l->offices->office_list_reply : NULL);
	msg_free(l->teams);
	msg_free(l->offices);
	g_free(l);
}

static void
request_choices(struct desk_session *s)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__TeamList t = PACE__V1__TEAM_LIST__INIT;
	Pace__V1__OfficeList o = PACE__V1__OFFICE_LIST__INIT;
	struct lists *l;

	if (!model_can_choose_team(s->model))
		return;
	l = g_new0(struct lists, 1);
	l->s = s;
	req.body_case = BODY(TEAM_LIST);
	req.team_list = &t;
	if (desk_net_call(s->net, &req, list_cb, l) == 0)
		l->waiting++;
	req.body_case = BODY(OFFICE_LIST);
	req.office_list = &o;
	if (desk_net_call(s->net, &req, list_cb, l) == 0)
		l->waiting++;
	if (l->waiting == 0)
		g_free(l);
}

/* Signed in on this link: subscribe and fetch what the dashboard needs. */
static void
signed_in(struct desk_session *s, const Pace__V1__Identity *id)
{
	const Pace__V1__Identity *had = model_identity(s->model);
	int same = had && id && had->user_id == id->user_id;

	s->authed = 1;
	s->interactive = 0;
	s->backoff_ms = 0;
	s->board_busy = s->board_again = s->series_busy = 0;
	s->stats.connects++;
	if (!same) {
		if (had)
			model_reset(s->model);
		s->have_floor = 0;
		s->seq = 0;
		s->resume = 0;
	}
	model_set_identity(s->model, id);
	model_set_sign_in_error(s->model, NULL);
	model_set_page(s->model, DESK_PAGE_DASHBOARD);
	model_set_link(s->model, DESK_LINK_ONLINE, NULL);
	if (!same)
		request_choices(s);
	subscribe(s);
}

static void
auth_cb(struct desk_net *n, const pace_frame_t *f, int rc, const char *msg,
	void *data)
{
	struct desk_session *s = data;
	const Pace__V1__LoginOk *ok;

	if (f == NULL) {
		if (rc == E_CLOSED)
			return; /* link_lost handles it */
		if (rc == E_UNAUTH || rc == E_DENIED || rc == E_INVALID) {
			auth_refused(s, msg && *msg ? msg : err_str(rc));
			return;
		}
		link_lost(s, msg && *msg ? msg : err_str(rc));
		return;
	}
	if (f->body_case != BODY(LOGIN_OK)) {
		link_lost(s, "unexpected answer to sign-in");
		return;
	}
	ok = f->login_ok;
	if (ok->token && *ok->token) {
		/* A new session: remember it where pace keeps its own. */
		free(s->store.token);
		s->store.token = strdup(ok->token);
		if (ok->identity && ok->identity->login) {
			g_free(s->login);
			s->login = g_strdup(ok->identity->login);
		}
		save_store(s, ok->token);
		wipe(&s->password);
	}
	signed_in(s, ok->identity);
}

static void
authenticate(struct desk_session *s)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__Login l = PACE__V1__LOGIN__INIT;
	Pace__V1__Resume r = PACE__V1__RESUME__INIT;

	if (s->password && s->login) {
		l.user = s->login;
		l.password = s->password;
		req.body_case = BODY(LOGIN);
		req.login = &l;
	} else if (s->store.token) {
		r.token = s->store.token;
		req.body_case = BODY(RESUME);
		req.resume = &r;
	} else {
		auth_refused(s, NULL);
		return;
	}
	(void)desk_net_call(s->net, &req, auth_cb, s);
}

/* --- the link ------------------------------------------------------------------------ */

static void
on_state(struct desk_net *n, enum desk_net_state st, const char *why,
	void *data)
{
	struct desk_session *s = data;

	if (st == DESK_NET_UP)
		authenticate(s);
	else if (st == DESK_NET_DOWN)
		link_lost(s, why);
}

static void
on_frame(struct desk_net *n, const pace_frame_t *f, void *data)
{
	struct desk_session *s = data;
	const Pace__V1__Push *p;

	if (f->body_case != BODY(PUSH))
		return; /* e.g. an Error with id 0 before a close */
	p = f->push;
	s->stats.pushes++;
	if (p->seq > s->seq)
		s->seq = p->seq;
	if (p->body_case == PACE__V1__PUSH__BODY_SNAPSHOT) {
		if (p->subscription != s->sub || s->sub == 0)
			return; /* an older view's */
		s->stats.snapshots++;
		model_apply_snapshot(s->model, p->snapshot);
		request_board(s);
		series_soon(s);
	} else if (p->body_case == PACE__V1__PUSH__BODY_ALERT) {
		s->stats.alerts++;
		model_apply_alert(s->model, p->alert,
			s->have_floor && p->alert->id > s->notify_floor);
	}
}

static void
connect_now(struct desk_session *s)
{
	if (s->retry_src) {
		g_source_remove(s->retry_src);
		s->retry_src = 0;
	}
	desk_net_connect(s->net, s->server, s->tls, s->tls_ca);
}

/* --- what the person asks for ---------------------------------------------------------- */

static void
view_requested_cb(DeskModel *m, gpointer data)
{
	struct desk_session *s = data;

	s->view_gen++;
	s->series_busy = 0;
	s->board_again = 0;
	if (s->series_src) {
		g_source_remove(s->series_src);
		s->series_src = 0;
	}
	s->series_last = 0;
	if (s->authed)
		subscribe(s);
}

struct acking {
	struct desk_session *s;
	uint64_t id;
};

static void
acked_cb(struct desk_net *n, const pace_frame_t *f, int rc, const char *msg,
	void *data)
{
	struct acking *a = data;

	model_alert_acked(a->s->model, a->id, f != NULL);
	g_free(a);
}

static void
ack_requested_cb(DeskModel *m, guint64 id, gpointer data)
{
	struct desk_session *s = data;
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__AlertAck ack = PACE__V1__ALERT_ACK__INIT;
	char op[37];
	struct acking *a = g_new0(struct acking, 1);

	pc_uuid(op);
	ack.client_op_id = op;
	ack.id = id;
	req.body_case = BODY(ALERT_ACK);
	req.alert_ack = &ack;
	a->s = s;
	a->id = id;
	if (desk_net_call(s->net, &req, acked_cb, a) != 0) {
		g_free(a);
		model_alert_acked(m, id, 0);
	}
}

static void
sign_in_requested_cb(DeskModel *m, gpointer data)
{
	struct desk_session *s = data;
	const char *server = model_sign_in_server(m);

	if (*server) {
		g_free(s->server);
		s->server = g_strdup(server);
	}
	g_free(s->login);
	s->login = g_strdup(model_sign_in_login(m));
	wipe(&s->password);
	s->password = g_strdup(model_sign_in_password(m));
	s->interactive = 1;
	model_set_sign_in_error(m, NULL);
	model_set_link(m, DESK_LINK_CONNECTING, NULL);
	connect_now(s);
}

static void
sign_out_requested_cb(DeskModel *m, gpointer data)
{
	struct desk_session *s = data;

	if (s->authed) {
		pace_frame_t req = PACE__V1__FRAME__INIT;
		Pace__V1__Logout lo = PACE__V1__LOGOUT__INIT;

		req.body_case = BODY(LOGOUT);
		req.logout = &lo;
		(void)desk_net_call(s->net, &req, NULL, NULL);
	}
	/* The stored token is shared with pace: signing out here ends both. */
	free(s->store.token);
	s->store.token = NULL;
	save_store(s, NULL);
	s->have_floor = 0;
	s->seq = 0;
	s->resume = 0;
	auth_refused(s, NULL);
}

static void
reconnect_requested_cb(DeskModel *m, gpointer data)
{
	struct desk_session *s = data;

	if (model_link(m) == DESK_LINK_OFFLINE) {
		s->backoff_ms = 0;
		connect_now(s);
	}
}

/* --- life ---------------------------------------------------------------------------- */

struct desk_session *
desk_session_new(DeskModel *m, const struct desk_session_opts *o)
{
	struct desk_session *s = g_new0(struct desk_session, 1);
	static const struct desk_net_cbs cbs = {on_state, on_frame};
	const char *server = o->server;

	s->model = g_object_ref(m);
	s->net = desk_net_new(&cbs, s);
	if (pc_store_load(&s->store) != 0)
		memset(&s->store, 0, sizeof(s->store));
	if (server == NULL || *server == '\0')
		server = s->store.server;
	s->server = g_strdup(server && *server ? server : PC_DEFAULT_SERVER);
	s->tls = o->tls;
	s->tls_ca = g_strdup(o->tls_ca && *o->tls_ca ? o->tls_ca : s->store.tls_ca);
	if (s->tls_ca && *s->tls_ca == '\0')
		g_clear_pointer(&s->tls_ca, g_free);
	s->login = g_strdup(o->login && *o->login ? o->login : s->store.login);
	if (o->password && o->login)
		s->password = g_strdup(o->password);
	s->no_save = o->no_save;
	s->series_min_s = o->series_refresh_s > 0 ? o->series_refresh_s : 10;
	s->sig[0] = g_signal_connect(m, "view-requested",
		G_CALLBACK(view_requested_cb), s);
	s->sig[1] = g_signal_connect(m, "ack-requested",
		G_CALLBACK(ack_requested_cb), s);
	s->sig[2] = g_signal_connect(m, "sign-in-requested",
		G_CALLBACK(sign_in_requested_cb), s);
	s->sig[3] = g_signal_connect(m, "sign-out-requested",
		G_CALLBACK(sign_out_requested_cb), s);
	s->sig[4] = g_signal_connect(m, "reconnect-requested",
		G_CALLBACK(reconnect_requested_cb), s);
	return s;
}

void
desk_session_start(struct desk_session *s)
{
	if (s->password || s->store.token) {
		/* Straight to the dashboard; offline until the server answers. */
		model_set_page(s->model, DESK_PAGE_DASHBOARD);
		model_set_link(s->model, DESK_LINK_CONNECTING, NULL);
		connect_now(s);
		return;
	}
	model_set_page(s->model, DESK_PAGE_SIGN_IN);
	model_set_link(s->model, DESK_LINK_SIGNED_OUT, NULL);
}

void
desk_session_free(struct desk_session *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(s->sig); i++)
		g_signal_handler_disconnect(s->model, s->sig[i]);
	if (s->retry_src)
		g_source_remove(s->retry_src);
	if (s->series_src)
		g_source_remove(s->series_src);
	/* Pending replies are failed with E_CLOSED while s is still valid. */
	desk_net_free(s->net);
	pc_store_free(&s->store);
	g_free(s->server);
	g_free(s->tls_ca);
	g_free(s->login);
	wipe(&s->password);
	g_object_unref(s->model);
	g_free(s);
}

void
desk_session_stats(const struct desk_session *s, struct desk_session_stats *out)
{
	*out = s->stats;
	out->seq = s->seq;
}

const char *
desk_session_server(const struct desk_session *s)
{
	return s->server;
}
