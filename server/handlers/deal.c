/*
 * Deals: DealAdd/Move/Win/Lose/Reopen/Update/Get/List
 * (deploy/sql/008_deals.sql). Stage rules, scopes and rollups are SQL's;
 * here the enums are range-checked and named. DealReopen is for managers,
 * directors and admins (also checked in SQL).
 */
#include "capture.h"
#include "xmalloc.h"

static const struct stmt st_deal_add = {"deal_add",
        "SELECT pace.deal_add($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
        "$12) AS r",
        12};
static const struct stmt st_deal_move = {
        "deal_move", "SELECT pace.deal_move($1, $2, $3, $4, $5, $6) AS r", 6};
static const struct stmt st_deal_win = {
        "deal_win", "SELECT pace.deal_win($1, $2, $3, $4, $5, $6, $7) AS r", 7};
static const struct stmt st_deal_lose = {
        "deal_lose", "SELECT pace.deal_lose($1, $2, $3, $4, $5, $6) AS r", 6};
static const struct stmt st_deal_reopen = {"deal_reopen",
        "SELECT pace.deal_reopen($1, $2, $3, $4, $5, $6) AS r", 6};
static const struct stmt st_deal_update = {"deal_update",
        "SELECT pace.deal_update($1, $2, $3, $4, $5::text[], $6, $7, $8, $9, "
        "$10, $11, $12) AS r",
        12};
static const struct stmt st_deal_get = {
        "deal_get", "SELECT pace.deal_get($1, $2) AS r", 2};
static const struct stmt st_deal_list = {"deal_list",
        "SELECT pace.deal_list($1, $2, $3, $4, $5, $6, $7, $8) AS r", 8};

const struct stmt *const deal_stmts[] = {&st_deal_add, &st_deal_move,
        &st_deal_win, &st_deal_lose, &st_deal_reopen, &st_deal_update,
        &st_deal_get, &st_deal_list, NULL};

static void
build_deal(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	f->deal = cap_alloc(a, 1, sizeof(*f->deal));
	pace__v1__deal__init(f->deal);
	pb_deal(a, f->deal, j);
	f->body_case = BODY(DEAL);
}

static void
deal_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_deal);
}

/* The stage's SQL name, or NULL after answering INVALID_ARGUMENT. */
static const char *
check_stage(struct conn *c, uint32_t id, int stage)
{
	const char *s = stage_name(stage);

	if (s == NULL)
		conn_send_error(
		        c, id, E_INVALID, "stage", "unknown stage %d", stage);
	return s;
}

static void
exec_deal_add(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__DealAdd *m = f->deal_add;
	struct params p = {0};
	const char *stage;

	if (cap_check_op(c, id, m->client_op_id) ||
	        cap_check_str(c, id, m->title, "title", 200) ||
	        cap_check_str(c, id, m->expected_close, "expected_close", 10) ||
	        cap_check_str(c, id, m->source, "source", 100) ||
	        cap_check_str(c, id, m->product_line, "product_line", 100) ||
	        cap_check_str(c, id, m->owner, "owner", 64) ||
	        cap_check_at(c, id, m->at, "at") ||
	        (stage = check_stage(c, id, m->stage)) == NULL)
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_str(&p, m->title);
	par_int(&p, m->customer_id);
	par_int(&p, m->amount);
	par_str(&p, stage);
	par_str(&p, m->expected_close);
	par_str(&p, m->source);
	par_str(&p, m->product_line);
	par_str(&p, m->owner);
	par_int(&p, m->at);
	req_write(
	        c, id, BODY(DEAL_ADD), &st_deal_add, p.v, DB_NOTIFY, deal_done);
}

static void
exec_deal_move(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__DealMove *m = f->deal_move;
	struct params p = {0};
	const char *stage;

	if (cap_check_op(c, id, m->client_op_id) ||
	        cap_check_at(c, id, m->at, "at") ||
	        (stage = check_stage(c, id, m->stage)) == NULL)
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->id);
	par_str(&p, stage);
	par_int(&p, m->at);
	req_write(c, id, BODY(DEAL_MOVE), &st_deal_move, p.v, DB_NOTIFY,
	        deal_done);
}

static void
exec_deal_win(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__DealWin *m = f->deal_win;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id) ||
	        cap_check_at(c, id, m->signed_at, "signed_at") ||
	        cap_check_at(c, id, m->at, "at"))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->id);
	par_int(&p, m->amount);
	par_int(&p, m->signed_at);
	par_int(&p, m->at);
	req_write(
	        c, id, BODY(DEAL_WIN), &st_deal_win, p.v, DB_NOTIFY, deal_done);
}

