/*
 * Targets family: TargetPlan (compute a decomposition with common/plan.c
 * from last year's history and today's pipeline, and store it with apply),
 * TargetSet (set and lock a number; SQL re-balances the siblings) and
 * TargetShow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "handlers.h"
#include "jsonutil.h"
#include "kpi_conv.h"
#include "plan.h"
#include "xmalloc.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name
#define MAX_AMOUNT 1000000000000000LL

static const struct stmt st_plan_inputs = {"plan_inputs",
	"SELECT * FROM pace.plan_inputs($1, $2::int, $3)", 3};
static const struct stmt st_plan_season = {"plan_seasonality",
	"SELECT *, (SELECT o.currency FROM pace.org o JOIN pace.app_user u "
	"ON u.org_id = o.id WHERE u.id = $1) AS currency "
	"FROM pace.plan_seasonality($1, $2::int, $3)", 3};
static const struct stmt st_plan_apply = {"plan_apply",
	"SELECT pace.plan_apply($1, $2, $3, $4::int, $5, $6::text[], "
	"$7::bigint[], $8::int[], $9::bigint[]) AS r", 9};
static const struct stmt st_target_set = {"target_set",
	"SELECT pace.target_set($1, $2, $3, $4, $5, $6, $7, $8::bigint, "
	"$9::boolean) AS r", 9};
static const struct stmt st_target_show = {"target_show",
	"SELECT *, (SELECT o.currency FROM pace.org o JOIN pace.app_user u "
	"ON u.org_id = o.id WHERE u.id = $1) AS currency "
	"FROM pace.target_show($1, $2, $3, $4, $5)", 5};

const struct stmt *const target_stmts[] = {&st_plan_inputs, &st_plan_season,
	&st_plan_apply, &st_target_set, &st_target_show, NULL};

static int
valid_metric(const char *m)
{
	return *m == '\0' || strcmp(m, "revenue") == 0 ||
		strcmp(m, "new_leads") == 0 || strcmp(m, "followups") == 0 ||
		strcmp(m, "collected") == 0;
}

/* A plan being computed: inputs -> seasonality -> compute -> maybe apply. */
struct planning {
	struct req r;
	struct arena a;
	char uid[24], year[8], metric[16], op[40], hash[33];
	int apply;
	struct plan p;
	int64_t *user_ids, *team_ids, *office_ids;
	char **logins, **names, **regions, **hired, **team_names, **office_names;
	char currency[8];
};

static void
planning_free(struct planning *pl)
{
	arena_free(&pl->a);
	free(pl);
}

static const char *
parent_name(struct planning *pl, int kind, size_t i)
{
	if (kind == 0)
		return "";
	if (kind == 1)
		return pl->office_names[pl->p.teams[i].office];
	return pl->team_names[pl->p.reps[i].team];
}

