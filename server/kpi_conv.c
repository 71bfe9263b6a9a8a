/* The KPI object between SQL jsonb and the wire (see kpi_conv.h). */
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "kpi_conv.h"

const char *
scope_kind_sql(Pace__V1__ScopeKind kind)
{
	switch (kind) {
	case PACE__V1__SCOPE_KIND__SCOPE_USER:
		return "user";
	case PACE__V1__SCOPE_KIND__SCOPE_TEAM:
		return "team";
	case PACE__V1__SCOPE_KIND__SCOPE_OFFICE:
		return "office";
	case PACE__V1__SCOPE_KIND__SCOPE_ORG:
		return "org";
	default:
		return "";
	}
}

Pace__V1__ScopeKind
scope_kind_wire(const char *s)
{
	if (strcmp(s, "user") == 0)
		return PACE__V1__SCOPE_KIND__SCOPE_USER;
	if (strcmp(s, "team") == 0)
		return PACE__V1__SCOPE_KIND__SCOPE_TEAM;
	if (strcmp(s, "office") == 0)
		return PACE__V1__SCOPE_KIND__SCOPE_OFFICE;
	if (strcmp(s, "org") == 0)
		return PACE__V1__SCOPE_KIND__SCOPE_ORG;
	return PACE__V1__SCOPE_KIND__SCOPE_UNSPECIFIED;
}

Pace__V1__Status
status_wire(const char *s)
{
	if (s == NULL)
		return PACE__V1__STATUS__STATUS_NONE;
	if (strcmp(s, "green") == 0)
		return PACE__V1__STATUS__GREEN;
	if (strcmp(s, "yellow") == 0)
		return PACE__V1__STATUS__YELLOW;
	if (strcmp(s, "red") == 0)
		return PACE__V1__STATUS__RED;
	return PACE__V1__STATUS__STATUS_NONE;
}

Pace__V1__Num *
num_text(const char *text, struct arena *a)
{
	Pace__V1__Num *n;

	if (text == NULL || *text == '\0')
		return NULL;
	n = ARENA_NEW(a, Pace__V1__Num);
	pace__v1__num__init(n);
	n->v = strtod(text, NULL);
	return n;
}

Pace__V1__Fen *
fen_text(const char *text, struct arena *a)
{
	Pace__V1__Fen *f;

	if (text == NULL || *text == '\0')
		return NULL;
	f = ARENA_NEW(a, Pace__V1__Fen);
	pace__v1__fen__init(f);
	f->v = strtoll(text, NULL, 10);
	return f;
}

Pace__V1__Num *
num_opt(const cJSON *j, const char *key, struct arena *a)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
	Pace__V1__Num *n;

	if (v == NULL || cJSON_IsNull(v))
		return NULL;
	n = ARENA_NEW(a, Pace__V1__Num);
	pace__v1__num__init(n);
	n->v = cJSON_IsString(v) ? strtod(v->valuestring, NULL) : v->valuedouble;
	return n;
}

Pace__V1__Fen *
fen_opt(const cJSON *j, const char *key, struct arena *a)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	if (v == NULL || cJSON_IsNull(v))
		return NULL;
	Pace__V1__Fen *f = ARENA_NEW(a, Pace__V1__Fen);
	pace__v1__fen__init(f);
	f->v = json_int(j, key);
	return f;
}

/* An object of counts as repeated Count, in the given key order first. */
static Pace__V1__Count **
counts(const cJSON *obj, const char *const *order, size_t *n, struct arena *a)
{
	Pace__V1__Count **out;
	const cJSON *it;
	size_t k = 0, total = (size_t)cJSON_GetArraySize(obj);

	out = arena_alloc(a, (total + 1) * sizeof(*out));
	if (order) {
		for (; *order; order++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, *order);
			if (v == NULL)
				continue;
			out[k] = ARENA_NEW(a, Pace__V1__Count);
			pace__v1__count__init(out[k]);
			out[k]->key = arena_strdup(a, *order);
			out[k]->n = (int64_t)v->valuedouble;
			k++;
		}
	} else {
		cJSON_ArrayForEach(it, obj)
		{
			out[k] = ARENA_NEW(a, Pace__V1__Count);
			pace__v1__count__init(out[k]);
			out[k]->key = arena_strdup(a, it->string);
			out[k]->n = (int64_t)it->valuedouble;
			k++;
		}
	}
	*n = k;
	return out;
}