static void
exec_deal_lose(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__DealLose *m = f->deal_lose;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id) ||
	        cap_check_str(c, id, m->reason, "reason", 100) ||
	        cap_check_at(c, id, m->at, "at"))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->id);
	par_str(&p, m->reason);
	par_int(&p, m->at);
	req_write(c, id, BODY(DEAL_LOSE), &st_deal_lose, p.v, DB_NOTIFY,
	        deal_done);
}

static void
exec_deal_reopen(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__DealReopen *m = f->deal_reopen;
	struct params p = {0};
	const char *stage;

	if (cap_check_op(c, id, m->client_op_id) ||
	        cap_check_at(c, id, m->at, "at") ||
	        (stage = check_stage(c, id, m->stage)) == NULL)
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->id);
	par_str(&p, stage);
	par_int(&p, m->at);
	req_write(c, id, BODY(DEAL_REOPEN), &st_deal_reopen, p.v, DB_NOTIFY,
	        deal_done);
}

static const char *const update_fields[] = {"title", "amount", "expected_close",
        "source", "product_line", "owner", NULL};

static void
exec_deal_update(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__DealUpdate *m = f->deal_update;
	struct params p = {0};
	char fields[256];

	if (cap_check_op(c, id, m->client_op_id) ||
	        cap_check_fields(c, id, m->n_fields, m->fields, update_fields,
	                fields, sizeof(fields)) ||
	        cap_check_str(c, id, m->title, "title", 200) ||
	        cap_check_str(c, id, m->expected_close, "expected_close", 10) ||
	        cap_check_str(c, id, m->source, "source", 100) ||
	        cap_check_str(c, id, m->product_line, "product_line", 100) ||
	        cap_check_str(c, id, m->owner, "owner", 64) ||
	        cap_check_at(c, id, m->at, "at"))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->id);
	par_str(&p, fields);
	par_str(&p, m->title);
	par_int(&p, m->amount);
	par_str(&p, m->expected_close);
	par_str(&p, m->source);
	par_str(&p, m->product_line);
	par_str(&p, m->owner);
	par_int(&p, m->at);
	req_write(c, id, BODY(DEAL_UPDATE), &st_deal_update, p.v, DB_NOTIFY,
	        deal_done);
}

static void
exec_deal_get(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	struct params p = {0};

	par_actor(&p, c);
	par_int(&p, f->deal_get->id);
	req_read(c, id, BODY(DEAL_GET), &st_deal_get, p.v, deal_done);
}

static void
build_list(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	Pace__V1__DealListReply *reply = cap_alloc(a, 1, sizeof(*reply));
	size_t n = (size_t)cJSON_GetArraySize(j), i = 0;
	Pace__V1__Deal *items = cap_alloc(a, n, sizeof(*items));
	const cJSON *e;

	pace__v1__deal_list_reply__init(reply);
	reply->deals = cap_alloc(a, n, sizeof(*reply->deals));
	cJSON_ArrayForEach(e, j)
	{
		pace__v1__deal__init(&items[i]);
		pb_deal(a, &items[i], e);
		reply->deals[i] = &items[i];
		i++;
	}
	reply->n_deals = i;
	f->deal_list_reply = reply;
	f->body_case = BODY(DEAL_LIST_REPLY);
}

static void
list_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_list);
}

static void
exec_deal_list(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__DealList *m = f->deal_list;
	struct params p = {0};
	const char *stage;

	if (cap_check_str(c, id, m->owner, "owner", 64) ||
	        cap_check_str(c, id, m->team, "team", 100) ||
	        cap_check_limit(c, id, m->limit) ||
	        (stage = check_stage(c, id, m->stage)) == NULL)
		return;
	par_actor(&p, c);
	par_str(&p, m->owner);
	par_str(&p, m->team);
	par_str(&p, stage);
	par_bool(&p, m->open_only);
	par_int(&p, m->customer_id);
	par_int(&p, m->limit);
	par_int(&p, m->after_id);
	req_read(c, id, BODY(DEAL_LIST), &st_deal_list, p.v, list_done);
}

#define MANAGERS                                                               \
	(ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_DIRECTOR) |                      \
	        ROLE_BIT(ROLE_MANAGER))

const struct handler handler_deal_add = {
        "deal add", 0, ROLES_ANY, exec_deal_add};
const struct handler handler_deal_move = {
        "deal move", 0, ROLES_ANY, exec_deal_move};
const struct handler handler_deal_win = {
        "deal win", 0, ROLES_ANY, exec_deal_win};
const struct handler handler_deal_lose = {
        "deal lose", 0, ROLES_ANY, exec_deal_lose};
const struct handler handler_deal_reopen = {
        "deal reopen", 0, MANAGERS, exec_deal_reopen};
const struct handler handler_deal_update = {
        "deal update", 0, ROLES_ANY, exec_deal_update};
const struct handler handler_deal_get = {
        "deal get", 0, ROLES_ANY, exec_deal_get};
const struct handler handler_deal_list = {
        "deal list", 0, ROLES_ANY, exec_deal_list};
