/* pace deal add|move|win|lose|reopen|list|show. */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "offline.h"
#include "output.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static const char *
opt_or_empty(const struct cli *cli, const struct args *a, const char *name)
{
	const char *v = arg_get(cli, a, name);

	return v ? v : "";
}

/* An open stage from the command line, or a usage error. */
static int
open_stage(struct cli *cli, const char *s, int *out)
{
	int st = stage_from(s);

	if (st == PACE__V1__STAGE__WON || st == PACE__V1__STAGE__LOST)
		return cli_usage_error(cli,
			_("'%s' is not an open stage: use `pace deal win` or "
			  "`pace deal lose`"),
			s);
	if (st == 0)
		return cli_usage_error(cli,
			_("unknown stage '%s' (lead, qualified, proposal, quote, "
			  "negotiation)"),
			s);
	*out = st;
	return EXIT_OK;
}

static void
print_deal(struct cli *cli, const Pace__V1__Deal *d)
{
	char id[24], cust[160], amount[48], created[32], closed[32],
		updated[32], camount[48], signed_at[32], received[48];
	const Pace__V1__Contract *c = d->contract;
	const char *kv[] = {
		_("ID"), fmt_i64(d->id, id, 0),
		_("Title"), d->title,
		_("Customer"), cust,
		_("Owner"), d->owner,
		_("Amount"), fmt_money(cli, d->amount, amount),
		_("Stage"), _(stage_name(d->stage)),
		_("Expected close"), d->expected_close,
		_("Source"), d->source,
		_("Product line"), d->product_line,
		_("Loss reason"), d->loss_reason,
		_("Created"), fmt_when(d->created_at, created),
		_("Closed"), fmt_when(d->closed_at, closed),
		_("Updated"), fmt_when(d->updated_at, updated),
		_("Contract"), c ? fmt_money(cli, c->amount, camount) : "",
		_("Signed"), c ? fmt_when(c->signed_at, signed_at) : "",
		_("Received"), c ? fmt_money(cli, c->received, received) : "",
	};

	snprintf(cust, sizeof(cust), "%s (%lld)", d->customer,
		(long long)d->customer_id);
	kv_print(kv, 16);
}

static void
print_history(const Pace__V1__Deal *d)
{
	const char *h[] = {_("WHEN"), _("FROM"), _("TO"), _("BY")};
	struct table *t;

	if (d->n_history == 0)
		return;
	printf(_("\nStage history:\n"));
	t = table_new(4, h);
	for (size_t i = 0; i < d->n_history; i++) {
		const Pace__V1__StageChange *s = d->history[i];
		char when[32];
		const char *row[] = {fmt_when(s->at, when),
			s->from ? _(stage_name(s->from)) : "",
			_(stage_name(s->to)), s->actor};
		table_row(t, row);
	}
	table_print(t);
	table_free(t);
}

/* Send a deal write and print the deal the server answers with. */
static int
write_deal(struct cli *cli, pace_frame_t *req, const char *op,
	const char *summary)
{
	pace_frame_t *resp = NULL;
	int code = cli_write(cli, req, op, BODY(DEAL), &resp, summary);

	if (code != EXIT_OK || resp == NULL)
		return code;
	if (cli->json) {
		json_print(deal_json(resp->deal));
	} else {
		printf(_("Stored deal %lld: %s\n"), (long long)resp->deal->id,
			resp->deal->title);
		print_deal(cli, resp->deal);
	}
	msg_free(resp);
	return EXIT_OK;
}

#define AT_OPT                                                    \
	{                                                         \
		"at", OPT_VALUE,                                  \
			N_("when it happened (ISO 8601, local time; " \
			   "default now)")                        \
	}

static const struct opt add_opts[] = {
	{"customer", OPT_VALUE, N_("the customer's id (required)")},
	{"amount", OPT_VALUE, N_("expected amount, e.g. 120000, 1,234.56 or 12万")},
	{"stage", OPT_VALUE, N_("starting stage (default lead)")},
	{"expected-close", OPT_VALUE, N_("expected close date, YYYY-MM-DD")},
	{"source", OPT_VALUE, N_("where the lead came from")},
	{"product-line", OPT_VALUE, N_("product line")},
	{"owner", OPT_VALUE, N_("login of the owning rep (default: the customer's owner)")},
	AT_OPT,
	{NULL, 0, NULL},
};

