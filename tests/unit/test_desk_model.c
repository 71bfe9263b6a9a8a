/*
 * pace-desk's model: frames in (Kpi snapshots and KpiGet replies, Board,
 * Alert pushes, AlertList replies, Identity), what the widgets show out,
 * and the signals the views and the session rely on. No GTK, no network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fmt.h"
#include "model.h"

#define DAY_US (86400LL * 1000000LL)

/* --- signal recorders ----------------------------------------------------------- */

struct rec {
	guint changed_mask;
	int changed;
	int raised;
	uint64_t raised_id;
	char raised_title[128];
	int view_requested;
	int acks;
	uint64_t ack_id;
};

static void
changed_cb(DeskModel *m, guint what, gpointer data)
{
	struct rec *r = data;

	r->changed++;
	r->changed_mask |= what;
}

static void
raised_cb(DeskModel *m, gpointer alert, gpointer data)
{
	struct rec *r = data;
	const struct desk_alert *a = alert;

	r->raised++;
	r->raised_id = a->id;
	snprintf(r->raised_title, sizeof(r->raised_title), "%s", a->title);
}

static void
view_cb(DeskModel *m, gpointer data)
{
	((struct rec *)data)->view_requested++;
}

static void
ack_cb(DeskModel *m, guint64 id, gpointer data)
{
	struct rec *r = data;

	r->acks++;
	r->ack_id = id;
}

static DeskModel *
new_model(struct rec *r)
{
	DeskModel *m = desk_model_new();

	memset(r, 0, sizeof(*r));
	g_signal_connect(m, "changed", G_CALLBACK(changed_cb), r);
	g_signal_connect(m, "alert-raised", G_CALLBACK(raised_cb), r);
	g_signal_connect(m, "view-requested", G_CALLBACK(view_cb), r);
	g_signal_connect(m, "ack-requested", G_CALLBACK(ack_cb), r);
	return m;
}

/* --- frames ------------------------------------------------------------------------ */

struct kpi_buf {
	Pace__V1__Kpi k;
	Pace__V1__Scope scope;
	Pace__V1__Fen target;
	Pace__V1__Num att, elapsed, pace, coverage, coll;
	Pace__V1__Count counts[7];
	Pace__V1__Count *funnel[7];
	int64_t daily[31];
};

/* A month of 30 days, the given fraction elapsed, target ¥100,000. */
static void
kpi_init(struct kpi_buf *b, int64_t actual, double elapsed, int with_target)
{
	memset(b, 0, sizeof(*b));
	pace__v1__kpi__init(&b->k);
	pace__v1__scope__init(&b->scope);
	b->scope.kind = PACE__V1__SCOPE_KIND__SCOPE_USER;
	b->scope.id = 7;
	b->scope.name = "张三";
	b->k.scope = &b->scope;
	b->k.period = "2026-11";
	b->k.currency = "CNY";
	b->k.revenue_basis = "booked";
	b->k.actual = actual;
	b->k.period_start = 1793462400LL * 1000000; /* any midnight */
	b->k.period_end = b->k.period_start + 30 * DAY_US;
	pace__v1__num__init(&b->elapsed);
	b->elapsed.v = elapsed;
	b->k.elapsed = &b->elapsed;
	if (with_target) {
		pace__v1__fen__init(&b->target);
		b->target.v = 10000000;
		b->k.target = &b->target;
		pace__v1__num__init(&b->att);
		b->att.v = (double)actual / 10000000.0;
		b->k.attainment = &b->att;
		if (elapsed > 0) {
			pace__v1__num__init(&b->pace);
			b->pace.v = b->att.v / elapsed;
			b->k.pace = &b->pace;
			b->k.status = b->pace.v >= 0.8 ? PACE__V1__STATUS__GREEN :
				b->pace.v >= 0.6 ? PACE__V1__STATUS__YELLOW :
						   PACE__V1__STATUS__RED;
		}
	}
}

