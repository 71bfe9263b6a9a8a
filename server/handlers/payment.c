/*
 * Payments of won deals: PaymentPlan/Receive/List
 * (deploy/sql/010_payments.sql). Both writes answer with the Contract,
 * its installments (with derived status) and its receipts.
 */
#include <stdio.h>
#include <stdlib.h>

#include "capture.h"
#include "jsonutil.h"
#include "xmalloc.h"

static const struct stmt st_payment_plan = {"payment_plan",
        "SELECT pace.payment_plan($1, $2, $3, $4, $5::jsonb, $6) AS r", 6};
static const struct stmt st_payment_receive = {"payment_receive",
        "SELECT pace.payment_receive($1, $2, $3, $4, $5, $6, $7) AS r", 7};
static const struct stmt st_payment_list = {"payment_list",
        "SELECT pace.payment_list($1, $2, $3, $4, $5, $6) AS r", 6};

const struct stmt *const payment_stmts[] = {
        &st_payment_plan, &st_payment_receive, &st_payment_list, NULL};

static void
build_contract(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	f->contract = cap_alloc(a, 1, sizeof(*f->contract));
	pace__v1__contract__init(f->contract);
	pb_contract(a, f->contract, j);
	f->body_case = BODY(CONTRACT);
}

static void
contract_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_contract);
}

static void
exec_payment_plan(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__PaymentPlan *m = f->payment_plan;
	struct params p = {0};
	cJSON *plan;
	char *text;

	if (cap_check_op(c, id, m->client_op_id) ||
	        cap_check_at(c, id, m->at, "at"))
		return;
	if (m->n_installments == 0 || m->n_installments > CAP_PLAN_MAX) {
		conn_send_error(c, id, E_INVALID, "installments",
		        "installments: 1 to %d of them", CAP_PLAN_MAX);
		return;
	}
	plan = cJSON_CreateArray();
	for (size_t i = 0; i < m->n_installments; i++) {
		const Pace__V1__InstallmentSpec *s = m->installments[i];
		cJSON *o = cJSON_CreateObject();
		char field[48], amount[24];

		snprintf(field, sizeof(field), "installments[%zu].due_on", i);
		if (cap_check_str(c, id, s->due_on, field, 10)) {
			cJSON_Delete(o);
			cJSON_Delete(plan);
			return;
		}
		snprintf(amount, sizeof(amount), "%lld", (long long)s->amount);
		cJSON_AddStringToObject(
		        o, "due_on", s->due_on ? s->due_on : "");
		cJSON_AddStringToObject(o, "amount", amount);
		cJSON_AddItemToArray(plan, o);
	}
	text = cJSON_PrintUnformatted(plan);
	cJSON_Delete(plan);
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->deal_id);
	par_str(&p, text);
	par_int(&p, m->at);
	req_write(c, id, BODY(PAYMENT_PLAN), &st_payment_plan, p.v, DB_NOTIFY,
	        contract_done);
	free(text); /* the job copied its parameters */
}

static void
exec_payment_receive(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__PaymentReceive *m = f->payment_receive;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id) ||
	        cap_check_str(c, id, m->received_on, "received_on", 10) ||
	        cap_check_at(c, id, m->at, "at"))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->deal_id);
	par_int(&p, m->amount);
	par_str(&p, m->received_on);
	par_int(&p, m->at);
	req_write(c, id, BODY(PAYMENT_RECEIVE), &st_payment_receive, p.v,
	        DB_NOTIFY, contract_done);
}

static void
build_list(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	Pace__V1__PaymentListReply *reply = cap_alloc(a, 1, sizeof(*reply));
	size_t n = (size_t)cJSON_GetArraySize(j), i = 0;
	Pace__V1__PaymentRow *rows = cap_alloc(a, n, sizeof(*rows));
	Pace__V1__Installment *inst = cap_alloc(a, n, sizeof(*inst));
	const cJSON *e;

	pace__v1__payment_list_reply__init(reply);
	reply->rows = cap_alloc(a, n, sizeof(*reply->rows));
	cJSON_ArrayForEach(e, j)
	{
		pace__v1__payment_row__init(&rows[i]);
		pace__v1__installment__init(&inst[i]);
		rows[i].deal_id = json_int(e, "deal_id");
		rows[i].deal = (char *)json_str(e, "deal");
		rows[i].customer = (char *)json_str(e, "customer");
		rows[i].owner = (char *)json_str(e, "owner");
		pb_installment(&inst[i],
		        cJSON_GetObjectItemCaseSensitive(e, "installment"));
		rows[i].installment = &inst[i];
		reply->rows[i] = &rows[i];
		i++;
	}
	reply->n_rows = i;
	f->payment_list_reply = reply;
	f->body_case = BODY(PAYMENT_LIST_REPLY);
}

static void
list_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_list);
}

static void
exec_payment_list(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__PaymentList *m = f->payment_list;
	struct params p = {0};

	if (cap_check_str(c, id, m->owner, "owner", 64) ||
	        cap_check_str(c, id, m->team, "team", 100) ||
	        cap_check_limit(c, id, m->limit))
		return;
	par_actor(&p, c);
	par_str(&p, m->owner);
	par_str(&p, m->team);
	par_int(&p, m->deal_id);
	par_bool(&p, m->overdue_only);
	par_int(&p, m->limit);
	req_read(c, id, BODY(PAYMENT_LIST), &st_payment_list, p.v, list_done);
}

const struct handler handler_payment_plan = {
        "payment plan", 0, ROLES_ANY, exec_payment_plan};
const struct handler handler_payment_receive = {
        "payment receive", 0, ROLES_ANY, exec_payment_receive};
const struct handler handler_payment_list = {
        "payment list", 0, ROLES_ANY, exec_payment_list};
