/* KPI objects and leaderboards for people and scripts (see kpi_view.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kpi_view.h"
#include "output.h"
#include "pc_money.h"

static const char *const scope_names[] = {"", "user", "team", "office",
	"org"};

const char *
status_name(Pace__V1__Status s)
{
	switch (s) {
	case PACE__V1__STATUS__GREEN:
		return N_("green");
	case PACE__V1__STATUS__YELLOW:
		return N_("yellow");
	case PACE__V1__STATUS__RED:
		return N_("red");
	default:
		return NULL;
	}
}

const char *
status_color(Pace__V1__Status s)
{
	switch (s) {
	case PACE__V1__STATUS__GREEN:
		return col_green();
	case PACE__V1__STATUS__YELLOW:
		return col_yellow();
	case PACE__V1__STATUS__RED:
		return col_red();
	default:
		return "";
	}
}

char *
fmt_ratio(const Pace__V1__Num *n, char *buf, size_t len)
{
	if (n == NULL)
		snprintf(buf, len, "—");
	else
		snprintf(buf, len, "%.1f%%", n->v * 100.0);
	return buf;
}

static char *
fmt_num(const Pace__V1__Num *n, const char *fmt, char *buf, size_t len)
{
	if (n == NULL)
		snprintf(buf, len, "—");
	else
		snprintf(buf, len, fmt, n->v);
	return buf;
}

char *
fmt_bar(double ratio, int width, Pace__V1__Status s, char *buf, size_t len)
{
	int fill = (int)(ratio * width + 0.5);
	size_t at = 0;

	if (fill < 0)
		fill = 0;
	if (fill > width)
		fill = width;
	at += (size_t)snprintf(buf + at, len - at, "%s", status_color(s));
	for (int i = 0; i < width && at + 4 < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s",
			i < fill ? "█" : "░");
	snprintf(buf + at, len - at, "%s", col_reset());
	return buf;
}

char *
fmt_metric(const char *metric, int64_t v, const char *currency, char *buf,
	size_t len)
{
	if (metric == NULL || strcmp(metric, "revenue") == 0 ||
		strcmp(metric, "collected") == 0)
		return pc_money_format(v, currency, buf, len);
	snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

void
json_add_num(cJSON *j, const char *name, const Pace__V1__Num *n)
{
	if (n)
		cJSON_AddNumberToObject(j, name, n->v);
	else
		cJSON_AddNullToObject(j, name);
}

void
json_add_fen(cJSON *j, const char *name, const Pace__V1__Fen *f)
{
	if (f)
		json_add_i64(j, name, f->v);
	else
		cJSON_AddNullToObject(j, name);
}

void
json_add_status(cJSON *j, const char *name, Pace__V1__Status s)
{
	const char *st = status_name(s);

	if (st)
		cJSON_AddStringToObject(j, name, st);
	else
		cJSON_AddNullToObject(j, name);
}

static cJSON *
counts_json(Pace__V1__Count **c, size_t n)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < n; i++)
		json_add_i64(o, c[i]->key, c[i]->n);
	return o;
}

static cJSON *
scope_json(const Pace__V1__Scope *s)
{
	cJSON *o = cJSON_CreateObject();
	int k = s && s->kind >= 0 && s->kind <= 4 ? (int)s->kind : 0;

	cJSON_AddStringToObject(o, "kind", scope_names[k]);
	json_add_i64(o, "id", s ? s->id : 0);
	cJSON_AddStringToObject(o, "name", s && s->name ? s->name : "");
	return o;
}

cJSON *
kpi_json(const Pace__V1__Kpi *k)
{
	cJSON *j = cJSON_CreateObject(), *o;

	cJSON_AddItemToObject(j, "scope", scope_json(k->scope));
	cJSON_AddStringToObject(j, "period", k->period);
	cJSON_AddStringToObject(j, "currency", k->currency);
	json_add_i64(j, "actual", k->actual);
	json_add_fen(j, "target", k->target);
	json_add_num(j, "attainment", k->attainment);
	json_add_num(j, "elapsed", k->elapsed);
	json_add_num(j, "pace", k->pace);
	json_add_status(j, "status", k->status);
	json_add_i64(j, "new_leads", k->new_leads);
	o = cJSON_AddObjectToObject(j, "followups");
	json_add_i64(o, "total", k->followups_total);
	json_add_i64(o, "call", k->calls);
	json_add_i64(o, "visit", k->visits);
	json_add_i64(o, "email", k->emails);
	json_add_i64(o, "meeting", k->meetings);
	json_add_num(j, "lead_to_opp", k->lead_to_opp);
	json_add_num(j, "win_rate", k->win_rate);
	o = cJSON_AddObjectToObject(j, "cycle_days");
	json_add_num(o, "mean", k->cycle_mean);
	json_add_num(o, "median", k->cycle_median);
	json_add_fen(j, "avg_deal", k->avg_deal);
	o = cJSON_AddObjectToObject(j, "pipeline");
	json_add_i64(o, "count", k->pipeline_count);
	json_add_i64(o, "amount", k->pipeline_amount);
	json_add_i64(o, "weighted", k->pipeline_weighted);
	json_add_num(j, "coverage", k->coverage);
	json_add_num(j, "collection_rate", k->collection_rate);
	json_add_num(j, "overdue_rate", k->overdue_rate);
	cJSON_AddItemToObject(j, "funnel", counts_json(k->funnel, k->n_funnel));
	o = cJSON_AddObjectToObject(j, "mix");
	cJSON_AddItemToObject(o, "industry",
		counts_json(k->mix_industry, k->n_mix_industry));
	cJSON_AddItemToObject(o, "size", counts_json(k->mix_size, k->n_mix_size));
	cJSON_AddItemToObject(o, "region",
		counts_json(k->mix_region, k->n_mix_region));
	cJSON_AddItemToObject(j, "loss_reasons",
		counts_json(k->loss_reasons, k->n_loss_reasons));
	if (k->rank > 0)
		cJSON_AddNumberToObject(j, "rank", k->rank);
	else
		cJSON_AddNullToObject(j, "rank");
	return j;
}

static char *
fmt_counts(Pace__V1__Count **c, size_t n, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s %lld",
			i ? ", " : "", c[i]->key, (long long)c[i]->n);
	if (n == 0)
		snprintf(buf, len, "—");
	return buf;
}

void
kpi_print(const Pace__V1__Kpi *k)
{
	char actual[48], target[48], att[16], el[16], pace[24], bar[256];
	char fol[160], l2o[16], win[16], cyc[64], avg[48], pipe[160], cov[16];
	char col[16], od[16], ind[512], siz[512], reg[512], loss[512], rank[16];
	const char *st = status_name(k->status);

	pc_money_format(k->actual, k->currency, actual, sizeof(actual));
	if (k->target)
		pc_money_format(k->target->v, k->currency, target, sizeof(target));
	else
		snprintf(target, sizeof(target), "—");
	fmt_ratio(k->attainment, att, sizeof(att));
	fmt_ratio(k->elapsed, el, sizeof(el));
	if (k->pace)
		snprintf(pace, sizeof(pace), "%.2f %s%s%s", k->pace->v,
			status_color(k->status), st ? _(st) : "", col_reset());
	else
		snprintf(pace, sizeof(pace), "—");
	printf("%s%s%s · %s · %s\n", col_bold(), k->scope ? k->scope->name : "",
		col_reset(), k->period, _(k->revenue_basis));
	printf("%s %s\n\n",
		fmt_bar(k->attainment ? k->attainment->v : 0, 30, k->status, bar,
			sizeof(bar)),
		att);
	snprintf(fol, sizeof(fol), _("%lld (call %lld, visit %lld, email %lld, meeting %lld)"),
		(long long)k->followups_total, (long long)k->calls,
		(long long)k->visits, (long long)k->emails, (long long)k->meetings);
	fmt_ratio(k->lead_to_opp, l2o, sizeof(l2o));
	fmt_ratio(k->win_rate, win, sizeof(win));
	if (k->cycle_mean) {
		char med[16];
		snprintf(cyc, sizeof(cyc), _("%.1f days (median %s)"),
			k->cycle_mean->v, fmt_num(k->cycle_median, "%.1f", med,
						  sizeof(med)));
	} else {
		snprintf(cyc, sizeof(cyc), "—");
	}
	if (k->avg_deal)
		pc_money_format(k->avg_deal->v, k->currency, avg, sizeof(avg));
	else
		snprintf(avg, sizeof(avg), "—");
	{
		char amt[48], w[48];
		snprintf(pipe, sizeof(pipe), _("%lld deals, %s, weighted %s"),
			(long long)k->pipeline_count,
			pc_money_format(k->pipeline_amount, k->currency, amt,
				sizeof(amt)),
			pc_money_format(k->pipeline_weighted, k->currency, w,
				sizeof(w)));
	}
	fmt_num(k->coverage, "%.2f", cov, sizeof(cov));
	fmt_ratio(k->collection_rate, col, sizeof(col));
	fmt_ratio(k->overdue_rate, od, sizeof(od));
	fmt_counts(k->mix_industry, k->n_mix_industry, ind, sizeof(ind));
	fmt_counts(k->mix_size, k->n_mix_size, siz, sizeof(siz));
	fmt_counts(k->mix_region, k->n_mix_region, reg, sizeof(reg));
	fmt_counts(k->loss_reasons, k->n_loss_reasons, loss, sizeof(loss));
	if (k->rank > 0)
		snprintf(rank, sizeof(rank), "%d", k->rank);
	else
		snprintf(rank, sizeof(rank), "—");
	char nl[24];
	snprintf(nl, sizeof(nl), "%lld", (long long)k->new_leads);
	const char *pairs[] = {
		_("Actual"), actual, _("Target"), target, _("Attainment"), att,
		_("Elapsed"), el, _("Pace"), pace, _("Rank"), rank,
		_("New leads"), nl, _("Follow-ups"), fol,
		_("Lead to opportunity"), l2o, _("Win rate"), win,
		_("Cycle"), cyc, _("Average deal"), avg, _("Pipeline"), pipe,
		_("Coverage"), cov, _("Collection rate"), col,
		_("Overdue rate"), od, _("Industries"), ind, _("Sizes"), siz,
		_("Regions"), reg, _("Loss reasons"), loss,
	};
	kv_print(pairs, (int)(sizeof(pairs) / sizeof(pairs[0]) / 2));
	for (size_t i = 0; i < k->n_metrics; i++) {
		const Pace__V1__MetricProgress *m = k->metrics[i];
		char a1[48], t1[48], r1[16];
		const char *ms = status_name(m->status);
		printf("%s: %s / %s  %s %s%s%s\n", _(m->metric),
			fmt_metric(m->metric, m->actual, k->currency, a1, sizeof(a1)),
			m->target ? fmt_metric(m->metric, m->target->v, k->currency,
					    t1, sizeof(t1))
				  : "—",
			fmt_ratio(m->attainment, r1, sizeof(r1)),
			status_color(m->status), ms ? _(ms) : "", col_reset());
	}
	printf("\n");
	funnel_print(k);
}

cJSON *
funnel_json(const Pace__V1__Kpi *k)
{
	cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, "stages");

	cJSON_AddItemToObject(j, "scope", scope_json(k->scope));
	cJSON_AddStringToObject(j, "period", k->period);
	for (size_t i = 0; i < k->n_funnel; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "stage", k->funnel[i]->key);
		json_add_i64(s, "count", k->funnel[i]->n);
		/* Conversion from the stage before (lost has none). */
		if (i > 0 && strcmp(k->funnel[i]->key, "lost") != 0 &&
			k->funnel[i - 1]->n > 0)
			cJSON_AddNumberToObject(s, "conversion",
				(double)k->funnel[i]->n /
					(double)k->funnel[i - 1]->n);
		else
			cJSON_AddNullToObject(s, "conversion");
		cJSON_AddItemToArray(arr, s);
	}
	return j;
}

