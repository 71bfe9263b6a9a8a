/* pace target plan|set|show: goal decomposition (DESIGN §6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kpi_view.h"
#include "output.h"
#include "pc_money.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static const char *const kind_names[] = {"", "user", "team", "office", "org"};

static const char *
kind_name(Pace__V1__ScopeKind k)
{
	return k >= 0 && k <= 4 ? kind_names[k] : "";
}

static const struct opt plan_opts[] = {
	{"year", OPT_VALUE, N_("the year to plan (required)"), 0},
	{"total", OPT_VALUE, N_("the org's target for the year, e.g. 2000万 (required)"), 0},
	METRIC_OPT,
	{"by", OPT_VALUE, N_("history (default: weighted) or even"), 0},
	{"seasonality", OPT_VALUE, N_("history (default: last year's months) or even (by days)"), 0},
	{"apply", OPT_FLAG, N_("store the plan (otherwise it is only shown)"), 0},
	{NULL, 0, NULL, 0},
};

static int
is_count_metric(const char *m)
{
	return m && (strcmp(m, "new_leads") == 0 || strcmp(m, "followups") == 0);
}

/* Amount option: money for revenue/collected, a plain count otherwise. */
static int
arg_amount(struct cli *cli, const struct args *a, const char *name,
	const char *metric, int64_t *out)
{
	const char *v = arg_get(cli, a, name);
	char *end;
	long long n;

	if (v == NULL)
		return cli_usage_error(cli, _("--%s is required"), name);
	if (!is_count_metric(metric))
		return arg_money(cli, a, name, out);
	n = strtoll(v, &end, 10);
	if (*end || n < 0)
		return cli_usage_error(cli, _("--%s: a whole number is needed"),
			name);
	*out = n;
	return EXIT_OK;
}

static cJSON *
plan_json(const Pace__V1__Plan *p)
{
	cJSON *j = cJSON_CreateObject(), *arr;

	cJSON_AddNumberToObject(j, "year", p->year);
	cJSON_AddStringToObject(j, "metric", p->metric);
	json_add_i64(j, "total", p->total);
	cJSON_AddStringToObject(j, "by", p->by);
	cJSON_AddStringToObject(j, "seasonality", p->seasonality);
	cJSON_AddBoolToObject(j, "applied", p->applied);
	arr = cJSON_AddArrayToObject(j, "months");
	for (size_t i = 0; i < p->n_months; i++) {
		char buf[24];
		snprintf(buf, sizeof(buf), "%lld", (long long)p->months[i]);
		cJSON_AddItemToArray(arr, cJSON_CreateRaw(buf));
	}
	arr = cJSON_AddArrayToObject(j, "rows");
	for (size_t i = 0; i < p->n_rows; i++) {
		const Pace__V1__PlanRow *r = p->rows[i];
		cJSON *o = cJSON_CreateObject(), *m;

		cJSON_AddStringToObject(o, "kind", kind_name(r->scope->kind));
		json_add_i64(o, "id", r->scope->id);
		cJSON_AddStringToObject(o, "name", r->scope->name);
		cJSON_AddStringToObject(o, "parent", r->parent->name);
		json_add_i64(o, "history", r->history);
		json_add_i64(o, "reserve", r->reserve);
		cJSON_AddStringToObject(o, "region", r->region);
		cJSON_AddStringToObject(o, "hired_on", r->hired_on);
		cJSON_AddNumberToObject(o, "tenure", r->tenure);
		cJSON_AddNumberToObject(o, "weight", r->weight);
		json_add_i64(o, "target", r->target);
		json_add_num(o, "growth", r->growth);
		m = cJSON_AddArrayToObject(o, "months");
		for (size_t k = 0; k < r->n_months; k++) {
			char buf[24];
			snprintf(buf, sizeof(buf), "%lld", (long long)r->months[k]);
			cJSON_AddItemToArray(m, cJSON_CreateRaw(buf));
		}
		cJSON_AddItemToArray(arr, o);
	}
	return j;
}