static void
kpi_funnel(struct kpi_buf *b, const char *const *keys, const int64_t *n,
	size_t count)
{
	for (size_t i = 0; i < count; i++) {
		pace__v1__count__init(&b->counts[i]);
		b->counts[i].key = (char *)keys[i];
		b->counts[i].n = n[i];
		b->funnel[i] = &b->counts[i];
	}
	b->k.funnel = b->funnel;
	b->k.n_funnel = count;
}

static Pace__V1__Alert *
alert_new(uint64_t id, const char *title, Pace__V1__Status to)
{
	Pace__V1__Alert *a = g_new0(Pace__V1__Alert, 1);

	pace__v1__alert__init(a);
	a->id = id;
	a->kind = PACE__V1__ALERT_KIND__ALERT_STATUS;
	a->title = (char *)title;
	a->detail = "";
	a->raised_at = 1793462400LL * 1000000 + (int64_t)id * 60000000;
	a->to = to;
	return a;
}

/* --- tests --------------------------------------------------------------------------- */

static void
test_progress_from_snapshot(void **state)
{
	struct rec r;
	DeskModel *m = new_model(&r);
	struct kpi_buf b;
	const struct desk_progress *p;

	kpi_init(&b, 5000000, 0.6, 1); /* 50% at 60% of the month: pace 0.83 */
	pace__v1__num__init(&b.coverage);
	b.coverage.v = 2.5;
	b.k.coverage = &b.coverage;
	b.k.pipeline_count = 4;
	b.k.pipeline_amount = 12500000;
	b.k.pipeline_weighted = 5000050;
	pace__v1__num__init(&b.coll);
	b.coll.v = 0.875;
	b.k.collection_rate = &b.coll;
	b.k.rank = 2;
	model_apply_snapshot(m, &b.k);

	assert_true(r.changed_mask & DESK_CHANGED_PROGRESS);
	assert_true(r.changed_mask & DESK_CHANGED_CHART);
	p = model_progress(m);
	assert_true(p->have);
	assert_string_equal(p->title, "张三 · 2026-11");
	assert_string_equal(p->actual, "¥50,000.00");
	assert_string_equal(p->target, "¥100,000.00");
	assert_string_equal(p->attainment, "50.0%");
	assert_string_equal(p->pace, "0.83");
	assert_string_equal(p->elapsed, "60.0%");
	assert_string_equal(p->rank, "2");
	assert_int_equal(p->status, PACE__V1__STATUS__GREEN);
	assert_string_equal(p->status_text, "on track");
	assert_true(p->fraction > 0.4999 && p->fraction < 0.5001);
	assert_string_equal(model_money(m)->pipeline_count, "4");
	assert_string_equal(model_money(m)->pipeline_amount, "¥125,000.00");
	assert_string_equal(model_money(m)->pipeline_weighted, "¥50,000.50");
	assert_string_equal(model_money(m)->coverage, "2.50×");
	assert_string_equal(model_money(m)->collection_rate, "87.5%");
	assert_string_equal(model_money(m)->overdue_rate, "—");

	/* The next snapshot replaces every number. */
	kpi_init(&b, 12000000, 0.6, 1);
	model_apply_snapshot(m, &b.k);
	assert_string_equal(p->attainment, "120.0%");
	assert_true(p->fraction == 1.0); /* the bar is full, not overfull */
	g_object_unref(m);
}

static void
test_undefined_values_show_a_dash(void **state)
{
	struct rec r;
	DeskModel *m = new_model(&r);
	struct kpi_buf b;
	const struct desk_progress *p = model_progress(m);

	/* Before any snapshot. */
	assert_false(p->have);
	assert_string_equal(p->attainment, "—");
	kpi_init(&b, 300, 0, 0); /* no target, nothing elapsed */
	model_apply_snapshot(m, &b.k);
	p = model_progress(m);
	assert_string_equal(p->actual, "¥3.00");
	assert_string_equal(p->target, "—");
	assert_string_equal(p->attainment, "—");
	assert_string_equal(p->pace, "—");
	assert_string_equal(p->rank, "—");
	assert_int_equal(p->status, PACE__V1__STATUS__STATUS_NONE);
	assert_string_equal(p->status_text, "no pace yet");
	assert_true(p->fraction == 0);
	assert_false(model_chart(m)->have_target);
	g_object_unref(m);
}

