/*
 * The desk's model (see model.h): frames in, ready-to-show values out.
 *
 * Each part (progress, chart, board, funnel, money, alerts) keeps its
 * strings in its own GStringChunk, emptied when the part is rebuilt, so a
 * part's strings stay valid until that part changes and nothing is freed
 * string by string.
 */
#include <libintl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "model.h"
#include "pc_money.h"

#define _(s) gettext(s)
#define N_(s) (s)
#define DASH "\xe2\x80\x94"
#define MAX_ALERTS 200
#define DAY_US (86400LL * 1000000LL)

struct _DeskModel {
	GObject parent;

	enum desk_link link;
	enum desk_page page;
	char *link_message;            /* owned */
	Pace__V1__Identity *me;        /* owned (unpacked copy) or NULL */
	char *sign_in_error;           /* owned */
	char *sign_in_server, *sign_in_login, *sign_in_password; /* owned */
	int64_t last_update;

	/* The chosen view. */
	Pace__V1__ScopeKind view_kind;
	char *view_name;               /* owned */
	char *view_period;             /* owned */
	int view_explicit;             /* chosen (not the role's default) */

	/* Progress, funnel and money: from the last snapshot or KpiGet. */
	GStringChunk *kpi_strs;
	struct desk_progress progress;
	struct desk_money_kpis money;
	struct desk_funnel_row funnel[8];
	int nfunnel;
	char *kpi_period;              /* owned: canonical period of the numbers */
	Pace__V1__ScopeKind kpi_kind;
	int64_t kpi_scope_id;

	/* Chart: per-day actual from KpiGet, today patched by snapshots. */
	GArray *daily;                 /* int64_t per day */
	int have_daily;
	int64_t period_start, period_end;
	double elapsed;
	int have_target;
	int64_t target;
	GArray *cx;                    /* double */
	GArray *cy;                    /* int64_t */
	struct desk_chart chart;

	/* Leaderboard. */
	GStringChunk *board_strs;
	GArray *board;                 /* struct desk_board_row */
	char *board_title;             /* owned */

	/* Alerts, newest first; each alert's strings in alert_strs. */
	GStringChunk *alert_strs;
	GArray *alerts;                /* struct desk_alert */

	/* Choices of scope. */
	GStringChunk *choice_strs;
	GArray *choices;               /* struct desk_choice */
};

G_DEFINE_TYPE(DeskModel, desk_model, G_TYPE_OBJECT)

enum {
	SIG_CHANGED,
	SIG_ALERT_RAISED,
	SIG_VIEW_REQUESTED,
	SIG_ACK_REQUESTED,
	SIG_SIGN_IN_REQUESTED,
	SIG_SIGN_OUT_REQUESTED,
	SIG_RECONNECT_REQUESTED,
	NSIGNALS,
};
static guint signals[NSIGNALS];

static void
changed(DeskModel *m, guint what)
{
	g_signal_emit(m, signals[SIG_CHANGED], 0, what);
}

static void
set_str(char **dst, const char *v)
{
	char *old = *dst;

	*dst = g_strdup(v);
	g_free(old);
}

/* --- GObject ---------------------------------------------------------------- */

static void
desk_model_finalize(GObject *o)
{
	DeskModel *m = DESK_MODEL(o);

	g_free(m->link_message);
	if (m->me)
		pace__v1__identity__free_unpacked(m->me, NULL);
	g_free(m->sign_in_error);
	g_free(m->sign_in_server);
	g_free(m->sign_in_login);
	if (m->sign_in_password)
		memset(m->sign_in_password, 0, strlen(m->sign_in_password));
	g_free(m->sign_in_password);
	g_free(m->view_name);
	g_free(m->view_period);
	g_free(m->kpi_period);
	g_free(m->board_title);
	g_string_chunk_free(m->kpi_strs);
	g_string_chunk_free(m->board_strs);
	g_string_chunk_free(m->alert_strs);
	g_string_chunk_free(m->choice_strs);
	g_array_free(m->daily, TRUE);
	g_array_free(m->cx, TRUE);
	g_array_free(m->cy, TRUE);
	g_array_free(m->board, TRUE);
	g_array_free(m->alerts, TRUE);
	g_array_free(m->choices, TRUE);
	G_OBJECT_CLASS(desk_model_parent_class)->finalize(o);
}

