/*
 * pace action add|list|done|reopen|from-diagnosis: the action items that
 * reviews produce, tracked until they are closed (issue 7). Writes work
 * offline (offline.h), except from-diagnosis without --text, which reads
 * the review to word the item in the reader's language.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "offline.h"
#include "output.h"
#include "pc_time.h"
#include "review_render.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static const struct opt add_opts[] = {
	{"owner", OPT_VALUE, N_("whose item it is, by login (default: me)"), 0},
	{"due", OPT_VALUE, N_("the day it is due, YYYY-MM-DD (required)"), 0},
	{"review", OPT_VALUE, N_("the review it comes from, by id"), 0},
	{NULL, 0, NULL, 0},
};

static const struct opt list_opts[] = {
	{"mine", OPT_FLAG, N_("only my own items"), 0},
	{"team", OPT_VALUE, N_("only this team's items"), 0},
	{"open", OPT_FLAG, N_("only open items"), 0},
	{"review", OPT_VALUE, N_("only the items of this review"), 0},
	{"limit", OPT_VALUE, N_("at most this many (default 100)"), 0},
	{NULL, 0, NULL, 0},
};

static const struct opt done_opts[] = {
	{"note", OPT_VALUE, N_("what was done"), 0},
	{NULL, 0, NULL, 0},
};

static const struct opt no_opts[] = {{NULL, 0, NULL, 0}};

static const struct opt diag_opts[] = {
	{"due", OPT_VALUE, N_("the day it is due (default: a week from today)"), 0},
	{"owner", OPT_VALUE, N_("whose item it is (default: the member diagnosed)"), 0},
	{"text", OPT_VALUE, N_("the action (default: the diagnosis in words)"), 0},
	{NULL, 0, NULL, 0},
};

static const char *
outcome_word(const Pace__V1__ActionItem *a)
{
	if (strcmp(a->outcome, "on_time") == 0)
		return _("done on time");
	if (strcmp(a->outcome, "late") == 0)
		return _("done late");
	if (strcmp(a->outcome, "overdue") == 0)
		return _("overdue");
	return _("open");
}

static void
item_print(const Pace__V1__ActionItem *a)
{
	char id[24], rv[48] = "", closed[32] = "";

	snprintf(id, sizeof(id), "%lld", (long long)a->id);
	if (a->review_id && a->diagnosis)
		snprintf(rv, sizeof(rv), _("%lld, diagnosis %d"),
			(long long)a->review_id, a->diagnosis);
	else if (a->review_id)
		snprintf(rv, sizeof(rv), "%lld", (long long)a->review_id);
	if (a->closed_at)
		pc_time_format(a->closed_at, closed, sizeof(closed));
	const char *kv[] = {_("ID"), id, _("Owner"), a->owner_name,
		_("Action"), a->text, _("Due"), a->due_on,
		_("Status"), outcome_word(a), _("Closed"), closed,
		_("Closed by"), a->closed_by, _("Note"), a->note,
		_("Review"), rv, _("Added by"), a->created_by};
	kv_print(kv, 10);
}

/*
 * Send an action item write and print the item the server answers with;
 * `what` says what was done, with the item's id (%lld).
 */
static int
write_item(struct cli *cli, pace_frame_t *req, const char *op,
	const char *summary, const char *what)
{
	pace_frame_t *resp = NULL;
	const Pace__V1__ActionItem *a;
	int code = cli_write(cli, req, op, BODY(ACTION_ITEM), &resp, summary);

	if (code != EXIT_OK || resp == NULL)
		return code;
	a = resp->action_item;
	if (cli->json) {
		json_print(action_item_json(a));
	} else {
		printf(what, (long long)a->id);
		printf("\n");
		item_print(a);
	}
	msg_free(resp);
	return EXIT_OK;
}

