/*
 * Capture replies: the JSON objects of deploy/sql (customer_json,
 * deal_json, contract_json, activity_json) into protobuf messages. Strings
 * are borrowed from the cJSON tree, nested messages come from an arena;
 * both live until the reply is packed (capture.h).
 */
#include <stdlib.h>

#include "capture.h"
#include "jsonutil.h"
#include "xmalloc.h"

static char *
str(const cJSON *j, const char *key)
{
	return (char *)json_str(j, key);
}

static const cJSON *
item(const cJSON *j, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(j, key);
}

void
pb_customer(Pace__V1__Customer *m, const cJSON *j)
{
	m->id = json_int(j, "id");
	m->name = str(j, "name");
	m->industry = str(j, "industry");
	m->size_band = str(j, "size_band");
	m->region = str(j, "region");
	m->owner_id = json_int(j, "owner_id");
	m->owner = str(j, "owner");
	m->created_at = json_int(j, "created_at");
	m->updated_at = json_int(j, "updated_at");
}

void
pb_installment(Pace__V1__Installment *m, const cJSON *j)
{
	m->id = json_int(j, "id");
	m->due_on = str(j, "due_on");
	m->amount_due = json_int(j, "amount_due");
	m->amount_received = json_int(j, "amount_received");
	m->status = str(j, "status");
}

void
pb_contract(struct arena *a, Pace__V1__Contract *m, const cJSON *j)
{
	const cJSON *inst = item(j, "installments"), *rec = item(j, "receipts");
	const cJSON *e;
	size_t ni = (size_t)cJSON_GetArraySize(inst);
	size_t nr = (size_t)cJSON_GetArraySize(rec);
	size_t i = 0;

	m->id = json_int(j, "id");
	m->deal_id = json_int(j, "deal_id");
	m->amount = json_int(j, "amount");
	m->signed_at = json_int(j, "signed_at");
	m->received = json_int(j, "received");
	if (ni > 0) {
		Pace__V1__Installment *items = cap_alloc(a, ni, sizeof(*items));

		m->installments = cap_alloc(a, ni, sizeof(*m->installments));
		cJSON_ArrayForEach(e, inst)
		{
			pace__v1__installment__init(&items[i]);
			pb_installment(&items[i], e);
			m->installments[i] = &items[i];
			i++;
		}
		m->n_installments = i;
	}
	if (nr > 0) {
		Pace__V1__Receipt *items = cap_alloc(a, nr, sizeof(*items));

		i = 0;
		m->receipts = cap_alloc(a, nr, sizeof(*m->receipts));
		cJSON_ArrayForEach(e, rec)
		{
			pace__v1__receipt__init(&items[i]);
			items[i].id = json_int(e, "id");
			items[i].received_on = str(e, "received_on");
			items[i].amount = json_int(e, "amount");
			m->receipts[i] = &items[i];
			i++;
		}
		m->n_receipts = i;
	}
}

void
pb_deal(struct arena *a, Pace__V1__Deal *m, const cJSON *j)
{
	const cJSON *hist = item(j, "history"), *k = item(j, "contract");
	size_t nh = (size_t)cJSON_GetArraySize(hist);

	m->id = json_int(j, "id");
	m->title = str(j, "title");
	m->customer_id = json_int(j, "customer_id");
	m->customer = str(j, "customer");
	m->owner_id = json_int(j, "owner_id");
	m->owner = str(j, "owner");
	m->amount = json_int(j, "amount");
	m->stage = (Pace__V1__Stage)stage_value(json_str(j, "stage"));
	m->expected_close = str(j, "expected_close");
	m->source = str(j, "source");
	m->product_line = str(j, "product_line");
	m->loss_reason = str(j, "loss_reason");
	m->created_at = json_int(j, "created_at");
	m->closed_at = json_int(j, "closed_at");
	m->updated_at = json_int(j, "updated_at");
	if (nh > 0) {
		Pace__V1__StageChange *items = cap_alloc(a, nh, sizeof(*items));
		const cJSON *e;
		size_t i = 0;

		m->history = cap_alloc(a, nh, sizeof(*m->history));
		cJSON_ArrayForEach(e, hist)
		{
			pace__v1__stage_change__init(&items[i]);
			items[i].from = (Pace__V1__Stage)stage_value(
			        json_str(e, "from"));
			items[i].to =
			        (Pace__V1__Stage)stage_value(json_str(e, "to"));
			items[i].at = json_int(e, "at");
			items[i].actor = str(e, "actor");
			m->history[i] = &items[i];
			i++;
		}
		m->n_history = i;
	}
	if (cJSON_IsObject(k)) {
		m->contract = cap_alloc(a, 1, sizeof(*m->contract));
		pace__v1__contract__init(m->contract);
		pb_contract(a, m->contract, k);
	}
}

void
pb_activity(Pace__V1__Activity *m, const cJSON *j)
{
	m->id = json_int(j, "id");
	m->user_id = json_int(j, "user_id");
	m->user = str(j, "user");
	m->kind = (Pace__V1__ActivityKind)kind_value(json_str(j, "kind"));
	m->customer_id = json_int(j, "customer_id");
	m->customer = str(j, "customer");
	m->deal_id = json_int(j, "deal_id");
	m->at = json_int(j, "at");
	m->duration_min = (int32_t)json_int(j, "duration_min");
	m->note = str(j, "note");
}

void
cap_reply_json(struct req *r, const struct db_result *res, cap_build_fn build)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	struct arena a = ARENA_INIT;
	cJSON *j = NULL;

	if (PQntuples(res->res) < 1 || db_isnull(res->res, 0, "r")) {
		req_fail(r, E_INTERNAL, NULL, "no answer from the database");
		return;
	}
	j = cJSON_ParseWithLength(
	        PQgetvalue(res->res, 0, PQfnumber(res->res, "r")),
	        (size_t)PQgetlength(res->res, 0, PQfnumber(res->res, "r")));
	if (j == NULL) {
		req_fail(r, E_INTERNAL, NULL,
		        "unreadable answer from the database");
		return;
	}
	build(&a, &f, j);
	req_reply(r, &f);
	arena_free(&a);
	cJSON_Delete(j);
}