static void
desk_model_class_init(DeskModelClass *k)
{
	GObjectClass *oc = G_OBJECT_CLASS(k);

	oc->finalize = desk_model_finalize;
	signals[SIG_CHANGED] = g_signal_new("changed", DESK_TYPE_MODEL,
		G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
	signals[SIG_ALERT_RAISED] = g_signal_new("alert-raised",
		DESK_TYPE_MODEL, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
		G_TYPE_NONE, 1, G_TYPE_POINTER);
	signals[SIG_VIEW_REQUESTED] = g_signal_new("view-requested",
		DESK_TYPE_MODEL, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
		G_TYPE_NONE, 0);
	signals[SIG_ACK_REQUESTED] = g_signal_new("ack-requested",
		DESK_TYPE_MODEL, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
		G_TYPE_NONE, 1, G_TYPE_UINT64);
	signals[SIG_SIGN_IN_REQUESTED] = g_signal_new("sign-in-requested",
		DESK_TYPE_MODEL, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
		G_TYPE_NONE, 0);
	signals[SIG_SIGN_OUT_REQUESTED] = g_signal_new("sign-out-requested",
		DESK_TYPE_MODEL, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
		G_TYPE_NONE, 0);
	signals[SIG_RECONNECT_REQUESTED] = g_signal_new("reconnect-requested",
		DESK_TYPE_MODEL, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
		G_TYPE_NONE, 0);
}

static void
desk_model_init(DeskModel *m)
{
	m->link = DESK_LINK_SIGNED_OUT;
	m->view_name = g_strdup("");
	m->view_period = g_strdup("");
	m->kpi_strs = g_string_chunk_new(1024);
	m->board_strs = g_string_chunk_new(1024);
	m->alert_strs = g_string_chunk_new(4096);
	m->choice_strs = g_string_chunk_new(256);
	m->daily = g_array_new(FALSE, TRUE, sizeof(int64_t));
	m->cx = g_array_new(FALSE, TRUE, sizeof(double));
	m->cy = g_array_new(FALSE, TRUE, sizeof(int64_t));
	m->board = g_array_new(FALSE, TRUE, sizeof(struct desk_board_row));
	m->alerts = g_array_new(FALSE, TRUE, sizeof(struct desk_alert));
	m->choices = g_array_new(FALSE, TRUE, sizeof(struct desk_choice));
	model_clear_numbers(m);
}

DeskModel *
desk_model_new(void)
{
	return g_object_new(DESK_TYPE_MODEL, NULL);
}

/* --- link and identity ---------------------------------------------------------- */

void
model_set_link(DeskModel *m, enum desk_link link, const char *message)
{
	if (m->link == link && g_strcmp0(m->link_message, message) == 0)
		return;
	m->link = link;
	set_str(&m->link_message, message);
	changed(m, DESK_CHANGED_LINK);
}

enum desk_link
model_link(DeskModel *m)
{
	return m->link;
}

void
model_set_page(DeskModel *m, enum desk_page page)
{
	if (m->page == page)
		return;
	m->page = page;
	changed(m, DESK_CHANGED_LINK);
}

enum desk_page
model_page(DeskModel *m)
{
	return m->page;
}

const char *
model_link_key(DeskModel *m)
{
	static const char *const keys[] = {"signed_out", "connecting", "online",
		"offline"};
	return keys[m->link];
}

const char *
model_link_text(DeskModel *m)
{
	switch (m->link) {
	case DESK_LINK_SIGNED_OUT:
		return _("signed out");
	case DESK_LINK_CONNECTING:
		return _("connecting…");
	case DESK_LINK_ONLINE:
		return _("online");
	case DESK_LINK_OFFLINE:
	default:
		return _("offline — reconnecting");
	}
}

const char *
model_link_message(DeskModel *m)
{
	return m->link_message ? m->link_message : "";
}

/* The role's own view: a rep's own numbers, a manager's team, the org. */
static void
default_view(DeskModel *m)
{
	Pace__V1__ScopeKind k = PACE__V1__SCOPE_KIND__SCOPE_USER;

	if (m->me && m->me->role == PACE__V1__ROLE__MANAGER)
		k = PACE__V1__SCOPE_KIND__SCOPE_TEAM;
	else if (m->me && (m->me->role == PACE__V1__ROLE__DIRECTOR ||
				  m->me->role == PACE__V1__ROLE__ADMIN))
		k = PACE__V1__SCOPE_KIND__SCOPE_ORG;
	m->view_kind = k;
	set_str(&m->view_name, "");
}

void
model_set_identity(DeskModel *m, const Pace__V1__Identity *id)
{
	guint what = DESK_CHANGED_IDENTITY;

	if (m->me)
		pace__v1__identity__free_unpacked(m->me, NULL);
	m->me = NULL;
	if (id) {
		size_t n = pace__v1__identity__get_packed_size(id);
		uint8_t *buf = g_malloc(n ? n : 1);

		pace__v1__identity__pack(id, buf);
		m->me = pace__v1__identity__unpack(NULL, n, buf);
		g_free(buf);
	}
	if (!m->view_explicit && m->me) {
		default_view(m);
		what |= DESK_CHANGED_VIEW;
	}
	changed(m, what);
}

const Pace__V1__Identity *
model_identity(DeskModel *m)
{
	return m->me;
}

int
model_can_choose_any(DeskModel *m)
{
	return m->me && (m->me->role == PACE__V1__ROLE__DIRECTOR ||
				m->me->role == PACE__V1__ROLE__ADMIN);
}

int
model_can_choose_team(DeskModel *m)
{
	return model_can_choose_any(m) ||
		(m->me && m->me->role == PACE__V1__ROLE__MANAGER);
}

void
model_set_sign_in_error(DeskModel *m, const char *message)
{
	set_str(&m->sign_in_error, message);
	changed(m, DESK_CHANGED_LINK);
}

const char *
model_sign_in_error(DeskModel *m)
{
	return m->sign_in_error ? m->sign_in_error : "";
}

int64_t
model_last_update(DeskModel *m)
{
	return m->last_update;
}

/* --- numbers -------------------------------------------------------------------- */

static const char *
kstr(DeskModel *m, const char *s)
{
	return g_string_chunk_insert(m->kpi_strs, s ? s : "");
}

static void
rebuild_chart(DeskModel *m)
{
	int days = 0;
	int64_t cum = 0, ymax = 0;

	g_array_set_size(m->cx, 0);
	g_array_set_size(m->cy, 0);
	memset(&m->chart, 0, sizeof(m->chart));
	if (m->period_end > m->period_start)
		days = (int)((m->period_end - m->period_start + DAY_US / 2) / DAY_US);
	if (days < 1)
		days = 1;
	if (m->progress.have || m->have_daily) {
		double x = 0;
		int64_t y = 0;

		g_array_append_val(m->cx, x);
		g_array_append_val(m->cy, y);
	}
	if (m->have_daily) {
		guint n = m->daily->len;

		for (guint i = 0; i < n; i++) {
			double x = (double)(i + 1) / days;

			cum += g_array_index(m->daily, int64_t, i);
			/* Today's point sits at now, not at the end of today. */
			if (i + 1 == n && m->elapsed < x)
				x = m->elapsed;
			g_array_append_val(m->cx, x);
			g_array_append_val(m->cy, cum);
			if (cum > ymax)
				ymax = cum;
		}
	} else if (m->progress.have) {
		/* No series yet: a straight line to where we are now. */
		double x = m->elapsed;
		int64_t y = m->progress.actual_fen;

		g_array_append_val(m->cx, x);
		g_array_append_val(m->cy, y);
		if (y > ymax)
			ymax = y;
	}
	m->chart.n = (int)m->cx->len;
	m->chart.x = (const double *)(void *)m->cx->data;
	m->chart.y = (const int64_t *)(void *)m->cy->data;
	m->chart.have_target = m->have_target;
	m->chart.target = m->target;
	m->chart.now_x = m->elapsed;
	m->chart.pace_now = m->have_target ?
		(int64_t)llround((double)m->target * m->elapsed) :
		0;
	if (m->have_target && m->target > ymax)
		ymax = m->target;
	m->chart.ymax = ymax > 0 ? ymax : 100;
	m->chart.days = days;
	m->chart.currency = m->progress.currency;
}

void
model_clear_numbers(DeskModel *m)
{
	g_string_chunk_clear(m->kpi_strs);
	memset(&m->progress, 0, sizeof(m->progress));
	m->progress.title = kstr(m, "");
	m->progress.actual = m->progress.target = m->progress.attainment =
		m->progress.pace = m->progress.elapsed = m->progress.rank =
			kstr(m, DASH);
	m->progress.status_text = kstr(m, desk_status_text(0));
	m->progress.basis = kstr(m, "");
	m->progress.currency = kstr(m, "");
	m->money.pipeline_count = m->money.pipeline_amount =
		m->money.pipeline_weighted = m->money.coverage =
			m->money.collection_rate = m->money.overdue_rate =
				m->progress.actual;
	m->nfunnel = 0;
	g_free(m->kpi_period);
	m->kpi_period = NULL;
	m->kpi_kind = 0;
	m->kpi_scope_id = 0;
	g_array_set_size(m->daily, 0);
	m->have_daily = 0;
	m->period_start = m->period_end = 0;
	m->elapsed = 0;
	m->have_target = 0;
	m->target = 0;
	rebuild_chart(m);
	g_string_chunk_clear(m->board_strs);
	g_array_set_size(m->board, 0);
	g_free(m->board_title);
	m->board_title = g_strdup("");
}

void
model_reset(DeskModel *m)
{
	model_clear_numbers(m);
	g_string_chunk_clear(m->alert_strs);
	g_array_set_size(m->alerts, 0);
	g_string_chunk_clear(m->choice_strs);
	g_array_set_size(m->choices, 0);
	m->last_update = 0;
	if (m->me)
		pace__v1__identity__free_unpacked(m->me, NULL);
	m->me = NULL;
	changed(m, DESK_CHANGED_ALL);
}

static const char *
stage_name(const char *key)
{
	static const char *const names[][2] = {{"lead", N_("lead")},
		{"qualified", N_("qualified")}, {"proposal", N_("proposal")},
		{"quote", N_("quote")}, {"negotiation", N_("negotiation")},
		{"won", N_("won")}, {"lost", N_("lost")}};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(key, names[i][0]) == 0)
			return _(names[i][1]);
	return key;
}