static void
plan_print(const Pace__V1__Plan *p)
{
	const char *h[] = {_("SCOPE"), _("HISTORY"), _("RESERVE"), _("REGION"),
		_("TENURE"), _("WEIGHT"), _("TARGET"), _("GROWTH")};
	struct table *t = table_new(8, h);
	char total[48];

	for (int c = 1; c <= 7; c++)
		if (c != 3)
			table_align_right(t, c);
	for (size_t i = 0; i < p->n_rows; i++) {
		const Pace__V1__PlanRow *r = p->rows[i];
		char name[256], hist[48], res[48], ten[16], w[24], tgt[48], gr[16];
		int depth = r->scope->kind == PACE__V1__SCOPE_KIND__SCOPE_OFFICE ? 0
			: r->scope->kind == PACE__V1__SCOPE_KIND__SCOPE_TEAM    ? 1
										  : 2;

		snprintf(name, sizeof(name), "%*s%s", depth * 2, "", r->scope->name);
		fmt_metric(p->metric, r->history, p->currency, hist, sizeof(hist));
		fmt_metric(p->metric, r->reserve, p->currency, res, sizeof(res));
		if (depth == 2)
			snprintf(ten, sizeof(ten), "%.0f%%", r->tenure * 100);
		else
			ten[0] = '\0';
		snprintf(w, sizeof(w), "%.4f", r->weight);
		fmt_metric(p->metric, r->target, p->currency, tgt, sizeof(tgt));
		fmt_ratio(r->growth, gr, sizeof(gr));
		if (r->growth && r->growth->v > 0)
			snprintf(gr, sizeof(gr), "+%.1f%%", r->growth->v * 100);
		const char *row[] = {name, hist, res, depth == 2 ? r->region : "",
			ten, w, tgt, gr};
		table_row(t, row);
	}
	printf(_("Plan %d · %s · total %s · by %s · seasonality %s\n\n"),
		p->year, _(p->metric),
		fmt_metric(p->metric, p->total, p->currency, total, sizeof(total)),
		_(p->by), _(p->seasonality));
	table_print(t);
	table_free(t);
	printf("\n%s", _("Months:"));
	for (size_t i = 0; i < p->n_months; i++) {
		char m[48];
		printf(" %s", fmt_metric(p->metric, p->months[i], p->currency, m,
				      sizeof(m)));
	}
	printf("\n%s\n", p->applied ? _("Applied: these are now the targets.")
				    : _("Not stored: run again with --apply to use it."));
}

static int
run_plan(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__TargetPlan m = PACE__V1__TARGET_PLAN__INIT;
	const char *metric = arg_get(cli, a, "metric");
	const char *by = arg_get(cli, a, "by");
	const char *season = arg_get(cli, a, "seasonality");
	long year = 0;
	int64_t total = 0;
	char op[37];
	int code;

	if (!arg_has(cli, a, "year"))
		return cli_usage_error(cli, _("--year is required"));
	if ((code = arg_int(cli, a, "year", 2000, 2100, &year)) != EXIT_OK)
		return code;
	if ((code = arg_amount(cli, a, "total", metric, &total)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.year = (int32_t)year;
	m.total = total;
	m.metric = (char *)(metric ? metric : "revenue");
	m.by = (char *)(by ? by : "history");
	m.seasonality = (char *)(season ? season : "history");
	m.apply = arg_has(cli, a, "apply");
	req.body_case = BODY(TARGET_PLAN);
	req.target_plan = &m;
	if ((code = cli_call(cli, &req, BODY(PLAN), &resp)) != EXIT_OK)
		return code;
	if (cli->json)
		json_print(plan_json(resp->plan));
	else
		plan_print(resp->plan);
	msg_free(resp);
	return EXIT_OK;
}

static const struct opt set_opts[] = {
	{"team", OPT_VALUE, N_("set a team's number instead of a rep's"), 0},
	{"office", OPT_VALUE, N_("set an office's number"), 0},
	{"org", OPT_FLAG, N_("set the org's number"), 0},
	{"period", OPT_VALUE, N_("a year, quarter or month: 2026, 2026Q4, 2026-11 (required)"), 0},
	{"amount", OPT_VALUE, N_("the target (required)"), 0},
	METRIC_OPT,
	{"lock", OPT_FLAG, N_("pin this number: re-balancing will not move it"), 0},
	{NULL, 0, NULL, 0},
};

static const struct opt show_opts[] = {
	{"user", OPT_VALUE, N_("a rep, by login"), 0},
	SCOPE_OPTS,
	{"period", OPT_VALUE, N_("2026, 2026Q4 or 2026-11 (default: this year)"), 0},
	METRIC_OPT,
	{NULL, 0, NULL, 0},
};

static int
show(struct cli *cli, Pace__V1__Scope *scope, const char *period,
	const char *metric)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__TargetShow m = PACE__V1__TARGET_SHOW__INIT;
	const Pace__V1__TargetTable *t;
	int code;

	m.scope = scope;
	m.period = (char *)(period ? period : "");
	m.metric = (char *)(metric ? metric : "revenue");
	req.body_case = BODY(TARGET_SHOW);
	req.target_show = &m;
	if ((code = cli_call(cli, &req, BODY(TARGET_TABLE), &resp)) != EXIT_OK)
		return code;
	t = resp->target_table;
	if (cli->json) {
		cJSON *j = cJSON_CreateObject(), *arr;
		cJSON_AddStringToObject(j, "metric", m.metric);
		cJSON_AddStringToObject(j, "currency", t->currency);
		arr = cJSON_AddArrayToObject(j, "rows");
		for (size_t i = 0; i < t->n_rows; i++) {
			const Pace__V1__TargetRow *r = t->rows[i];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "kind", kind_name(r->scope->kind));
			json_add_i64(o, "id", r->scope->id);
			cJSON_AddStringToObject(o, "name", r->scope->name);
			cJSON_AddStringToObject(o, "period", r->period);
			json_add_fen(o, "amount", r->amount);
			cJSON_AddBoolToObject(o, "locked", r->locked);
			cJSON_AddNumberToObject(o, "depth", r->depth);
			cJSON_AddItemToArray(arr, o);
		}
		json_print(j);
	} else {
		const char *h[] = {_("SCOPE"), _("PERIOD"), _("TARGET"), ""};
		struct table *tb = table_new(4, h);
		table_align_right(tb, 2);
		for (size_t i = 0; i < t->n_rows; i++) {
			const Pace__V1__TargetRow *r = t->rows[i];
			char name[256], amt[48];
			snprintf(name, sizeof(name), "%s%s",
				r->depth == 1 ? "  " : "", r->scope->name);
			if (r->amount)
				fmt_metric(m.metric, r->amount->v, t->currency, amt,
					sizeof(amt));
			else
				snprintf(amt, sizeof(amt), "—");
			const char *row[] = {r->depth == 2 ? "" : name, r->period, amt,
				r->locked ? _("locked") : ""};
			table_row(tb, row);
		}
		table_print(tb);
		table_free(tb);
	}
	msg_free(resp);
	return EXIT_OK;
}

