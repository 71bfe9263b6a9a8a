/*
 * Review family: ReviewGenerate, ReviewGet, ReviewList, StarGet, and the
 * scheduled reviews the leader generates (review_sched_run).
 *
 * A review is built and stored by SQL (deploy/sql/040-043): here it is only
 * carried, its content as the JSON text SQL stored, to be rendered by the
 * client (md, json, csv, xlsx). Generating is one statement that both
 * computes and stores; it is sent as a "read" (db_read: its own implicit
 * transaction, committed when it returns) rather than through the group
 * commit, because it may take a second for a large org and every write
 * batched with it would wait for its commit. It stays idempotent: by
 * client_op_id, and by the one stored review per (org, scope, period),
 * under an advisory lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "feed.h"
#include "jsonutil.h"
#include "kpi_conv.h"
#include "log.h"
#include "review.h"
#include "server.h"

#define MAX_NAME 200
#define MAX_PERIOD 16

static const struct stmt st_review_generate = {"review_generate",
	"SELECT * FROM pace.review_generate($1, $2, $3, $4, $5, $6, $7::boolean, "
	"$8::bigint)", 8};
static const struct stmt st_review_get = {"review_get",
	"SELECT * FROM pace.review_get($1, $2::bigint, $3, $4, $5, $6::bigint)",
	6};
static const struct stmt st_review_list = {"review_list",
	"SELECT pace.review_list($1, $2, $3, $4, $5::int) AS r", 5};
static const struct stmt st_star = {"star",
	"SELECT pace.star($1, $2, $3, $4, $5::bigint) AS r", 5};
static const struct stmt st_review_evaluate = {"review_evaluate",
	"SELECT * FROM pace.review_evaluate($1::bigint)", 1};

const struct stmt *const review_stmts[] = {&st_review_generate,
	&st_review_get, &st_review_list, &st_star, &st_review_evaluate, NULL};

/* Refuse over-long names and periods and unknown kinds before SQL. */
static int
check_scope(struct conn *c, uint32_t id, const Pace__V1__Scope *s,
	const char *period)
{
	if (s && ((s->name && strlen(s->name) > MAX_NAME) || s->kind < 0 ||
			 s->kind > PACE__V1__SCOPE_KIND__SCOPE_ORG)) {
		conn_send_error(c, id, E_INVALID, "scope", "bad scope");
		return -1;
	}
	if (period && strlen(period) > MAX_PERIOD) {
		conn_send_error(c, id, E_INVALID, "period", "period too long");
		return -1;
	}
	return 0;
}

static void
par_scope(struct params *p, const Pace__V1__Scope *s)
{
	par_str(p, s ? scope_kind_sql(s->kind) : "");
	par_str(p, s && s->name ? s->name : "");
}

/* --- Review replies ------------------------------------------------------- */

static void
review_done(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Review rv = PACE__V1__REVIEW__INIT;
	Pace__V1__Scope scope = PACE__V1__SCOPE__INIT;
	struct arena a = ARENA_INIT;
	const PGresult *pr = res->res;
	cJSON *actions, *it;

	if (PQntuples(pr) < 1) {
		req_fail(r, E_INTERNAL, NULL, "no answer from the database");
		return;
	}
	actions = db_json(pr, 0, "actions");
	rv.id = db_int(pr, 0, "id");
	scope.kind = scope_kind_wire(db_str(pr, 0, "scope_kind"));
	scope.id = db_int(pr, 0, "scope_id");
	scope.name = (char *)db_str(pr, 0, "scope_name");
	rv.scope = &scope;
	rv.period = (char *)db_str(pr, 0, "period");
	rv.period_kind = (char *)db_str(pr, 0, "period_kind");
	rv.generated_at = db_int(pr, 0, "generated_at");
	rv.generated_by = (char *)db_str(pr, 0, "generated_by");
	rv.version = (int32_t)db_int(pr, 0, "version");
	rv.existing = db_bool(pr, 0, "existing");
	rv.content = (char *)db_str(pr, 0, "content");
	rv.actions = cap_alloc(&a, (size_t)cJSON_GetArraySize(actions) + 1,
		sizeof(*rv.actions));
	cJSON_ArrayForEach(it, actions)
	{
		Pace__V1__ActionItem *m = cap_alloc(&a, 1, sizeof(*m));

		action_from_json(m, it);
		rv.actions[rv.n_actions++] = m;
	}
	f.body_case = BODY(REVIEW);
	f.review = &rv;
	req_reply(r, &f);
	cJSON_Delete(actions);
	arena_free(&a);
}

