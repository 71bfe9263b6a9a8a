/* pace customer add|update|list|show. */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "offline.h"
#include "output.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static void
print_customer(struct cli *cli, const Pace__V1__Customer *c)
{
	char id[24], created[32], updated[32];
	const char *kv[] = {
		_("ID"), fmt_i64(c->id, id, 0),
		_("Name"), c->name,
		_("Industry"), c->industry,
		_("Size"), c->size_band,
		_("Region"), c->region,
		_("Owner"), c->owner,
		_("Created"), fmt_when(c->created_at, created),
		_("Updated"), fmt_when(c->updated_at, updated),
	};

	kv_print(kv, 8);
}

/* Print what the server stored (write commands). */
static void
print_stored(struct cli *cli, const Pace__V1__Customer *c, int added)
{
	if (cli->json) {
		json_print(customer_json(c));
		return;
	}
	if (added)
		printf(_("Added customer %lld: %s\n"), (long long)c->id, c->name);
	else
		printf(_("Updated customer %lld: %s\n"), (long long)c->id,
			c->name);
	print_customer(cli, c);
}

static const struct opt add_opts[] = {
	{"industry", OPT_VALUE, N_("industry, e.g. manufacturing")},
	{"size", OPT_VALUE, N_("size band: small, medium, large or enterprise")},
	{"region", OPT_VALUE, N_("region, e.g. 华东")},
	{"owner", OPT_VALUE, N_("login of the owning rep (default: you)")},
	{"at", OPT_VALUE, N_("when it happened (ISO 8601, local time; default now)")},
	{NULL, 0, NULL},
};

static const char *
opt_or_empty(const struct cli *cli, const struct args *a, const char *name)
{
	const char *v = arg_get(cli, a, name);

	return v ? v : "";
}

