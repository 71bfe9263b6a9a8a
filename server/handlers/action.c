/*
 * Action items: ActionAdd, ActionFromDiagnosis, ActionList, ActionDone,
 * ActionReopen. Who may see and change which item is decided in SQL
 * (deploy/sql/042_actions.sql, by pace.sees): a rep their own, a manager
 * their team's, directors and admins the org's. Writes are idempotent by
 * client_op_id and take "now" from the server's clock (srv_now_us), so a
 * test clock moves due days and closing times alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "jsonutil.h"
#include "review.h"
#include "server.h"

#define MAX_TEXT 500
#define MAX_NOTE 1000

static const struct stmt st_action_add = {"action_add",
	"SELECT pace.action_add($1, $2, $3, $4, $5, $6, $7::bigint, "
	"$8::bigint) AS r", 8};
static const struct stmt st_action_from_diag = {"action_from_diagnosis",
	"SELECT pace.action_from_diagnosis($1, $2, $3, $4::bigint, $5::int, $6, "
	"$7, $8, $9::bigint) AS r", 9};
static const struct stmt st_action_list = {"action_list",
	"SELECT j AS r FROM pace.action_list($1, $2::boolean, $3, $4::boolean, "
	"$5::bigint, $6::int, $7::bigint)", 7};
static const struct stmt st_action_done = {"action_done",
	"SELECT pace.action_done($1, $2, $3, $4::bigint, $5, $6::bigint) AS r",
	6};
static const struct stmt st_action_reopen = {"action_reopen",
	"SELECT pace.action_reopen($1, $2, $3, $4::bigint, $5::bigint) AS r", 5};

const struct stmt *const action_stmts[] = {&st_action_add,
	&st_action_from_diag, &st_action_list, &st_action_done,
	&st_action_reopen, NULL};

void
action_from_json(Pace__V1__ActionItem *m, const cJSON *j)
{
	pace__v1__action_item__init(m);
	m->id = json_int(j, "id");
	m->owner = (char *)json_str(j, "owner");
	m->owner_name = (char *)json_str(j, "owner_name");
	m->team = (char *)json_str(j, "team");
	m->text = (char *)json_str(j, "text");
	m->due_on = (char *)json_str(j, "due_on");
	m->done = strcmp(json_str(j, "status"), "done") == 0;
	m->created_at = json_int(j, "created_at");
	m->created_by = (char *)json_str(j, "created_by");
	m->closed_at = json_int(j, "closed_at");
	m->closed_by = (char *)json_str(j, "closed_by");
	m->note = (char *)json_str(j, "note");
	m->review_id = json_int(j, "review_id");
	m->diagnosis = (int32_t)json_int(j, "diagnosis");
	m->rule = (char *)json_str(j, "rule");
	m->outcome = (char *)json_str(j, "outcome");
}

static void
build_item(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	Pace__V1__ActionItem *m = cap_alloc(a, 1, sizeof(*m));

	action_from_json(m, j);
	f->action_item = m;
	f->body_case = BODY(ACTION_ITEM);
}

static void
item_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_item);
}

static void
par_now(struct params *p)
{
	par_int(p, (long long)srv_now_us());
}

static void
exec_action_add(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ActionAdd *m = f->action_add;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id) ||
		cap_check_str(c, id, m->owner, "owner", 64) ||
		cap_check_str(c, id, m->due_on, "due_on", 16) ||
		cap_check_str(c, id, m->text, "text", MAX_TEXT))
		return;
	if (m->review_id < 0) {
		conn_send_error(c, id, E_INVALID, "review_id", "bad review id");
		return;
	}
	par_write(&p, c, m->client_op_id, &m->base);
	par_str(&p, m->owner);
	par_str(&p, m->due_on);
	par_str(&p, m->text);
	par_int(&p, m->review_id);
	par_now(&p);
	req_write(c, id, BODY(ACTION_ADD), &st_action_add, p.v, 0, item_done);
}

static void
exec_action_from_diagnosis(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ActionFromDiagnosis *m = f->action_from_diagnosis;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id) ||
		cap_check_str(c, id, m->owner, "owner", 64) ||
		cap_check_str(c, id, m->due_on, "due_on", 16) ||
		cap_check_str(c, id, m->text, "text", MAX_TEXT))
		return;
	if (m->review_id <= 0 || m->diagnosis <= 0) {
		conn_send_error(c, id, E_INVALID, "diagnosis",
			"give a review id and a diagnosis number");
		return;
	}
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->review_id);
	par_int(&p, m->diagnosis);
	par_str(&p, m->due_on);
	par_str(&p, m->owner);
	par_str(&p, m->text);
	par_now(&p);
	req_write(c, id, BODY(ACTION_FROM_DIAGNOSIS), &st_action_from_diag, p.v,
		0, item_done);
}

static void
listed(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__ActionListReply reply = PACE__V1__ACTION_LIST_REPLY__INIT;
	struct arena a = ARENA_INIT;
	int n = PQntuples(res->res);
	cJSON **js = cap_alloc(&a, (size_t)n + 1, sizeof(*js));

	reply.items = cap_alloc(&a, (size_t)n + 1, sizeof(*reply.items));
	for (int i = 0; i < n; i++) {
		Pace__V1__ActionItem *m = cap_alloc(&a, 1, sizeof(*m));

		js[i] = db_json(res->res, i, "r");
		action_from_json(m, js[i]);
		reply.items[reply.n_items++] = m;
	}
	f.body_case = BODY(ACTION_LIST_REPLY);
	f.action_list_reply = &reply;
	req_reply(r, &f);
	for (int i = 0; i < n; i++)
		cJSON_Delete(js[i]);
	arena_free(&a);
}

static void
exec_action_list(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ActionList *m = f->action_list;
	struct params p = {0};

	if (cap_check_str(c, id, m->team, "team", 100) ||
		cap_check_limit(c, id, m->limit))
		return;
	par_actor(&p, c);
	par_bool(&p, m->mine);
	par_str(&p, m->team);
	par_bool(&p, m->open_only);
	par_int(&p, m->review_id);
	par_int(&p, m->limit);
	par_now(&p);
	req_read(c, id, BODY(ACTION_LIST), &st_action_list, p.v, listed);
}

static void
exec_action_done(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ActionDone *m = f->action_done;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id) ||
		cap_check_str(c, id, m->note, "note", MAX_NOTE))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->id);
	par_str(&p, m->note);
	par_now(&p);
	req_write(c, id, BODY(ACTION_DONE), &st_action_done, p.v, 0, item_done);
}

static void
exec_action_reopen(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ActionReopen *m = f->action_reopen;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->id);
	par_now(&p);
	req_write(c, id, BODY(ACTION_REOPEN), &st_action_reopen, p.v, 0,
		item_done);
}

const struct handler handler_action_add = {"action add", 0, ROLES_ANY,
	exec_action_add};
const struct handler handler_action_from_diagnosis = {
	"action from-diagnosis", 0, ROLES_ANY, exec_action_from_diagnosis};
const struct handler handler_action_list = {"action list", 0, ROLES_ANY,
	exec_action_list};
const struct handler handler_action_done = {"action done", 0, ROLES_ANY,
	exec_action_done};
const struct handler handler_action_reopen = {"action reopen", 0, ROLES_ANY,
	exec_action_reopen};