static Pace__V1__PlanRow *
plan_row(struct planning *pl, int kind, size_t i)
{
	struct arena *a = &pl->a;
	Pace__V1__PlanRow *row = ARENA_NEW(a, Pace__V1__PlanRow);
	Pace__V1__Scope *s = ARENA_NEW(a, Pace__V1__Scope);
	Pace__V1__Scope *par = ARENA_NEW(a, Pace__V1__Scope);
	const int64_t *months;
	int64_t history = 0, reserve = 0;

	pace__v1__plan_row__init(row);
	pace__v1__scope__init(s);
	pace__v1__scope__init(par);
	row->scope = s;
	row->parent = par;
	row->region = "";
	row->hired_on = "";
	if (kind == 0) { /* office */
		s->kind = PACE__V1__SCOPE_KIND__SCOPE_OFFICE;
		s->id = pl->office_ids[i];
		s->name = pl->office_names[i];
		par->kind = PACE__V1__SCOPE_KIND__SCOPE_ORG;
		for (size_t r = 0; r < pl->p.nreps; r++)
			if ((size_t)pl->p.teams[pl->p.reps[r].team].office == i) {
				history += pl->p.reps[r].history;
				reserve += pl->p.reps[r].reserve;
			}
		row->weight = pl->p.offices[i].weight;
		row->target = pl->p.offices[i].target;
		months = pl->p.offices[i].months;
	} else if (kind == 1) { /* team */
		s->kind = PACE__V1__SCOPE_KIND__SCOPE_TEAM;
		s->id = pl->team_ids[i];
		s->name = pl->team_names[i];
		par->kind = PACE__V1__SCOPE_KIND__SCOPE_OFFICE;
		par->id = pl->office_ids[pl->p.teams[i].office];
		for (size_t r = 0; r < pl->p.nreps; r++)
			if ((size_t)pl->p.reps[r].team == i) {
				history += pl->p.reps[r].history;
				reserve += pl->p.reps[r].reserve;
			}
		row->weight = pl->p.teams[i].weight;
		row->target = pl->p.teams[i].target;
		months = pl->p.teams[i].months;
	} else { /* rep */
		const struct plan_rep *rep = &pl->p.reps[i];
		s->kind = PACE__V1__SCOPE_KIND__SCOPE_USER;
		s->id = pl->user_ids[i];
		s->name = pl->names[i];
		par->kind = PACE__V1__SCOPE_KIND__SCOPE_TEAM;
		par->id = pl->team_ids[rep->team];
		history = rep->history;
		reserve = rep->reserve;
		row->region = pl->regions[i];
		row->hired_on = pl->hired[i];
		row->tenure = rep->tenure;
		row->weight = rep->weight;
		row->target = rep->target;
		months = rep->months;
	}
	par->name = (char *)parent_name(pl, kind, i);
	row->history = history;
	row->reserve = reserve;
	if (history > 0) {
		row->growth = ARENA_NEW(a, Pace__V1__Num);
		pace__v1__num__init(row->growth);
		row->growth->v = (double)row->target / (double)history - 1.0;
	}
	row->n_months = 12;
	row->months = arena_alloc(a, 12 * sizeof(int64_t));
	memcpy(row->months, months, 12 * sizeof(int64_t));
	return row;
}

static void
plan_reply(struct planning *pl, int applied)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Plan out = PACE__V1__PLAN__INIT;
	size_t n = pl->p.noffices + pl->p.nteams + pl->p.nreps, k = 0;

	out.year = atoi(pl->year);
	out.metric = pl->metric;
	out.total = pl->p.total;
	out.applied = applied;
	out.by = pl->p.by == PLAN_BY_EVEN ? "even" : "history";
	out.seasonality = pl->p.season == PLAN_SEASON_EVEN ? "even" : "history";
	out.currency = pl->currency;
	out.n_months = 12;
	out.months = pl->p.months;
	out.rows = arena_alloc(&pl->a, (n + 1) * sizeof(*out.rows));
	/* Tree order: each office, its teams, each team's reps. */
	for (size_t o = 0; o < pl->p.noffices; o++) {
		out.rows[k++] = plan_row(pl, 0, o);
		for (size_t t = 0; t < pl->p.nteams; t++) {
			if ((size_t)pl->p.teams[t].office != o)
				continue;
			out.rows[k++] = plan_row(pl, 1, t);
			for (size_t r = 0; r < pl->p.nreps; r++)
				if ((size_t)pl->p.reps[r].team == t)
					out.rows[k++] = plan_row(pl, 2, r);
		}
	}
	out.n_rows = k;
	f.body_case = BODY(PLAN);
	f.plan = &out;
	req_reply(&pl->r, &f);
}

static void
applied_cb(void *arg, const struct db_result *res)
{
	struct planning *pl = arg;

	if (res->err != 0)
		req_fail_db(&pl->r, res);
	else
		plan_reply(pl, 1);
	planning_free(pl);
}

