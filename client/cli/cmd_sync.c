/* pace sync, pace outbox: replay and inspect the offline outbox. */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "offline.h"
#include "output.h"
#include "pc_outbox.h"

static int
run_sync(struct cli *cli, struct args *a)
{
	struct replay_result r;
	int code;

	/* Replay here, loudly, rather than quietly in cli_session(). */
	cli->outbox_checked = 1;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	if (offline_replay(cli, &r) != 0)
		return EXIT_ERROR;
	if (cli->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "sent", (double)r.sent);
		cJSON_AddNumberToObject(j, "rejected", (double)r.rejected);
		cJSON_AddNumberToObject(j, "pending", (double)r.pending);
		json_print(j);
	} else {
		printf(_("Synced: %ld sent, %ld rejected, %ld still pending.\n"),
			r.sent, r.rejected, r.pending);
		if (r.rejected > 0)
			printf(_("See `pace outbox` for why the server rejected "
				 "writes.\n"));
	}
	if (r.stop_rc)
		return cli_fail(cli, r.stop_rc);
	return EXIT_OK;
}

static const char *
status_name(const struct pc_outbox_item *it)
{
	return it->status == PC_OUTBOX_REJECTED ? N_("rejected") : N_("pending");
}

static cJSON *
item_json(const struct pc_outbox_item *it)
{
	cJSON *j = cJSON_CreateObject();

	json_add_i64(j, "seq", it->seq);
	json_add_time(j, "created_at", it->created_at);
	cJSON_AddStringToObject(j, "server", it->server);
	cJSON_AddStringToObject(j, "login", it->login);
	cJSON_AddStringToObject(j, "command", it->kind);
	cJSON_AddStringToObject(j, "summary", it->summary);
	cJSON_AddStringToObject(j, "op_id", it->op_id);
	cJSON_AddStringToObject(j, "status", status_name(it));
	if (it->status == PC_OUTBOX_REJECTED) {
		cJSON *e = cJSON_AddObjectToObject(j, "error");
		cJSON_AddStringToObject(e, "code", it->err_code);
		cJSON_AddStringToObject(e, "message", it->err_message);
		cJSON_AddStringToObject(e, "field", it->err_field);
	} else {
		cJSON_AddNullToObject(j, "error");
	}
	return j;
}

/* The server column only matters when some item is for another server. */
static int
other_servers(const struct cli *cli, const struct pc_outbox_item *items,
	size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].server, cli->server) != 0)
			return 1;
	return 0;
}

static void
print_items(const struct cli *cli, const struct pc_outbox_item *items,
	size_t n)
{
	const char *h[] = {_("SEQ"), _("QUEUED"), _("USER"), _("COMMAND"),
		_("WHAT"), _("STATUS"), _("REASON"), _("SERVER")};
	int ncols = other_servers(cli, items, n) ? 8 : 7;
	struct table *t = table_new(ncols, h);

	table_align_right(t, 0);
	for (size_t i = 0; i < n; i++) {
		const struct pc_outbox_item *it = &items[i];
		char seq[24], when[32], reason[600] = "";
		const char *row[] = {fmt_i64(it->seq, seq, 0),
			fmt_when(it->created_at, when), it->login, it->kind,
			it->summary, _(status_name(it)), reason, it->server};

		if (it->status == PC_OUTBOX_REJECTED && *it->err_field)
			snprintf(reason, sizeof(reason), "%s (%s)",
				tr(it->err_message), it->err_field);
		else if (it->status == PC_OUTBOX_REJECTED)
			snprintf(reason, sizeof(reason), "%s",
				*it->err_message ? tr(it->err_message) :
						   it->err_code);
		table_row(t, row);
	}
	table_print(t);
	table_free(t);
}

static const struct opt outbox_opts[] = {
	{"clear-rejected", OPT_FLAG, N_("drop the writes the server rejected")},
	{NULL, 0, NULL},
};

static int
run_outbox(struct cli *cli, struct args *a)
{
	struct pc_outbox *ob = NULL;
	struct pc_outbox_item *items = NULL;
	size_t n = 0;
	int rc = pc_outbox_open(NULL, 0, &ob), code = EXIT_OK;

	if (rc != 0 && rc != E_NOTFOUND) {
		fprintf(stderr, _("pace: cannot read the offline outbox: %s\n"),
			pc_outbox_error(ob));
		pc_outbox_close(ob);
		return EXIT_ERROR;
	}
	if (arg_has(cli, a, "clear-rejected")) {
		int64_t dropped = 0;
		if (rc == 0 && pc_outbox_clear_rejected(ob, &dropped) != 0) {
			fprintf(stderr, _("pace: cannot change the offline outbox: %s\n"),
				pc_outbox_error(ob));
			code = EXIT_ERROR;
		} else if (cli->json) {
			cJSON *j = cJSON_CreateObject();
			json_add_i64(j, "dropped", dropped);
			json_print(j);
		} else {
			printf(_("Dropped %lld rejected writes.\n"),
				(long long)dropped);
		}
		pc_outbox_close(ob);
		return code;
	}
	if (rc == 0 && pc_outbox_list(ob, &items, &n) != 0) {
		fprintf(stderr, _("pace: cannot read the offline outbox: %s\n"),
			pc_outbox_error(ob));
		pc_outbox_close(ob);
		return EXIT_ERROR;
	}
	if (cli->json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, item_json(&items[i]));
		json_print(arr);
	} else if (n == 0) {
		printf(_("The outbox is empty: nothing waits to be sent.\n"));
	} else {
		print_items(cli, items, n);
	}
	pc_outbox_items_free(items, n);
	pc_outbox_close(ob);
	return EXIT_OK;
}

static const struct opt no_opts[] = {{NULL, 0, NULL}};

const struct cmd cmds_sync[] = {
	{"sync", "", N_("Send the writes queued while offline"), no_opts, 0, 0,
		run_sync},
	{"outbox", "[--clear-rejected]",
		N_("List the writes queued offline, and those the server rejected"),
		outbox_opts, 0, 0, run_outbox},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