static int
run_show(struct cli *cli, struct args *a)
{
	Pace__V1__Scope scope;
	int code;

	if ((code = cli_scope(cli, a, &scope)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	return show(cli, &scope, arg_get(cli, a, "period"),
		arg_get(cli, a, "metric"));
}

static int
run_set(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__TargetSet m = PACE__V1__TARGET_SET__INIT;
	Pace__V1__Scope scope = PACE__V1__SCOPE__INIT, parent = PACE__V1__SCOPE__INIT;
	const char *metric = arg_get(cli, a, "metric");
	const char *team = arg_get(cli, a, "team");
	const char *office = arg_get(cli, a, "office");
	const char *period = arg_get(cli, a, "period");
	int n = (a->npos > 0) + (team != NULL) + (office != NULL) +
		arg_has(cli, a, "org");
	int64_t amount = 0;
	char op[37];
	int code;

	if (n != 1)
		return cli_usage_error(cli,
			_("name one rep (LOGIN), or --team, --office or --org"));
	if (period == NULL)
		return cli_usage_error(cli, _("--period is required"));
	if ((code = arg_amount(cli, a, "amount", metric, &amount)) != EXIT_OK)
		return code;
	if (a->npos > 0) {
		scope.kind = PACE__V1__SCOPE_KIND__SCOPE_USER;
		scope.name = a->pos[0];
		parent.kind = PACE__V1__SCOPE_KIND__SCOPE_TEAM;
	} else if (team) {
		scope.kind = PACE__V1__SCOPE_KIND__SCOPE_TEAM;
		scope.name = (char *)team;
		parent.kind = PACE__V1__SCOPE_KIND__SCOPE_OFFICE;
	} else if (office) {
		scope.kind = PACE__V1__SCOPE_KIND__SCOPE_OFFICE;
		scope.name = (char *)office;
		parent.kind = PACE__V1__SCOPE_KIND__SCOPE_ORG;
	} else {
		scope.kind = PACE__V1__SCOPE_KIND__SCOPE_ORG;
		scope.name = "";
		parent.kind = PACE__V1__SCOPE_KIND__SCOPE_ORG;
	}
	parent.name = "";
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.scope = &scope;
	m.period = (char *)period;
	m.metric = (char *)(metric ? metric : "revenue");
	m.amount = amount;
	m.lock = arg_has(cli, a, "lock");
	req.body_case = BODY(TARGET_SET);
	req.target_set = &m;
	if ((code = cli_call(cli, &req, BODY(OK), &resp)) != EXIT_OK)
		return code;
	msg_free(resp);
	if (!cli->json)
		printf(_("Set. The numbers around it now read:\n"));
	/* Show the parent: the re-balanced siblings are what changed. */
	if (scope.kind == PACE__V1__SCOPE_KIND__SCOPE_USER &&
		cli->me->role == PACE__V1__ROLE__MANAGER)
		parent.name = cli->me->team;
	if (scope.kind == PACE__V1__SCOPE_KIND__SCOPE_USER &&
		cli->me->role != PACE__V1__ROLE__MANAGER)
		return show(cli, &scope, period, m.metric);
	return show(cli, &parent, period, m.metric);
}

const struct cmd cmds_target[] = {
	{"target plan", "--year Y --total AMOUNT [--metric M] [--by history|even] "
			"[--seasonality history|even] [--apply]",
		N_("Compute (and with --apply store) the year's plan down to every rep"),
		plan_opts, 0, 0, run_plan},
	{"target set", "LOGIN|--team T|--office O|--org --period P --amount X [--lock]",
		N_("Set a number; unlocked siblings re-balance so the parent is unchanged"),
		set_opts, 0, 1, run_set},
	{"target show", "[--user L|--team T|--office O|--org] [--period P]",
		N_("Show targets of a scope, its members and the period's parts"),
		show_opts, 0, 0, run_show},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
