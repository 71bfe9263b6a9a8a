/* pace log call|visit|email|meeting: record an activity with a customer. */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "offline.h"
#include "output.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static const struct opt log_opts[] = {
	{"customer", OPT_VALUE, N_("the customer's id (required)")},
	{"deal", OPT_VALUE, N_("the deal's id, if it was about one")},
	{"at", OPT_VALUE, N_("when it happened (ISO 8601, local time; default now)")},
	{"duration", OPT_VALUE, N_("how long, in minutes")},
	{"note", OPT_VALUE, N_("what was said or agreed")},
	{NULL, 0, NULL},
};

static void
print_activity(struct cli *cli, const Pace__V1__Activity *act)
{
	char id[24], cust[160], deal[24], when[32], dur[24];
	const char *kv[] = {
		_("ID"), fmt_i64(act->id, id, 0),
		_("Kind"), _(kind_name(act->kind)),
		_("Customer"), cust,
		_("Deal"), fmt_i64(act->deal_id, deal, 1),
		_("When"), fmt_when(act->at, when),
		_("Minutes"), fmt_i64(act->duration_min, dur, 1),
		_("By"), act->user,
		_("Note"), act->note,
	};

	snprintf(cust, sizeof(cust), "%s (%lld)", act->customer,
		(long long)act->customer_id);
	kv_print(kv, 8);
}

static int
run_log(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__ActivityLog m = PACE__V1__ACTIVITY_LOG__INIT;
	const char *note = arg_get(cli, a, "note");
	/* The command's last word is the kind: "log call". */
	const char *kind = strrchr(cli->cmd->path, ' ') + 1;
	char op[37], summary[128];
	long minutes = 0;
	int code;

	if (!arg_has(cli, a, "customer"))
		return cli_usage_error(cli, _("--customer is required"));
	if ((code = arg_id(cli, a, "customer", &m.customer_id)) != EXIT_OK ||
		(code = arg_id(cli, a, "deal", &m.deal_id)) != EXIT_OK ||
		(code = arg_time(cli, a, "at", &m.at)) != EXIT_OK ||
		(code = arg_int(cli, a, "duration", 0, 1440, &minutes)) !=
			EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.kind = (Pace__V1__ActivityKind)kind_from(kind);
	m.duration_min = (int32_t)minutes;
	m.note = (char *)(note ? note : "");
	req.body_case = BODY(ACTIVITY_LOG);
	req.activity_log = &m;
	snprintf(summary, sizeof(summary), _("%s with customer %lld"), kind,
		(long long)m.customer_id);
	code = cli_write(cli, &req, op, BODY(ACTIVITY), &resp, summary);
	if (code != EXIT_OK || resp == NULL)
		return code;
	if (cli->json) {
		json_print(activity_json(resp->activity));
	} else {
		printf(_("Logged: %s with %s (activity %lld).\n"),
			_(kind_name(resp->activity->kind)),
			resp->activity->customer, (long long)resp->activity->id);
		print_activity(cli, resp->activity);
	}
	msg_free(resp);
	return EXIT_OK;
}

#define LOG_USAGE "--customer ID [--deal ID] [--at WHEN] [--duration MIN] [--note TEXT]"

const struct cmd cmds_log[] = {
	{"log call", LOG_USAGE, N_("Log a phone call with a customer"),
		log_opts, 0, 0, run_log},
	{"log visit", LOG_USAGE, N_("Log a visit to a customer"), log_opts, 0,
		0, run_log},
	{"log email", LOG_USAGE, N_("Log an email exchange with a customer"),
		log_opts, 0, 0, run_log},
	{"log meeting", LOG_USAGE, N_("Log a meeting with a customer"),
		log_opts, 0, 0, run_log},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
