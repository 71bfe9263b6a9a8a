/* A stored review as a document, in md and csv (see review_render.h). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "cli.h"
#include "output.h"
#include "pc_money.h"
#include "pc_time.h"
#include "review_read.h"
#include "review_render.h"

/* --- reading the document ------------------------------------------------- */

/* The member at a dotted path ("summary.followups.total"), or NULL. */
const cJSON *
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

int
jnull(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v);
}

/* A number that SQL may have written as a JSON string (money) or number. */
double
jdbl(const cJSON *v)
{
	/* Raw: exact integers the CLI added itself (json_add_i64). */
	if (cJSON_IsString(v) || cJSON_IsRaw(v))
		return strtod(v->valuestring, NULL);
	return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

int64_t
jfen(const cJSON *v)
{
	if (cJSON_IsString(v) || cJSON_IsRaw(v))
		return strtoll(v->valuestring, NULL, 10);
	return cJSON_IsNumber(v) ? (int64_t)llround(v->valuedouble) : 0;
}

const char *
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

const char *
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

void
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

const struct trend_row *
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