/* Text arrays for plan_apply: one element per scope and month. */
static void
apply(struct planning *pl)
{
	size_t n = (pl->p.noffices + pl->p.nteams + pl->p.nreps + 1) * 12;
	size_t cap = n * 24 + 16;
	char *kinds = arena_alloc(&pl->a, cap), *ids = arena_alloc(&pl->a, cap);
	char *months = arena_alloc(&pl->a, cap), *amounts = arena_alloc(&pl->a, cap);
	size_t lk = 0, li = 0, lm = 0, la = 0;
	const char *p[9];
	int rc;

#define ADD(kind, id, arr)                                                     \
	for (int m = 0; m < 12; m++) {                                         \
		lk += (size_t)snprintf(kinds + lk, cap - lk, "%s%s",           \
			lk ? "," : "{", kind);                                 \
		li += (size_t)snprintf(ids + li, cap - li, "%s%lld",           \
			li ? "," : "{", (long long)(id));                      \
		lm += (size_t)snprintf(months + lm, cap - lm, "%s%d",          \
			lm ? "," : "{", m + 1);                                \
		la += (size_t)snprintf(amounts + la, cap - la, "%s%lld",       \
			la ? "," : "{", (long long)(arr)[m]);                  \
	}
	ADD("org", 0, pl->p.months);
	for (size_t i = 0; i < pl->p.noffices; i++)
		ADD("office", pl->office_ids[i], pl->p.offices[i].months);
	for (size_t i = 0; i < pl->p.nteams; i++)
		ADD("team", pl->team_ids[i], pl->p.teams[i].months);
	for (size_t i = 0; i < pl->p.nreps; i++)
		ADD("user", pl->user_ids[i], pl->p.reps[i].months);
#undef ADD
	snprintf(kinds + lk, cap - lk, "}");
	snprintf(ids + li, cap - li, "}");
	snprintf(months + lm, cap - lm, "}");
	snprintf(amounts + la, cap - la, "}");
	p[0] = pl->uid;
	p[1] = pl->op;
	p[2] = pl->hash;
	p[3] = pl->year;
	p[4] = pl->metric;
	p[5] = kinds;
	p[6] = ids;
	p[7] = months;
	p[8] = amounts;
	rc = db_write(&st_plan_apply, p, DB_NOTIFY, applied_cb, pl);
	if (rc != 0) {
		req_fail(&pl->r, rc, NULL, "%s", err_str(rc));
		planning_free(pl);
	}
}

static void
season_cb(void *arg, const struct db_result *res)
{
	struct planning *pl = arg;
	int n;

	if (res->err != 0) {
		req_fail_db(&pl->r, res);
		planning_free(pl);
		return;
	}
	n = PQntuples(res->res);
	for (int i = 0; i < n && i < 12; i++)
		pl->p.last_year[i] = db_int(res->res, i, "total");
	if (n > 0)
		snprintf(pl->currency, sizeof(pl->currency), "%s",
			db_str(res->res, 0, "currency"));
	if (plan_compute(&pl->p) != 0) {
		req_fail(&pl->r, E_INVALID, "total", "the plan cannot be computed");
		planning_free(pl);
		return;
	}
	/* The org row (kind org) is stored with id 0: resolve it in SQL. */
	if (pl->apply)
		apply(pl);
	else {
		plan_reply(pl, 0);
		planning_free(pl);
	}
}

/* Index of id in arr[0..*n), appending it (with its name) if new. */
static int
index_of(int64_t *arr, char **names, size_t *n, int64_t id, const char *name,
	struct arena *a)
{
	for (size_t i = 0; i < *n; i++)
		if (arr[i] == id)
			return (int)i;
	arr[*n] = id;
	names[*n] = arena_strdup(a, name);
	return (int)(*n)++;
}