static const char *
scope_title(const Pace__V1__Kpi *k)
{
	if (k->scope == NULL)
		return "";
	switch (k->scope->kind) {
	case PACE__V1__SCOPE_KIND__SCOPE_TEAM:
		return _("Team");
	case PACE__V1__SCOPE_KIND__SCOPE_OFFICE:
		return _("Office");
	case PACE__V1__SCOPE_KIND__SCOPE_ORG:
		return _("Organisation");
	default:
		return "";
	}
}

/* Progress, funnel and money from a Kpi (snapshot or KpiGet). */
static void
fill_numbers(DeskModel *m, const Pace__V1__Kpi *k)
{
	char b[128], b2[64];
	const char *cur = k->currency ? k->currency : "";
	struct desk_progress *p = &m->progress;
	int64_t top;

	g_string_chunk_clear(m->kpi_strs);
	memset(p, 0, sizeof(*p));
	p->have = 1;
	p->currency = kstr(m, cur);
	{
		const char *kind = scope_title(k);
		char *t = g_strdup_printf("%s%s%s · %s", kind, *kind ? " " : "",
			k->scope && k->scope->name ? k->scope->name : "",
			k->period ? k->period : "");
		p->title = kstr(m, t);
		g_free(t);
	}
	p->actual = kstr(m, pc_money_format(k->actual, cur, b, sizeof(b)));
	p->actual_fen = k->actual;
	p->target = kstr(m, desk_fmt_fen(k->target, cur, b, sizeof(b)));
	p->attainment = kstr(m, desk_fmt_ratio(k->attainment, b, sizeof(b)));
	p->pace = kstr(m, desk_fmt_pace(k->pace, b, sizeof(b)));
	p->elapsed = kstr(m, desk_fmt_ratio(k->elapsed, b, sizeof(b)));
	p->status = k->status;
	p->status_text = kstr(m, desk_status_text(k->status));
	if (k->rank > 0)
		snprintf(b, sizeof(b), "%d", k->rank);
	else
		snprintf(b, sizeof(b), DASH);
	p->rank = kstr(m, b);
	p->basis = kstr(m, k->revenue_basis && *k->revenue_basis ?
			_(k->revenue_basis) : "");
	p->fraction = k->attainment ? k->attainment->v : 0;
	if (p->fraction < 0 || isnan(p->fraction))
		p->fraction = 0;
	if (p->fraction > 1)
		p->fraction = 1;
	p->elapsed_fraction = k->elapsed ? k->elapsed->v : 0;

	snprintf(b, sizeof(b), "%lld", (long long)k->pipeline_count);
	m->money.pipeline_count = kstr(m, b);
	m->money.pipeline_amount = kstr(m, pc_money_format(k->pipeline_amount,
						   cur, b, sizeof(b)));
	m->money.pipeline_weighted = kstr(m,
		pc_money_format(k->pipeline_weighted, cur, b, sizeof(b)));
	m->money.coverage = kstr(m, desk_fmt_times(k->coverage, b, sizeof(b)));
	m->money.collection_rate = kstr(m,
		desk_fmt_ratio(k->collection_rate, b, sizeof(b)));
	m->money.overdue_rate = kstr(m,
		desk_fmt_ratio(k->overdue_rate, b, sizeof(b)));

	m->nfunnel = 0;
	top = k->n_funnel ? k->funnel[0]->n : 0;
	for (size_t i = 0; i < k->n_funnel && m->nfunnel < 8; i++) {
		struct desk_funnel_row *r = &m->funnel[m->nfunnel++];
		const Pace__V1__Count *c = k->funnel[i];

		r->key = kstr(m, c->key);
		r->stage = kstr(m, stage_name(c->key ? c->key : ""));
		r->count = c->n;
		snprintf(b2, sizeof(b2), "%lld", (long long)c->n);
		r->count_text = kstr(m, b2);
		r->lost = c->key && strcmp(c->key, "lost") == 0;
		/* Conversion from the stage before; lost has none. */
		if (i == 0)
			b2[0] = '\0';
		else if (!r->lost && k->funnel[i - 1]->n > 0)
			snprintf(b2, sizeof(b2), "%.1f%%",
				100.0 * (double)c->n / (double)k->funnel[i - 1]->n);
		else
			snprintf(b2, sizeof(b2), r->lost ? "" : DASH);
		r->conversion = kstr(m, b2);
		r->fraction = top > 0 ? (double)c->n / (double)top : 0;
	}

	/* What the chart needs from every Kpi. */
	m->period_start = k->period_start;
	m->period_end = k->period_end;
	m->elapsed = p->elapsed_fraction;
	m->have_target = k->target != NULL;
	m->target = k->target ? k->target->v : 0;
	m->kpi_kind = k->scope ? k->scope->kind : 0;
	m->kpi_scope_id = k->scope ? k->scope->id : 0;
}