static void
exec_review_generate(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ReviewGenerate *m = f->review_generate;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id) ||
		check_scope(c, id, m->scope, m->period))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_scope(&p, m->scope);
	par_str(&p, m->period);
	par_bool(&p, m->regenerate);
	par_int(&p, (long long)srv_now_us());
	req_read(c, id, BODY(REVIEW_GENERATE), &st_review_generate, p.v,
		review_done);
}

static void
exec_review_get(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ReviewGet *m = f->review_get;
	struct params p = {0};

	if (check_scope(c, id, m->scope, m->period))
		return;
	if (m->id < 0) {
		conn_send_error(c, id, E_INVALID, "id", "bad review id");
		return;
	}
	par_actor(&p, c);
	par_int(&p, m->id);
	par_scope(&p, m->scope);
	par_str(&p, m->period);
	par_int(&p, (long long)srv_now_us());
	req_read(c, id, BODY(REVIEW_GET), &st_review_get, p.v, review_done);
}

static void
build_list(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	Pace__V1__ReviewListReply *m = cap_alloc(a, 1, sizeof(*m));
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(j, "reviews"), *it;

	pace__v1__review_list_reply__init(m);
	m->weekly = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "weekly"));
	m->monthly = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "monthly"));
	m->hour = (int32_t)json_int(j, "hour");
	m->timezone = (char *)json_str(j, "timezone");
	m->reviews = cap_alloc(a, (size_t)cJSON_GetArraySize(rows) + 1,
		sizeof(*m->reviews));
	cJSON_ArrayForEach(it, rows)
	{
		Pace__V1__ReviewSummary *s = cap_alloc(a, 1, sizeof(*s));
		Pace__V1__Scope *sc = cap_alloc(a, 1, sizeof(*sc));
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(it, "status");

		pace__v1__review_summary__init(s);
		pace__v1__scope__init(sc);
		s->id = json_int(it, "id");
		sc->kind = scope_kind_wire(json_str(it, "scope_kind"));
		sc->id = json_int(it, "scope_id");
		sc->name = (char *)json_str(it, "scope_name");
		s->scope = sc;
		s->period = (char *)json_str(it, "period");
		s->period_kind = (char *)json_str(it, "period_kind");
		s->generated_at = json_int(it, "generated_at");
		s->generated_by = (char *)json_str(it, "generated_by");
		s->version = (int32_t)json_int(it, "version");
		s->status = status_wire(cJSON_IsString(st) ? st->valuestring : NULL);
		s->attainment = num_opt(it, "attainment", a);
		s->members = (int32_t)json_int(it, "members");
		s->below_pace = (int32_t)json_int(it, "below_pace");
		s->diagnoses = (int32_t)json_int(it, "diagnoses");
		s->actions_total = (int32_t)json_int(it, "actions_total");
		s->actions_open = (int32_t)json_int(it, "actions_open");
		m->reviews[m->n_reviews++] = s;
	}
	f->review_list_reply = m;
	f->body_case = BODY(REVIEW_LIST_REPLY);
}

static void
list_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_list);
}

static void
exec_review_list(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ReviewList *m = f->review_list;
	struct params p = {0};

	if (check_scope(c, id, m->scope, m->period) ||
		cap_check_limit(c, id, m->limit))
		return;
	par_actor(&p, c);
	par_scope(&p, m->scope);
	par_str(&p, m->period);
	par_int(&p, m->limit);
	req_read(c, id, BODY(REVIEW_LIST), &st_review_list, p.v, list_done);
}

/* --- Star ----------------------------------------------------------------- */

