/* pace admin office|team|user add|list. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "output.h"
#include "xmalloc.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static const char *const role_names[] = {"", N_("admin"), N_("director"),
	N_("manager"), N_("rep")};

static int
role_from(const char *s)
{
	for (int i = 1; i <= 4; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return 0;
}

static const char *
role_str(int r)
{
	return r >= 1 && r <= 4 ? role_names[r] : "?";
}

static cJSON *
office_json(const Pace__V1__Office *o)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "id", (double)o->id);
	cJSON_AddStringToObject(j, "name", o->name);
	cJSON_AddStringToObject(j, "region", o->region);
	return j;
}

static cJSON *
team_json(const Pace__V1__Team *t)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "id", (double)t->id);
	cJSON_AddStringToObject(j, "name", t->name);
	cJSON_AddStringToObject(j, "office", t->office);
	cJSON_AddStringToObject(j, "manager", t->manager);
	return j;
}

static cJSON *
user_json(const Pace__V1__User *u)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "id", (double)u->id);
	cJSON_AddStringToObject(j, "login", u->login);
	cJSON_AddStringToObject(j, "name", u->name);
	cJSON_AddStringToObject(j, "role", role_str(u->role));
	cJSON_AddStringToObject(j, "team", u->team);
	cJSON_AddStringToObject(j, "hired_on", u->hired_on);
	cJSON_AddStringToObject(j, "region", u->region);
	cJSON_AddBoolToObject(j, "active", u->active);
	return j;
}

static const struct opt office_add_opts[] = {
	{"region", 1, N_("region of the office (e.g. 华北)")},
	{NULL, 0, NULL},
};

static int
run_office_add(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__OfficeAdd m = PACE__V1__OFFICE_ADD__INIT;
	const char *region = arg_get(cli, a, "region");
	char op[37];
	int code;

	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.name = a->pos[0];
	m.region = (char *)(region ? region : "");
	req.body_case = BODY(OFFICE_ADD);
	req.office_add = &m;
	if ((code = cli_call(cli, &req, BODY(OFFICE), &resp)) != EXIT_OK)
		return code;
	if (cli->json)
		json_print(office_json(resp->office));
	else
		printf(_("Added office %s (id %lld).\n"), resp->office->name,
			(long long)resp->office->id);
	msg_free(resp);
	return EXIT_OK;
}

static int
run_office_list(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__OfficeList m = PACE__V1__OFFICE_LIST__INIT;
	const Pace__V1__OfficeListReply *r;
	int code;

	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	req.body_case = BODY(OFFICE_LIST);
	req.office_list = &m;
	if ((code = cli_call(cli, &req, BODY(OFFICE_LIST_REPLY), &resp)) != EXIT_OK)
		return code;
	r = resp->office_list_reply;
	if (cli->json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < r->n_offices; i++)
			cJSON_AddItemToArray(arr, office_json(r->offices[i]));
		json_print(arr);
	} else {
		const char *h[] = {_("ID"), _("OFFICE"), _("REGION")};
		struct table *t = table_new(3, h);
		table_align_right(t, 0);
		for (size_t i = 0; i < r->n_offices; i++) {
			char id[24];
			snprintf(id, sizeof(id), "%lld", (long long)r->offices[i]->id);
			const char *row[] = {id, r->offices[i]->name,
				r->offices[i]->region};
			table_row(t, row);
		}
		table_print(t);
		table_free(t);
	}
	msg_free(resp);
	return EXIT_OK;
}

static const struct opt team_add_opts[] = {
	{"office", 1, N_("the office the team belongs to (required)")},
	{"manager", 1, N_("login of the team's manager")},
	{NULL, 0, NULL},
};

static int
run_team_add(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__TeamAdd m = PACE__V1__TEAM_ADD__INIT;
	const char *office = arg_get(cli, a, "office");
	const char *manager = arg_get(cli, a, "manager");
	char op[37];
	int code;

	if (office == NULL)
		return cli_usage_error(cli, _("--office is required"));
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.name = a->pos[0];
	m.office = (char *)office;
	m.manager = (char *)(manager ? manager : "");
	req.body_case = BODY(TEAM_ADD);
	req.team_add = &m;
	if ((code = cli_call(cli, &req, BODY(TEAM), &resp)) != EXIT_OK)
		return code;
	if (cli->json)
		json_print(team_json(resp->team));
	else
		printf(_("Added team %s in %s (id %lld).\n"), resp->team->name,
			resp->team->office, (long long)resp->team->id);
	msg_free(resp);
	return EXIT_OK;
}

static int
run_team_list(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__TeamList m = PACE__V1__TEAM_LIST__INIT;
	const Pace__V1__TeamListReply *r;
	int code;

	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	req.body_case = BODY(TEAM_LIST);
	req.team_list = &m;
	if ((code = cli_call(cli, &req, BODY(TEAM_LIST_REPLY), &resp)) != EXIT_OK)
		return code;
	r = resp->team_list_reply;
	if (cli->json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < r->n_teams; i++)
			cJSON_AddItemToArray(arr, team_json(r->teams[i]));
		json_print(arr);
	} else {
		const char *h[] = {_("ID"), _("TEAM"), _("OFFICE"), _("MANAGER")};
		struct table *t = table_new(4, h);
		table_align_right(t, 0);
		for (size_t i = 0; i < r->n_teams; i++) {
			const Pace__V1__Team *tm = r->teams[i];
			char id[24];
			snprintf(id, sizeof(id), "%lld", (long long)tm->id);
			const char *row[] = {id, tm->name, tm->office, tm->manager};
			table_row(t, row);
		}
		table_print(t);
		table_free(t);
	}
	msg_free(resp);
	return EXIT_OK;
}

static const struct opt user_add_opts[] = {
	{"name", 1, N_("the person's name (required)")},
	{"role", 1, N_("admin, director, manager or rep (required)")},
	{"team", 1, N_("team name (required for managers and reps)")},
	{"password-stdin", 0, N_("read the new user's password from standard input")},
	{"hired", 1, N_("hire date, YYYY-MM-DD (new hires ramp up)")},
	{"region", 1, N_("the region the person covers")},
	{NULL, 0, NULL},
};

static int
run_user_add(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__UserAdd m = PACE__V1__USER_ADD__INIT;
	const char *name = arg_get(cli, a, "name");
	const char *role = arg_get(cli, a, "role");
	const char *team = arg_get(cli, a, "team");
	const char *hired = arg_get(cli, a, "hired");
	const char *region = arg_get(cli, a, "region");
	char op[37], *pw;
	int code, r;

	if (name == NULL || role == NULL)
		return cli_usage_error(cli, _("--name and --role are required"));
	if ((r = role_from(role)) == 0)
		return cli_usage_error(cli,
			_("--role must be admin, director, manager or rep"));
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	pw = cli_read_password(_("Password for the new user: "),
		arg_has(cli, a, "password-stdin"));
	if (pw == NULL)
		return cli_usage_error(cli, _("no password given"));
	pc_uuid(op);
	m.client_op_id = op;
	m.login = a->pos[0];
	m.name = (char *)name;
	m.role = (Pace__V1__Role)r;
	m.team = (char *)(team ? team : "");
	m.password = pw;
	m.hired_on = (char *)(hired ? hired : "");
	m.region = (char *)(region ? region : "");
	req.body_case = BODY(USER_ADD);
	req.user_add = &m;
	code = cli_call(cli, &req, BODY(USER), &resp);
	sodium_memzero(pw, strlen(pw));
	free(pw);
	if (code != EXIT_OK)
		return code;
	if (cli->json)
		json_print(user_json(resp->user));
	else
		printf(_("Added %s %s (%s)%s%s.\n"), _(role_str(resp->user->role)),
			resp->user->name, resp->user->login,
			*resp->user->team ? _(" to team ") : "", resp->user->team);
	msg_free(resp);
	return EXIT_OK;
}

static const struct opt user_list_opts[] = {
	{"team", 1, N_("only this team")},
	{NULL, 0, NULL},
};

static int
run_user_list(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__UserList m = PACE__V1__USER_LIST__INIT;
	const Pace__V1__UserListReply *r;
	const char *team = arg_get(cli, a, "team");
	int code;

	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	m.team = (char *)(team ? team : "");
	req.body_case = BODY(USER_LIST);
	req.user_list = &m;
	if ((code = cli_call(cli, &req, BODY(USER_LIST_REPLY), &resp)) != EXIT_OK)
		return code;
	r = resp->user_list_reply;
	if (cli->json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < r->n_users; i++)
			cJSON_AddItemToArray(arr, user_json(r->users[i]));
		json_print(arr);
	} else {
		const char *h[] = {_("LOGIN"), _("NAME"), _("ROLE"), _("TEAM"),
			_("HIRED"), _("REGION")};
		struct table *t = table_new(6, h);
		for (size_t i = 0; i < r->n_users; i++) {
			const Pace__V1__User *u = r->users[i];
			const char *row[] = {u->login, u->name, _(role_str(u->role)),
				u->team, u->hired_on, u->region};
			table_row(t, row);
		}
		table_print(t);
		table_free(t);
	}
	msg_free(resp);
	return EXIT_OK;
}

static const struct opt no_opts[] = {{NULL, 0, NULL}};

const struct cmd cmds_admin[] = {
	{"admin office add", "NAME [--region R]", N_("Add an office"),
		office_add_opts, 1, 1, run_office_add},
	{"admin office list", "", N_("List the offices"), no_opts, 0, 0,
		run_office_list},
	{"admin team add", "NAME --office OFFICE [--manager LOGIN]",
		N_("Add a team to an office"), team_add_opts, 1, 1, run_team_add},
	{"admin team list", "", N_("List the teams"), no_opts, 0, 0,
		run_team_list},
	{"admin user add",
		"LOGIN --name NAME --role ROLE [--team TEAM] [--hired DATE] "
		"[--region R] [--password-stdin]",
		N_("Add a user"), user_add_opts, 1, 1, run_user_add},
	{"admin user list", "[--team TEAM]", N_("List the users"),
		user_list_opts, 0, 0, run_user_list},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