/* Did the numbers' scope or period change (then the series is stale)? */
static int
same_series(DeskModel *m, const Pace__V1__Kpi *k)
{
	return m->kpi_period && g_strcmp0(m->kpi_period, k->period) == 0 &&
		k->scope && m->kpi_kind == k->scope->kind &&
		m->kpi_scope_id == k->scope->id;
}

/* Today's point of the series from a snapshot's actual. */
static void
patch_today(DeskModel *m, int64_t actual)
{
	int days, idx;
	int64_t before = 0;

	if (m->period_end <= m->period_start)
		return;
	days = (int)((m->period_end - m->period_start + DAY_US / 2) / DAY_US);
	idx = (int)floor(m->elapsed * days);
	if (idx >= days)
		idx = days - 1;
	if (idx < 0)
		idx = 0;
	if ((int)m->daily->len > idx + 1)
		g_array_set_size(m->daily, (guint)idx + 1);
	while ((int)m->daily->len < idx + 1) {
		int64_t zero = 0;
		g_array_append_val(m->daily, zero);
	}
	for (int i = 0; i < idx; i++)
		before += g_array_index(m->daily, int64_t, i);
	g_array_index(m->daily, int64_t, idx) = actual - before;
}

void
model_apply_snapshot(DeskModel *m, const Pace__V1__Kpi *k)
{
	int keep = same_series(m, k) && m->have_daily;

	fill_numbers(m, k);
	if (!keep) {
		g_array_set_size(m->daily, 0);
		m->have_daily = 0;
	} else {
		patch_today(m, k->actual);
	}
	set_str(&m->kpi_period, k->period);
	m->last_update = g_get_real_time();
	rebuild_chart(m);
	changed(m, DESK_CHANGED_PROGRESS | DESK_CHANGED_CHART);
}

