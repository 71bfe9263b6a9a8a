/*
 * KPI family: KpiGet (every KPI of DESIGN §5 for a scope and period) and
 * BoardGet (the leaderboard). Computed by pace.kpi() / pace.board() from
 * the rollups; who may see what is decided there (pace.can_read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "handlers.h"
#include "jsonutil.h"
#include "kpi_conv.h"
#include "server.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name
#define MAX_NAME 200

static const struct stmt st_kpi = {"kpi",
	"SELECT pace.kpi($1, $2, $3, $4, $5::bigint) AS k, "
	"pace.kpi_daily($1, $2, $3, $4, $5::bigint) AS d", 5};
static const struct stmt st_board = {"board",
	"SELECT *, (SELECT currency FROM pace.org o JOIN pace.app_user u "
	"ON u.org_id = o.id WHERE u.id = $1) AS currency, "
	"coalesce(nullif($5::text, ''), 'revenue') AS metric "
	"FROM pace.board($1, $2, $3, $4, $5, $6, $7::bigint)", 7};

const struct stmt *const kpi_stmts[] = {&st_kpi, &st_board, NULL};

/* Refuse over-long names and periods before they reach SQL. */
static int
check_scope(struct conn *c, uint32_t id, const Pace__V1__Scope *s,
	const char *period)
{
	if (s && s->name && strlen(s->name) > MAX_NAME) {
		conn_send_error(c, id, E_INVALID, "scope", "scope name too long");
		return -1;
	}
	if (s && (s->kind < 0 || s->kind > PACE__V1__SCOPE_KIND__SCOPE_ORG)) {
		conn_send_error(c, id, E_INVALID, "scope", "unknown scope kind");
		return -1;
	}
	if (period && strlen(period) > 16) {
		conn_send_error(c, id, E_INVALID, "period", "period too long");
		return -1;
	}
	return 0;
}

/* Kpi.daily from a bigint[] in text form ("{1,2,3}"): at most a year. */
static void
daily_from_text(Pace__V1__Kpi *k, const char *text, struct arena *a)
{
	size_t n = 0, cap = 1;
	const char *p;

	if (text == NULL || *text != '{')
		return;
	for (p = text; *p; p++)
		cap += *p == ',';
	if (cap > 400)
		return;
	k->daily = arena_alloc(a, cap * sizeof(*k->daily));
	for (p = text + 1; *p && *p != '}' && n < cap;) {
		char *end;
		k->daily[n++] = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
		if (end == p && *p != '}')
			break;
	}
	k->n_daily = n;
}

static void
kpi_done(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Kpi k;
	struct arena a = ARENA_INIT;
	cJSON *j = db_json(res->res, 0, "k");

	kpi_from_json(&k, j, &a);
	daily_from_text(&k, db_str(res->res, 0, "d"), &a);
	k.computed_at = 0;
	f.body_case = BODY(KPI);
	f.kpi = &k;
	req_reply(r, &f);
	cJSON_Delete(j);
	arena_free(&a);
}

static void
exec_kpi_get(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__KpiGet *m = f->kpi_get;
	char uid[24], now[24];
	const char *p[5];

	if (check_scope(c, id, m->scope, m->period) != 0)
		return;
	req_actor(c, uid);
	p[0] = uid;
	p[1] = m->scope ? scope_kind_sql(m->scope->kind) : "";
	p[2] = m->scope && m->scope->name ? m->scope->name : "";
	p[3] = m->period;
	/* The server's clock (ClockSet moves it in tests): elapsed, pace. */
	snprintf(now, sizeof(now), "%lld", (long long)srv_now_us());
	p[4] = now;
	req_read(c, id, BODY(KPI_GET), &st_kpi, p, kpi_done);
}

static void
board_done(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Board b = PACE__V1__BOARD__INIT;
	Pace__V1__Scope scope = PACE__V1__SCOPE__INIT;
	struct arena a = ARENA_INIT;
	int n = PQntuples(res->res);

	b.scope = &scope;
	b.n_rows = (size_t)n;
	b.rows = arena_alloc(&a, ((size_t)n + 1) * sizeof(*b.rows));
	for (int i = 0; i < n; i++) {
		Pace__V1__BoardRow *row = ARENA_NEW(&a, Pace__V1__BoardRow);
		Pace__V1__Scope *mem = ARENA_NEW(&a, Pace__V1__Scope);

		pace__v1__board_row__init(row);
		pace__v1__scope__init(mem);
		mem->kind = scope_kind_wire(db_str(res->res, i, "kind"));
		mem->id = db_int(res->res, i, "id");
		mem->name = (char *)db_str(res->res, i, "label");
		row->member = mem;
		row->actual = db_int(res->res, i, "actual");
		row->target = fen_text(db_str(res->res, i, "target"), &a);
		row->attainment = num_text(db_str(res->res, i, "attainment"), &a);
		row->pace = num_text(db_str(res->res, i, "pace"), &a);
		row->status = status_wire(db_str(res->res, i, "status"));
		row->rank = (int32_t)db_int(res->res, i, "rank");
		b.rows[i] = row;
	}
	b.period = (char *)(n ? db_str(res->res, 0, "period") : "");
	b.currency = (char *)(n ? db_str(res->res, 0, "currency") : "");
	b.metric = (char *)(n ? db_str(res->res, 0, "metric") : "");
	f.body_case = BODY(BOARD);
	f.board = &b;
	req_reply(r, &f);
	arena_free(&a);
}

static void
exec_board_get(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__BoardGet *m = f->board_get;
	char uid[24], now[24];
	const char *p[7];

	if (check_scope(c, id, m->scope, m->period) != 0)
		return;
	if (strlen(m->metric) > 16 || strlen(m->level) > 16) {
		conn_send_error(c, id, E_INVALID, "metric", "unknown metric or level");
		return;
	}
	req_actor(c, uid);
	p[0] = uid;
	p[1] = m->scope ? scope_kind_sql(m->scope->kind) : "";
	p[2] = m->scope && m->scope->name ? m->scope->name : "";
	p[3] = m->period;
	p[4] = m->metric;
	p[5] = m->level;
	snprintf(now, sizeof(now), "%lld", (long long)srv_now_us());
	p[6] = now;
	req_read(c, id, BODY(BOARD_GET), &st_board, p, board_done);
}

const struct handler handler_kpi_get = {"kpi", 0, ROLES_ANY, exec_kpi_get};
const struct handler handler_board_get = {"board", 0, ROLES_ANY,
	exec_board_get};
