/*
 * The desk's model: everything the widgets show, derived from the frames
 * the server sends (Kpi snapshots and KpiGet replies, Board, Alert pushes
 * and AlertList replies, the Identity), as ready-to-show strings and
 * values. No GTK and no I/O: the session (session.c) feeds it frames, the
 * views (ui_*.c) read it and tell it what the person asked for.
 *
 * Signals:
 *   "changed" (guint what): a DESK_CHANGED_* mask of what to redraw.
 *   "alert-raised" (gpointer const struct desk_alert *): a new alert for the
 *       signed-in person arrived by push (not from the initial list): the
 *       desktop notification.
 *   "view-requested": the person chose another scope or period
 *       (model_view() has it): the session re-subscribes.
 *   "ack-requested" (guint64 id): the person acknowledged an alert.
 *   "sign-in-requested": the sign-in form was submitted
 *       (model_sign_in_server/login/password).
 *   "sign-out-requested", "reconnect-requested".
 *
 * Strings returned are owned by the model and valid until the next change
 * of the part they belong to.
 */
#ifndef PACE_DESK_MODEL_H
#define PACE_DESK_MODEL_H

#include <stdint.h>

#include <glib-object.h>

#include "kpi.pb-c.h"
#include "push.pb-c.h"
#include "session.pb-c.h"
#include "admin.pb-c.h"

G_BEGIN_DECLS

#define DESK_TYPE_MODEL (desk_model_get_type())
G_DECLARE_FINAL_TYPE(DeskModel, desk_model, DESK, MODEL, GObject)

enum desk_changed {
	DESK_CHANGED_LINK = 1 << 0,     /* link state or its message */
	DESK_CHANGED_IDENTITY = 1 << 1, /* signed in as someone else / out */
	DESK_CHANGED_PROGRESS = 1 << 2, /* progress, funnel, pipeline */
	DESK_CHANGED_CHART = 1 << 3,
	DESK_CHANGED_BOARD = 1 << 4,
	DESK_CHANGED_ALERTS = 1 << 5,
	DESK_CHANGED_VIEW = 1 << 6,     /* the chosen scope or period */
	DESK_CHANGED_CHOICES = 1 << 7,  /* teams and offices to choose from */
	DESK_CHANGED_ALL = 0xff,
};

enum desk_link {
	DESK_LINK_SIGNED_OUT, /* no session: the sign-in form */
	DESK_LINK_CONNECTING, /* connecting or signing in */
	DESK_LINK_ONLINE,
	DESK_LINK_OFFLINE,    /* lost: reconnecting with backoff */
};

/* Which page the window shows. */
enum desk_page {
	DESK_PAGE_SIGN_IN,
	DESK_PAGE_DASHBOARD,
};

struct desk_progress {
	int have;              /* a snapshot has arrived */
	const char *title;     /* "Team A · 2026-11" */
	const char *actual;    /* "¥50,000.00" */
	const char *target;    /* "¥100,000.00" or "—" */
	const char *attainment; /* "50.0%" or "—" */
	const char *pace;      /* "0.95" or "—" */
	const char *elapsed;   /* "53.3%" */
	const char *status_text; /* "on track" ... */
	const char *rank;      /* "2" or "—" */
	const char *basis;     /* "booked" / "collected", translated */
	Pace__V1__Status status;
	double fraction;       /* attainment clamped to [0, 1], for the bar */
	double elapsed_fraction;
	int64_t actual_fen;
	const char *currency;
};

struct desk_chart {
	int n;                 /* points of the actual line (0: none) */
	const double *x;       /* 0..1 along the period; the last one is now */
	const int64_t *y;      /* cumulative actual, fen */
	int have_target;
	int64_t target;        /* the pace line runs from 0 to target */
	double now_x;          /* elapsed fraction */
	int64_t pace_now;      /* target x elapsed: where the line is now */
	int64_t ymax;          /* top of the y axis (>= target, >= actual) */
	int days;              /* days in the period */
	const char *currency;
};

struct desk_board_row {
	int rank;              /* 0: no rank */
	const char *rank_text; /* "1" or "—" */
	const char *name;
	const char *actual;
	const char *attainment;
	const char *status_text;
	Pace__V1__Status status;
	double fraction;
	int top3;              /* rank 1-3 */
	int me;                /* the signed-in person, or the viewed scope */
};

struct desk_funnel_row {
	const char *stage;     /* translated */
	const char *key;       /* lead, qualified, ... lost */
	int64_t count;
	const char *count_text;
	const char *conversion; /* from the stage before, "62.5%", "—" or "" */
	double fraction;       /* count / the first stage's count */
	int lost;
};

