/* A stored review as an XLSX workbook, one sheet per part (libxlsxwriter;
 * see review_render.h). */
#include <stdio.h>
#include <string.h>

#ifdef HAVE_XLSXWRITER
#include <xlsxwriter.h>
#endif

#include "cli.h"
#include "pc_time.h"
#include "review_read.h"
#include "review_render.h"

/* --- XLSX ----------------------------------------------------------------- */

#ifdef HAVE_XLSXWRITER

struct book {
	lxw_workbook *wb;
	lxw_format *bold, *money, *pct, *dec;
	const char *cur;
};

static void
x_str(lxw_worksheet *ws, int r, int c, const char *s, lxw_format *f)
{
	worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, s, f);
}

/* A number, or an empty cell when undefined. */
static void
x_num(lxw_worksheet *ws, int r, int c, const cJSON *v, lxw_format *f)
{
	if (!jnull(v))
		worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, jdbl(v), f);
}

/* Money in the currency's units (fen / 100), formatted with 2 places. */
static void
x_money(struct book *b, lxw_worksheet *ws, int r, int c, const cJSON *v)
{
	if (!jnull(v))
		worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c,
			(double)jfen(v) / 100.0, b->money);
}

static void
x_header(struct book *b, lxw_worksheet *ws, const char *const *h, int n)
{
	for (int i = 0; i < n; i++)
		x_str(ws, 0, i, _(h[i]), b->bold);
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_column(ws, 0, (lxw_col_t)(n - 1), 14, NULL);
}

/* The KPI columns shared by the Teams and Members sheets, from column c. */
static const char *const kpi_cols[] = {N_("Actual"), N_("Target"),
	N_("Attainment"), N_("Pace"), N_("Status"), N_("New leads"),
	N_("Follow-ups"), N_("Calls"), N_("Visits"), N_("Emails"),
	N_("Meetings"), N_("Lead to opportunity"), N_("Win rate"),
	N_("Median cycle"), N_("Average deal"), N_("Pipeline"),
	N_("Coverage"), N_("Collection rate"), N_("Overdue rate"),
	N_("Previous actual"), N_("Previous attainment")};
#define NKPI ((int)(sizeof(kpi_cols) / sizeof(kpi_cols[0])))

static void
x_kpis(struct book *b, lxw_worksheet *ws, int r, int c, const cJSON *k,
	const cJSON *prev)
{
	x_money(b, ws, r, c++, jget(k, "actual"));
	x_money(b, ws, r, c++, jget(k, "target"));
	x_num(ws, r, c++, jget(k, "attainment"), b->pct);
	x_num(ws, r, c++, jget(k, "pace"), b->dec);
	x_str(ws, r, c++, jstr(k, "status"), NULL);
	x_num(ws, r, c++, jget(k, "new_leads"), NULL);
	x_num(ws, r, c++, jget(k, "followups.total"), NULL);
	x_num(ws, r, c++, jget(k, "followups.call"), NULL);
	x_num(ws, r, c++, jget(k, "followups.visit"), NULL);
	x_num(ws, r, c++, jget(k, "followups.email"), NULL);
	x_num(ws, r, c++, jget(k, "followups.meeting"), NULL);
	x_num(ws, r, c++, jget(k, "lead_to_opp"), b->pct);
	x_num(ws, r, c++, jget(k, "win_rate"), b->pct);
	x_num(ws, r, c++, jget(k, "cycle_days.median"), b->dec);
	x_money(b, ws, r, c++, jget(k, "avg_deal"));
	x_money(b, ws, r, c++, jget(k, "pipeline.amount"));
	x_num(ws, r, c++, jget(k, "coverage"), b->dec);
	x_num(ws, r, c++, jget(k, "collection_rate"), b->pct);
	x_num(ws, r, c++, jget(k, "overdue_rate"), b->pct);
	x_money(b, ws, r, c++, jget(prev, "actual"));
	x_num(ws, r, c++, jget(prev, "attainment"), b->pct);
}

static void
sheet_summary(struct book *b, const cJSON *doc)
{
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, _("Summary"));
	const cJSON *k = jget(doc, "summary");
	char when[32];
	int r = 0;

	worksheet_set_column(ws, 0, 0, 24, NULL);
	worksheet_set_column(ws, 1, 1, 22, NULL);
#define ROW_S(label, s) (x_str(ws, r, 0, _(label), b->bold), \
	x_str(ws, r++, 1, (s), NULL))
#define ROW_N(label, v, f) (x_str(ws, r, 0, _(label), b->bold), \
	x_num(ws, r++, 1, (v), (f)))