static void
test_funnel_conversion(void **state)
{
	struct rec r;
	DeskModel *m = new_model(&r);
	struct kpi_buf b;
	static const char *const keys[] = {"lead", "qualified", "proposal",
		"quote", "negotiation", "won", "lost"};
	static const int64_t n[] = {10, 5, 0, 0, 0, 0, 2};
	const struct desk_funnel_row *f;
	int nf;

	kpi_init(&b, 0, 0.5, 1);
	kpi_funnel(&b, keys, n, 7);
	model_apply_snapshot(m, &b.k);
	f = model_funnel(m, &nf);
	assert_int_equal(nf, 7);
	assert_string_equal(f[0].stage, "lead");
	assert_string_equal(f[0].count_text, "10");
	assert_string_equal(f[0].conversion, "");
	assert_string_equal(f[1].conversion, "50.0%");
	assert_string_equal(f[2].conversion, "0.0%");
	assert_string_equal(f[3].conversion, "—"); /* from 0 deals: undefined */
	assert_true(f[6].lost);
	assert_string_equal(f[6].conversion, "");
	assert_true(f[1].fraction == 0.5);
	assert_true(f[6].fraction == 0.2);
	g_object_unref(m);
}

static void
test_chart_from_series_and_snapshots(void **state)
{
	struct rec r;
	DeskModel *m = new_model(&r);
	struct kpi_buf b;
	const struct desk_chart *c;

	/* KpiGet: three days of the month so far, day 3 half gone. */
	kpi_init(&b, 40000, 2.5 / 30, 1);
	b.daily[0] = 10000;
	b.daily[1] = 0;
	b.daily[2] = 30000;
	b.k.daily = b.daily;
	b.k.n_daily = 3;
	model_apply_kpi(m, &b.k);
	c = model_chart(m);
	assert_int_equal(c->days, 30);
	assert_int_equal(c->n, 4); /* the origin and three days */
	assert_true(c->x[0] == 0 && c->y[0] == 0);
	assert_true(c->y[1] == 10000 && c->y[2] == 10000 && c->y[3] == 40000);
	assert_true(c->x[1] > 0.0333 && c->x[1] < 0.0334);
	/* Today's point is at now, not at the end of today. */
	assert_true(c->x[3] > 0.0833 && c->x[3] < 0.0834);
	assert_true(c->have_target);
	assert_int_equal(c->target, 10000000);
	assert_int_equal(c->pace_now, 833333); /* target x elapsed */
	assert_int_equal(c->ymax, 10000000);

	/* A snapshot (no series in it): today's point moves, history stays. */
	r.changed_mask = 0;
	kpi_init(&b, 90000, 2.6 / 30, 1);
	model_apply_snapshot(m, &b.k);
	assert_true(r.changed_mask & DESK_CHANGED_CHART);
	c = model_chart(m);
	assert_int_equal(c->n, 4);
	assert_true(c->y[2] == 10000 && c->y[3] == 90000);

	/* The next day begins: a new point for it. */
	kpi_init(&b, 95000, 3.2 / 30, 1);
	model_apply_snapshot(m, &b.k);
	c = model_chart(m);
	assert_int_equal(c->n, 5);
	assert_true(c->y[3] == 90000 && c->y[4] == 95000);

	/* Another scope's numbers: the old series does not apply. */
	kpi_init(&b, 7000, 3.2 / 30, 1);
	b.scope.id = 8;
	model_apply_snapshot(m, &b.k);
	c = model_chart(m);
	assert_int_equal(c->n, 2); /* a straight line to now until KpiGet */
	assert_true(c->y[1] == 7000);
	g_object_unref(m);
}

