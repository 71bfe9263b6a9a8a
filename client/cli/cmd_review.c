/*
 * pace review generate|list|show and pace board --star (issue 7).
 *
 * The server builds and stores a review; this renders the stored JSON as
 * md (the default), json, csv or xlsx (review_render.c), to standard
 * output or to -o FILE (xlsx needs a file).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "kpi_view.h"
#include "output.h"
#include "pc_money.h"
#include "pc_time.h"
#include "review_render.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static const struct opt generate_opts[] = {
	{"period", OPT_VALUE, N_("the period: 2026-11, 2026-W48, 2026Q4, 2026 (required)"), 0},
	{"team", OPT_VALUE, N_("a team (default for a manager: their own)"), 0},
	{"office", OPT_VALUE, N_("an office"), 0},
	{"org", OPT_FLAG, N_("the whole organisation (default for a director)"), 0},
	{"format", OPT_VALUE, N_("md (default), json, csv or xlsx"), 0},
	{"output", OPT_VALUE, N_("write to this file (required for xlsx)"), 'o'},
	{"regenerate", OPT_FLAG, N_("replace a stored review with today's numbers"), 0},
	{NULL, 0, NULL, 0},
};

static const struct opt show_opts[] = {
	SCOPE_OPTS,
	{"period", OPT_VALUE, N_("the review of this period (instead of an ID)"), 0},
	{"format", OPT_VALUE, N_("md (default), json, csv or xlsx"), 0},
	{"output", OPT_VALUE, N_("write to this file (required for xlsx)"), 'o'},
	{NULL, 0, NULL, 0},
};

static const struct opt list_opts[] = {
	{"team", OPT_VALUE, N_("only this team's reviews"), 0},
	{"office", OPT_VALUE, N_("only this office's reviews"), 0},
	{"org", OPT_FLAG, N_("only the organisation's reviews"), 0},
	{"period", OPT_VALUE, N_("only reviews of this period"), 0},
	{"limit", OPT_VALUE, N_("at most this many (default 50)"), 0},
	{NULL, 0, NULL, 0},
};

/* The scope options of a review command (no --user: reviews are of teams,
 * offices and the org). */
static int
review_scope(struct cli *cli, const struct args *a, Pace__V1__Scope *s)
{
	return cli_scope_of(cli, a, s,
		_("give one of --team, --office, --org"));
}