void
model_apply_kpi(DeskModel *m, const Pace__V1__Kpi *k)
{
	fill_numbers(m, k);
	set_str(&m->kpi_period, k->period);
	g_array_set_size(m->daily, 0);
	if (k->n_daily > 0)
		g_array_append_vals(m->daily, k->daily, (guint)k->n_daily);
	/* A current period whose first day has not ended still has a point. */
	m->have_daily = 1;
	if (m->daily->len == 0 && m->elapsed > 0)
		patch_today(m, k->actual);
	rebuild_chart(m);
	changed(m, DESK_CHANGED_PROGRESS | DESK_CHANGED_CHART);
}

const struct desk_progress *
model_progress(DeskModel *m)
{
	return &m->progress;
}

const struct desk_chart *
model_chart(DeskModel *m)
{
	return &m->chart;
}

const struct desk_funnel_row *
model_funnel(DeskModel *m, int *n)
{
	*n = m->nfunnel;
	return m->funnel;
}

const struct desk_money_kpis *
model_money(DeskModel *m)
{
	return &m->money;
}

/* --- leaderboard --------------------------------------------------------------- */

void
model_apply_board(DeskModel *m, const Pace__V1__Board *b)
{
	const char *cur = b->currency ? b->currency : "";
	char buf[64];

	g_string_chunk_clear(m->board_strs);
	g_array_set_size(m->board, 0);
	for (size_t i = 0; i < b->n_rows; i++) {
		const Pace__V1__BoardRow *src = b->rows[i];
		struct desk_board_row r;

		memset(&r, 0, sizeof(r));
		r.rank = src->rank;
		if (src->rank > 0)
			snprintf(buf, sizeof(buf), "%d", src->rank);
		else
			snprintf(buf, sizeof(buf), DASH);
		r.rank_text = g_string_chunk_insert(m->board_strs, buf);
		r.name = g_string_chunk_insert(m->board_strs,
			src->member && src->member->name ? src->member->name : "");
		r.actual = g_string_chunk_insert(m->board_strs,
			pc_money_format(src->actual, cur, buf, sizeof(buf)));
		r.attainment = g_string_chunk_insert(m->board_strs,
			desk_fmt_ratio(src->attainment, buf, sizeof(buf)));
		r.status = src->status;
		r.status_text = g_string_chunk_insert(m->board_strs,
			desk_status_text(src->status));
		r.fraction = src->attainment ? src->attainment->v : 0;
		if (r.fraction < 0 || isnan(r.fraction))
			r.fraction = 0;
		if (r.fraction > 1)
			r.fraction = 1;
		r.top3 = src->rank >= 1 && src->rank <= 3;
		r.me = src->member &&
			((m->me && src->member->kind == PACE__V1__SCOPE_KIND__SCOPE_USER &&
				 src->member->id == m->me->user_id) ||
				(src->member->kind == m->kpi_kind &&
					src->member->id == m->kpi_scope_id));
		g_array_append_val(m->board, r);
	}
	g_free(m->board_title);
	m->board_title = b->period && *b->period ?
		g_strdup_printf("%s · %s", _("Leaderboard"), b->period) :
		g_strdup(_("Leaderboard"));
	changed(m, DESK_CHANGED_BOARD);
}