static int
run_add(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__DealAdd m = PACE__V1__DEAL_ADD__INIT;
	const char *stage = arg_get(cli, a, "stage"), *close = "";
	int st = PACE__V1__STAGE__LEAD, code;
	char op[37];

	if (!arg_has(cli, a, "customer"))
		return cli_usage_error(cli, _("--customer is required"));
	if ((code = arg_id(cli, a, "customer", &m.customer_id)) != EXIT_OK ||
		(code = arg_money(cli, a, "amount", &m.amount)) != EXIT_OK ||
		(code = arg_date(cli, a, "expected-close", &close)) != EXIT_OK ||
		(code = arg_time(cli, a, "at", &m.at)) != EXIT_OK ||
		(stage && (code = open_stage(cli, stage, &st)) != EXIT_OK))
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.title = a->pos[0];
	m.stage = (Pace__V1__Stage)st;
	m.expected_close = (char *)close;
	m.source = (char *)opt_or_empty(cli, a, "source");
	m.product_line = (char *)opt_or_empty(cli, a, "product-line");
	m.owner = (char *)opt_or_empty(cli, a, "owner");
	req.body_case = BODY(DEAL_ADD);
	req.deal_add = &m;
	return write_deal(cli, &req, op, m.title);
}

static const struct opt at_opts[] = {AT_OPT, {NULL, 0, NULL}};

