/* A stored review in md, json, csv and xlsx (see review_render.h). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#ifdef HAVE_XLSXWRITER
#include <xlsxwriter.h>
#endif

#include "cli.h"
#include "output.h"
#include "pc_money.h"
#include "pc_time.h"
#include "review_render.h"

/* --- reading the document ------------------------------------------------- */

/* The member at a dotted path ("summary.followups.total"), or NULL. */
static const cJSON *
jget(const cJSON *j, const char *path)
{
	char key[64];

	while (j && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		j = cJSON_GetObjectItemCaseSensitive(j, key);
		path += n;
		if (*path == '.')
			path++;
	}
	return j;
}

static int
jnull(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v);
}

/* A number that SQL may have written as a JSON string (money) or number. */
static double
jdbl(const cJSON *v)
{
	/* Raw: exact integers the CLI added itself (json_add_i64). */
	if (cJSON_IsString(v) || cJSON_IsRaw(v))
		return strtod(v->valuestring, NULL);
	return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

static int64_t
jfen(const cJSON *v)
{
	if (cJSON_IsString(v) || cJSON_IsRaw(v))
		return strtoll(v->valuestring, NULL, 10);
	return cJSON_IsNumber(v) ? (int64_t)llround(v->valuedouble) : 0;
}

static const char *
jstr(const cJSON *j, const char *path)
{
	const cJSON *v = jget(j, path);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

static char *
money(const cJSON *v, const char *cur, char *buf, size_t len)
{
	if (jnull(v))
		snprintf(buf, len, "—");
	else
		pc_money_format(jfen(v), cur, buf, len);
	return buf;
}

static char *
pct(const cJSON *v, char *buf, size_t len)
{
	if (jnull(v))
		snprintf(buf, len, "—");
	else
		snprintf(buf, len, "%.1f%%", jdbl(v) * 100.0);
	return buf;
}

static char *
num(const cJSON *v, const char *fmt, char *buf, size_t len)
{
	if (jnull(v))
		snprintf(buf, len, "—");
	else
		snprintf(buf, len, fmt, jdbl(v));
	return buf;
}

static char *
count(const cJSON *v, char *buf, size_t len)
{
	snprintf(buf, len, "%lld", (long long)jfen(v));
	return buf;
}

/* A status as a coloured mark and its (translated) name. */
static const char *
status_md(const cJSON *v)
{
	const char *s = cJSON_IsString(v) ? v->valuestring : "";

	if (strcmp(s, "green") == 0)
		return _("🟢 green");
	if (strcmp(s, "yellow") == 0)
		return _("🟡 yellow");
	if (strcmp(s, "red") == 0)
		return _("🔴 red");
	return "⚪ —";
}

/* Text in a Markdown table cell: no pipes or line breaks. */
static const char *
cell(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 3 < len; s++) {
		if (*s == '|') {
			buf[o++] = '\\';
			buf[o++] = '|';
		} else {
			buf[o++] = (*s == '\n' || *s == '\r') ? ' ' : *s;
		}
	}
	buf[o] = '\0';
	return buf;
}

static const char *
rule_title(const char *rule)
{
	if (strcmp(rule, "conversion") == 0)
		return _("Conversion coaching");
	if (strcmp(rule, "stuck") == 0)
		return _("Stuck deals");
	if (strcmp(rule, "prospecting") == 0)
		return _("Prospecting");
	if (strcmp(rule, "collections") == 0)
		return _("Collections");
	if (strcmp(rule, "pipeline") == 0)
		return _("Pipeline gap");
	return rule;
}

static const char *
outcome_name(const char *o)
{
	if (strcmp(o, "on_time") == 0)
		return _("✅ closed on time");
	if (strcmp(o, "late") == 0)
		return _("☑️ closed late");
	if (strcmp(o, "overdue") == 0)
		return _("⏰ overdue");
	return _("open");
}

static const char *
scope_line(const cJSON *doc)
{
	const char *k = jstr(doc, "scope.kind");

	if (strcmp(k, "team") == 0)
		return _("team");
	if (strcmp(k, "office") == 0)
		return _("office");
	return _("organisation");
}

/* --- the document --------------------------------------------------------- */

int
review_format_parse(const char *s)
{
	static const char *const names[] = {"md", "json", "csv", "xlsx"};

	for (int i = 0; s && i < 4; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

cJSON *
action_item_json(const Pace__V1__ActionItem *a)
{
	cJSON *j = cJSON_CreateObject();

	json_add_i64(j, "id", a->id);
	cJSON_AddStringToObject(j, "owner", a->owner);
	cJSON_AddStringToObject(j, "owner_name", a->owner_name);
	cJSON_AddStringToObject(j, "team", a->team);
	cJSON_AddStringToObject(j, "text", a->text);
	cJSON_AddStringToObject(j, "due_on", a->due_on);
	cJSON_AddStringToObject(j, "status", a->done ? "done" : "open");
	cJSON_AddStringToObject(j, "outcome", a->outcome);
	json_add_time(j, "created_at", a->created_at);
	cJSON_AddStringToObject(j, "created_by", a->created_by);
	json_add_time(j, "closed_at", a->closed_at);
	cJSON_AddStringToObject(j, "closed_by", a->closed_by);
	cJSON_AddStringToObject(j, "note", a->note);
	if (a->review_id)
		json_add_i64(j, "review_id", a->review_id);
	else
		cJSON_AddNullToObject(j, "review_id");
	if (a->diagnosis)
		cJSON_AddNumberToObject(j, "diagnosis", a->diagnosis);
	else
		cJSON_AddNullToObject(j, "diagnosis");
	cJSON_AddStringToObject(j, "rule", a->rule);
	return j;
}

cJSON *
review_doc(const Pace__V1__Review *r)
{
	cJSON *doc = cJSON_Parse(r->content), *arr;

	if (doc == NULL || !cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return NULL;
	}
	json_add_i64(doc, "id", r->id);
	json_add_time(doc, "generated_at", r->generated_at);
	cJSON_AddStringToObject(doc, "generated_by", r->generated_by);
	cJSON_AddNumberToObject(doc, "version", r->version);
	arr = cJSON_AddArrayToObject(doc, "actions");
	for (size_t i = 0; i < r->n_actions; i++)
		cJSON_AddItemToArray(arr, action_item_json(r->actions[i]));
	return doc;
}

/* --- diagnoses in words --------------------------------------------------- */

static void
rule_text(const cJSON *d, const char *cur, char *buf, size_t len)
{
	const char *rule = jstr(d, "rule");
	const cJSON *e = jget(d, "evidence");
	char a[48], b[48], c[48];

	if (strcmp(rule, "conversion") == 0) {
		char w[16], tw[16];
		snprintf(buf, len,
			_("%s follow-ups (team average %s) but a win rate of %s "
			  "against the team's %s (%lld won, %lld lost)"),
			count(jget(e, "followups"), a, sizeof(a)),
			num(jget(e, "team_followups_mean"), "%.1f", b, sizeof(b)),
			pct(jget(e, "win_rate"), w, sizeof(w)),
			pct(jget(e, "team_win_rate"), tw, sizeof(tw)),
			(long long)jfen(jget(e, "won")),
			(long long)jfen(jget(e, "lost")));
	} else if (strcmp(rule, "stuck") == 0) {
		snprintf(buf, len,
			_("median cycle %s days against the team's %s"),
			num(jget(e, "cycle_median"), "%.1f", a, sizeof(a)),
			num(jget(e, "team_cycle_median"), "%.1f", b, sizeof(b)));
	} else if (strcmp(rule, "prospecting") == 0) {
		snprintf(buf, len, _("new leads %s, against a team average of %s"),
			count(jget(e, "new_leads"), a, sizeof(a)),
			num(jget(e, "team_new_leads_mean"), "%.1f", b, sizeof(b)));
	} else if (strcmp(rule, "collections") == 0) {
		snprintf(buf, len, _("%s of the amount due is overdue"),
			pct(jget(e, "overdue_rate"), a, sizeof(a)));
	} else if (strcmp(rule, "pipeline") == 0) {
		snprintf(buf, len,
			_("open pipeline of %s covers %s of the %s still to win"),
			money(jget(e, "pipeline"), cur, a, sizeof(a)),
			num(jget(e, "coverage"), "%.2f", b, sizeof(b)),
			money(jget(e, "gap"), cur, c, sizeof(c)));
	} else {
		snprintf(buf, len, "%s", jstr(d, "suggestion"));
	}
}

char *
review_diagnosis_text(const cJSON *d, const char *currency, char *buf,
	size_t len)
{
	char why[512];
	const cJSON *deals = jget(d, "deals"), *it;
	size_t o;

	rule_text(d, currency, why, sizeof(why));
	o = (size_t)snprintf(buf, len, "%s — %s: %s", jstr(d, "user.name"),
		rule_title(jstr(d, "rule")), why);
	if (cJSON_GetArraySize(deals) > 0 && o + 4 < len) {
		int first = 1;
		o += (size_t)snprintf(buf + o, len - o, " (");
		cJSON_ArrayForEach(it, deals)
		{
			if (o + 2 >= len)
				break;
			o += (size_t)snprintf(buf + o, len - o, "%s#%lld %s",
				first ? "" : ", ", (long long)jfen(jget(it, "id")),
				jstr(it, "title"));
			first = 0;
		}
		if (o + 2 < len)
			snprintf(buf + o, len - o, ")");
	}
	return buf;
}

/* --- Markdown ------------------------------------------------------------- */

struct trend_row {
	const char *metric;
	const char *label;
	char kind; /* m money, c count, r ratio, d days */
};

static const struct trend_row trend_rows[] = {
	{"actual", N_("Actual"), 'm'},
	{"target", N_("Target"), 'm'},
	{"attainment", N_("Attainment"), 'r'},
	{"new_leads", N_("New leads"), 'c'},
	{"followups", N_("Follow-ups"), 'c'},
	{"lead_to_opp", N_("Lead to opportunity"), 'r'},
	{"win_rate", N_("Win rate"), 'r'},
	{"cycle_median", N_("Median cycle (days)"), 'd'},
	{"avg_deal", N_("Average deal"), 'm'},
	{"collection_rate", N_("Collection rate"), 'r'},
};

static const struct trend_row *
trend_row(const char *metric)
{
	for (size_t i = 0; i < sizeof(trend_rows) / sizeof(trend_rows[0]); i++)
		if (strcmp(trend_rows[i].metric, metric) == 0)
			return &trend_rows[i];
	return NULL;
}

static char *
trend_value(const struct trend_row *t, const cJSON *v, const char *cur,
	char *buf, size_t len)
{
	switch (t->kind) {
	case 'm':
		return money(v, cur, buf, len);
	case 'r':
		return pct(v, buf, len);
	case 'd':
		return num(v, "%.1f", buf, len);
	default:
		return jnull(v) ? (snprintf(buf, len, "—"), buf) :
				  count(v, buf, len);
	}
}

/* Change from prev to now: relative for amounts and counts, in points for
 * ratios, in days for the cycle. */
static char *
trend_change(const struct trend_row *t, const cJSON *now, const cJSON *prev,
	char *buf, size_t len)
{
	double a = jdbl(now), b = jdbl(prev);

	if (jnull(now) || jnull(prev))
		snprintf(buf, len, "—");
	else if (t->kind == 'r')
		snprintf(buf, len, _("%+.1f pts"), (a - b) * 100.0);
	else if (t->kind == 'd')
		snprintf(buf, len, _("%+.1f days"), a - b);
	else if (b == 0)
		snprintf(buf, len, "—");
	else
		snprintf(buf, len, "%+.1f%%", (a - b) / b * 100.0);
	return buf;
}

static void
md_kpi_line(FILE *out, const cJSON *k, const char *cur)
{
	char a[48], b[48], c[48], d[48], e[48], f[48], g[48], h[48];

	fprintf(out, _("New leads %s · follow-ups %s (call %lld, visit %lld, "
		       "email %lld, meeting %lld) · lead to opportunity %s · win "
		       "rate %s · cycle %s days (median %s)\n"),
		count(jget(k, "new_leads"), a, sizeof(a)),
		count(jget(k, "followups.total"), b, sizeof(b)),
		(long long)jfen(jget(k, "followups.call")),
		(long long)jfen(jget(k, "followups.visit")),
		(long long)jfen(jget(k, "followups.email")),
		(long long)jfen(jget(k, "followups.meeting")),
		pct(jget(k, "lead_to_opp"), c, sizeof(c)),
		pct(jget(k, "win_rate"), d, sizeof(d)),
		num(jget(k, "cycle_days.mean"), "%.1f", e, sizeof(e)),
		num(jget(k, "cycle_days.median"), "%.1f", f, sizeof(f)));
	fprintf(out, "\n");
	fprintf(out, _("Average deal %s · pipeline %lld deals, %s (weighted %s) "
		       "· coverage %s · collection rate %s · overdue rate %s\n"),
		money(jget(k, "avg_deal"), cur, a, sizeof(a)),
		(long long)jfen(jget(k, "pipeline.count")),
		money(jget(k, "pipeline.amount"), cur, b, sizeof(b)),
		money(jget(k, "pipeline.weighted"), cur, c, sizeof(c)),
		num(jget(k, "coverage"), "%.2f", d, sizeof(d)),
		pct(jget(k, "collection_rate"), g, sizeof(g)),
		pct(jget(k, "overdue_rate"), h, sizeof(h)));
}

static void
md_star(FILE *out, const cJSON *star, const char *cur)
{
	const char *by = jstr(star, "decided_by");
	const cJSON *stars = jget(star, "stars"), *s0, *it;
	char a[48], b[48], c[48], d[48];

	fprintf(out, "## %s\n\n", _("Star of the month"));
	s0 = cJSON_GetArrayItem(stars, 0);
	if (*by == '\0' || s0 == NULL) {
		fprintf(out, "%s\n\n", _("No rep had a revenue target."));
		return;
	}
	if (strcmp(by, "shared") == 0) {
		fprintf(out, "⭐ %s ", _("Shared by"));
		int i = 0, n = cJSON_GetArraySize(stars);
		cJSON_ArrayForEach(it, stars)
		{
			fprintf(out, "%s**%s** (%s)", i == 0 ? "" :
						    i == n - 1 ? _(" and ") :
								   ", ",
				jstr(it, "user.name"), jstr(it, "team"));
			i++;
		}
		fprintf(out, _(": %s of target and %s each — a tie on both "
			       "attainment and revenue.\n\n"),
			pct(jget(s0, "attainment"), a, sizeof(a)),
			money(jget(s0, "actual"), cur, b, sizeof(b)));
		return;
	}
	fprintf(out, _("⭐ **%s** (%s): %s of target (%s of %s)."),
		jstr(s0, "user.name"), jstr(s0, "team"),
		pct(jget(s0, "attainment"), a, sizeof(a)),
		money(jget(s0, "actual"), cur, b, sizeof(b)),
		money(jget(s0, "target"), cur, c, sizeof(c)));
	if (strcmp(by, "actual") == 0) {
		cJSON_ArrayForEach(it, jget(star, "tied"))
		{
			fprintf(out, _(" Tied on attainment with %s, and ahead on "
				       "revenue (%s against %s)."),
				jstr(it, "user.name"),
				money(jget(s0, "actual"), cur, b, sizeof(b)),
				money(jget(it, "actual"), cur, d, sizeof(d)));
		}
	}
	if (!jnull(jget(star, "runner_up")))
		fprintf(out, _(" Runner-up: %s, %s."),
			jstr(star, "runner_up.user.name"),
			pct(jget(star, "runner_up.attainment"), a, sizeof(a)));
	fprintf(out, "\n\n");
}

static void
md_actions(FILE *out, const cJSON *items, int with_outcome)
{
	const cJSON *it;
	char t[1100], cl[48];

	fprintf(out, "| # | %s | %s | %s | %s |\n|---:|---|---|---|---|\n",
		_("Owner"), _("Action"), _("Due"),
		with_outcome ? _("Outcome") : _("Status"));
	cJSON_ArrayForEach(it, items)
	{
		const char *outc = jstr(it, "outcome");
		int64_t closed = jfen(jget(it, "closed_at"));

		cl[0] = '\0';
		if (closed) {
			char when[32];
			snprintf(cl, sizeof(cl), _(" (closed %s)"),
				pc_time_format(closed, when, sizeof(when)));
		}
		fprintf(out, "| %lld | %s | %s | %s | %s%s |\n",
			(long long)jfen(jget(it, "id")), jstr(it, "owner_name"),
			cell(jstr(it, "text"), t, sizeof(t)), jstr(it, "due_on"),
			outcome_name(outc), cl);
	}
	fprintf(out, "\n");
}

void
review_md(FILE *out, const cJSON *doc)
{
	const char *cur = jstr(doc, "currency");
	const cJSON *sum = jget(doc, "summary"), *it;
	int with_team = strcmp(jstr(doc, "scope.kind"), "team") != 0;
	char a[48], b[48], c[48], d[48], e[48], f[48], g[48], h[48], i2[48];
	char j2[48], when[32], asof[32];

	fprintf(out, "# %s — %s %s · %s\n\n", _("Review"), scope_line(doc),
		jstr(doc, "scope.name"), jstr(doc, "period"));
	pc_time_format(jfen(jget(doc, "generated_at")), when, sizeof(when));
	pc_time_format(jfen(jget(doc, "as_of")), asof, sizeof(asof));
	fprintf(out, _("Review #%lld (version %lld), generated %s by %s, with "
		       "the numbers as of %s. Revenue basis: %s.\n\n"),
		(long long)jfen(jget(doc, "id")),
		(long long)jfen(jget(doc, "version")), when,
		*jstr(doc, "generated_by") ? jstr(doc, "generated_by") :
					     _("the schedule"),
		asof, _(jstr(doc, "revenue_basis")));

	/* Summary */
	fprintf(out, "## %s\n\n", _("Summary"));
	fprintf(out, "| %s | %s | %s | %s | %s | %s |\n"
		     "|---|---:|---:|---:|---:|---|\n",
		_("Scope"), _("Actual"), _("Target"), _("Attainment"),
		_("Pace"), _("Status"));
	fprintf(out, "| **%s** | %s | %s | %s | %s | %s |\n\n",
		jstr(doc, "scope.name"), money(jget(sum, "actual"), cur, a, 48),
		money(jget(sum, "target"), cur, b, 48),
		pct(jget(sum, "attainment"), c, 48),
		num(jget(sum, "pace"), "%.2f", d, 48),
		status_md(jget(sum, "status")));
	md_kpi_line(out, sum, cur);
	fprintf(out, "\n");

	/* Trend */
	fprintf(out, "## %s %s\n\n", _("Trend against"),
		jstr(doc, "previous_period"));
	fprintf(out, "| %s | %s | %s | %s |\n|---|---:|---:|---:|\n",
		_("Metric"), jstr(doc, "period"), jstr(doc, "previous_period"),
		_("Change"));
	cJSON_ArrayForEach(it, jget(doc, "trend"))
	{
		const struct trend_row *t = trend_row(jstr(it, "metric"));
		if (t == NULL)
			continue;
		fprintf(out, "| %s | %s | %s | %s |\n", _(t->label),
			trend_value(t, jget(it, "now"), cur, a, 48),
			trend_value(t, jget(it, "prev"), cur, b, 48),
			trend_change(t, jget(it, "now"), jget(it, "prev"), c, 48));
	}
	fprintf(out, "\n");

	/* Star of the month */
	if (!jnull(jget(doc, "star")))
		md_star(out, jget(doc, "star"), cur);

	/* Teams */
	if (cJSON_GetArraySize(jget(doc, "teams")) > 0) {
		fprintf(out, "## %s\n\n", _("Teams"));
		fprintf(out, "| %s | %s | %s | %s | %s | %s | %s |\n"
			     "|---|---:|---:|---:|---:|---|---:|\n",
			_("Team"), _("Actual"), _("Target"), _("Attainment"),
			_("Pace"), _("Status"), _("Previous attainment"));
		cJSON_ArrayForEach(it, jget(doc, "teams"))
		{
			const cJSON *k = jget(it, "kpi");
			fprintf(out, "| %s | %s | %s | %s | %s | %s | %s |\n",
				jstr(it, "team.name"),
				money(jget(k, "actual"), cur, a, 48),
				money(jget(k, "target"), cur, b, 48),
				pct(jget(k, "attainment"), c, 48),
				num(jget(k, "pace"), "%.2f", d, 48),
				status_md(jget(k, "status")),
				pct(jget(it, "prev.attainment"), e, 48));
		}
		fprintf(out, "\n");
	}

	/* Members */
	fprintf(out, "## %s\n\n", _("Members"));
	fprintf(out, "| # | %s |%s %s | %s | %s | %s | %s | %s | %s | %s | %s "
		     "| %s | %s |\n",
		_("Name"), with_team ? _(" Team |") : "", _("Actual"),
		_("Target"), _("Attainment"), _("Pace"), _("Status"),
		_("New leads"), _("Follow-ups"), _("Win rate"),
		_("Median cycle"), _("Coverage"), _("Previous attainment"));
	fprintf(out, "|---:|---|%s---:|---:|---:|---:|---|---:|---:|---:|---:|"
		     "---:|---:|\n",
		with_team ? "---|" : "");
	{
		int n = 0;
		cJSON_ArrayForEach(it, jget(doc, "members"))
		{
			const cJSON *k = jget(it, "kpi");
			char team[160] = "";

			if (with_team)
				snprintf(team, sizeof(team), " %s |",
					jstr(it, "team.name"));
			fprintf(out, "| %d | %s |%s %s | %s | %s | %s | %s | %s | %s | "
				     "%s | %s | %s | %s |\n",
				++n, jstr(it, "user.name"), team,
				money(jget(k, "actual"), cur, a, 48),
				money(jget(k, "target"), cur, b, 48),
				pct(jget(k, "attainment"), c, 48),
				num(jget(k, "pace"), "%.2f", d, 48),
				status_md(jget(k, "status")),
				count(jget(k, "new_leads"), e, 48),
				count(jget(k, "followups.total"), f, 48),
				pct(jget(k, "win_rate"), g, 48),
				num(jget(k, "cycle_days.median"), "%.1f", h, 48),
				num(jget(k, "coverage"), "%.2f", i2, 48),
				pct(jget(it, "prev.attainment"), j2, 48));
		}
		if (n == 0)
			fprintf(out, "\n%s\n", _("No reps in this scope."));
	}
	fprintf(out, "\n");

	/* Top three */
	fprintf(out, "## %s\n\n", _("Top three: what they did differently"));
	if (cJSON_GetArraySize(jget(doc, "top")) == 0)
		fprintf(out, "%s\n\n", _("No rep had a revenue target."));
	cJSON_ArrayForEach(it, jget(doc, "top"))
	{
		const char *k = jstr(it, "mix_standout");
		char key[64];

		fputs("### ", out);
		fprintf(out, _("%lld. %s (%s) — %s of target\n\n"),
			(long long)jfen(jget(it, "rank")), jstr(it, "user.name"),
			jstr(it, "team.name"), pct(jget(it, "attainment"), a, 48));
		if (*k) {
			snprintf(key, sizeof(key), "mix.member.%s", k);
			pct(jget(it, key), b, 48);
			snprintf(key, sizeof(key), "mix.team.%s", k);
			pct(jget(it, key), c, 48);
		} else {
			snprintf(b, 48, "—");
			snprintf(c, 48, "—");
		}
		fprintf(out, _("- Activity mix: %s %s of follow-ups (team %s); %s "
			       "follow-ups (team average %s)\n"),
			*k ? _(k) : "—", b, c,
			count(jget(it, "followups.member"), d, 48),
			num(jget(it, "followups.team_mean"), "%.1f", e, 48));
		fprintf(out, _("- Conversion: win rate %s (team %s); lead to "
			       "opportunity %s (team %s)\n"),
			pct(jget(it, "win_rate.member"), a, 48),
			pct(jget(it, "win_rate.team"), b, 48),
			pct(jget(it, "lead_to_opp.member"), c, 48),
			pct(jget(it, "lead_to_opp.team"), d, 48));
		fprintf(out, _("- Cycle: median %s days (team %s); average deal "
			       "%s\n\n"),
			num(jget(it, "cycle_median.member"), "%.1f", a, 48),
			num(jget(it, "cycle_median.team"), "%.1f", b, 48),
			money(jget(it, "avg_deal"), cur, c, 48));
	}

	/* Diagnoses */
	fprintf(out, "## %s\n\n", _("Diagnoses of the members below pace"));
	{
		int n = 0, plain = 0;
		cJSON_ArrayForEach(it, jget(doc, "diagnoses"))
		{
			char why[512];
			const cJSON *deal;

			rule_text(it, cur, why, sizeof(why));
			fprintf(out, "%lld. **%s** (%s, %s) — **%s**: %s\n",
				(long long)jfen(jget(it, "n")),
				jstr(it, "user.name"),
				status_md(jget(it, "status")),
				pct(jget(it, "attainment"), a, 48),
				rule_title(jstr(it, "rule")), why);
			cJSON_ArrayForEach(deal, jget(it, "deals"))
			{
				fprintf(out, _("   - #%lld %s (%s): %s, %s, %lld days "
					       "old, %lld days in this stage\n"),
					(long long)jfen(jget(deal, "id")),
					jstr(deal, "title"), jstr(deal, "customer"),
					_(jstr(deal, "stage")),
					money(jget(deal, "amount"), cur, b, 48),
					(long long)jfen(jget(deal, "age_days")),
					(long long)jfen(jget(deal, "days_in_stage")));
			}
			n++;
		}
		if (n == 0)
			fprintf(out, "%s\n", _("No rule applies to anyone below pace."));
		fprintf(out, "\n");
		cJSON_ArrayForEach(it, jget(doc, "members"))
		{
			const cJSON *dg;
			int found = 0;

			if (!cJSON_IsTrue(jget(it, "below_pace")))
				continue;
			cJSON_ArrayForEach(dg, jget(doc, "diagnoses"))
				if (jfen(jget(dg, "user.id")) == jfen(jget(it, "user.id")))
					found = 1;
			if (found)
				continue;
			fprintf(out, "%s%s", plain++ ? ", " :
						     _("Below pace, no rule applies: "),
				jstr(it, "user.name"));
		}
		if (plain)
			fprintf(out, ".\n\n");
		if (n > 0)
			fprintf(out, _("Make one an action item: `pace action "
				       "from-diagnosis %lld N`.\n\n"),
				(long long)jfen(jget(doc, "id")));
	}

	/* The previous review's actions */
	fprintf(out, "## %s\n\n", _("Action items of the previous review"));
	if (jnull(jget(doc, "previous_review"))) {
		fprintf(out, _("No review of %s %s for %s.\n\n"),
			scope_line(doc), jstr(doc, "scope.name"),
			jstr(doc, "previous_period"));
	} else if (cJSON_GetArraySize(jget(doc, "previous_actions")) == 0) {
		fprintf(out, _("Review #%lld (%s) had no action items.\n\n"),
			(long long)jfen(jget(doc, "previous_review.id")),
			jstr(doc, "previous_review.period"));
	} else {
		int on = 0, late = 0, over = 0, open = 0;

		fprintf(out, _("From review #%lld (%s):\n\n"),
			(long long)jfen(jget(doc, "previous_review.id")),
			jstr(doc, "previous_review.period"));
		md_actions(out, jget(doc, "previous_actions"), 1);
		cJSON_ArrayForEach(it, jget(doc, "previous_actions"))
		{
			const char *o = jstr(it, "outcome");
			on += strcmp(o, "on_time") == 0;
			late += strcmp(o, "late") == 0;
			over += strcmp(o, "overdue") == 0;
			open += strcmp(o, "open") == 0;
		}
		fprintf(out, _("Closed on time %d, closed late %d, overdue %d, "
			       "open %d.\n\n"),
			on, late, over, open);
	}

	/* This review's actions (as they are now) */
	if (cJSON_GetArraySize(jget(doc, "actions")) > 0) {
		fprintf(out, "## %s\n\n", _("Action items from this review"));
		md_actions(out, jget(doc, "actions"), 0);
	}
}

/* --- CSV ------------------------------------------------------------------ */

static void
csv_cell(FILE *out, int first, const char *s)
{
	size_t n = strlen(s);

	if (!first)
		fputc(',', out);
	if (strpbrk(s, ",\"\r\n") || (n && (isspace((unsigned char)s[0]) ||
					       isspace((unsigned char)s[n - 1]))))
		csv_fwrite(out, s, n);
	else
		fputs(s, out);
}

static char *
csv_money(const cJSON *v, char *buf)
{
	if (jnull(v))
		buf[0] = '\0';
	else
		pc_money_plain(jfen(v), buf, 32);
	return buf;
}

static char *
csv_num(const cJSON *v, char *buf)
{
	if (jnull(v))
		buf[0] = '\0';
	else
		snprintf(buf, 32, "%.6g", jdbl(v));
	return buf;
}

static char *
csv_int(const cJSON *v, char *buf)
{
	snprintf(buf, 32, "%lld", (long long)jfen(v));
	return buf;
}

static void
csv_row(FILE *out, const char *level, const char *name, const char *login,
	const char *team, const cJSON *k, const cJSON *prev, const char *below,
	const char *rules)
{
	char v[24][32];
	const char *cells[] = {level, name, login, team,
		csv_money(jget(k, "actual"), v[0]),
		csv_money(jget(k, "target"), v[1]),
		csv_num(jget(k, "attainment"), v[2]),
		csv_num(jget(k, "pace"), v[3]), jstr(k, "status"),
		csv_int(jget(k, "new_leads"), v[4]),
		csv_int(jget(k, "followups.total"), v[5]),
		csv_int(jget(k, "followups.call"), v[6]),
		csv_int(jget(k, "followups.visit"), v[7]),
		csv_int(jget(k, "followups.email"), v[8]),
		csv_int(jget(k, "followups.meeting"), v[9]),
		csv_num(jget(k, "lead_to_opp"), v[10]),
		csv_num(jget(k, "win_rate"), v[11]),
		csv_num(jget(k, "cycle_days.median"), v[12]),
		csv_money(jget(k, "avg_deal"), v[13]),
		csv_money(jget(k, "pipeline.amount"), v[14]),
		csv_num(jget(k, "coverage"), v[15]),
		csv_num(jget(k, "collection_rate"), v[16]),
		csv_num(jget(k, "overdue_rate"), v[17]),
		jnull(jget(k, "rank")) ? "" : csv_int(jget(k, "rank"), v[18]),
		csv_money(jget(prev, "actual"), v[19]),
		csv_num(jget(prev, "attainment"), v[20]), below, rules};

	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		csv_cell(out, i == 0, cells[i] ? cells[i] : "");
	fputc('\n', out);
}

int
review_csv(FILE *out, const cJSON *doc)
{
	static const char *const header[] = {"level", "name", "login", "team",
		"actual", "target", "attainment", "pace", "status", "new_leads",
		"followups", "calls", "visits", "emails", "meetings",
		"lead_to_opp", "win_rate", "cycle_median", "avg_deal",
		"pipeline_amount", "coverage", "collection_rate", "overdue_rate",
		"rank", "previous_actual", "previous_attainment", "below_pace",
		"diagnoses"};
	const cJSON *it, *dg;

	for (size_t i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		csv_cell(out, i == 0, header[i]);
	fputc('\n', out);
	{
		cJSON *prev = cJSON_CreateObject();
		const cJSON *t;
		cJSON_ArrayForEach(t, jget(doc, "trend"))
		{
			if (strcmp(jstr(t, "metric"), "actual") == 0 ||
				strcmp(jstr(t, "metric"), "attainment") == 0)
				cJSON_AddItemToObject(prev, jstr(t, "metric"),
					cJSON_Duplicate(jget(t, "prev"), 1));
		}
		csv_row(out, jstr(doc, "scope.kind"), jstr(doc, "scope.name"), "",
			"", jget(doc, "summary"), prev, "", "");
		cJSON_Delete(prev);
	}
	cJSON_ArrayForEach(it, jget(doc, "teams"))
		csv_row(out, "team", jstr(it, "team.name"), "", "",
			jget(it, "kpi"), jget(it, "prev"), "", "");
	cJSON_ArrayForEach(it, jget(doc, "members"))
	{
		char rules[256] = "";
		size_t o = 0;

		cJSON_ArrayForEach(dg, jget(doc, "diagnoses"))
		{
			if (jfen(jget(dg, "user.id")) != jfen(jget(it, "user.id")) ||
				o + 2 >= sizeof(rules))
				continue;
			o += (size_t)snprintf(rules + o, sizeof(rules) - o, "%s%s",
				o ? ";" : "", jstr(dg, "rule"));
		}
		csv_row(out, "member", jstr(it, "user.name"),
			jstr(it, "user.login"), jstr(it, "team.name"),
			jget(it, "kpi"), jget(it, "prev"),
			cJSON_IsTrue(jget(it, "below_pace")) ? "true" : "false",
			rules);
	}
	return ferror(out) ? -1 : 0;
}

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