const struct desk_board_row *
model_board(DeskModel *m, int *n)
{
	*n = (int)m->board->len;
	return (const struct desk_board_row *)(void *)m->board->data;
}

const char *
model_board_title(DeskModel *m)
{
	return m->board_title && *m->board_title ? m->board_title :
						   _("Leaderboard");
}

/* --- alerts --------------------------------------------------------------------- */

static const char *
alert_kind_text(Pace__V1__AlertKind k)
{
	static const char *const names[] = {"", N_("status"), N_("stale deal"),
		N_("stuck deal"), N_("close date passed"), N_("payment overdue"),
		N_("action item due"), N_("review ready")};

	return k >= 1 && k <= 7 ? _(names[k]) : "";
}

/* The alert list's strings are rebuilt when it gets long enough. */
static void
compact_alert_strings(DeskModel *m)
{
	GStringChunk *fresh;

	if (m->alerts->len > MAX_ALERTS) {
		g_array_set_size(m->alerts, MAX_ALERTS);
	}
	fresh = g_string_chunk_new(4096);
	for (guint i = 0; i < m->alerts->len; i++) {
		struct desk_alert *a = &g_array_index(m->alerts, struct desk_alert, i);
		a->kind_text = g_string_chunk_insert(fresh, a->kind_text);
		a->title = g_string_chunk_insert(fresh, a->title);
		a->detail = g_string_chunk_insert(fresh, a->detail);
		a->when = g_string_chunk_insert(fresh, a->when);
	}
	g_string_chunk_free(m->alert_strs);
	m->alert_strs = fresh;
}

