/* Names, formats and JSON shapes of the captured facts (see capture.h). */
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "output.h"
#include "pc_money.h"
#include "pc_time.h"

/* Indexed by the wire enums (proto/capture.proto). */
static const char *const stages[] = {"", N_("lead"), N_("qualified"),
	N_("proposal"), N_("quote"), N_("negotiation"), N_("won"), N_("lost")};
static const char *const kinds[] = {"", N_("call"), N_("visit"), N_("email"),
	N_("meeting")};

#define NSTAGES ((int)(sizeof(stages) / sizeof(stages[0])))
#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

const char *
stage_name(int stage)
{
	return stage >= 1 && stage < NSTAGES ? stages[stage] : "?";
}

int
stage_from(const char *s)
{
	for (int i = 1; s && i < NSTAGES; i++)
		if (strcasecmp(s, stages[i]) == 0)
			return i;
	return 0;
}

const char *
kind_name(int kind)
{
	return kind >= 1 && kind < NKINDS ? kinds[kind] : "?";
}

int
kind_from(const char *s)
{
	for (int i = 1; s && i < NKINDS; i++)
		if (strcasecmp(s, kinds[i]) == 0)
			return i;
	return 0;
}

const char *
fmt_money(const struct cli *cli, int64_t fen, char *buf)
{
	const char *cur = cli->me && cli->me->currency && *cli->me->currency ?
		cli->me->currency :
		"CNY";

	return pc_money_format(fen, cur, buf, 48);
}

const char *
fmt_when(int64_t us, char *buf)
{
	if (us == 0) {
		buf[0] = '\0';
		return buf;
	}
	return pc_time_format(us, buf, 32);
}

const char *
fmt_i64(int64_t v, char *buf, int blank_zero)
{
	if (v == 0 && blank_zero)
		buf[0] = '\0';
	else
		snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}

/* A string member, "" for NULL (protobuf-c leaves unset strings ""). */
static void
add_str(cJSON *j, const char *name, const char *v)
{
	cJSON_AddStringToObject(j, name, v ? v : "");
}

cJSON *
customer_json(const Pace__V1__Customer *c)
{
	cJSON *j = cJSON_CreateObject();

	json_add_i64(j, "id", c->id);
	add_str(j, "name", c->name);
	add_str(j, "industry", c->industry);
	add_str(j, "size_band", c->size_band);
	add_str(j, "region", c->region);
	json_add_i64(j, "owner_id", c->owner_id);
	add_str(j, "owner", c->owner);
	json_add_time(j, "created_at", c->created_at);
	json_add_time(j, "updated_at", c->updated_at);
	return j;
}

cJSON *
installment_json(const Pace__V1__Installment *i)
{
	cJSON *j = cJSON_CreateObject();

	json_add_i64(j, "id", i->id);
	add_str(j, "due_on", i->due_on);
	json_add_i64(j, "amount_due", i->amount_due);
	json_add_i64(j, "amount_received", i->amount_received);
	add_str(j, "status", i->status);
	return j;
}

cJSON *
contract_json(const Pace__V1__Contract *c)
{
	cJSON *j = cJSON_CreateObject(), *arr;

	json_add_i64(j, "id", c->id);
	json_add_i64(j, "deal_id", c->deal_id);
	json_add_i64(j, "amount", c->amount);
	json_add_time(j, "signed_at", c->signed_at);
	json_add_i64(j, "received", c->received);
	arr = cJSON_AddArrayToObject(j, "installments");
	for (size_t i = 0; i < c->n_installments; i++)
		cJSON_AddItemToArray(arr, installment_json(c->installments[i]));
	arr = cJSON_AddArrayToObject(j, "receipts");
	for (size_t i = 0; i < c->n_receipts; i++) {
		cJSON *r = cJSON_CreateObject();
		json_add_i64(r, "id", c->receipts[i]->id);
		add_str(r, "received_on", c->receipts[i]->received_on);
		json_add_i64(r, "amount", c->receipts[i]->amount);
		cJSON_AddItemToArray(arr, r);
	}
	return j;
}