static int
run_add(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__CustomerAdd m = PACE__V1__CUSTOMER_ADD__INIT;
	char op[37];
	int code;

	if ((code = arg_time(cli, a, "at", &m.at)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.name = a->pos[0];
	m.industry = (char *)opt_or_empty(cli, a, "industry");
	m.size_band = (char *)opt_or_empty(cli, a, "size");
	m.region = (char *)opt_or_empty(cli, a, "region");
	m.owner = (char *)opt_or_empty(cli, a, "owner");
	req.body_case = BODY(CUSTOMER_ADD);
	req.customer_add = &m;
	code = cli_write(cli, &req, op, BODY(CUSTOMER), &resp, m.name);
	if (code != EXIT_OK || resp == NULL)
		return code;
	print_stored(cli, resp->customer, 1);
	msg_free(resp);
	return EXIT_OK;
}

static const struct opt update_opts[] = {
	{"name", OPT_VALUE, N_("new name")},
	{"industry", OPT_VALUE, N_("industry, e.g. manufacturing")},
	{"size", OPT_VALUE, N_("size band: small, medium, large or enterprise")},
	{"region", OPT_VALUE, N_("region, e.g. 华东")},
	{"owner", OPT_VALUE, N_("login of the owning rep")},
	{"at", OPT_VALUE, N_("when it happened (ISO 8601, local time; default now)")},
	{NULL, 0, NULL},
};

static int
run_update(struct cli *cli, struct args *a)
{
	static const char *const names[] = {"name", "industry", "size",
		"region", "owner"};
	static const char *const fields[] = {"name", "industry", "size_band",
		"region", "owner"};
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__CustomerUpdate m = PACE__V1__CUSTOMER_UPDATE__INIT;
	char *changed[5], op[37], summary[160];
	char **dst[] = {&m.name, &m.industry, &m.size_band, &m.region, &m.owner};
	int code;

	if ((code = pos_id(cli, a->pos[0], _("CUSTOMER"), &m.id)) != EXIT_OK ||
		(code = arg_time(cli, a, "at", &m.at)) != EXIT_OK)
		return code;
	for (int i = 0; i < 5; i++) {
		const char *v = arg_get(cli, a, names[i]);
		if (v == NULL)
			continue;
		*dst[i] = (char *)v;
		changed[m.n_fields++] = (char *)fields[i];
	}
	if (m.n_fields == 0)
		return cli_usage_error(cli, _("nothing to change: give at least "
					      "one of --name, --industry, --size, "
					      "--region, --owner"));
	m.fields = changed;
	pc_uuid(op);
	m.client_op_id = op;
	req.body_case = BODY(CUSTOMER_UPDATE);
	req.customer_update = &m;
	snprintf(summary, sizeof(summary), _("customer %lld"), (long long)m.id);
	code = cli_write(cli, &req, op, BODY(CUSTOMER), &resp, summary);
	if (code != EXIT_OK || resp == NULL)
		return code;
	print_stored(cli, resp->customer, 0);
	msg_free(resp);
	return EXIT_OK;
}

static const struct opt list_opts[] = {
	{"owner", OPT_VALUE, N_("only customers of this login")},
	{"team", OPT_VALUE, N_("only customers of this team")},
	{"search", OPT_VALUE, N_("only names containing this text")},
	{"limit", OPT_VALUE, N_("at most this many (default 100, at most 1000)")},
	{"after", OPT_VALUE, N_("only ids greater than this (paging)")},
	{NULL, 0, NULL},
};

static int
run_list(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__CustomerList m = PACE__V1__CUSTOMER_LIST__INIT;
	const Pace__V1__CustomerListReply *r;
	long limit = 0;
	int code;

	if ((code = arg_int(cli, a, "limit", 1, 1000, &limit)) != EXIT_OK ||
		(code = arg_id(cli, a, "after", &m.after_id)) != EXIT_OK)
		return code;
	m.limit = (int32_t)limit;
	m.owner = (char *)opt_or_empty(cli, a, "owner");
	m.team = (char *)opt_or_empty(cli, a, "team");
	m.search = (char *)opt_or_empty(cli, a, "search");
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	req.body_case = BODY(CUSTOMER_LIST);
	req.customer_list = &m;
	code = cli_call(cli, &req, BODY(CUSTOMER_LIST_REPLY), &resp);
	if (code != EXIT_OK)
		return code;
	r = resp->customer_list_reply;
	if (cli->json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < r->n_customers; i++)
			cJSON_AddItemToArray(arr, customer_json(r->customers[i]));
		json_print(arr);
	} else {
		const char *h[] = {_("ID"), _("NAME"), _("INDUSTRY"), _("SIZE"),
			_("REGION"), _("OWNER")};
		struct table *t = table_new(6, h);
		table_align_right(t, 0);
		for (size_t i = 0; i < r->n_customers; i++) {
			const Pace__V1__Customer *c = r->customers[i];
			char id[24];
			const char *row[] = {fmt_i64(c->id, id, 0), c->name,
				c->industry, c->size_band, c->region, c->owner};
			table_row(t, row);
		}
		table_print(t);
		table_free(t);
	}
	msg_free(resp);
	return EXIT_OK;
}

static int
run_show(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__CustomerGet m = PACE__V1__CUSTOMER_GET__INIT;
	int code;

	if ((code = pos_id(cli, a->pos[0], _("CUSTOMER"), &m.id)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	req.body_case = BODY(CUSTOMER_GET);
	req.customer_get = &m;
	if ((code = cli_call(cli, &req, BODY(CUSTOMER), &resp)) != EXIT_OK)
		return code;
	if (cli->json)
		json_print(customer_json(resp->customer));
	else
		print_customer(cli, resp->customer);
	msg_free(resp);
	return EXIT_OK;
}

static const struct opt no_opts[] = {{NULL, 0, NULL}};

const struct cmd cmds_customer[] = {
	{"customer add",
		"NAME [--industry X] [--size BAND] [--region R] [--owner LOGIN] "
		"[--at WHEN]",
		N_("Add a customer"), add_opts, 1, 1, run_add},
	{"customer update",
		"ID [--name X] [--industry X] [--size BAND] [--region R] "
		"[--owner LOGIN] [--at WHEN]",
		N_("Change a customer's details"), update_opts, 1, 1, run_update},
	{"customer list",
		"[--owner LOGIN] [--team TEAM] [--search TEXT] [--limit N] "
		"[--after ID]",
		N_("List customers"), list_opts, 0, 0, run_list},
	{"customer show", "ID", N_("Show one customer"), no_opts, 1, 1,
		run_show},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
