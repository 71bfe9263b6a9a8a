/*
 * Customers: CustomerAdd/Update/Get/List (deploy/sql/006_customers.sql).
 * Every logged-in role; scopes are enforced in SQL (a rep: own customers,
 * a manager: the team's, directors and admins: the org's).
 */
#include "capture.h"
#include "xmalloc.h"

static const struct stmt st_customer_add = {"customer_add",
        "SELECT pace.customer_add($1, $2, $3, $4, $5, $6, $7, $8, $9) AS r", 9};
static const struct stmt st_customer_update = {"customer_update",
        "SELECT pace.customer_update($1, $2, $3, $4, $5::text[], $6, $7, $8, "
        "$9, $10, $11) AS r",
        11};
static const struct stmt st_customer_get = {
        "customer_get", "SELECT pace.customer_get($1, $2) AS r", 2};
static const struct stmt st_customer_list = {"customer_list",
        "SELECT pace.customer_list($1, $2, $3, $4, $5, $6) AS r", 6};

const struct stmt *const customer_stmts[] = {&st_customer_add,
        &st_customer_update, &st_customer_get, &st_customer_list, NULL};

static void
build_customer(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	f->customer = cap_alloc(a, 1, sizeof(*f->customer));
	pace__v1__customer__init(f->customer);
	pb_customer(f->customer, j);
	f->body_case = BODY(CUSTOMER);
}

static void
customer_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_customer);
}

static int
check_texts(struct conn *c, uint32_t id, const char *name, const char *industry,
        const char *size_band, const char *region, const char *owner)
{
	return cap_check_str(c, id, name, "name", 200) ||
	        cap_check_str(c, id, industry, "industry", 100) ||
	        cap_check_str(c, id, size_band, "size_band", 100) ||
	        cap_check_str(c, id, region, "region", 100) ||
	        cap_check_str(c, id, owner, "owner", 64);
}

static void
exec_customer_add(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__CustomerAdd *m = f->customer_add;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id) ||
	        check_texts(c, id, m->name, m->industry, m->size_band,
	                m->region, m->owner) ||
	        cap_check_at(c, id, m->at, "at"))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_str(&p, m->name);
	par_str(&p, m->industry);
	par_str(&p, m->size_band);
	par_str(&p, m->region);
	par_str(&p, m->owner);
	par_int(&p, m->at);
	req_write(c, id, BODY(CUSTOMER_ADD), &st_customer_add, p.v, 0,
	        customer_done);
}

static const char *const update_fields[] = {
        "name", "industry", "size_band", "region", "owner", NULL};

static void
exec_customer_update(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__CustomerUpdate *m = f->customer_update;
	struct params p = {0};
	char fields[256];

	if (cap_check_op(c, id, m->client_op_id) ||
	        cap_check_fields(c, id, m->n_fields, m->fields, update_fields,
	                fields, sizeof(fields)) ||
	        check_texts(c, id, m->name, m->industry, m->size_band,
	                m->region, m->owner) ||
	        cap_check_at(c, id, m->at, "at"))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->id);
	par_str(&p, fields);
	par_str(&p, m->name);
	par_str(&p, m->industry);
	par_str(&p, m->size_band);
	par_str(&p, m->region);
	par_str(&p, m->owner);
	par_int(&p, m->at);
	/* The "mix" KPI groups customers by industry, size and region. */
	req_write(c, id, BODY(CUSTOMER_UPDATE), &st_customer_update, p.v,
	        DB_NOTIFY, customer_done);
}

static void
exec_customer_get(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	struct params p = {0};

	par_actor(&p, c);
	par_int(&p, f->customer_get->id);
	req_read(c, id, BODY(CUSTOMER_GET), &st_customer_get, p.v,
	        customer_done);
}

static void
build_list(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	Pace__V1__CustomerListReply *reply = cap_alloc(a, 1, sizeof(*reply));
	size_t n = (size_t)cJSON_GetArraySize(j), i = 0;
	Pace__V1__Customer *items = cap_alloc(a, n, sizeof(*items));
	const cJSON *e;

	pace__v1__customer_list_reply__init(reply);
	reply->customers = cap_alloc(a, n, sizeof(*reply->customers));
	cJSON_ArrayForEach(e, j)
	{
		pace__v1__customer__init(&items[i]);
		pb_customer(&items[i], e);
		reply->customers[i] = &items[i];
		i++;
	}
	reply->n_customers = i;
	f->customer_list_reply = reply;
	f->body_case = BODY(CUSTOMER_LIST_REPLY);
}

static void
list_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_list);
}

static void
exec_customer_list(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__CustomerList *m = f->customer_list;
	struct params p = {0};

	if (cap_check_str(c, id, m->owner, "owner", 64) ||
	        cap_check_str(c, id, m->team, "team", 100) ||
	        cap_check_str(c, id, m->search, "search", 200) ||
	        cap_check_limit(c, id, m->limit))
		return;
	par_actor(&p, c);
	par_str(&p, m->owner);
	par_str(&p, m->team);
	par_str(&p, m->search);
	par_int(&p, m->limit);
	par_int(&p, m->after_id);
	req_read(c, id, BODY(CUSTOMER_LIST), &st_customer_list, p.v, list_done);
}

const struct handler handler_customer_add = {
        "customer add", 0, ROLES_ANY, exec_customer_add};
const struct handler handler_customer_update = {
        "customer update", 0, ROLES_ANY, exec_customer_update};
const struct handler handler_customer_get = {
        "customer get", 0, ROLES_ANY, exec_customer_get};
const struct handler handler_customer_list = {
        "customer list", 0, ROLES_ANY, exec_customer_list};
