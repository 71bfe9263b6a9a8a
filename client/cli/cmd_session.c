/* pace login, logout, whoami, ping. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clock.h"
#include "cli.h"
#include "output.h"
#include "xmalloc.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static const char *const role_names[] = {"", N_("admin"), N_("director"),
	N_("manager"), N_("rep")};

static const char *
role_str(int r)
{
	return r >= 1 && r <= 4 ? role_names[r] : "?";
}

static cJSON *
identity_json(const Pace__V1__Identity *id, const char *server)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "user_id", (double)id->user_id);
	cJSON_AddStringToObject(j, "login", id->login);
	cJSON_AddStringToObject(j, "name", id->name);
	cJSON_AddStringToObject(j, "role", role_str(id->role));
	cJSON_AddStringToObject(j, "team", id->team);
	cJSON_AddStringToObject(j, "org", id->org);
	cJSON_AddStringToObject(j, "currency", id->currency);
	cJSON_AddStringToObject(j, "timezone", id->timezone);
	if (server)
		cJSON_AddStringToObject(j, "server", server);
	return j;
}

static void
print_identity(struct cli *cli, const Pace__V1__Identity *id)
{
	if (cli->json) {
		json_print(identity_json(id, cli->server));
		return;
	}
	printf(_("%s (%s), %s"), id->name, id->login, _(role_str(id->role)));
	if (id->team && *id->team)
		printf(_(", team %s"), id->team);
	printf(_(", %s @ %s\n"), id->org, cli->server);
}

static const struct opt login_opts[] = {
	{"password-stdin", 0, N_("read the password from standard input")},
	{NULL, 0, NULL},
};

static int
run_login(struct cli *cli, struct args *a)
{
	const char *user = a->pos[0];
	char *password, *token = NULL, *server;
	Pace__V1__Identity *id = NULL;
	int code, rc;

	if ((code = cli_connect(cli)) != EXIT_OK)
		return code;
	password = cli_read_password(_("Password: "),
		arg_has(cli, a, "password-stdin"));
	if (password == NULL) {
		fprintf(stderr, _("pace: no password given (use --password-stdin "
				  "without a terminal)\n"));
		return EXIT_USAGE;
	}
	rc = pc_login(cli->pc, user, password, &token, &id);
	sodium_memzero(password, strlen(password));
	free(password);
	if (rc != 0)
		return cli_fail(cli, rc);
	/* cli->server may point into the store: copy before freeing. */
	server = xstrdup(cli->server);
	free(cli->store.server);
	free(cli->store.login);
	free(cli->store.token);
	cli->store.server = server;
	cli->server = server;
	cli->store.login = xstrdup(id->login);
	cli->store.token = token;
	if (cli->tls_ca && cli->tls_ca != cli->store.tls_ca) {
		/* Later runs may start anywhere: keep an absolute path. */
		char *ca = realpath(cli->tls_ca, NULL);

		if (ca == NULL)
			ca = xstrdup(cli->tls_ca);
		free(cli->store.tls_ca);
		cli->store.tls_ca = ca;
	}
	if (pc_store_save(&cli->store) != 0) {
		fprintf(stderr, _("pace: cannot save the session token\n"));
		code = EXIT_ERROR;
	}
	if (!cli->json)
		printf(_("Logged in as "));
	print_identity(cli, id);
	pace__v1__identity__free_unpacked(id, NULL);
	return code;
}

static int
run_logout(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__Logout m = PACE__V1__LOGOUT__INIT;
	int code = EXIT_OK;

	if (cli->store.token == NULL) {
		if (!cli->json)
			printf(_("Not logged in.\n"));
		return EXIT_OK;
	}
	if (cli_session(cli) == EXIT_OK) {
		req.body_case = BODY(LOGOUT);
		req.logout = &m;
		code = cli_call(cli, &req, BODY(OK), &resp);
		msg_free(resp);
	} else {
		fprintf(stderr, _("pace: the session could not be revoked on the "
				  "server; forgetting it here\n"));
	}
	free(cli->store.token);
	cli->store.token = NULL;
	if (pc_store_save(&cli->store) != 0)
		return EXIT_ERROR;
	if (cli->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddBoolToObject(j, "logged_out", 1);
		json_print(j);
	} else {
		printf(_("Logged out.\n"));
	}
	return code;
}

static int
run_whoami(struct cli *cli, struct args *a)
{
	int code = cli_session(cli);

	if (code != EXIT_OK)
		return code;
	print_identity(cli, cli->me);
	return EXIT_OK;
}

static const struct opt ping_opts[] = {
	{"count", 1, N_("number of pings (default 1)")},
	{NULL, 0, NULL},
};

static int
run_ping(struct cli *cli, struct args *a)
{
	const char *cs = arg_get(cli, a, "count");
	long count = cs ? strtol(cs, NULL, 10) : 1;
	cJSON *arr = cli->json ? cJSON_CreateArray() : NULL;
	int code;

	if (count < 1 || count > 100000)
		return cli_usage_error(cli, _("--count must be 1-100000"));
	if ((code = cli_connect(cli)) != EXIT_OK) {
		cJSON_Delete(arr);
		return code;
	}
	for (long i = 0; i < count; i++) {
		pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
		Pace__V1__Ping m = PACE__V1__PING__INIT;
		int64_t t0 = clock_mono_us(), rtt;

		m.sent_at = clock_now_us();
		req.body_case = BODY(PING);
		req.ping = &m;
		if ((code = cli_call(cli, &req, BODY(PONG), &resp)) != EXIT_OK) {
			cJSON_Delete(arr);
			return code;
		}
		rtt = clock_mono_us() - t0;
		if (arr) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddNumberToObject(j, "rtt_ms", (double)rtt / 1000.0);
			cJSON_AddNumberToObject(j, "server_time",
				(double)resp->pong->server_time);
			cJSON_AddItemToArray(arr, j);
		} else {
			printf(_("pong from %s: %.2f ms\n"), cli->server,
				(double)rtt / 1000.0);
		}
		msg_free(resp);
	}
	if (arr)
		json_print(arr);
	return EXIT_OK;
}

static const struct opt no_opts[] = {{NULL, 0, NULL}};

const struct cmd cmds_session[] = {
	{"login", "LOGIN [--password-stdin]", N_("Log in and remember the session"),
		login_opts, 1, 1, run_login},
	{"logout", "", N_("End the session on the server and forget it"),
		no_opts, 0, 0, run_logout},
	{"whoami", "", N_("Show who you are logged in as"), no_opts, 0, 0,
		run_whoami},
	{"ping", "[--count N]", N_("Check that the server answers"), ping_opts,
		0, 0, run_ping},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