static int
run_add(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__ActionAdd m = PACE__V1__ACTION_ADD__INIT;
	const char *owner = arg_get(cli, a, "owner"), *due = NULL;
	char op[37], summary[128];
	int code;

	if (!arg_has(cli, a, "due"))
		return cli_usage_error(cli, _("--due is required"));
	if ((code = arg_date(cli, a, "due", &due)) != EXIT_OK ||
		(code = arg_id(cli, a, "review", &m.review_id)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.owner = (char *)(owner ? owner : "");
	m.due_on = (char *)due;
	m.text = a->pos[0];
	req.body_case = BODY(ACTION_ADD);
	req.action_add = &m;
	snprintf(summary, sizeof(summary), _("action item due %s"), due);
	return write_item(cli, &req, op, summary,
		_("Action item %lld added."));
}

static int
run_list(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__ActionList m = PACE__V1__ACTION_LIST__INIT;
	const Pace__V1__ActionListReply *r;
	const char *team = arg_get(cli, a, "team");
	long limit = 0;
	int code;

	if (team && arg_has(cli, a, "mine"))
		return cli_usage_error(cli, _("give --mine or --team, not both"));
	if ((code = arg_id(cli, a, "review", &m.review_id)) != EXIT_OK ||
		(code = arg_int(cli, a, "limit", 1, 1000, &limit)) != EXIT_OK)
		return code;
	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	m.mine = arg_has(cli, a, "mine");
	m.team = (char *)(team ? team : "");
	m.open_only = arg_has(cli, a, "open");
	m.limit = (int32_t)limit;
	req.body_case = BODY(ACTION_LIST);
	req.action_list = &m;
	if ((code = cli_call(cli, &req, BODY(ACTION_LIST_REPLY), &resp)) != EXIT_OK)
		return code;
	r = resp->action_list_reply;
	if (cli->json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < r->n_items; i++)
			cJSON_AddItemToArray(arr, action_item_json(r->items[i]));
		json_print(arr);
	} else if (r->n_items == 0) {
		printf(_("No action items.\n"));
	} else {
		const char *h[] = {_("ID"), _("OWNER"), _("ACTION"), _("DUE"),
			_("STATUS"), _("REVIEW")};
		struct table *t = table_new(6, h);

		table_align_right(t, 0);
		for (size_t i = 0; i < r->n_items; i++) {
			const Pace__V1__ActionItem *x = r->items[i];
			char id[24], rv[24] = "", st[64], text[80];
			const char *color = strcmp(x->outcome, "overdue") == 0 ?
				col_red() :
				x->done ? col_green() :
					  "";

			snprintf(id, sizeof(id), "%lld", (long long)x->id);
			if (x->review_id)
				snprintf(rv, sizeof(rv), "#%lld",
					(long long)x->review_id);
			snprintf(st, sizeof(st), "%s%s%s", color, outcome_word(x),
				*color ? col_reset() : "");
			/* Long texts are cut on a character boundary. */
			snprintf(text, sizeof(text), "%s", x->text);
			if (strlen(x->text) >= sizeof(text)) {
				size_t n = sizeof(text) - 4;
				while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
					n--;
				snprintf(text + n, sizeof(text) - n, "…");
			}
			const char *row[] = {id, x->owner_name, text, x->due_on, st,
				rv};
			table_row(t, row);
		}
		table_print(t);
		table_free(t);
	}
	msg_free(resp);
	return EXIT_OK;
}

static int
run_done(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__ActionDone m = PACE__V1__ACTION_DONE__INIT;
	const char *note = arg_get(cli, a, "note");
	char op[37], summary[64];
	int code;

	if ((code = pos_id(cli, a->pos[0], "action item", &m.id)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	m.note = (char *)(note ? note : "");
	req.body_case = BODY(ACTION_DONE);
	req.action_done = &m;
	snprintf(summary, sizeof(summary), _("close action item %lld"),
		(long long)m.id);
	return write_item(cli, &req, op, summary,
		_("Action item %lld is done."));
}

static int
run_reopen(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__ActionReopen m = PACE__V1__ACTION_REOPEN__INIT;
	char op[37], summary[64];
	int code;

	if ((code = pos_id(cli, a->pos[0], "action item", &m.id)) != EXIT_OK)
		return code;
	pc_uuid(op);
	m.client_op_id = op;
	req.body_case = BODY(ACTION_REOPEN);
	req.action_reopen = &m;
	snprintf(summary, sizeof(summary), _("reopen action item %lld"),
		(long long)m.id);
	return write_item(cli, &req, op, summary,
		_("Action item %lld is open again."));
}

/* The diagnosis in the reader's words, read from the stored review. */
static int
diagnosis_words(struct cli *cli, int64_t review, long n, char *buf,
	size_t len)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__ReviewGet m = PACE__V1__REVIEW_GET__INIT;
	cJSON *doc, *d;
	int code;

	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	m.id = review;
	m.period = "";
	req.body_case = BODY(REVIEW_GET);
	req.review_get = &m;
	if ((code = cli_call(cli, &req, BODY(REVIEW), &resp)) != EXIT_OK)
		return code;
	doc = review_doc(resp->review);
	buf[0] = '\0';
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(doc, "diagnoses"))
	{
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(d, "n");
		if (cJSON_IsNumber(k) && (long)k->valuedouble == n)
			review_diagnosis_text(d,
				cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
					doc, "currency")),
				buf, len);
	}
	cJSON_Delete(doc);
	msg_free(resp);
	/* Unknown number: the server says so (and the text stays empty). */
	return EXIT_OK;
}

