/* pace payment plan|receive|list: the payments of won deals' contracts. */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "offline.h"
#include "output.h"
#include "pc_money.h"
#include "pc_time.h"
#include "xmalloc.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

/* Send a payment write and print the contract the server answers with. */
static int
write_contract(struct cli *cli, pace_frame_t *req, const char *op,
	const char *summary)
{
	pace_frame_t *resp = NULL;
	const Pace__V1__Contract *c;
	char amount[48], received[48], when[32];
	int code = cli_write(cli, req, op, BODY(CONTRACT), &resp, summary);

	if (code != EXIT_OK || resp == NULL)
		return code;
	c = resp->contract;
	if (cli->json) {
		json_print(contract_json(c));
	} else {
		printf(_("Contract of deal %lld: %s signed %s, %s received.\n"),
			(long long)c->deal_id, fmt_money(cli, c->amount, amount),
			fmt_when(c->signed_at, when),
			fmt_money(cli, c->received, received));
		contract_print(cli, c);
	}
	msg_free(resp);
	return EXIT_OK;
}

static const struct opt plan_opts[] = {
	{"installment", OPT_MULTI, N_("DATE:AMOUNT, e.g. 2026-12-31:60000 (repeat for each installment)")},
	{"at", OPT_VALUE, N_("when it happened (ISO 8601, local time; default now)")},
	{NULL, 0, NULL},
};

/* "2026-12-31:6万" into spec (strings point into buf); EXIT_OK or usage. */
static int
parse_installment(struct cli *cli, const char *arg, char *buf, size_t len,
	Pace__V1__InstallmentSpec *spec)
{
	char *colon;
	enum pc_money_err e;

	snprintf(buf, len, "%s", arg);
	if ((colon = strchr(buf, ':')) == NULL)
		return cli_usage_error(cli,
			_("--installment '%s': write DATE:AMOUNT, e.g. "
			  "2026-12-31:60000"),
			arg);
	*colon = '\0';
	if (pc_date_check(buf) != 0)
		return cli_usage_error(cli,
			_("--installment '%s': not a date (write YYYY-MM-DD)"),
			arg);
	if ((e = pc_money_parse(colon + 1, &spec->amount)) != PC_MONEY_OK)
		return cli_usage_error(cli, _("--installment '%s': %s"), arg,
			_(pc_money_strerror(e)));
	spec->due_on = buf;
	return EXIT_OK;
}