static int
alert_index(DeskModel *m, uint64_t id)
{
	for (guint i = 0; i < m->alerts->len; i++)
		if (g_array_index(m->alerts, struct desk_alert, i).id == id)
			return (int)i;
	return -1;
}

/* Insert (newest first) or update; returns the stored alert. */
static struct desk_alert *
store_alert(DeskModel *m, const Pace__V1__Alert *src, int *is_new)
{
	struct desk_alert a;
	int at = alert_index(m, src->id);
	guint pos = 0;
	char when[32] = "";

	if (at >= 0) {
		struct desk_alert *old =
			&g_array_index(m->alerts, struct desk_alert, at);
		if (src->acknowledged)
			old->acknowledged = 1;
		*is_new = 0;
		return old;
	}
	memset(&a, 0, sizeof(a));
	a.id = src->id;
	a.kind = src->kind;
	a.kind_text = g_string_chunk_insert(m->alert_strs,
		alert_kind_text(src->kind));
	a.title = g_string_chunk_insert(m->alert_strs, src->title ? src->title : "");
	a.detail = g_string_chunk_insert(m->alert_strs,
		src->detail ? src->detail : "");
	a.raised_at = src->raised_at;
	if (src->raised_at > 0) {
		GDateTime *t = g_date_time_new_from_unix_local(
			src->raised_at / G_USEC_PER_SEC);
		if (t) {
			char *s = g_date_time_format(t, "%Y-%m-%d %H:%M");
			snprintf(when, sizeof(when), "%s", s ? s : "");
			g_free(s);
			g_date_time_unref(t);
		}
	}
	a.when = g_string_chunk_insert(m->alert_strs, when);
	a.to = src->to;
	a.acknowledged = src->acknowledged;
	while (pos < m->alerts->len &&
		g_array_index(m->alerts, struct desk_alert, pos).id > a.id)
		pos++;
	g_array_insert_val(m->alerts, pos, a);
	*is_new = 1;
	return &g_array_index(m->alerts, struct desk_alert, pos);
}

void
model_apply_alert(DeskModel *m, const Pace__V1__Alert *src, int notify)
{
	int is_new;
	struct desk_alert *a = store_alert(m, src, &is_new);

	m->last_update = g_get_real_time();
	if (is_new && notify && !a->acknowledged)
		g_signal_emit(m, signals[SIG_ALERT_RAISED], 0, a);
	if (m->alerts->len > MAX_ALERTS + MAX_ALERTS / 2)
		compact_alert_strings(m);
	changed(m, DESK_CHANGED_ALERTS);
}

void
model_apply_alert_list(DeskModel *m, const Pace__V1__AlertListReply *r)
{
	int is_new;

	for (size_t i = 0; i < r->n_alerts; i++)
		store_alert(m, r->alerts[i], &is_new);
	compact_alert_strings(m);
	changed(m, DESK_CHANGED_ALERTS);
}

void
model_alert_acked(DeskModel *m, uint64_t id, int ok)
{
	int at = alert_index(m, id);

	if (at < 0)
		return;
	struct desk_alert *a = &g_array_index(m->alerts, struct desk_alert, at);
	a->ack_pending = 0;
	if (ok)
		a->acknowledged = 1;
	changed(m, DESK_CHANGED_ALERTS);
}

const struct desk_alert *
model_alerts(DeskModel *m, int *n)
{
	*n = (int)m->alerts->len;
	return (const struct desk_alert *)(void *)m->alerts->data;
}

const struct desk_alert *
model_alert_by_id(DeskModel *m, uint64_t id)
{
	int at = alert_index(m, id);

	return at < 0 ? NULL : &g_array_index(m->alerts, struct desk_alert, at);
}

int
model_unacked(DeskModel *m)
{
	int n = 0;

	for (guint i = 0; i < m->alerts->len; i++)
		n += !g_array_index(m->alerts, struct desk_alert, i).acknowledged;
	return n;
}

/* --- choices ------------------------------------------------------------------------ */