#define ROW_M(label, v) (x_str(ws, r, 0, _(label), b->bold), \
	x_money(b, ws, r++, 1, (v)))
	ROW_S(N_("Scope"), jstr(doc, "scope.name"));
	ROW_S(N_("Scope kind"), jstr(doc, "scope.kind"));
	ROW_S(N_("Period"), jstr(doc, "period"));
	ROW_S(N_("Generated"),
		pc_time_format(jfen(jget(doc, "generated_at")), when, sizeof(when)));
	ROW_S(N_("Currency"), b->cur);
	ROW_S(N_("Revenue basis"), jstr(doc, "revenue_basis"));
	ROW_M(N_("Actual"), jget(k, "actual"));
	ROW_M(N_("Target"), jget(k, "target"));
	ROW_N(N_("Attainment"), jget(k, "attainment"), b->pct);
	ROW_N(N_("Elapsed"), jget(k, "elapsed"), b->pct);
	ROW_N(N_("Pace"), jget(k, "pace"), b->dec);
	ROW_S(N_("Status"), jstr(k, "status"));
	ROW_N(N_("New leads"), jget(k, "new_leads"), NULL);
	ROW_N(N_("Follow-ups"), jget(k, "followups.total"), NULL);
	ROW_N(N_("Calls"), jget(k, "followups.call"), NULL);
	ROW_N(N_("Visits"), jget(k, "followups.visit"), NULL);
	ROW_N(N_("Emails"), jget(k, "followups.email"), NULL);
	ROW_N(N_("Meetings"), jget(k, "followups.meeting"), NULL);
	ROW_N(N_("Lead to opportunity"), jget(k, "lead_to_opp"), b->pct);
	ROW_N(N_("Win rate"), jget(k, "win_rate"), b->pct);
	ROW_N(N_("Mean cycle"), jget(k, "cycle_days.mean"), b->dec);
	ROW_N(N_("Median cycle"), jget(k, "cycle_days.median"), b->dec);
	ROW_M(N_("Average deal"), jget(k, "avg_deal"));
	ROW_N(N_("Open deals"), jget(k, "pipeline.count"), NULL);
	ROW_M(N_("Pipeline"), jget(k, "pipeline.amount"));
	ROW_M(N_("Weighted pipeline"), jget(k, "pipeline.weighted"));
	ROW_N(N_("Coverage"), jget(k, "coverage"), b->dec);
	ROW_N(N_("Collection rate"), jget(k, "collection_rate"), b->pct);
	ROW_N(N_("Overdue rate"), jget(k, "overdue_rate"), b->pct);
#undef ROW_S
#undef ROW_N
#undef ROW_M
}

static void
sheet_trend(struct book *b, const cJSON *doc)
{
	static const char *const h[] = {N_("Metric"), N_("This period"),
		N_("Previous period")};
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, _("Trend"));
	const cJSON *it;
	int r = 1;

	x_header(b, ws, h, 3);
	worksheet_set_column(ws, 0, 0, 24, NULL);
	cJSON_ArrayForEach(it, jget(doc, "trend"))
	{
		const struct trend_row *t = trend_row(jstr(it, "metric"));
		if (t == NULL)
			continue;
		x_str(ws, r, 0, _(t->label), NULL);
		for (int c = 1; c <= 2; c++) {
			const cJSON *v = jget(it, c == 1 ? "now" : "prev");
			if (t->kind == 'm')
				x_money(b, ws, r, c, v);
			else
				x_num(ws, r, c, v, t->kind == 'r' ? b->pct :
						t->kind == 'd'		? b->dec :
									  NULL);
		}
		r++;
	}
}

static void
sheet_members(struct book *b, const cJSON *doc, int teams)
{
	const char *h[4 + NKPI + 2];
	lxw_worksheet *ws = workbook_add_worksheet(b->wb,
		teams ? _("Teams") : _("Members"));
	const cJSON *it, *dg;
	int r = 1, n = 0;

	h[n++] = teams ? N_("Team") : N_("Name");
	if (!teams) {
		h[n++] = N_("Login");
		h[n++] = N_("Team");
	}
	for (int i = 0; i < NKPI; i++)
		h[n++] = kpi_cols[i];
	if (!teams) {
		h[n++] = N_("Below pace");
		h[n++] = N_("Diagnoses");
	}
	x_header(b, ws, h, n);
	cJSON_ArrayForEach(it, jget(doc, teams ? "teams" : "members"))
	{
		int c = 0;

		if (teams) {
			x_str(ws, r, c++, jstr(it, "team.name"), NULL);
		} else {
			x_str(ws, r, c++, jstr(it, "user.name"), NULL);
			x_str(ws, r, c++, jstr(it, "user.login"), NULL);
			x_str(ws, r, c++, jstr(it, "team.name"), NULL);
		}
		x_kpis(b, ws, r, c, jget(it, "kpi"), jget(it, "prev"));
		c += NKPI;
		if (!teams) {
			char rules[256] = "";
			size_t o = 0;

			x_str(ws, r, c++, cJSON_IsTrue(jget(it, "below_pace")) ?
					_("yes") :
					_("no"),
				NULL);
			cJSON_ArrayForEach(dg, jget(doc, "diagnoses"))
			{
				if (jfen(jget(dg, "user.id")) !=
						jfen(jget(it, "user.id")) ||
					o + 2 >= sizeof(rules))
					continue;
				o += (size_t)snprintf(rules + o, sizeof(rules) - o,
					"%s%s", o ? "; " : "",
					rule_title(jstr(dg, "rule")));
			}
			x_str(ws, r, c++, rules, NULL);
		}
		r++;
	}
}