/* The output format and file, checked before anything is sent. */
static int
output_choice(struct cli *cli, const struct args *a, int *fmt)
{
	const char *f = arg_get(cli, a, "format");

	*fmt = cli->json ? REVIEW_JSON : REVIEW_MD;
	if (f && (*fmt = review_format_parse(f)) < 0)
		return cli_usage_error(cli,
			_("--format must be md, json, csv or xlsx, not '%s'"), f);
	if (*fmt == REVIEW_XLSX && arg_get(cli, a, "output") == NULL)
		return cli_usage_error(cli, _("xlsx needs a file: -o FILE.xlsx"));
	return EXIT_OK;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static int
emit(struct cli *cli, const struct args *a, int fmt,
	const Pace__V1__Review *rv)
{
	const char *path = arg_get(cli, a, "output");
	cJSON *doc = review_doc(rv);
	FILE *out = stdout;
	int rc = 0;

	if (doc == NULL) {
		fprintf(stderr, _("pace: the server sent an unreadable review\n"));
		return EXIT_ERROR;
	}
	if (fmt == REVIEW_XLSX) {
		rc = review_xlsx(path, doc);
	} else {
		if (path && (out = fopen(path, "w")) == NULL) {
			fprintf(stderr, _("pace: cannot write %s: %m\n"), path);
			cJSON_Delete(doc);
			return EXIT_ERROR;
		}
		if (fmt == REVIEW_JSON) {
			char *s = cJSON_Print(doc);
			fprintf(out, "%s\n", s ? s : "{}");
			free(s);
		} else if (fmt == REVIEW_CSV) {
			if (path && ends_with(path, ".csv"))
				fputs("\xef\xbb\xbf", out); /* UTF-8 mark for Excel */
			rc = review_csv(out, doc);
		} else {
			review_md(out, doc);
		}
		if (fflush(out) != 0 || ferror(out))
			rc = -1;
		if (path && fclose(out) != 0)
			rc = -1;
		if (rc != 0)
			fprintf(stderr, _("pace: cannot write %s: %m\n"),
				path ? path : _("standard output"));
	}
	cJSON_Delete(doc);
	if (rc != 0) {
		if (path)
			unlink(path); /* not a partial file that looks complete */
		return EXIT_ERROR;
	}
	if (path)
		fprintf(stderr, _("Review #%lld (%s %s) written to %s.\n"),
			(long long)rv->id, rv->scope ? rv->scope->name : "",
			rv->period, path);
	return EXIT_OK;
}

static int
run_generate(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__ReviewGenerate m = PACE__V1__REVIEW_GENERATE__INIT;
	Pace__V1__Scope scope;
	const char *period = arg_get(cli, a, "period");
	char op[37];
	int code, fmt;

	if (period == NULL)
		return cli_usage_error(cli, _("--period is required"));
	if ((code = review_scope(cli, a, &scope)) != EXIT_OK ||
		(code = output_choice(cli, a, &fmt)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.scope = &scope;
	m.period = (char *)period;
	m.regenerate = arg_has(cli, a, "regenerate");
	req.body_case = BODY(REVIEW_GENERATE);
	req.review_generate = &m;
	if ((code = cli_call(cli, &req, BODY(REVIEW), &resp)) != EXIT_OK)
		return code;
	if (resp->review->existing && !cli->json) {
		char when[32];
		fprintf(stderr, _("Review #%lld was generated on %s; shown as it "
				  "was (--regenerate for today's numbers).\n"),
			(long long)resp->review->id,
			pc_time_format(resp->review->generated_at, when,
				sizeof(when)));
	}
	code = emit(cli, a, fmt, resp->review);
	msg_free(resp);
	return code;
}

static int
run_show(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__ReviewGet m = PACE__V1__REVIEW_GET__INIT;
	Pace__V1__Scope scope;
	const char *period = arg_get(cli, a, "period");
	int code, fmt;

	if (a->npos == 1) {
		if ((code = pos_id(cli, a->pos[0], "review", &m.id)) != EXIT_OK)
			return code;
	} else if (period == NULL) {
		return cli_usage_error(cli, _("give a review ID, or --period"));
	}
	if ((code = review_scope(cli, a, &scope)) != EXIT_OK ||
		(code = output_choice(cli, a, &fmt)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	m.scope = &scope;
	m.period = (char *)(period ? period : "");
	req.body_case = BODY(REVIEW_GET);
	req.review_get = &m;
	if ((code = cli_call(cli, &req, BODY(REVIEW), &resp)) != EXIT_OK)
		return code;
	code = emit(cli, a, fmt, resp->review);
	msg_free(resp);
	return code;
}

static const char *const kind_names[] = {"", "user", "team", "office", "org"};

static int
run_list(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__ReviewList m = PACE__V1__REVIEW_LIST__INIT;
	const Pace__V1__ReviewListReply *r;
	Pace__V1__Scope scope;
	const char *period = arg_get(cli, a, "period");
	long limit = 0;
	int code;

	if ((code = review_scope(cli, a, &scope)) != EXIT_OK ||
		(code = arg_int(cli, a, "limit", 1, 1000, &limit)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	m.scope = &scope;
	m.period = (char *)(period ? period : "");
	m.limit = (int32_t)limit;
	req.body_case = BODY(REVIEW_LIST);
	req.review_list = &m;
	if ((code = cli_call(cli, &req, BODY(REVIEW_LIST_REPLY), &resp)) != EXIT_OK)
		return code;
	r = resp->review_list_reply;
	if (cli->json) {
		cJSON *j = cJSON_CreateObject(), *s, *arr;

		s = cJSON_AddObjectToObject(j, "schedule");
		cJSON_AddBoolToObject(s, "weekly", r->weekly);
		cJSON_AddBoolToObject(s, "monthly", r->monthly);
		cJSON_AddNumberToObject(s, "hour", r->hour);
		cJSON_AddStringToObject(s, "timezone", r->timezone);
		arr = cJSON_AddArrayToObject(j, "reviews");
		for (size_t i = 0; i < r->n_reviews; i++) {
			const Pace__V1__ReviewSummary *x = r->reviews[i];
			cJSON *o = cJSON_CreateObject(), *sc;
			int k = x->scope && x->scope->kind >= 0 &&
					x->scope->kind <= 4 ?
				(int)x->scope->kind :
				0;

			json_add_i64(o, "id", x->id);
			sc = cJSON_AddObjectToObject(o, "scope");
			cJSON_AddStringToObject(sc, "kind", kind_names[k]);
			json_add_i64(sc, "id", x->scope ? x->scope->id : 0);
			cJSON_AddStringToObject(sc, "name",
				x->scope ? x->scope->name : "");
			cJSON_AddStringToObject(o, "period", x->period);
			cJSON_AddStringToObject(o, "period_kind", x->period_kind);
			json_add_time(o, "generated_at", x->generated_at);
			cJSON_AddStringToObject(o, "generated_by", x->generated_by);
			cJSON_AddBoolToObject(o, "scheduled", *x->generated_by == '\0');
			cJSON_AddNumberToObject(o, "version", x->version);
			json_add_status(o, "status", x->status);
			json_add_num(o, "attainment", x->attainment);
			cJSON_AddNumberToObject(o, "members", x->members);
			cJSON_AddNumberToObject(o, "below_pace", x->below_pace);
			cJSON_AddNumberToObject(o, "diagnoses", x->diagnoses);
			cJSON_AddNumberToObject(o, "actions_total", x->actions_total);
			cJSON_AddNumberToObject(o, "actions_open", x->actions_open);
			cJSON_AddItemToArray(arr, o);
		}
		json_print(j);
		msg_free(resp);
		return EXIT_OK;
	}
	printf(_("Scheduled reviews: weekly %s, monthly %s (from %02d:00, %s).\n"),
		r->weekly ? _("on") : _("off"), r->monthly ? _("on") : _("off"),
		r->hour, r->timezone);
	if (r->n_reviews == 0) {
		printf(_("No reviews.\n"));
		msg_free(resp);
		return EXIT_OK;
	}
	{
		const char *h[] = {_("ID"), _("SCOPE"), _("PERIOD"), _("STATUS"),
			_("ATTAINMENT"), _("MEMBERS"), _("BELOW PACE"),
			_("DIAGNOSES"), _("ACTIONS OPEN"), _("GENERATED"), _("BY")};
		struct table *t = table_new(11, h);

		for (int c = 4; c <= 8; c++)
			table_align_right(t, c);
		table_align_right(t, 0);
		for (size_t i = 0; i < r->n_reviews; i++) {
			const Pace__V1__ReviewSummary *x = r->reviews[i];
			char id[24], att[16], mem[16], bp[16], dg[16], ac[32];
			char when[32], st[48];
			const char *sn = status_name(x->status);

			snprintf(id, sizeof(id), "%lld", (long long)x->id);
			fmt_ratio(x->attainment, att, sizeof(att));
			snprintf(mem, sizeof(mem), "%d", x->members);
			snprintf(bp, sizeof(bp), "%d", x->below_pace);
			snprintf(dg, sizeof(dg), "%d", x->diagnoses);
			snprintf(ac, sizeof(ac), "%d/%d", x->actions_open,
				x->actions_total);
			snprintf(st, sizeof(st), "%s%s%s", status_color(x->status),
				sn ? _(sn) : "—", col_reset());
			const char *row[] = {id, x->scope ? x->scope->name : "",
				x->period, st, att, mem, bp, dg, ac,
				pc_time_format(x->generated_at, when, sizeof(when)),
				*x->generated_by ? x->generated_by : _("(schedule)")};
			table_row(t, row);
		}
		table_print(t);
		table_free(t);
	}
	msg_free(resp);
	return EXIT_OK;
}

/* --- pace board --star ----------------------------------------------------- */

static cJSON *
star_entry_json(const Pace__V1__StarEntry *e)
{
	cJSON *j = cJSON_CreateObject();

	json_add_i64(j, "id", e->member ? e->member->id : 0);
	cJSON_AddStringToObject(j, "login", e->login);
	cJSON_AddStringToObject(j, "name", e->member ? e->member->name : "");
	cJSON_AddStringToObject(j, "team", e->team);
	json_add_i64(j, "actual", e->actual);
	json_add_fen(j, "target", e->target);
	json_add_num(j, "attainment", e->attainment);
	json_add_status(j, "status", e->status);
	return j;
}

static void
star_print(const Pace__V1__Star *s)
{
	char a[48], b[48], c[16];

	printf(_("Star of %s · %s\n"), s->period, s->scope ? s->scope->name : "");
	if (s->n_stars == 0) {
		printf(_("No rep has a revenue target for %s.\n"), s->period);
		return;
	}
	for (size_t i = 0; i < s->n_stars; i++) {
		const Pace__V1__StarEntry *e = s->stars[i];
		printf("%s★ %s%s (%s)  %s  %s / %s\n", col_bold(),
			e->member ? e->member->name : "", col_reset(), e->team,
			fmt_ratio(e->attainment, c, sizeof(c)),
			pc_money_format(e->actual, s->currency, a, sizeof(a)),
			e->target ? pc_money_format(e->target->v, s->currency, b,
					    sizeof(b)) :
				    "—");
	}
	if (strcmp(s->decided_by, "actual") == 0) {
		for (size_t i = 0; i < s->n_tied; i++)
			printf(_("Tied on attainment with %s (%s); the star is "
				 "ahead on revenue: %s against %s.\n"),
				s->tied[i]->member ? s->tied[i]->member->name : "",
				fmt_ratio(s->tied[i]->attainment, c, sizeof(c)),
				pc_money_format(s->stars[0]->actual, s->currency,
					a, sizeof(a)),
				pc_money_format(s->tied[i]->actual, s->currency,
					b, sizeof(b)));
	} else if (strcmp(s->decided_by, "shared") == 0) {
		printf(_("Shared: the same attainment and the same revenue.\n"));
	} else {
		printf(_("The highest attainment.\n"));
	}
	if (s->runner_up)
		printf(_("Runner-up: %s (%s).\n"),
			s->runner_up->member ? s->runner_up->member->name : "",
			fmt_ratio(s->runner_up->attainment, c, sizeof(c)));
}

int
board_star(struct cli *cli, const struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__StarGet m = PACE__V1__STAR_GET__INIT;
	Pace__V1__Scope scope;
	const char *period = arg_get(cli, a, "period");
	const Pace__V1__Star *s;
	int code;

	if ((code = cli_scope(cli, a, &scope)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	m.scope = &scope;
	m.period = (char *)(period ? period : "");
	req.body_case = BODY(STAR_GET);
	req.star_get = &m;
	if ((code = cli_call(cli, &req, BODY(STAR), &resp)) != EXIT_OK)
		return code;
	s = resp->star;
	if (cli->json) {
		cJSON *j = cJSON_CreateObject(), *arr;

		cJSON_AddStringToObject(j, "period", s->period);
		cJSON_AddStringToObject(j, "scope", s->scope ? s->scope->name : "");
		cJSON_AddStringToObject(j, "currency", s->currency);
		if (*s->decided_by)
			cJSON_AddStringToObject(j, "decided_by", s->decided_by);
		else
			cJSON_AddNullToObject(j, "decided_by");
		arr = cJSON_AddArrayToObject(j, "stars");
		for (size_t i = 0; i < s->n_stars; i++)
			cJSON_AddItemToArray(arr, star_entry_json(s->stars[i]));
		arr = cJSON_AddArrayToObject(j, "tied");
		for (size_t i = 0; i < s->n_tied; i++)
			cJSON_AddItemToArray(arr, star_entry_json(s->tied[i]));
		if (s->runner_up)
			cJSON_AddItemToObject(j, "runner_up",
				star_entry_json(s->runner_up));
		else
			cJSON_AddNullToObject(j, "runner_up");
		json_print(j);
	} else {
		star_print(s);
	}
	msg_free(resp);
	return EXIT_OK;
}

const struct cmd cmds_review[] = {
	{"review generate",
		"--period P [--team T|--office O|--org] [--format md|json|csv|xlsx] "
		"[-o FILE] [--regenerate]",
		N_("Generate (and store) the review of a period: KPIs against "
		   "target and pace, the top three, diagnoses, actions, trend"),
		generate_opts, 0, 0, run_generate},
	{"review show",
		"[ID | --period P [--team T|--office O|--org]] "
		"[--format md|json|csv|xlsx] [-o FILE]",
		N_("Show a stored review, with the numbers as they were"),
		show_opts, 0, 1, run_show},
	{"review list", "[--team T|--office O|--org] [--period P] [--limit N]",
		N_("List the stored reviews you may read, and the schedule"),
		list_opts, 0, 0, run_list},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