static int
run_plan(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__PaymentPlan m = PACE__V1__PAYMENT_PLAN__INIT;
	Pace__V1__InstallmentSpec *specs = NULL, **ptrs = NULL;
	char **bufs = NULL, op[37], summary[96];
	const char *const *inst;
	int n = 0, code;

	if ((code = pos_id(cli, a->pos[0], _("DEAL"), &m.deal_id)) != EXIT_OK ||
		(code = arg_time(cli, a, "at", &m.at)) != EXIT_OK)
		return code;
	inst = arg_all(cli, a, "installment", &n);
	if (n == 0)
		return cli_usage_error(cli,
			_("give at least one --installment DATE:AMOUNT"));
	specs = xcalloc((size_t)n, sizeof(*specs));
	ptrs = xcalloc((size_t)n, sizeof(*ptrs));
	bufs = xcalloc((size_t)n, sizeof(*bufs));
	for (int i = 0; i < n; i++) {
		size_t len = strlen(inst[i]) + 1;
		pace__v1__installment_spec__init(&specs[i]);
		bufs[i] = xmalloc(len);
		ptrs[i] = &specs[i];
		code = parse_installment(cli, inst[i], bufs[i], len, &specs[i]);
		if (code != EXIT_OK)
			goto out;
	}
	pc_uuid(op);
	m.client_op_id = op;
	m.n_installments = (size_t)n;
	m.installments = ptrs;
	req.body_case = BODY(PAYMENT_PLAN);
	req.payment_plan = &m;
	snprintf(summary, sizeof(summary), _("plan of %d installments for deal %lld"),
		n, (long long)m.deal_id);
	code = write_contract(cli, &req, op, summary);
out:
	for (int i = 0; i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(ptrs);
	free(specs);
	return code;
}

static const struct opt receive_opts[] = {
	{"amount", OPT_VALUE, N_("the amount received (required)")},
	{"date", OPT_VALUE, N_("the day it was received, YYYY-MM-DD (default today)")},
	{"at", OPT_VALUE, N_("when it happened (ISO 8601, local time; default now)")},
	{NULL, 0, NULL},
};

static int
run_receive(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__PaymentReceive m = PACE__V1__PAYMENT_RECEIVE__INIT;
	const char *date = "";
	char op[37], summary[128], amt[48];
	int code;

	if (!arg_has(cli, a, "amount"))
		return cli_usage_error(cli, _("--amount is required"));
	if ((code = pos_id(cli, a->pos[0], _("DEAL"), &m.deal_id)) != EXIT_OK ||
		(code = arg_money(cli, a, "amount", &m.amount)) != EXIT_OK ||
		(code = arg_date(cli, a, "date", &date)) != EXIT_OK ||
		(code = arg_time(cli, a, "at", &m.at)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.received_on = (char *)date;
	req.body_case = BODY(PAYMENT_RECEIVE);
	req.payment_receive = &m;
	snprintf(summary, sizeof(summary), _("%s received for deal %lld"),
		pc_money_plain(m.amount, amt, sizeof(amt)), (long long)m.deal_id);
	return write_contract(cli, &req, op, summary);
}

static const struct opt list_opts[] = {
	{"overdue", OPT_FLAG, N_("only installments past due and not fully paid")},
	{"deal", OPT_VALUE, N_("only this deal's installments")},
	{"owner", OPT_VALUE, N_("only deals of this login")},
	{"team", OPT_VALUE, N_("only deals of this team")},
	{"limit", OPT_VALUE, N_("at most this many (default 100, at most 1000)")},
	{NULL, 0, NULL},
};

static void
print_rows(struct cli *cli, const Pace__V1__PaymentListReply *r)
{
	const char *h[] = {_("DEAL"), _("TITLE"), _("CUSTOMER"), _("OWNER"),
		_("DUE"), _("AMOUNT"), _("RECEIVED"), _("STATUS")};
	struct table *t = table_new(8, h);

	table_align_right(t, 0);
	table_align_right(t, 5);
	table_align_right(t, 6);
	for (size_t i = 0; i < r->n_rows; i++) {
		const Pace__V1__PaymentRow *p = r->rows[i];
		const Pace__V1__Installment *in = p->installment;
		char id[24], due[48], got[48];
		const char *status = in ? tr(in->status) : "";
		const char *row[] = {fmt_i64(p->deal_id, id, 0), p->deal,
			p->customer, p->owner, in ? in->due_on : "",
			in ? fmt_money(cli, in->amount_due, due) : "",
			in ? fmt_money(cli, in->amount_received, got) : "",
			status};
		table_row(t, row);
	}
	table_print(t);
	table_free(t);
}

static int
run_list(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__PaymentList m = PACE__V1__PAYMENT_LIST__INIT;
	const char *owner = arg_get(cli, a, "owner"), *team = arg_get(cli, a, "team");
	long limit = 0;
	int code;

	if ((code = arg_id(cli, a, "deal", &m.deal_id)) != EXIT_OK ||
		(code = arg_int(cli, a, "limit", 1, 1000, &limit)) != EXIT_OK)
		return code;
	m.overdue_only = arg_has(cli, a, "overdue");
	m.limit = (int32_t)limit;
	m.owner = (char *)(owner ? owner : "");
	m.team = (char *)(team ? team : "");
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	req.body_case = BODY(PAYMENT_LIST);
	req.payment_list = &m;
	if ((code = cli_call(cli, &req, BODY(PAYMENT_LIST_REPLY), &resp)) !=
		EXIT_OK)
		return code;
	if (cli->json) {
		const Pace__V1__PaymentListReply *r = resp->payment_list_reply;
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < r->n_rows; i++)
			cJSON_AddItemToArray(arr, payment_row_json(r->rows[i]));
		json_print(arr);
	} else {
		print_rows(cli, resp->payment_list_reply);
	}
	msg_free(resp);
	return EXIT_OK;
}

const struct cmd cmds_payment[] = {
	{"payment plan", "DEAL --installment DATE:AMOUNT ... [--at WHEN]",
		N_("Set the installment plan of a won deal's contract"),
		plan_opts, 1, 1, run_plan},
	{"payment receive", "DEAL --amount X [--date DATE] [--at WHEN]",
		N_("Record a payment received for a won deal"), receive_opts, 1,
		1, run_receive},
	{"payment list",
		"[--overdue] [--deal ID] [--owner LOGIN] [--team TEAM] "
		"[--limit N]",
		N_("List installments and what was received"), list_opts, 0, 0,
		run_list},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
