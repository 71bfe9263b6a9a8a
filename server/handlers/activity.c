/*
 * Activities: ActivityLog/List (deploy/sql/009_activities.sql). The author
 * is always the acting user; the customer (and deal) must be in scope.
 */
#include "capture.h"
#include "xmalloc.h"

static const struct stmt st_activity_log = {"activity_log",
        "SELECT pace.activity_log($1, $2, $3, $4, $5, $6, $7, $8, $9) AS r", 9};
static const struct stmt st_activity_list = {"activity_list",
        "SELECT pace.activity_list($1, $2, $3, $4, $5, $6, $7, $8, $9) AS r",
        9};

const struct stmt *const activity_stmts[] = {
        &st_activity_log, &st_activity_list, NULL};

static void
build_activity(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	f->activity = cap_alloc(a, 1, sizeof(*f->activity));
	pace__v1__activity__init(f->activity);
	pb_activity(f->activity, j);
	f->body_case = BODY(ACTIVITY);
}

static void
activity_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_activity);
}

static void
exec_activity_log(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ActivityLog *m = f->activity_log;
	struct params p = {0};
	const char *kind = kind_name(m->kind);

	if (cap_check_op(c, id, m->client_op_id))
		return;
	if (kind == NULL || *kind == '\0') {
		conn_send_error(c, id, E_INVALID, "kind",
		        "kind: call, visit, email or meeting");
		return;
	}
	if (cap_check_str(c, id, m->note, "note", 2000) ||
	        cap_check_at(c, id, m->at, "at"))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_str(&p, kind);
	par_int(&p, m->customer_id);
	par_int(&p, m->deal_id);
	par_int(&p, m->at);
	par_int(&p, m->duration_min);
	par_str(&p, m->note);
	req_write(c, id, BODY(ACTIVITY_LOG), &st_activity_log, p.v, DB_NOTIFY,
	        activity_done);
}

static void
build_list(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	Pace__V1__ActivityListReply *reply = cap_alloc(a, 1, sizeof(*reply));
	size_t n = (size_t)cJSON_GetArraySize(j), i = 0;
	Pace__V1__Activity *items = cap_alloc(a, n, sizeof(*items));
	const cJSON *e;

	pace__v1__activity_list_reply__init(reply);
	reply->activities = cap_alloc(a, n, sizeof(*reply->activities));
	cJSON_ArrayForEach(e, j)
	{
		pace__v1__activity__init(&items[i]);
		pb_activity(&items[i], e);
		reply->activities[i] = &items[i];
		i++;
	}
	reply->n_activities = i;
	f->activity_list_reply = reply;
	f->body_case = BODY(ACTIVITY_LIST_REPLY);
}

static void
list_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_list);
}

static void
exec_activity_list(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ActivityList *m = f->activity_list;
	struct params p = {0};

	if (cap_check_str(c, id, m->user, "user", 64) ||
	        cap_check_str(c, id, m->team, "team", 100) ||
	        cap_check_at(c, id, m->from, "from") ||
	        cap_check_at(c, id, m->to, "to") ||
	        cap_check_limit(c, id, m->limit))
		return;
	par_actor(&p, c);
	par_str(&p, m->user);
	par_str(&p, m->team);
	par_int(&p, m->customer_id);
	par_int(&p, m->deal_id);
	par_int(&p, m->from);
	par_int(&p, m->to);
	par_int(&p, m->limit);
	par_int(&p, m->after_id);
	req_read(c, id, BODY(ACTIVITY_LIST), &st_activity_list, p.v, list_done);
}

const struct handler handler_activity_log = {
        "activity log", 0, ROLES_ANY, exec_activity_log};
const struct handler handler_activity_list = {
        "activity list", 0, ROLES_ANY, exec_activity_list};