void
funnel_print(const Pace__V1__Kpi *k)
{
	const char *h[] = {_("STAGE"), _("DEALS"), _("CONVERSION"), ""};
	struct table *t = table_new(4, h);
	int64_t top = k->n_funnel ? k->funnel[0]->n : 0;

	table_align_right(t, 1);
	table_align_right(t, 2);
	for (size_t i = 0; i < k->n_funnel; i++) {
		char n[24], conv[16], bar[256];
		int lost = strcmp(k->funnel[i]->key, "lost") == 0;

		snprintf(n, sizeof(n), "%lld", (long long)k->funnel[i]->n);
		if (i > 0 && !lost && k->funnel[i - 1]->n > 0)
			snprintf(conv, sizeof(conv), "%.1f%%",
				100.0 * (double)k->funnel[i]->n /
					(double)k->funnel[i - 1]->n);
		else
			snprintf(conv, sizeof(conv), "%s", i ? "—" : "");
		fmt_bar(top > 0 ? (double)k->funnel[i]->n / (double)top : 0, 20,
			lost ? PACE__V1__STATUS__RED : PACE__V1__STATUS__STATUS_NONE,
			bar, sizeof(bar));
		const char *row[] = {_(k->funnel[i]->key), n, conv, bar};
		table_row(t, row);
	}
	table_print(t);
	table_free(t);
}