static void
test_board_ranks_top_three_and_me(void **state)
{
	struct rec r;
	DeskModel *m = new_model(&r);
	Pace__V1__Identity me = PACE__V1__IDENTITY__INIT;
	Pace__V1__Board b = PACE__V1__BOARD__INIT;
	Pace__V1__BoardRow rows[5], *rp[5];
	Pace__V1__Scope mem[5];
	Pace__V1__Num att[5];
	static const char *const names[] = {"A", "B", "C", "D", "E"};
	static const int ranks[] = {1, 2, 2, 4, 0};
	static const double atts[] = {1.2, 0.8, 0.8, 0.5, 0};
	const struct desk_board_row *out;
	int n;

	me.user_id = 13;
	me.login = "c";
	me.name = "C";
	me.role = PACE__V1__ROLE__REP;
	model_set_identity(m, &me);
	for (int i = 0; i < 5; i++) {
		pace__v1__board_row__init(&rows[i]);
		pace__v1__scope__init(&mem[i]);
		mem[i].kind = PACE__V1__SCOPE_KIND__SCOPE_USER;
		mem[i].id = 10 + i;
		mem[i].name = (char *)names[i];
		rows[i].member = &mem[i];
		rows[i].rank = ranks[i];
		rows[i].actual = (int64_t)(atts[i] * 10000000);
		if (ranks[i]) {
			pace__v1__num__init(&att[i]);
			att[i].v = atts[i];
			rows[i].attainment = &att[i];
			rows[i].status = atts[i] >= 0.8 ? PACE__V1__STATUS__GREEN :
							 PACE__V1__STATUS__RED;
		}
		rp[i] = &rows[i];
	}
	b.rows = rp;
	b.n_rows = 5;
	b.period = "2026-11";
	b.currency = "CNY";
	r.changed_mask = 0;
	model_apply_board(m, &b);
	assert_true(r.changed_mask & DESK_CHANGED_BOARD);
	out = model_board(m, &n);
	assert_int_equal(n, 5);
	assert_string_equal(out[0].rank_text, "1");
	assert_string_equal(out[0].attainment, "120.0%");
	assert_string_equal(out[0].actual, "¥120,000.00");
	assert_true(out[0].fraction == 1.0);
	assert_true(out[0].top3 && out[1].top3 && out[2].top3);
	assert_false(out[3].top3);
	assert_false(out[4].top3);
	assert_string_equal(out[4].rank_text, "—");
	assert_string_equal(out[4].attainment, "—");
	assert_true(out[3].me);
	assert_false(out[0].me);
	assert_string_equal(out[3].status_text, "behind");
	assert_string_equal(model_board_title(m), "Leaderboard · 2026-11");
	g_object_unref(m);
}

static void
test_alerts_newest_first_notify_once_and_ack(void **state)
{
	struct rec r;
	DeskModel *m = new_model(&r);
	Pace__V1__AlertListReply list = PACE__V1__ALERT_LIST_REPLY__INIT;
	Pace__V1__Alert *a1 = alert_new(1, "old", PACE__V1__STATUS__RED);
	Pace__V1__Alert *a3 = alert_new(3, "older news", PACE__V1__STATUS__YELLOW);
	Pace__V1__Alert *a5 = alert_new(5, "张三 is green", PACE__V1__STATUS__GREEN);
	Pace__V1__Alert *items[2] = {a1, a3};
	const struct desk_alert *al;
	int n;

	list.alerts = items;
	list.n_alerts = 2;
	model_apply_alert_list(m, &list);
	assert_int_equal(r.raised, 0); /* the list is not news */
	al = model_alerts(m, &n);
	assert_int_equal(n, 2);
	assert_int_equal(al[0].id, 3);
	assert_int_equal(al[1].id, 1);
	assert_string_equal(al[0].kind_text, "status");

	r.changed_mask = 0;
	model_apply_alert(m, a5, 1);
	assert_true(r.changed_mask & DESK_CHANGED_ALERTS);
	assert_int_equal(r.raised, 1);
	assert_int_equal(r.raised_id, 5);
	assert_string_equal(r.raised_title, "张三 is green");
	model_apply_alert(m, a5, 1); /* the same alert again (resume) */
	assert_int_equal(r.raised, 1);
	al = model_alerts(m, &n);
	assert_int_equal(n, 3);
	assert_int_equal(al[0].id, 5);
	assert_int_equal(al[0].to, PACE__V1__STATUS__GREEN);
	assert_int_equal(model_unacked(m), 3);

	model_ack(m, 5);
	assert_int_equal(r.acks, 1);
	assert_int_equal(r.ack_id, 5);
	assert_true(model_alert_by_id(m, 5)->ack_pending);
	model_ack(m, 5); /* already on its way */
	assert_int_equal(r.acks, 1);
	model_alert_acked(m, 5, 1);
	assert_true(model_alert_by_id(m, 5)->acknowledged);
	assert_false(model_alert_by_id(m, 5)->ack_pending);
	assert_int_equal(model_unacked(m), 2);
	model_ack(m, 99); /* unknown: nothing */
	assert_int_equal(r.acks, 1);

	/* A refused ack leaves it open. */
	model_ack(m, 3);
	model_alert_acked(m, 3, 0);
	assert_false(model_alert_by_id(m, 3)->acknowledged);
	g_free(a1);
	g_free(a3);
	g_free(a5);
	g_object_unref(m);
}

