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

/*
 * One kind of export pages a list by id: `request` fills one page's request
 * (m is its storage), `rows` writes the reply's rows and says how many the
 * page held and the last id, from which the next page starts.
 */
union list_req {
	Pace__V1__CustomerList customers;
	Pace__V1__DealList deals;
	Pace__V1__ActivityList activities;
};

struct page {
	size_t n;     /* rows in the reply */
	int64_t last; /* id of its last row */
};

struct export_kind {
	const char *name; /* as in `pace export NAME` */
	void (*request)(pace_frame_t *req, union list_req *m, int64_t after);
	int reply_case;
	int (*rows)(struct cli *cli, struct out *o, const pace_frame_t *resp,
		struct page *pg);
};

/* Every page, until one comes back short. */
static int
export_pages(struct cli *cli, struct out *o, const struct export_kind *k)
{
	int64_t after = 0;

	for (;;) {
		pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
		union list_req m;
		struct page pg = {0, after};
		int code;

		k->request(&req, &m, after);
		code = cli_call(cli, &req, k->reply_case, &resp);
		if (code != EXIT_OK)
			return code;
		code = k->rows(cli, o, resp, &pg);
		msg_free(resp);
		if (code != EXIT_OK)
			return code;
		if (pg.n < PAGE)
			return EXIT_OK;
		after = pg.last;
	}
}

static void
customers_request(pace_frame_t *req, union list_req *m, int64_t after)
{
	pace__v1__customer_list__init(&m->customers);
	m->customers.limit = PAGE;
	m->customers.after_id = after;
	req->body_case = BODY(CUSTOMER_LIST);
	req->customer_list = &m->customers;
}

static int
customers_rows(struct cli *cli, struct out *o, const pace_frame_t *resp,
	struct page *pg)
{
	const Pace__V1__CustomerListReply *r = resp->customer_list_reply;

	for (size_t i = 0; i < r->n_customers; i++) {
		const Pace__V1__Customer *c = r->customers[i];
		char at[48];
		const char *row[] = {c->name, c->industry, c->size_band,
			c->region, c->owner, iso(c->created_at, at)};
		put_row(o, row, 6);
		pg->last = c->id;
	}
	pg->n = r->n_customers;
	return EXIT_OK;
}

static void
deals_request(pace_frame_t *req, union list_req *m, int64_t after)
{
	pace__v1__deal_list__init(&m->deals);
	m->deals.limit = PAGE;
	m->deals.after_id = after;
	req->body_case = BODY(DEAL_LIST);
	req->deal_list = &m->deals;
}

static int
deals_rows(struct cli *cli, struct out *o, const pace_frame_t *resp,
	struct page *pg)
{
	const Pace__V1__DealListReply *r = resp->deal_list_reply;

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
		pg->last = d->id;
	}
	pg->n = r->n_deals;
	return EXIT_OK;
}

static void
activities_request(pace_frame_t *req, union list_req *m, int64_t after)
{
	pace__v1__activity_list__init(&m->activities);
	m->activities.limit = PAGE;
	m->activities.after_id = after;
	req->body_case = BODY(ACTIVITY_LIST);
	req->activity_list = &m->activities;
}

static int
activities_rows(struct cli *cli, struct out *o, const pace_frame_t *resp,
	struct page *pg)
{
	const Pace__V1__ActivityListReply *r = resp->activity_list_reply;

	for (size_t i = 0; i < r->n_activities; i++) {
		const Pace__V1__Activity *a = r->activities[i];
		char cust[24], deal[24], at[48], dur[24];
		const char *row[] = {a->user, kind_name(a->kind),
			fmt_i64(a->customer_id, cust, 1),
			fmt_i64(a->deal_id, deal, 1), iso(a->at, at),
			fmt_i64(a->duration_min, dur, 0), a->note};
		put_row(o, row, 7);
		pg->last = a->id;
	}
	pg->n = r->n_activities;
	return EXIT_OK;
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
static void
payments_request(pace_frame_t *req, union list_req *m, int64_t after)
{
	deals_request(req, m, after);
	m->deals.stage = PACE__V1__STAGE__WON;
}

static int
payments_rows(struct cli *cli, struct out *o, const pace_frame_t *resp,
	struct page *pg)
{
	const Pace__V1__DealListReply *r = resp->deal_list_reply;
	int code = EXIT_OK;

	for (size_t i = 0; i < r->n_deals && code == EXIT_OK; i++) {
		code = export_contract(cli, o, r->deals[i]->id);
		pg->last = r->deals[i]->id;
	}
	pg->n = r->n_deals;
	return code;
}

static const struct export_kind export_kinds[] = {
	{"customers", customers_request, BODY(CUSTOMER_LIST_REPLY),
		customers_rows},
	{"deals", deals_request, BODY(DEAL_LIST_REPLY), deals_rows},
	{"activities", activities_request, BODY(ACTIVITY_LIST_REPLY),
		activities_rows},
	{"payments", payments_request, BODY(DEAL_LIST_REPLY), payments_rows},
};

static const struct export_kind *
export_kind_find(const char *name)
{
	size_t n = sizeof(export_kinds) / sizeof(export_kinds[0]);

	for (size_t i = 0; i < n; i++)
		if (strcmp(name, export_kinds[i].name) == 0)
			return &export_kinds[i];
	return NULL;
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
	const char *kind = strrchr(cli->cmd->path, ' ') + 1;
	const char *path = arg_get(cli, a, "output");
	const struct csv_kind *k = csv_kind_find(kind);
	const struct export_kind *ek = export_kind_find(kind);
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
	if (ek != NULL)
		code = export_pages(cli, &o, ek);
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