static void
sheet_top(struct book *b, const cJSON *doc)
{
	static const char *const h[] = {N_("Rank"), N_("Name"), N_("Team"),
		N_("Attainment"), N_("Actual"), N_("Follow-ups"),
		N_("Team average follow-ups"), N_("Leading activity"),
		N_("Its share"), N_("Team share"), N_("Win rate"),
		N_("Team win rate"), N_("Lead to opportunity"),
		N_("Team lead to opportunity"), N_("Median cycle"),
		N_("Team median cycle"), N_("Average deal")};
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, _("Top three"));
	const cJSON *it;
	int r = 1;

	x_header(b, ws, h, (int)(sizeof(h) / sizeof(h[0])));
	cJSON_ArrayForEach(it, jget(doc, "top"))
	{
		const char *k = jstr(it, "mix_standout");
		char key[64];
		int c = 0;

		x_num(ws, r, c++, jget(it, "rank"), NULL);
		x_str(ws, r, c++, jstr(it, "user.name"), NULL);
		x_str(ws, r, c++, jstr(it, "team.name"), NULL);
		x_num(ws, r, c++, jget(it, "attainment"), b->pct);
		x_money(b, ws, r, c++, jget(it, "actual"));
		x_num(ws, r, c++, jget(it, "followups.member"), NULL);
		x_num(ws, r, c++, jget(it, "followups.team_mean"), b->dec);
		x_str(ws, r, c++, *k ? _(k) : "", NULL);
		snprintf(key, sizeof(key), "mix.member.%s", k);
		x_num(ws, r, c++, *k ? jget(it, key) : NULL, b->pct);
		snprintf(key, sizeof(key), "mix.team.%s", k);
		x_num(ws, r, c++, *k ? jget(it, key) : NULL, b->pct);
		x_num(ws, r, c++, jget(it, "win_rate.member"), b->pct);
		x_num(ws, r, c++, jget(it, "win_rate.team"), b->pct);
		x_num(ws, r, c++, jget(it, "lead_to_opp.member"), b->pct);
		x_num(ws, r, c++, jget(it, "lead_to_opp.team"), b->pct);
		x_num(ws, r, c++, jget(it, "cycle_median.member"), b->dec);
		x_num(ws, r, c++, jget(it, "cycle_median.team"), b->dec);
		x_money(b, ws, r, c++, jget(it, "avg_deal"));
		r++;
	}
}

static void
sheet_diagnoses(struct book *b, const cJSON *doc)
{
	static const char *const h[] = {N_("Number"), N_("Name"), N_("Team"),
		N_("Rule"), N_("Attainment"), N_("Finding"), N_("Deals")};
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, _("Diagnoses"));
	const cJSON *it, *deal;
	int r = 1;

	x_header(b, ws, h, (int)(sizeof(h) / sizeof(h[0])));
	worksheet_set_column(ws, 5, 6, 60, NULL);
	cJSON_ArrayForEach(it, jget(doc, "diagnoses"))
	{
		char why[512], deals[1024] = "";
		size_t o = 0;

		rule_text(it, b->cur, why, sizeof(why));
		cJSON_ArrayForEach(deal, jget(it, "deals"))
		{
			if (o + 2 >= sizeof(deals))
				break;
			o += (size_t)snprintf(deals + o, sizeof(deals) - o,
				"%s#%lld %s", o ? "; " : "",
				(long long)jfen(jget(deal, "id")), jstr(deal, "title"));
		}
		x_num(ws, r, 0, jget(it, "n"), NULL);
		x_str(ws, r, 1, jstr(it, "user.name"), NULL);
		x_str(ws, r, 2, jstr(it, "team.name"), NULL);
		x_str(ws, r, 3, rule_title(jstr(it, "rule")), NULL);
		x_num(ws, r, 4, jget(it, "attainment"), b->pct);
		x_str(ws, r, 5, why, NULL);
		x_str(ws, r, 6, deals, NULL);
		r++;
	}
}