static void
test_view_follows_role_and_choice(void **state)
{
	struct rec r;
	DeskModel *m = new_model(&r);
	Pace__V1__Identity me = PACE__V1__IDENTITY__INIT;
	Pace__V1__ScopeKind kind;
	const char *name, *period;
	struct kpi_buf b;

	me.user_id = 2;
	me.role = PACE__V1__ROLE__MANAGER;
	me.team_id = 4;
	me.team = "北京一组";
	model_set_identity(m, &me);
	model_view(m, &kind, &name, &period);
	assert_int_equal(kind, PACE__V1__SCOPE_KIND__SCOPE_TEAM);
	assert_string_equal(name, "");
	assert_string_equal(period, "");
	assert_true(model_can_choose_team(m));
	assert_false(model_can_choose_any(m));
	assert_int_equal(r.view_requested, 0);

	kpi_init(&b, 5000000, 0.5, 1);
	model_apply_snapshot(m, &b.k);
	r.changed_mask = 0;
	model_choose_view(m, PACE__V1__SCOPE_KIND__SCOPE_USER, "", "2026Q4");
	assert_int_equal(r.view_requested, 1);
	assert_true(r.changed_mask & DESK_CHANGED_VIEW);
	assert_false(model_progress(m)->have); /* the old numbers are gone */
	model_view(m, &kind, &name, &period);
	assert_int_equal(kind, PACE__V1__SCOPE_KIND__SCOPE_USER);
	assert_string_equal(period, "2026Q4");
	model_choose_view(m, PACE__V1__SCOPE_KIND__SCOPE_USER, "", "2026Q4");
	assert_int_equal(r.view_requested, 1); /* no change, no request */

	/* A chosen view survives signing in again. */
	model_set_identity(m, &me);
	model_view(m, &kind, &name, &period);
	assert_int_equal(kind, PACE__V1__SCOPE_KIND__SCOPE_USER);
	g_object_unref(m);
}

static void
test_choices_by_role(void **state)
{
	struct rec r;
	DeskModel *m = new_model(&r);
	Pace__V1__Identity me = PACE__V1__IDENTITY__INIT;
	Pace__V1__Team t1 = PACE__V1__TEAM__INIT, t2 = PACE__V1__TEAM__INIT;
	Pace__V1__Team *tp[2] = {&t1, &t2};
	Pace__V1__TeamListReply teams = PACE__V1__TEAM_LIST_REPLY__INIT;
	Pace__V1__Office o1 = PACE__V1__OFFICE__INIT, *op[1] = {&o1};
	Pace__V1__OfficeListReply offices = PACE__V1__OFFICE_LIST_REPLY__INIT;
	const struct desk_choice *c;
	int n;

	t1.id = 4;
	t1.name = "A";
	t2.id = 5;
	t2.name = "B";
	teams.teams = tp;
	teams.n_teams = 2;
	o1.name = "HQ";
	offices.offices = op;
	offices.n_offices = 1;
	me.role = PACE__V1__ROLE__MANAGER;
	me.team_id = 5;
	model_set_identity(m, &me);
	model_set_choices(m, &teams, &offices);
	c = model_choices(m, &n);
	assert_int_equal(n, 1); /* a manager: their own team only */
	assert_string_equal(c[0].name, "B");
	me.role = PACE__V1__ROLE__DIRECTOR;
	model_set_identity(m, &me);
	model_set_choices(m, &teams, &offices);
	c = model_choices(m, &n);
	assert_int_equal(n, 3);
	assert_int_equal(c[2].kind, PACE__V1__SCOPE_KIND__SCOPE_OFFICE);
	assert_string_equal(c[2].name, "HQ");
	g_object_unref(m);
}