static void
inputs_cb(void *arg, const struct db_result *res)
{
	struct planning *pl = arg;
	struct arena *a = &pl->a;
	const char *p[3];
	size_t n;
	int rc;

	if (res->err != 0) {
		req_fail_db(&pl->r, res);
		planning_free(pl);
		return;
	}
	n = (size_t)PQntuples(res->res);
	if (n == 0) {
		req_fail(&pl->r, E_INVALID, NULL,
			"no active reps in teams to plan for");
		planning_free(pl);
		return;
	}
	pl->p.reps = arena_alloc(a, n * sizeof(*pl->p.reps));
	pl->p.teams = arena_alloc(a, n * sizeof(*pl->p.teams));
	pl->p.offices = arena_alloc(a, n * sizeof(*pl->p.offices));
	pl->user_ids = arena_alloc(a, n * sizeof(int64_t));
	pl->team_ids = arena_alloc(a, n * sizeof(int64_t));
	pl->office_ids = arena_alloc(a, n * sizeof(int64_t));
	pl->logins = arena_alloc(a, n * sizeof(char *));
	pl->names = arena_alloc(a, n * sizeof(char *));
	pl->regions = arena_alloc(a, n * sizeof(char *));
	pl->hired = arena_alloc(a, n * sizeof(char *));
	pl->team_names = arena_alloc(a, n * sizeof(char *));
	pl->office_names = arena_alloc(a, n * sizeof(char *));
	pl->p.nreps = n;
	for (size_t i = 0; i < n; i++) {
		struct plan_rep *r = &pl->p.reps[i];
		const char *hired = db_str(res->res, (int)i, "hired_on");
		int office = index_of(pl->office_ids, pl->office_names,
			&pl->p.noffices, db_int(res->res, (int)i, "office_id"),
			db_str(res->res, (int)i, "office"), a);
		size_t before = pl->p.nteams;
		int team = index_of(pl->team_ids, pl->team_names, &pl->p.nteams,
			db_int(res->res, (int)i, "team_id"),
			db_str(res->res, (int)i, "team"), a);

		if (pl->p.nteams > before)
			pl->p.teams[team].office = office;
		r->team = team;
		r->history = db_int(res->res, (int)i, "history");
		r->reserve = db_int(res->res, (int)i, "reserve");
		r->region_factor = strtod(db_str(res->res, (int)i, "region_factor"),
			NULL);
		if (strlen(hired) == 10) {
			r->hired_year = atoi(hired);
			r->hired_month = atoi(hired + 5);
		}
		pl->user_ids[i] = db_int(res->res, (int)i, "user_id");
		pl->logins[i] = arena_strdup(a, db_str(res->res, (int)i, "login"));
		pl->names[i] = arena_strdup(a, db_str(res->res, (int)i, "name"));
		pl->regions[i] = arena_strdup(a, db_str(res->res, (int)i, "region"));
		pl->hired[i] = arena_strdup(a, hired);
	}
	p[0] = pl->uid;
	p[1] = pl->year;
	p[2] = pl->metric;
	rc = db_read(&st_plan_season, p, season_cb, pl);
	if (rc != 0) {
		req_fail(&pl->r, rc, NULL, "%s", err_str(rc));
		planning_free(pl);
	}
}

static void
exec_target_plan(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__TargetPlan *m = f->target_plan;
	struct planning *pl;
	const char *p[3];
	int rc;

	if (m->year < 2000 || m->year > 2100) {
		conn_send_error(c, id, E_INVALID, "year", "year must be 2000-2100");
		return;
	}
	if (m->total < 0 || m->total > MAX_AMOUNT) {
		conn_send_error(c, id, E_INVALID, "total",
			"total must be between 0 and 10^15 fen");
		return;
	}
	if (!valid_metric(m->metric)) {
		conn_send_error(c, id, E_INVALID, "metric",
			"metric: revenue, new_leads, followups or collected");
		return;
	}
	if (*m->by && strcmp(m->by, "history") && strcmp(m->by, "even")) {
		conn_send_error(c, id, E_INVALID, "by", "by: history or even");
		return;
	}
	if (*m->seasonality && strcmp(m->seasonality, "history") &&
		strcmp(m->seasonality, "even")) {
		conn_send_error(c, id, E_INVALID, "seasonality",
			"seasonality: history or even");
		return;
	}
	if (m->apply && !valid_op_id(m->client_op_id)) {
		conn_send_error(c, id, E_INVALID, "client_op_id",
			"client_op_id must be a UUID");
		return;
	}
	pl = xcalloc(1, sizeof(*pl));
	req_actor(c, pl->uid);
	snprintf(pl->year, sizeof(pl->year), "%d", m->year);
	snprintf(pl->metric, sizeof(pl->metric), "%s",
		*m->metric ? m->metric : "revenue");
	snprintf(pl->op, sizeof(pl->op), "%s", m->client_op_id);
	request_hash(&m->base, pl->hash);
	pl->apply = m->apply;
	pl->p.year = m->year;
	pl->p.total = m->total;
	pl->p.by = strcmp(m->by, "even") == 0 ? PLAN_BY_EVEN : PLAN_BY_HISTORY;
	pl->p.season = strcmp(m->seasonality, "even") == 0 ? PLAN_SEASON_EVEN
							   : PLAN_SEASON_HISTORY;
	req_start(&pl->r, c, id, BODY(TARGET_PLAN));
	p[0] = pl->uid;
	p[1] = pl->year;
	p[2] = pl->metric;
	rc = db_read(&st_plan_inputs, p, inputs_cb, pl);
	if (rc != 0) {
		req_fail(&pl->r, rc, NULL, "%s", err_str(rc));
		planning_free(pl);
	}
}

