/*
 * pace kpi, board, funnel, pipeline: the numbers of DESIGN §5 as people and
 * scripts read them. `pace kpi --json` prints exactly the keys the issue
 * lists (money in fen, ratios as numbers, null where undefined).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kpi_view.h"
#include "output.h"
#include "pc_money.h"
#include "review_render.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static const struct opt scope_opts[] = {
	{"user", OPT_VALUE, N_("a rep or manager, by login"), 0},
	SCOPE_OPTS,
	{"period", OPT_VALUE, N_("2026, 2026Q4, 2026-11, 2026-W48 or 2026-11-27 (default: this month)"), 0},
	{NULL, 0, NULL, 0},
};

static const struct opt board_opts[] = {
	SCOPE_OPTS,
	{"period", OPT_VALUE, N_("2026, 2026Q4, 2026-11, 2026-W48 or 2026-11-27 (default: this month)"), 0},
	METRIC_OPT,
	{"level", OPT_VALUE, N_("rank user (default), team or office"), 0},
	{"star", OPT_FLAG, N_("show the star of the period: the best attainment, ties explained"), 0},
	{NULL, 0, NULL, 0},
};

int
cli_scope_of(struct cli *cli, const struct args *a, Pace__V1__Scope *s,
	const char *one_of)
{
	const char *user = arg_get(cli, a, "user");
	const char *team = arg_get(cli, a, "team");
	const char *office = arg_get(cli, a, "office");
	int n = (user != NULL) + (team != NULL) + (office != NULL) +
		arg_has(cli, a, "org");

	if (n > 1)
		return cli_usage_error(cli, "%s", one_of);
	pace__v1__scope__init(s);
	s->name = "";
	if (user) {
		s->kind = PACE__V1__SCOPE_KIND__SCOPE_USER;
		s->name = (char *)user;
	} else if (team) {
		s->kind = PACE__V1__SCOPE_KIND__SCOPE_TEAM;
		s->name = (char *)team;
	} else if (office) {
		s->kind = PACE__V1__SCOPE_KIND__SCOPE_OFFICE;
		s->name = (char *)office;
	} else if (arg_has(cli, a, "org")) {
		s->kind = PACE__V1__SCOPE_KIND__SCOPE_ORG;
	}
	return EXIT_OK;
}

int
cli_scope(struct cli *cli, const struct args *a, Pace__V1__Scope *s)
{
	return cli_scope_of(cli, a, s,
		_("give one of --user, --team, --office, --org"));
}

static int
fetch_kpi(struct cli *cli, struct args *a, pace_frame_t **resp)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__KpiGet m = PACE__V1__KPI_GET__INIT;
	Pace__V1__Scope scope;
	const char *period = arg_get(cli, a, "period");
	int code;

	if ((code = cli_scope(cli, a, &scope)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	m.scope = &scope;
	m.period = (char *)(period ? period : "");
	req.body_case = BODY(KPI_GET);
	req.kpi_get = &m;
	return cli_call(cli, &req, BODY(KPI), resp);
}

/*
 * The commands that show one KPI object (kpi, funnel, pipeline) differ only
 * in how they print it: `json` for --json, `print` for people.
 */
static int
show_kpi(struct cli *cli, struct args *a,
	cJSON *(*json)(const Pace__V1__Kpi *k),
	void (*print)(const Pace__V1__Kpi *k))
{
	pace_frame_t *resp = NULL;
	int code = fetch_kpi(cli, a, &resp);

	if (code != EXIT_OK)
		return code;
	if (cli->json)
		json_print(json(resp->kpi));
	else
		print(resp->kpi);
	msg_free(resp);
	return EXIT_OK;
}

static int
run_kpi(struct cli *cli, struct args *a)
{
	return show_kpi(cli, a, kpi_json, kpi_print);
}

static int
run_funnel(struct cli *cli, struct args *a)
{
	return show_kpi(cli, a, funnel_json, funnel_print);
}

static int
run_pipeline(struct cli *cli, struct args *a)
{
	return show_kpi(cli, a, pipeline_json, pipeline_print);
}

static int
run_board(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__BoardGet m = PACE__V1__BOARD_GET__INIT;
	Pace__V1__Scope scope;
	const char *period = arg_get(cli, a, "period");
	const char *metric = arg_get(cli, a, "metric");
	const char *level = arg_get(cli, a, "level");
	int code;

	if (arg_has(cli, a, "star"))
		return board_star(cli, a); /* cmd_review.c */
	if ((code = cli_scope(cli, a, &scope)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	m.scope = &scope;
	m.period = (char *)(period ? period : "");
	m.metric = (char *)(metric ? metric : "");
	m.level = (char *)(level ? level : "");
	req.body_case = BODY(BOARD_GET);
	req.board_get = &m;
	if ((code = cli_call(cli, &req, BODY(BOARD), &resp)) != EXIT_OK)
		return code;
	if (cli->json)
		json_print(board_json(resp->board, metric ? metric : "revenue"));
	else
		board_print(resp->board, metric ? metric : "revenue");
	msg_free(resp);
	return EXIT_OK;
}

const struct cmd cmds_kpi[] = {
	{"kpi", "[--user L|--team T|--office O|--org] [--period P]",
		N_("Show every KPI of a scope for a period (default: me, this month)"),
		scope_opts, 0, 0, run_kpi},
	{"board", "[--team T|--office O|--org] [--metric M] [--period P] [--level L] [--star]",
		N_("Show the leaderboard (ties share a rank)"), board_opts, 0, 0,
		run_board},
	{"funnel", "[--user L|--team T|--office O|--org] [--period P]",
		N_("Show the funnel of the deals created in a period"), scope_opts,
		0, 0, run_funnel},
	{"pipeline", "[--user L|--team T|--office O|--org] [--period P]",
		N_("Show the open pipeline and its coverage of the target"),
		scope_opts, 0, 0, run_pipeline},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