struct desk_money_kpis {
	const char *pipeline_count;
	const char *pipeline_amount;
	const char *pipeline_weighted;
	const char *coverage;
	const char *collection_rate;
	const char *overdue_rate;
};

struct desk_alert {
	uint64_t id;
	Pace__V1__AlertKind kind;
	const char *kind_text;
	const char *title;
	const char *detail;
	const char *when;      /* local "2026-11-27 14:05" */
	int64_t raised_at;
	Pace__V1__Status to;   /* status alerts: the new status */
	int acknowledged;
	int ack_pending;
};

struct desk_choice {
	Pace__V1__ScopeKind kind;
	const char *name;      /* team or office name */
};

DeskModel *desk_model_new(void);

/* --- fed by the session ---------------------------------------------------- */
void model_set_link(DeskModel *m, enum desk_link link, const char *message);
/* Identity after Login/Resume (copied); NULL: signed out. */
void model_set_identity(DeskModel *m, const Pace__V1__Identity *id);
/* A snapshot push (only for the current view: the session checks). */
void model_apply_snapshot(DeskModel *m, const Pace__V1__Kpi *k);
/* A KpiGet reply: every number, and the daily series for the chart. */
void model_apply_kpi(DeskModel *m, const Pace__V1__Kpi *k);
void model_apply_board(DeskModel *m, const Pace__V1__Board *b);
/* An alert push; notify: a new one that should become a notification. */
void model_apply_alert(DeskModel *m, const Pace__V1__Alert *a, int notify);
/* The initial list (replaces it, pushes already in it are kept). */
void model_apply_alert_list(DeskModel *m, const Pace__V1__AlertListReply *r);
void model_alert_acked(DeskModel *m, uint64_t id, int ok);
void model_set_choices(DeskModel *m, const Pace__V1__TeamListReply *teams,
	const Pace__V1__OfficeListReply *offices);
/* The sign-in form's message (an error), NULL to clear. */
void model_set_sign_in_error(DeskModel *m, const char *message);
/* Reset what the dashboard shows (a new view or a new person). */
void model_clear_numbers(DeskModel *m);
/* Forget the person: numbers, alerts, choices and identity. */
void model_reset(DeskModel *m);
void model_set_page(DeskModel *m, enum desk_page page);

/* --- asked by the views ------------------------------------------------------ */
/* Choose what to watch (name: team/office/login, "" for mine). */
void model_choose_view(DeskModel *m, Pace__V1__ScopeKind kind,
	const char *name, const char *period);
void model_ack(DeskModel *m, uint64_t id);
void model_sign_in(DeskModel *m, const char *server, const char *login,
	const char *password);
void model_sign_out(DeskModel *m);
void model_reconnect(DeskModel *m);

/* --- read by the views -------------------------------------------------------- */
enum desk_link model_link(DeskModel *m);
enum desk_page model_page(DeskModel *m);
/* "online", "offline — reconnecting", ... translated. */
const char *model_link_text(DeskModel *m);
const char *model_link_key(DeskModel *m); /* signed_out/connecting/online/offline */
/* Why the link is down (the last error), or "". */
const char *model_link_message(DeskModel *m);
/* Identity, NULL when nobody is signed in. */
const Pace__V1__Identity *model_identity(DeskModel *m);
/* May this person choose scopes beyond their own (manager and up)? */
int model_can_choose_team(DeskModel *m);
int model_can_choose_any(DeskModel *m); /* director, admin */
/* The chosen view. */
void model_view(DeskModel *m, Pace__V1__ScopeKind *kind, const char **name,
	const char **period);
const struct desk_progress *model_progress(DeskModel *m);
const struct desk_chart *model_chart(DeskModel *m);
const struct desk_board_row *model_board(DeskModel *m, int *n);
const char *model_board_title(DeskModel *m);
const struct desk_funnel_row *model_funnel(DeskModel *m, int *n);
const struct desk_money_kpis *model_money(DeskModel *m);
/* Newest first. */
const struct desk_alert *model_alerts(DeskModel *m, int *n);
const struct desk_alert *model_alert_by_id(DeskModel *m, uint64_t id);
int model_unacked(DeskModel *m);
const struct desk_choice *model_choices(DeskModel *m, int *n);
const char *model_sign_in_error(DeskModel *m);
/* The sign-in request's fields (valid during "sign-in-requested"). */
const char *model_sign_in_server(DeskModel *m);
const char *model_sign_in_login(DeskModel *m);
const char *model_sign_in_password(DeskModel *m);
/* Wall-clock µs of the last push, 0 if none. */
int64_t model_last_update(DeskModel *m);

G_END_DECLS

#endif