static void
set_done(struct req *r, const struct db_result *res)
{
	req_ok(r, 0);
}

static void
exec_target_set(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__TargetSet *m = f->target_set;
	char uid[24], hash[33], amount[24];
	const char *p[9];

	if (!valid_op_id(m->client_op_id)) {
		conn_send_error(c, id, E_INVALID, "client_op_id",
			"client_op_id must be a UUID");
		return;
	}
	if (m->scope == NULL || m->scope->kind == 0 ||
		m->scope->kind > PACE__V1__SCOPE_KIND__SCOPE_ORG ||
		strlen(m->scope->name) > 200) {
		conn_send_error(c, id, E_INVALID, "scope",
			"name a user, team, office or the org");
		return;
	}
	if (strlen(m->period) > 16 || !valid_metric(m->metric)) {
		conn_send_error(c, id, E_INVALID, strlen(m->period) > 16 ? "period" : "metric",
			"bad period or metric");
		return;
	}
	req_actor(c, uid);
	request_hash(&m->base, hash);
	snprintf(amount, sizeof(amount), "%lld", (long long)m->amount);
	p[0] = uid;
	p[1] = m->client_op_id;
	p[2] = hash;
	p[3] = scope_kind_sql(m->scope->kind);
	p[4] = m->scope->name;
	p[5] = m->period;
	p[6] = *m->metric ? m->metric : "revenue";
	p[7] = amount;
	p[8] = m->lock ? "true" : "false";
	req_write(c, id, BODY(TARGET_SET), &st_target_set, p, DB_NOTIFY,
		set_done);
}

static void
show_done(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__TargetTable t = PACE__V1__TARGET_TABLE__INIT;
	struct arena a = ARENA_INIT;
	int n = PQntuples(res->res);

	t.n_rows = (size_t)n;
	t.rows = arena_alloc(&a, ((size_t)n + 1) * sizeof(*t.rows));
	for (int i = 0; i < n; i++) {
		Pace__V1__TargetRow *row = ARENA_NEW(&a, Pace__V1__TargetRow);
		Pace__V1__Scope *s = ARENA_NEW(&a, Pace__V1__Scope);

		pace__v1__target_row__init(row);
		pace__v1__scope__init(s);
		s->kind = scope_kind_wire(db_str(res->res, i, "scope_kind"));
		s->id = db_int(res->res, i, "scope_id");
		s->name = (char *)db_str(res->res, i, "label");
		row->scope = s;
		row->period = (char *)db_str(res->res, i, "period");
		row->amount = fen_text(db_str(res->res, i, "amount"), &a);
		row->locked = db_bool(res->res, i, "locked");
		row->depth = (int32_t)db_int(res->res, i, "depth");
		t.rows[i] = row;
	}
	t.currency = (char *)(n ? db_str(res->res, 0, "currency") : "");
	t.metric = "";
	f.body_case = BODY(TARGET_TABLE);
	f.target_table = &t;
	req_reply(r, &f);
	arena_free(&a);
}

static void
exec_target_show(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__TargetShow *m = f->target_show;
	char uid[24];
	const char *p[5];

	if ((m->scope && (strlen(m->scope->name) > 200 ||
				 m->scope->kind > PACE__V1__SCOPE_KIND__SCOPE_ORG)) ||
		strlen(m->period) > 16 || !valid_metric(m->metric)) {
		conn_send_error(c, id, E_INVALID, "scope",
			"bad scope, period or metric");
		return;
	}
	req_actor(c, uid);
	p[0] = uid;
	p[1] = m->scope ? scope_kind_sql(m->scope->kind) : "";
	p[2] = m->scope ? m->scope->name : "";
	p[3] = m->period;
	p[4] = *m->metric ? m->metric : "revenue";
	req_read(c, id, BODY(TARGET_SHOW), &st_target_show, p, show_done);
}

const struct handler handler_target_plan = {"target plan", 0, ROLES_ADMINS,
	exec_target_plan};
const struct handler handler_target_set = {"target set", 0,
	ROLES_ADMINS | ROLE_BIT(ROLE_MANAGER), exec_target_set};
const struct handler handler_target_show = {"target show", 0, ROLES_ANY,
	exec_target_show};