cJSON *
pipeline_json(const Pace__V1__Kpi *k)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddItemToObject(j, "scope", scope_json(k->scope));
	cJSON_AddStringToObject(j, "period", k->period);
	cJSON_AddStringToObject(j, "currency", k->currency);
	json_add_i64(j, "count", k->pipeline_count);
	json_add_i64(j, "amount", k->pipeline_amount);
	json_add_i64(j, "weighted", k->pipeline_weighted);
	json_add_fen(j, "target", k->target);
	json_add_i64(j, "actual", k->actual);
	json_add_num(j, "coverage", k->coverage);
	return j;
}

void
pipeline_print(const Pace__V1__Kpi *k)
{
	char n[24], amt[48], w[48], gap[48], cov[16];

	snprintf(n, sizeof(n), "%lld", (long long)k->pipeline_count);
	pc_money_format(k->pipeline_amount, k->currency, amt, sizeof(amt));
	pc_money_format(k->pipeline_weighted, k->currency, w, sizeof(w));
	if (k->target && k->target->v > k->actual)
		pc_money_format(k->target->v - k->actual, k->currency, gap,
			sizeof(gap));
	else
		snprintf(gap, sizeof(gap), "—");
	fmt_num(k->coverage, "%.2f", cov, sizeof(cov));
	const char *pairs[] = {_("Open deals"), n, _("Amount"), amt,
		_("Weighted"), w, _("Still to win"), gap, _("Coverage"), cov};
	printf("%s%s%s · %s\n", col_bold(), k->scope ? k->scope->name : "",
		col_reset(), k->period);
	kv_print(pairs, 5);
}