static int
run_from_diagnosis(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__ActionFromDiagnosis m = PACE__V1__ACTION_FROM_DIAGNOSIS__INIT;
	const char *owner = arg_get(cli, a, "owner");
	const char *text = arg_get(cli, a, "text"), *due = NULL;
	char op[37], summary[64], words[500];
	long n;
	int code;

	if ((code = pos_id(cli, a->pos[0], "review", &m.review_id)) != EXIT_OK)
		return code;
	n = strtol(a->pos[1], NULL, 10);
	if (n < 1 || n > 100000 || strspn(a->pos[1], "0123456789") !=
						strlen(a->pos[1]))
		return cli_usage_error(cli,
			_("N is the diagnosis's number in the review, not '%s'"),
			a->pos[1]);
	if ((code = arg_date(cli, a, "due", &due)) != EXIT_OK)
		return code;
	if (text == NULL) {
		if ((code = diagnosis_words(cli, m.review_id, n, words,
			     sizeof(words))) != EXIT_OK)
			return code;
		text = words;
	}
	pc_uuid(op);
	m.client_op_id = op;
	m.diagnosis = (int32_t)n;
	m.due_on = (char *)(due ? due : "");
	m.owner = (char *)(owner ? owner : "");
	m.text = (char *)text;
	req.body_case = BODY(ACTION_FROM_DIAGNOSIS);
	req.action_from_diagnosis = &m;
	snprintf(summary, sizeof(summary), _("action item from review %lld, "
					     "diagnosis %ld"),
		(long long)m.review_id, n);
	return write_item(cli, &req, op, summary,
		_("Action item %lld added."));
}

const struct cmd cmds_action[] = {
	{"action add", "TEXT --due DATE [--owner L] [--review ID]",
		N_("Add an action item (for yourself, or for your team as a "
		   "manager)"),
		add_opts, 1, 1, run_add},
	{"action list", "[--mine|--team T] [--open] [--review ID] [--limit N]",
		N_("List action items: your own, your team's, or the org's"),
		list_opts, 0, 0, run_list},
	{"action done", "ID [--note TEXT]", N_("Close an action item"),
		done_opts, 1, 1, run_done},
	{"action reopen", "ID", N_("Open a closed action item again"), no_opts,
		1, 1, run_reopen},
	{"action from-diagnosis", "REVIEW_ID N [--due DATE] [--owner L] [--text TEXT]",
		N_("Turn diagnosis N of a review into an action item for the "
		   "member diagnosed"),
		diag_opts, 2, 2, run_from_diagnosis},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