static int
run_move(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__DealMove m = PACE__V1__DEAL_MOVE__INIT;
	char op[37], summary[96];
	int st = 0, code;

	if ((code = pos_id(cli, a->pos[0], _("DEAL"), &m.id)) != EXIT_OK ||
		(code = open_stage(cli, a->pos[1], &st)) != EXIT_OK ||
		(code = arg_time(cli, a, "at", &m.at)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.stage = (Pace__V1__Stage)st;
	req.body_case = BODY(DEAL_MOVE);
	req.deal_move = &m;
	snprintf(summary, sizeof(summary), _("deal %lld to %s"),
		(long long)m.id, stage_name(st));
	return write_deal(cli, &req, op, summary);
}

static const struct opt win_opts[] = {
	{"amount", OPT_VALUE, N_("contract amount (default: the deal's amount)")},
	{"signed", OPT_VALUE, N_("when the contract was signed (default: --at)")},
	AT_OPT,
	{NULL, 0, NULL},
};

static int
run_win(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__DealWin m = PACE__V1__DEAL_WIN__INIT;
	char op[37], summary[96];
	int code;

	if ((code = pos_id(cli, a->pos[0], _("DEAL"), &m.id)) != EXIT_OK ||
		(code = arg_money(cli, a, "amount", &m.amount)) != EXIT_OK ||
		(code = arg_time(cli, a, "signed", &m.signed_at)) != EXIT_OK ||
		(code = arg_time(cli, a, "at", &m.at)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	req.body_case = BODY(DEAL_WIN);
	req.deal_win = &m;
	snprintf(summary, sizeof(summary), _("deal %lld won"), (long long)m.id);
	return write_deal(cli, &req, op, summary);
}

static const struct opt lose_opts[] = {
	{"reason", OPT_VALUE, N_("why it was lost, one of the org's loss reasons (required)")},
	AT_OPT,
	{NULL, 0, NULL},
};

static int
run_lose(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__DealLose m = PACE__V1__DEAL_LOSE__INIT;
	char op[37], summary[160];
	int code;

	if ((code = pos_id(cli, a->pos[0], _("DEAL"), &m.id)) != EXIT_OK ||
		(code = arg_time(cli, a, "at", &m.at)) != EXIT_OK)
		return code;
	if ((m.reason = (char *)arg_get(cli, a, "reason")) == NULL)
		return cli_usage_error(cli,
			_("--reason is required (see `pace admin org show`)"));
	pc_uuid(op);
	m.client_op_id = op;
	req.body_case = BODY(DEAL_LOSE);
	req.deal_lose = &m;
	snprintf(summary, sizeof(summary), _("deal %lld lost: %s"),
		(long long)m.id, m.reason);
	return write_deal(cli, &req, op, summary);
}

static const struct opt reopen_opts[] = {
	{"stage", OPT_VALUE, N_("open stage to return to (default negotiation)")},
	AT_OPT,
	{NULL, 0, NULL},
};

static int
run_reopen(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__DealReopen m = PACE__V1__DEAL_REOPEN__INIT;
	const char *stage = arg_get(cli, a, "stage");
	char op[37], summary[96];
	int st = PACE__V1__STAGE__NEGOTIATION, code;

	if ((code = pos_id(cli, a->pos[0], _("DEAL"), &m.id)) != EXIT_OK ||
		(code = arg_time(cli, a, "at", &m.at)) != EXIT_OK ||
		(stage && (code = open_stage(cli, stage, &st)) != EXIT_OK))
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.stage = (Pace__V1__Stage)st;
	req.body_case = BODY(DEAL_REOPEN);
	req.deal_reopen = &m;
	snprintf(summary, sizeof(summary), _("deal %lld reopened at %s"),
		(long long)m.id, stage_name(st));
	return write_deal(cli, &req, op, summary);
}

static const struct opt list_opts[] = {
	{"owner", OPT_VALUE, N_("only deals of this login")},
	{"team", OPT_VALUE, N_("only deals of this team")},
	{"stage", OPT_VALUE, N_("only deals in this stage")},
	{"open", OPT_FLAG, N_("only open deals (not won or lost)")},
	{"customer", OPT_VALUE, N_("only deals of this customer id")},
	{"limit", OPT_VALUE, N_("at most this many (default 100, at most 1000)")},
	{"after", OPT_VALUE, N_("only ids greater than this (paging)")},
	{NULL, 0, NULL},
};

static void
print_deal_table(struct cli *cli, const Pace__V1__DealListReply *r)
{
	const char *h[] = {_("ID"), _("TITLE"), _("CUSTOMER"), _("OWNER"),
		_("AMOUNT"), _("STAGE"), _("CLOSE")};
	struct table *t = table_new(7, h);

	table_align_right(t, 0);
	table_align_right(t, 4);
	for (size_t i = 0; i < r->n_deals; i++) {
		const Pace__V1__Deal *d = r->deals[i];
		char id[24], amt[48];
		const char *row[] = {fmt_i64(d->id, id, 0), d->title,
			d->customer, d->owner, fmt_money(cli, d->amount, amt),
			_(stage_name(d->stage)), d->expected_close};
		table_row(t, row);
	}
	table_print(t);
	table_free(t);
}

static int
run_list(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__DealList m = PACE__V1__DEAL_LIST__INIT;
	const char *stage = arg_get(cli, a, "stage");
	long limit = 0;
	int code;

	if ((code = arg_int(cli, a, "limit", 1, 1000, &limit)) != EXIT_OK ||
		(code = arg_id(cli, a, "after", &m.after_id)) != EXIT_OK ||
		(code = arg_id(cli, a, "customer", &m.customer_id)) != EXIT_OK)
		return code;
	if (stage && (m.stage = (Pace__V1__Stage)stage_from(stage)) == 0)
		return cli_usage_error(cli, _("unknown stage '%s'"), stage);
	m.limit = (int32_t)limit;
	m.open_only = arg_has(cli, a, "open");
	m.owner = (char *)opt_or_empty(cli, a, "owner");
	m.team = (char *)opt_or_empty(cli, a, "team");
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	req.body_case = BODY(DEAL_LIST);
	req.deal_list = &m;
	if ((code = cli_call(cli, &req, BODY(DEAL_LIST_REPLY), &resp)) !=
		EXIT_OK)
		return code;
	if (cli->json) {
		const Pace__V1__DealListReply *r = resp->deal_list_reply;
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < r->n_deals; i++)
			cJSON_AddItemToArray(arr, deal_json(r->deals[i]));
		json_print(arr);
	} else {
		print_deal_table(cli, resp->deal_list_reply);
	}
	msg_free(resp);
	return EXIT_OK;
}

static int
run_show(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__DealGet m = PACE__V1__DEAL_GET__INIT;
	int code;

	if ((code = pos_id(cli, a->pos[0], _("DEAL"), &m.id)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	req.body_case = BODY(DEAL_GET);
	req.deal_get = &m;
	if ((code = cli_call(cli, &req, BODY(DEAL), &resp)) != EXIT_OK)
		return code;
	if (cli->json) {
		json_print(deal_json(resp->deal));
	} else {
		print_deal(cli, resp->deal);
		print_history(resp->deal);
		contract_print(cli, resp->deal->contract);
	}
	msg_free(resp);
	return EXIT_OK;
}

static const struct opt no_opts[] = {{NULL, 0, NULL}};

const struct cmd cmds_deal[] = {
	{"deal add",
		"TITLE --customer ID [--amount X] [--stage STAGE] "
		"[--expected-close DATE] [--source S] [--product-line P] "
		"[--owner LOGIN] [--at WHEN]",
		N_("Add a deal (opportunity)"), add_opts, 1, 1, run_add},
	{"deal move", "ID STAGE [--at WHEN]",
		N_("Move a deal forward to an open stage"),
		at_opts, 2, 2, run_move},
	{"deal win", "ID [--amount X] [--signed WHEN] [--at WHEN]",
		N_("Mark a deal won and record its contract"), win_opts, 1, 1,
		run_win},
	{"deal lose", "ID --reason REASON [--at WHEN]",
		N_("Mark a deal lost, with the reason"), lose_opts, 1, 1,
		run_lose},
	{"deal reopen", "ID [--stage STAGE] [--at WHEN]",
		N_("Reopen a won or lost deal (managers and above)"),
		reopen_opts, 1, 1, run_reopen},
	{"deal list",
		"[--owner LOGIN] [--team TEAM] [--stage STAGE] [--open] "
		"[--customer ID] [--limit N] [--after ID]",
		N_("List deals"), list_opts, 0, 0, run_list},
	{"deal show", "ID",
		N_("Show a deal with its stage history, contract and payments"),
		no_opts, 1, 1, run_show},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
