/*
 * pace export customers|deals|activities|payments [-o FILE]: the rows one
 * may see, as CSV with the columns `pace import` reads (csvkinds.c), so an
 * exported file imports back without adding anything. Lists are paged by
 * id (after_id, PAGE rows a call). Amounts are written as "1234.56" and
 * times as local ISO 8601 with their offset, both read back exactly.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <csv.h>

#include "capture.h"
#include "csvkinds.h"
#include "pc_money.h"
#include "pc_time.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name
#define PAGE 1000

struct out {
	FILE *f;
	int err;
	long rows;
};

/* One cell; quoted by libcsv when a plain one would be misread. */
static void
put_cell(struct out *o, int first, const char *s)
{
	size_t n = strlen(s);

	if (!first)
		fputc(',', o->f);
	if (strpbrk(s, ",\"\r\n") || (n && (isspace((unsigned char)s[0]) ||
						   isspace((unsigned char)s[n - 1])))) {
		if (csv_fwrite(o->f, s, n) != 0)
			o->err = 1;
	} else {
		fputs(s, o->f);
	}
}

static void
put_row(struct out *o, const char *const *cells, int n)
{
	for (int i = 0; i < n; i++)
		put_cell(o, i == 0, cells[i] ? cells[i] : "");
	fputc('\n', o->f);
	o->rows++;
}

static const char *
money(int64_t fen, char *buf)
{
	return pc_money_plain(fen, buf, 32);
}

static const char *
iso(int64_t us, char *buf)
{
	if (us == 0) {
		buf[0] = '\0';
		return buf;
	}
	return pc_time_iso(us, buf, 48);
}

static int
export_customers(struct cli *cli, struct out *o)
{
	int64_t after = 0;

	for (;;) {
		pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
		Pace__V1__CustomerList m = PACE__V1__CUSTOMER_LIST__INIT;
		const Pace__V1__CustomerListReply *r;
		size_t n;
		int code;

		m.limit = PAGE;
		m.after_id = after;
		req.body_case = BODY(CUSTOMER_LIST);
		req.customer_list = &m;
		code = cli_call(cli, &req, BODY(CUSTOMER_LIST_REPLY), &resp);
		if (code != EXIT_OK)
			return code;
		r = resp->customer_list_reply;
		for (size_t i = 0; i < r->n_customers; i++) {
			const Pace__V1__Customer *c = r->customers[i];
			char at[48];
			const char *row[] = {c->name, c->industry, c->size_band,
				c->region, c->owner, iso(c->created_at, at)};
			put_row(o, row, 6);
			after = c->id;
		}
		n = r->n_customers;
		msg_free(resp);
		if (n < PAGE)
			return EXIT_OK;
	}
}

static int
export_deals(struct cli *cli, struct out *o)
{
	int64_t after = 0;

	for (;;) {
		pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
		Pace__V1__DealList m = PACE__V1__DEAL_LIST__INIT;
		const Pace__V1__DealListReply *r;
		size_t n;
		int code;

		m.limit = PAGE;
		m.after_id = after;
		req.body_case = BODY(DEAL_LIST);
		req.deal_list = &m;
		code = cli_call(cli, &req, BODY(DEAL_LIST_REPLY), &resp);
		if (code != EXIT_OK)
			return code;
		r = resp->deal_list_reply;
		for (size_t i = 0; i < r->n_deals; i++) {
			const Pace__V1__Deal *d = r->deals[i];
			char cust[24], amt[32], at[48], closed[48];
			const char *row[] = {d->title,
				fmt_i64(d->customer_id, cust, 1),
				money(d->amount, amt), stage_name(d->stage),
				d->expected_close, d->source, d->product_line,
				d->owner, iso(d->created_at, at),
				iso(d->closed_at, closed), d->loss_reason};
			put_row(o, row, 11);
			after = d->id;
		}
		n = r->n_deals;
		msg_free(resp);
		if (n < PAGE)
			return EXIT_OK;
	}
}

static int
export_activities(struct cli *cli, struct out *o)
{
	int64_t after = 0;

	for (;;) {
		pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
		Pace__V1__ActivityList m = PACE__V1__ACTIVITY_LIST__INIT;
		const Pace__V1__ActivityListReply *r;
		size_t n;
		int code;

		m.limit = PAGE;
		m.after_id = after;
		req.body_case = BODY(ACTIVITY_LIST);
		req.activity_list = &m;
		code = cli_call(cli, &req, BODY(ACTIVITY_LIST_REPLY), &resp);
		if (code != EXIT_OK)
			return code;
		r = resp->activity_list_reply;
		for (size_t i = 0; i < r->n_activities; i++) {
			const Pace__V1__Activity *a = r->activities[i];
			char cust[24], deal[24], at[48], dur[24];
			const char *row[] = {a->user, kind_name(a->kind),
				fmt_i64(a->customer_id, cust, 1),
				fmt_i64(a->deal_id, deal, 1), iso(a->at, at),
				fmt_i64(a->duration_min, dur, 0), a->note};
			put_row(o, row, 7);
			after = a->id;
		}
		n = r->n_activities;
		msg_free(resp);
		if (n < PAGE)
			return EXIT_OK;
	}
}