cJSON *
board_json(const Pace__V1__Board *b, const char *metric)
{
	cJSON *j = cJSON_CreateObject(), *arr;

	cJSON_AddStringToObject(j, "period", b->period);
	cJSON_AddStringToObject(j, "metric", metric);
	cJSON_AddStringToObject(j, "currency", b->currency);
	arr = cJSON_AddArrayToObject(j, "rows");
	for (size_t i = 0; i < b->n_rows; i++) {
		const Pace__V1__BoardRow *r = b->rows[i];
		cJSON *o = cJSON_CreateObject();

		if (r->rank > 0)
			cJSON_AddNumberToObject(o, "rank", r->rank);
		else
			cJSON_AddNullToObject(o, "rank");
		cJSON_AddItemToObject(o, "scope", scope_json(r->member));
		json_add_i64(o, "actual", r->actual);
		json_add_fen(o, "target", r->target);
		json_add_num(o, "attainment", r->attainment);
		json_add_num(o, "pace", r->pace);
		json_add_status(o, "status", r->status);
		cJSON_AddItemToArray(arr, o);
	}
	return j;
}

void
board_print(const Pace__V1__Board *b, const char *metric)
{
	const char *h[] = {_("RANK"), _("NAME"), _("ACTUAL"), _("TARGET"),
		_("ATTAINMENT"), _("PACE"), _("STATUS")};
	struct table *t = table_new(7, h);

	table_align_right(t, 0);
	table_align_right(t, 2);
	table_align_right(t, 3);
	table_align_right(t, 4);
	table_align_right(t, 5);
	for (size_t i = 0; i < b->n_rows; i++) {
		const Pace__V1__BoardRow *r = b->rows[i];
		char rank[16], act[48], tgt[48], att[16], pace[16], st[48];
		const char *sn = status_name(r->status);

		if (r->rank > 0)
			snprintf(rank, sizeof(rank), "%s%d", r->rank <= 3 ? "★" : "",
				r->rank);
		else
			snprintf(rank, sizeof(rank), "—");
		fmt_metric(metric, r->actual, b->currency, act, sizeof(act));
		if (r->target)
			fmt_metric(metric, r->target->v, b->currency, tgt, sizeof(tgt));
		else
			snprintf(tgt, sizeof(tgt), "—");
		fmt_ratio(r->attainment, att, sizeof(att));
		fmt_num(r->pace, "%.2f", pace, sizeof(pace));
		snprintf(st, sizeof(st), "%s%s%s", status_color(r->status),
			sn ? _(sn) : "—", col_reset());
		const char *row[] = {rank, r->member ? r->member->name : "", act,
			tgt, att, pace, st};
		table_row(t, row);
	}
	printf("%s · %s\n", b->period, _(metric));
	table_print(t);
	table_free(t);
}