cJSON *
deal_json(const Pace__V1__Deal *d)
{
	cJSON *j = cJSON_CreateObject();

	json_add_i64(j, "id", d->id);
	add_str(j, "title", d->title);
	json_add_i64(j, "customer_id", d->customer_id);
	add_str(j, "customer", d->customer);
	json_add_i64(j, "owner_id", d->owner_id);
	add_str(j, "owner", d->owner);
	json_add_i64(j, "amount", d->amount);
	cJSON_AddStringToObject(j, "stage", stage_name(d->stage));
	add_str(j, "expected_close", d->expected_close);
	add_str(j, "source", d->source);
	add_str(j, "product_line", d->product_line);
	add_str(j, "loss_reason", d->loss_reason);
	json_add_time(j, "created_at", d->created_at);
	json_add_time(j, "closed_at", d->closed_at);
	json_add_time(j, "updated_at", d->updated_at);
	if (d->n_history > 0) {
		cJSON *arr = cJSON_AddArrayToObject(j, "history");
		for (size_t i = 0; i < d->n_history; i++) {
			const Pace__V1__StageChange *h = d->history[i];
			cJSON *e = cJSON_CreateObject();
			if (h->from)
				cJSON_AddStringToObject(e, "from",
					stage_name(h->from));
			else
				cJSON_AddNullToObject(e, "from");
			cJSON_AddStringToObject(e, "to", stage_name(h->to));
			json_add_time(e, "at", h->at);
			add_str(e, "actor", h->actor);
			cJSON_AddItemToArray(arr, e);
		}
	}
	if (d->contract)
		cJSON_AddItemToObject(j, "contract", contract_json(d->contract));
	return j;
}

cJSON *
activity_json(const Pace__V1__Activity *a)
{
	cJSON *j = cJSON_CreateObject();

	json_add_i64(j, "id", a->id);
	json_add_i64(j, "user_id", a->user_id);
	add_str(j, "user", a->user);
	cJSON_AddStringToObject(j, "kind", kind_name(a->kind));
	json_add_i64(j, "customer_id", a->customer_id);
	add_str(j, "customer", a->customer);
	if (a->deal_id)
		json_add_i64(j, "deal_id", a->deal_id);
	else
		cJSON_AddNullToObject(j, "deal_id");
	json_add_time(j, "at", a->at);
	cJSON_AddNumberToObject(j, "duration_min", a->duration_min);
	add_str(j, "note", a->note);
	return j;
}

cJSON *
payment_row_json(const Pace__V1__PaymentRow *r)
{
	cJSON *j = r->installment ? installment_json(r->installment) :
				    cJSON_CreateObject();

	json_add_i64(j, "deal_id", r->deal_id);
	add_str(j, "deal", r->deal);
	add_str(j, "customer", r->customer);
	add_str(j, "owner", r->owner);
	return j;
}

void
contract_print(struct cli *cli, const Pace__V1__Contract *c)
{
	if (c == NULL)
		return;
	if (c->n_installments > 0) {
		const char *h[] = {_("DUE"), _("AMOUNT"), _("RECEIVED"),
			_("STATUS")};
		struct table *t = table_new(4, h);
		table_align_right(t, 1);
		table_align_right(t, 2);
		printf(_("\nInstallments:\n"));
		for (size_t i = 0; i < c->n_installments; i++) {
			const Pace__V1__Installment *in = c->installments[i];
			char due[48], got[48];
			const char *row[] = {in->due_on,
				fmt_money(cli, in->amount_due, due),
				fmt_money(cli, in->amount_received, got),
				tr(in->status)};
			table_row(t, row);
		}
		table_print(t);
		table_free(t);
	}
	if (c->n_receipts > 0) {
		const char *h[] = {_("RECEIVED ON"), _("AMOUNT")};
		struct table *t = table_new(2, h);
		table_align_right(t, 1);
		printf(_("\nReceipts:\n"));
		for (size_t i = 0; i < c->n_receipts; i++) {
			char amt[48];
			const char *row[] = {c->receipts[i]->received_on,
				fmt_money(cli, c->receipts[i]->amount, amt)};
			table_row(t, row);
		}
		table_print(t);
		table_free(t);
	}
}