/* The installments and receipts of one won deal. */
static int
export_contract(struct cli *cli, struct out *o, int64_t deal_id)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__DealGet m = PACE__V1__DEAL_GET__INIT;
	const Pace__V1__Contract *c;
	char id[24], amt[32];
	int code;

	m.id = deal_id;
	req.body_case = BODY(DEAL_GET);
	req.deal_get = &m;
	if ((code = cli_call(cli, &req, BODY(DEAL), &resp)) != EXIT_OK)
		return code;
	c = resp->deal->contract;
	fmt_i64(deal_id, id, 0);
	for (size_t i = 0; c && i < c->n_installments; i++) {
		const char *row[] = {id, "installment", c->installments[i]->due_on,
			money(c->installments[i]->amount_due, amt)};
		put_row(o, row, 4);
	}
	for (size_t i = 0; c && i < c->n_receipts; i++) {
		const char *row[] = {id, "receipt", c->receipts[i]->received_on,
			money(c->receipts[i]->amount, amt)};
		put_row(o, row, 4);
	}
	msg_free(resp);
	return EXIT_OK;
}

/* Payments belong to contracts, i.e. to won deals: page those. */
static int
export_payments(struct cli *cli, struct out *o)
{
	int64_t after = 0;

	for (;;) {
		pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
		Pace__V1__DealList m = PACE__V1__DEAL_LIST__INIT;
		const Pace__V1__DealListReply *r;
		size_t n;
		int code = EXIT_OK;

		m.limit = PAGE;
		m.after_id = after;
		m.stage = PACE__V1__STAGE__WON;
		req.body_case = BODY(DEAL_LIST);
		req.deal_list = &m;
		code = cli_call(cli, &req, BODY(DEAL_LIST_REPLY), &resp);
		if (code != EXIT_OK)
			return code;
		r = resp->deal_list_reply;
		for (size_t i = 0; i < r->n_deals && code == EXIT_OK; i++) {
			code = export_contract(cli, o, r->deals[i]->id);
			after = r->deals[i]->id;
		}
		n = r->n_deals;
		msg_free(resp);
		if (code != EXIT_OK)
			return code;
		if (n < PAGE)
			return EXIT_OK;
	}
}

static int
ends_with_csv(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && strcasecmp(path + n - 4, ".csv") == 0;
}

static const struct opt export_opts[] = {
	{"output", OPT_VALUE, N_("write to this file (a .csv file gets a UTF-8 mark for Excel); default: standard output"), 'o'},
	{NULL, 0, NULL},
};

static int
run_export(struct cli *cli, struct args *a)
{
	static int (*const fns[])(struct cli *, struct out *) = {
		export_customers, export_deals, export_activities,
		export_payments};
	static const char *const names[] = {"customers", "deals", "activities",
		"payments"};
	const char *kind = strrchr(cli->cmd->path, ' ') + 1;
	const char *path = arg_get(cli, a, "output");
	const struct csv_kind *k = csv_kind_find(kind);
	struct out o = {.f = stdout};
	const char *header[16];
	int code = EXIT_ERROR;

	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	if (path && (o.f = fopen(path, "w")) == NULL) {
		fprintf(stderr, _("pace: cannot write %s: %m\n"), path);
		return EXIT_ERROR;
	}
	if (path && ends_with_csv(path))
		fputs("\xef\xbb\xbf", o.f);
	for (int i = 0; i < k->ncols; i++)
		header[i] = k->cols[i].name;
	put_row(&o, header, k->ncols);
	o.rows = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(kind, names[i]) == 0)
			code = fns[i](cli, &o);
	if (fflush(o.f) != 0 || ferror(o.f))
		o.err = 1;
	if (path && fclose(o.f) != 0)
		o.err = 1;
	if (o.err && code == EXIT_OK) {
		fprintf(stderr, _("pace: cannot write %s: %m\n"),
			path ? path : _("standard output"));
		code = EXIT_ERROR;
	}
	if (code == EXIT_OK && path)
		fprintf(stderr, _("Exported %ld rows to %s.\n"), o.rows, path);
	else if (path)
		unlink(path); /* not a partial file that looks complete */
	return code;
}

#define EXPORT_USAGE "[-o FILE]"

const struct cmd cmds_export[] = {
	{"export customers", EXPORT_USAGE,
		N_("Export customers as CSV (the columns `pace import` reads)"),
		export_opts, 0, 0, run_export},
	{"export deals", EXPORT_USAGE,
		N_("Export deals as CSV (the columns `pace import` reads)"),
		export_opts, 0, 0, run_export},
	{"export activities", EXPORT_USAGE,
		N_("Export activities as CSV (the columns `pace import` reads)"),
		export_opts, 0, 0, run_export},
	{"export payments", EXPORT_USAGE,
		N_("Export installments and receipts as CSV (the columns `pace "
		   "import` reads)"),
		export_opts, 0, 0, run_export},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