static void
star_row(struct book *b, lxw_worksheet *ws, int r, const char *role,
	const cJSON *e, const char *by)
{
	x_str(ws, r, 0, role, NULL);
	x_str(ws, r, 1, jstr(e, "user.name"), NULL);
	x_str(ws, r, 2, jstr(e, "team"), NULL);
	x_money(b, ws, r, 3, jget(e, "actual"));
	x_money(b, ws, r, 4, jget(e, "target"));
	x_num(ws, r, 5, jget(e, "attainment"), b->pct);
	x_str(ws, r, 6, by, NULL);
}

static void
sheet_star(struct book *b, const cJSON *doc)
{
	static const char *const h[] = {N_("Role"), N_("Name"), N_("Team"),
		N_("Actual"), N_("Target"), N_("Attainment"), N_("Decided by")};
	const cJSON *star = jget(doc, "star"), *it;
	const char *by = jstr(star, "decided_by");
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, _("Star"));
	int r = 1;

	x_header(b, ws, h, (int)(sizeof(h) / sizeof(h[0])));
	cJSON_ArrayForEach(it, jget(star, "stars"))
		star_row(b, ws, r++, _("star"), it, by);
	cJSON_ArrayForEach(it, jget(star, "tied"))
		star_row(b, ws, r++, _("tied"), it, by);
	if (!jnull(jget(star, "runner_up")))
		star_row(b, ws, r++, _("runner-up"), jget(star, "runner_up"), by);
}

static void
sheet_actions(struct book *b, const char *name, const cJSON *items)
{
	static const char *const h[] = {N_("ID"), N_("Owner"), N_("Action"),
		N_("Due"), N_("Status"), N_("Closed"), N_("Outcome"), N_("Note")};
	lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
	const cJSON *it;
	int r = 1;

	x_header(b, ws, h, (int)(sizeof(h) / sizeof(h[0])));
	worksheet_set_column(ws, 2, 2, 60, NULL);
	cJSON_ArrayForEach(it, items)
	{
		char when[32] = "";
		int64_t closed = jfen(jget(it, "closed_at"));

		if (closed)
			pc_time_format(closed, when, sizeof(when));
		x_num(ws, r, 0, jget(it, "id"), NULL);
		x_str(ws, r, 1, jstr(it, "owner_name"), NULL);
		x_str(ws, r, 2, jstr(it, "text"), NULL);
		x_str(ws, r, 3, jstr(it, "due_on"), NULL);
		x_str(ws, r, 4, jstr(it, "status"), NULL);
		x_str(ws, r, 5, when, NULL);
		x_str(ws, r, 6, jstr(it, "outcome"), NULL);
		x_str(ws, r, 7, jstr(it, "note"), NULL);
		r++;
	}
}

int
review_xlsx(const char *path, const cJSON *doc)
{
	struct book b = {0};
	lxw_error e;

	b.cur = jstr(doc, "currency");
	b.wb = workbook_new(path);
	if (b.wb == NULL) {
		fprintf(stderr, _("pace: cannot write %s\n"), path);
		return -1;
	}
	b.bold = workbook_add_format(b.wb);
	format_set_bold(b.bold);
	b.money = workbook_add_format(b.wb);
	format_set_num_format(b.money, "#,##0.00");
	b.pct = workbook_add_format(b.wb);
	format_set_num_format(b.pct, "0.0%");
	b.dec = workbook_add_format(b.wb);
	format_set_num_format(b.dec, "0.00");
	sheet_summary(&b, doc);
	sheet_trend(&b, doc);
	if (cJSON_GetArraySize(jget(doc, "teams")) > 0)
		sheet_members(&b, doc, 1);
	sheet_members(&b, doc, 0);
	sheet_top(&b, doc);
	sheet_diagnoses(&b, doc);
	if (!jnull(jget(doc, "star")))
		sheet_star(&b, doc);
	sheet_actions(&b, _("Previous actions"), jget(doc, "previous_actions"));
	sheet_actions(&b, _("Actions"), jget(doc, "actions"));
	e = workbook_close(b.wb);
	if (e != LXW_NO_ERROR) {
		fprintf(stderr, _("pace: cannot write %s: %s\n"), path,
			lxw_strerror(e));
		return -1;
	}
	return 0;
}

#else

int
review_xlsx(const char *path, const cJSON *doc)
{
	fprintf(stderr, _("pace: this pace was built without XLSX support "
			  "(libxlsxwriter)\n"));
	return -1;
}

#endif