void
model_set_choices(DeskModel *m, const Pace__V1__TeamListReply *teams,
	const Pace__V1__OfficeListReply *offices)
{
	struct desk_choice c;
	int any = model_can_choose_any(m);

	g_string_chunk_clear(m->choice_strs);
	g_array_set_size(m->choices, 0);
	for (size_t i = 0; teams && i < teams->n_teams; i++) {
		/* A manager may follow only their own team. */
		if (!any && (m->me == NULL || teams->teams[i]->id != m->me->team_id))
			continue;
		c.kind = PACE__V1__SCOPE_KIND__SCOPE_TEAM;
		c.name = g_string_chunk_insert(m->choice_strs, teams->teams[i]->name);
		g_array_append_val(m->choices, c);
	}
	for (size_t i = 0; any && offices && i < offices->n_offices; i++) {
		c.kind = PACE__V1__SCOPE_KIND__SCOPE_OFFICE;
		c.name = g_string_chunk_insert(m->choice_strs,
			offices->offices[i]->name);
		g_array_append_val(m->choices, c);
	}
	changed(m, DESK_CHANGED_CHOICES);
}

const struct desk_choice *
model_choices(DeskModel *m, int *n)
{
	*n = (int)m->choices->len;
	return (const struct desk_choice *)(void *)m->choices->data;
}

/* --- what the person asks for --------------------------------------------------------- */

void
model_choose_view(DeskModel *m, Pace__V1__ScopeKind kind, const char *name,
	const char *period)
{
	name = name ? name : "";
	period = period ? period : "";
	/* Kind unspecified: only the period; the role still picks the scope. */
	if (kind != PACE__V1__SCOPE_KIND__SCOPE_UNSPECIFIED)
		m->view_explicit = 1;
	else if (m->me)
		kind = m->view_kind;
	if (m->view_kind == kind && strcmp(m->view_name, name) == 0 &&
		strcmp(m->view_period, period) == 0)
		return;
	m->view_kind = kind;
	set_str(&m->view_name, name);
	set_str(&m->view_period, period);
	model_clear_numbers(m);
	changed(m, DESK_CHANGED_VIEW | DESK_CHANGED_PROGRESS |
			DESK_CHANGED_CHART | DESK_CHANGED_BOARD);
	g_signal_emit(m, signals[SIG_VIEW_REQUESTED], 0);
}

void
model_view(DeskModel *m, Pace__V1__ScopeKind *kind, const char **name,
	const char **period)
{
	*kind = m->view_kind;
	*name = m->view_name;
	*period = m->view_period;
}

void
model_ack(DeskModel *m, uint64_t id)
{
	int at = alert_index(m, id);
	struct desk_alert *a;

	if (at < 0)
		return;
	a = &g_array_index(m->alerts, struct desk_alert, at);
	if (a->acknowledged || a->ack_pending)
		return;
	a->ack_pending = 1;
	changed(m, DESK_CHANGED_ALERTS);
	g_signal_emit(m, signals[SIG_ACK_REQUESTED], 0, (guint64)id);
}

void
model_sign_in(DeskModel *m, const char *server, const char *login,
	const char *password)
{
	set_str(&m->sign_in_server, server);
	set_str(&m->sign_in_login, login);
	if (m->sign_in_password)
		memset(m->sign_in_password, 0, strlen(m->sign_in_password));
	set_str(&m->sign_in_password, password);
	g_signal_emit(m, signals[SIG_SIGN_IN_REQUESTED], 0);
	/* The session has copied what it needs. */
	if (m->sign_in_password)
		memset(m->sign_in_password, 0, strlen(m->sign_in_password));
	set_str(&m->sign_in_password, NULL);
}

const char *
model_sign_in_server(DeskModel *m)
{
	return m->sign_in_server ? m->sign_in_server : "";
}

const char *
model_sign_in_login(DeskModel *m)
{
	return m->sign_in_login ? m->sign_in_login : "";
}

const char *
model_sign_in_password(DeskModel *m)
{
	return m->sign_in_password ? m->sign_in_password : "";
}

void
model_sign_out(DeskModel *m)
{
	g_signal_emit(m, signals[SIG_SIGN_OUT_REQUESTED], 0);
}

void
model_reconnect(DeskModel *m)
{
	g_signal_emit(m, signals[SIG_RECONNECT_REQUESTED], 0);
}
