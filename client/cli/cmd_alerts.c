/* pace alerts [--all] | pace alerts ack ID: stored alerts (DESIGN §7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_view.h"
#include "cli.h"
#include "output.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static const struct opt list_opts[] = {
	{"all", OPT_FLAG, N_("also the acknowledged ones"), 0},
	{"limit", OPT_VALUE, N_("at most this many (default 50)"), 0},
	{NULL, 0, NULL, 0},
};

static int
run_list(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__AlertList m = PACE__V1__ALERT_LIST__INIT;
	const Pace__V1__AlertListReply *r;
	long limit = 0;
	int code;

	if ((code = arg_int(cli, a, "limit", 1, 1000, &limit)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	m.all = arg_has(cli, a, "all");
	m.limit = (int32_t)limit;
	req.body_case = BODY(ALERT_LIST);
	req.alert_list = &m;
	if ((code = cli_call(cli, &req, BODY(ALERT_LIST_REPLY), &resp)) != EXIT_OK)
		return code;
	r = resp->alert_list_reply;
	if (cli->json) {
		cJSON *arr = cJSON_CreateArray();
		/* Newest first, as people read them. */
		for (size_t i = r->n_alerts; i-- > 0;)
			cJSON_AddItemToArray(arr, alert_json(r->alerts[i]));
		json_print(arr);
	} else if (r->n_alerts == 0) {
		printf(_("No alerts.\n"));
	} else {
		alerts_print(r->alerts, r->n_alerts);
	}
	msg_free(resp);
	return EXIT_OK;
}

static int
run_ack(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__AlertAck m = PACE__V1__ALERT_ACK__INIT;
	int64_t id;
	char op[37];
	int code;

	if ((code = pos_id(cli, a->pos[0], "alert", &id)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.id = (uint64_t)id;
	req.body_case = BODY(ALERT_ACK);
	req.alert_ack = &m;
	if ((code = cli_call(cli, &req, BODY(OK), &resp)) != EXIT_OK)
		return code;
	msg_free(resp);
	if (cli->json) {
		cJSON *j = cJSON_CreateObject();
		json_add_i64(j, "acknowledged", id);
		json_print(j);
	} else {
		printf(_("Alert %lld acknowledged.\n"), (long long)id);
	}
	return EXIT_OK;
}

static const struct opt no_opts[] = {{NULL, 0, NULL, 0}};

const struct cmd cmds_alerts[] = {
	{"alerts", "[--all] [--limit N]",
		N_("List your alerts (not yet acknowledged, unless --all)"),
		list_opts, 0, 0, run_list},
	{"alerts ack", "ID", N_("Acknowledge an alert"), no_opts, 1, 1, run_ack},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