static void
test_link_texts(void **state)
{
	struct rec r;
	DeskModel *m = new_model(&r);

	assert_string_equal(model_link_key(m), "signed_out");
	model_set_link(m, DESK_LINK_OFFLINE, "Connection refused");
	assert_true(r.changed_mask & DESK_CHANGED_LINK);
	assert_string_equal(model_link_text(m), "offline — reconnecting");
	assert_string_equal(model_link_message(m), "Connection refused");
	r.changed = 0;
	model_set_link(m, DESK_LINK_OFFLINE, "Connection refused");
	assert_int_equal(r.changed, 0); /* nothing new: no redraw */
	model_set_link(m, DESK_LINK_ONLINE, NULL);
	assert_string_equal(model_link_text(m), "online");
	assert_string_equal(model_link_message(m), "");
	g_object_unref(m);
}

static void
test_formats(void **state)
{
	char b[64];
	GTimeZone *tz = g_time_zone_new_utc();
	GDateTime *t = g_date_time_new(tz, 2026, 11, 27, 10, 0, 0);
	char *p;

	assert_string_equal(desk_fmt_money_short(12000000, "CNY", 1, b, sizeof(b)),
		"¥12万");
	assert_string_equal(desk_fmt_money_short(25000000000LL, "CNY", 1, b,
				    sizeof(b)), "¥2.5亿");
	assert_string_equal(desk_fmt_money_short(12000000, "CNY", 0, b, sizeof(b)),
		"¥120K");
	assert_string_equal(desk_fmt_money_short(250000000, "USD", 0, b, sizeof(b)),
		"$2.5M");
	assert_string_equal(desk_fmt_money_short(99900, "CNY", 0, b, sizeof(b)),
		"¥999");
	assert_string_equal(desk_fmt_money_short(100000, "GBP", 0, b, sizeof(b)),
		"GBP 1K");
	p = desk_period_of(DESK_PERIOD_MONTH, t);
	assert_string_equal(p, "");
	g_free(p);
	p = desk_period_of(DESK_PERIOD_QUARTER, t);
	assert_string_equal(p, "2026Q4");
	g_free(p);
	p = desk_period_of(DESK_PERIOD_YEAR, t);
	assert_string_equal(p, "2026");
	g_free(p);
	p = desk_period_of(DESK_PERIOD_WEEK, t);
	assert_string_equal(p, "2026-W48");
	g_free(p);
	p = desk_period_of(DESK_PERIOD_TODAY, t);
	assert_string_equal(p, "2026-11-27");
	g_free(p);
	assert_true(desk_period_valid("2026Q4"));
	assert_true(desk_period_valid("2026-W48"));
	assert_true(desk_period_valid("2026-11-27"));
	assert_false(desk_period_valid("2026-13"));
	assert_false(desk_period_valid("next month"));
	g_date_time_unref(t);
	g_time_zone_unref(tz);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_progress_from_snapshot),
		cmocka_unit_test(test_undefined_values_show_a_dash),
		cmocka_unit_test(test_funnel_conversion),
		cmocka_unit_test(test_chart_from_series_and_snapshots),
		cmocka_unit_test(test_board_ranks_top_three_and_me),
		cmocka_unit_test(test_alerts_newest_first_notify_once_and_ack),
		cmocka_unit_test(test_view_follows_role_and_choice),
		cmocka_unit_test(test_choices_by_role),
		cmocka_unit_test(test_link_texts),
		cmocka_unit_test(test_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