void
kpi_from_json(Pace__V1__Kpi *k, const cJSON *j, struct arena *a)
{
	static const char *const stages[] = {"lead", "qualified", "proposal",
		"quote", "negotiation", "won", "lost", NULL};
	const cJSON *scope = cJSON_GetObjectItemCaseSensitive(j, "scope");
	const cJSON *fu = cJSON_GetObjectItemCaseSensitive(j, "followups");
	const cJSON *cyc = cJSON_GetObjectItemCaseSensitive(j, "cycle_days");
	const cJSON *pipe = cJSON_GetObjectItemCaseSensitive(j, "pipeline");
	const cJSON *mix = cJSON_GetObjectItemCaseSensitive(j, "mix");
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(j, "metrics");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");
	const cJSON *m;
	size_t i = 0;

	pace__v1__kpi__init(k);
	k->scope = ARENA_NEW(a, Pace__V1__Scope);
	pace__v1__scope__init(k->scope);
	k->scope->kind = scope_kind_wire(json_str(scope, "kind"));
	k->scope->id = json_int(scope, "id");
	k->scope->name = arena_strdup(a, json_str(scope, "name"));
	k->period = arena_strdup(a, json_str(j, "period"));
	k->currency = arena_strdup(a, json_str(j, "currency"));
	k->revenue_basis = arena_strdup(a, json_str(j, "revenue_basis"));
	k->period_start = json_int(j, "period_start");
	k->period_end = json_int(j, "period_end");
	k->actual = json_int(j, "actual");
	k->target = fen_opt(j, "target", a);
	k->attainment = num_opt(j, "attainment", a);
	k->elapsed = num_opt(j, "elapsed", a);
	k->pace = num_opt(j, "pace", a);
	k->status = status_wire(cJSON_IsString(st) ? st->valuestring : NULL);
	k->new_leads = json_int(j, "new_leads");
	k->followups_total = json_int(fu, "total");
	k->calls = json_int(fu, "call");
	k->visits = json_int(fu, "visit");
	k->emails = json_int(fu, "email");
	k->meetings = json_int(fu, "meeting");
	k->lead_to_opp = num_opt(j, "lead_to_opp", a);
	k->win_rate = num_opt(j, "win_rate", a);
	k->cycle_mean = num_opt(cyc, "mean", a);
	k->cycle_median = num_opt(cyc, "median", a);
	k->avg_deal = fen_opt(j, "avg_deal", a);
	k->pipeline_count = json_int(pipe, "count");
	k->pipeline_amount = json_int(pipe, "amount");
	k->pipeline_weighted = json_int(pipe, "weighted");
	k->coverage = num_opt(j, "coverage", a);
	k->collection_rate = num_opt(j, "collection_rate", a);
	k->overdue_rate = num_opt(j, "overdue_rate", a);
	k->funnel = counts(cJSON_GetObjectItemCaseSensitive(j, "funnel"),
		stages, &k->n_funnel, a);
	k->mix_industry = counts(cJSON_GetObjectItemCaseSensitive(mix, "industry"),
		NULL, &k->n_mix_industry, a);
	k->mix_size = counts(cJSON_GetObjectItemCaseSensitive(mix, "size"), NULL,
		&k->n_mix_size, a);
	k->mix_region = counts(cJSON_GetObjectItemCaseSensitive(mix, "region"),
		NULL, &k->n_mix_region, a);
	k->loss_reasons = counts(cJSON_GetObjectItemCaseSensitive(j,
					 "loss_reasons"),
		NULL, &k->n_loss_reasons, a);
	k->rank = (int32_t)json_int(j, "rank");
	k->n_metrics = (size_t)cJSON_GetArraySize(metrics);
	k->metrics = arena_alloc(a, (k->n_metrics + 1) * sizeof(*k->metrics));
	cJSON_ArrayForEach(m, metrics)
	{
		Pace__V1__MetricProgress *mp = ARENA_NEW(a, Pace__V1__MetricProgress);
		const cJSON *ms = cJSON_GetObjectItemCaseSensitive(m, "status");

		pace__v1__metric_progress__init(mp);
		mp->metric = arena_strdup(a, json_str(m, "metric"));
		mp->actual = json_int(m, "actual");
		mp->target = fen_opt(m, "target", a);
		mp->attainment = num_opt(m, "attainment", a);
		mp->pace = num_opt(m, "pace", a);
		mp->status = status_wire(cJSON_IsString(ms) ? ms->valuestring : NULL);
		k->metrics[i++] = mp;
	}
}