static Pace__V1__StarEntry *
star_entry(struct arena *a, const cJSON *j)
{
	Pace__V1__StarEntry *e;
	Pace__V1__Scope *m;
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "user");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");

	if (!cJSON_IsObject(j))
		return NULL;
	e = cap_alloc(a, 1, sizeof(*e));
	m = cap_alloc(a, 1, sizeof(*m));
	pace__v1__star_entry__init(e);
	pace__v1__scope__init(m);
	m->kind = PACE__V1__SCOPE_KIND__SCOPE_USER;
	m->id = json_int(u, "id");
	m->name = (char *)json_str(u, "name");
	e->member = m;
	e->login = (char *)json_str(u, "login");
	e->team = (char *)json_str(j, "team");
	e->actual = json_int(j, "actual");
	e->target = fen_opt(j, "target", a);
	e->attainment = num_opt(j, "attainment", a);
	e->pace = num_opt(j, "pace", a);
	e->status = status_wire(cJSON_IsString(st) ? st->valuestring : NULL);
	return e;
}

static Pace__V1__StarEntry **
star_entries(struct arena *a, const cJSON *arr, size_t *n)
{
	Pace__V1__StarEntry **out = cap_alloc(a,
		(size_t)cJSON_GetArraySize(arr) + 1, sizeof(*out));
	const cJSON *it;

	*n = 0;
	cJSON_ArrayForEach(it, arr)
	{
		Pace__V1__StarEntry *e = star_entry(a, it);
		if (e)
			out[(*n)++] = e;
	}
	return out;
}

static void
build_star(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	Pace__V1__Star *m = cap_alloc(a, 1, sizeof(*m));
	Pace__V1__Scope *sc = cap_alloc(a, 1, sizeof(*sc));
	const cJSON *scope = cJSON_GetObjectItemCaseSensitive(j, "scope");

	pace__v1__star__init(m);
	pace__v1__scope__init(sc);
	sc->kind = scope_kind_wire(json_str(scope, "kind"));
	sc->id = json_int(scope, "id");
	sc->name = (char *)json_str(scope, "name");
	m->scope = sc;
	m->period = (char *)json_str(j, "period");
	m->currency = (char *)json_str(j, "currency");
	m->stars = star_entries(a, cJSON_GetObjectItemCaseSensitive(j, "stars"),
		&m->n_stars);
	m->tied = star_entries(a, cJSON_GetObjectItemCaseSensitive(j, "tied"),
		&m->n_tied);
	m->runner_up = star_entry(a,
		cJSON_GetObjectItemCaseSensitive(j, "runner_up"));
	m->decided_by = (char *)json_str(j, "decided_by");
	f->star = m;
	f->body_case = BODY(STAR);
}

static void
star_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_star);
}

static void
exec_star_get(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__StarGet *m = f->star_get;
	struct params p = {0};

	if (check_scope(c, id, m->scope, m->period))
		return;
	par_actor(&p, c);
	par_scope(&p, m->scope);
	par_str(&p, m->period);
	par_int(&p, (long long)srv_now_us());
	req_read(c, id, BODY(STAR_GET), &st_star, p.v, star_done);
}

/* --- Scheduled reviews (leader) ------------------------------------------- */

static struct {
	int running, again;
} S;

static void sched_step(void);

static void
sched_cb(void *arg, const struct db_result *r)
{
	S.running = 0;
	if (r->err != 0) {
		log_warn("reviews: scheduled work failed: %s", r->message);
		return;
	}
	if (db_int(r->res, 0, "alerts") > 0)
		feed_notify(NULL); /* wake every instance to deliver them */
	if (!db_isnull(r->res, 0, "review")) {
		log_info("reviews: scheduled review %lld generated",
			(long long)db_int(r->res, 0, "review"));
		S.again = 1; /* there may be more due */
	}
	if (S.again)
		sched_step();
}

static void
sched_step(void)
{
	char now[24];
	const char *p[1] = {now};

	if (S.running || !feed_is_leader())
		return;
	S.again = 0;
	S.running = 1;
	snprintf(now, sizeof(now), "%lld", (long long)srv_now_us());
	if (db_read(&st_review_evaluate, p, sched_cb, NULL) != 0) {
		S.running = 0;
		log_debug("reviews: scheduled work skipped (queue full)");
	}
}

void
review_sched_run(void)
{
	if (S.running) {
		S.again = 1;
		return;
	}
	sched_step();
}

const struct handler handler_review_generate = {"review generate", 0,
	ROLES_ANY, exec_review_generate};
const struct handler handler_review_get = {"review show", 0, ROLES_ANY,
	exec_review_get};
const struct handler handler_review_list = {"review list", 0, ROLES_ANY,
	exec_review_list};
const struct handler handler_star_get = {"star", 0, ROLES_ANY,
	exec_star_get};
