/*
 * Administration family: offices, teams and users. Admins and directors
 * write; every logged-in user may list (names appear on leaderboards).
 * Writes are idempotent by client_op_id (deploy/sql/003_admin.sql).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "auth.h"
#include "capture.h"
#include "handlers.h"
#include "jsonutil.h"
#include "xmalloc.h"

static const struct stmt st_office_add = {"office_add",
	"SELECT pace.office_add($1, $2, $3, $4, $5) AS r", 5};
static const struct stmt st_office_list = {"office_list",
	"SELECT * FROM pace.office_list($1)", 1};
static const struct stmt st_team_add = {"team_add",
	"SELECT pace.team_add($1, $2, $3, $4, $5, $6) AS r", 6};
static const struct stmt st_team_list = {"team_list",
	"SELECT * FROM pace.team_list($1)", 1};
static const struct stmt st_user_add = {"user_add",
	"SELECT pace.user_add($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) AS r",
	10};
static const struct stmt st_user_list = {"user_list",
	"SELECT * FROM pace.user_list($1, $2)", 2};

const struct stmt *const admin_stmts[] = {&st_office_add, &st_office_list,
	&st_team_add, &st_team_list, &st_user_add, &st_user_list, NULL};

/*
 * The messages of a list reply, one a row: `items` holds them (each `size`
 * bytes, set by a row_fill_fn) and `ptrs` points at them, as the reply's
 * repeated field wants. Both have one spare entry and are owned.
 */
struct rows {
	void *items;
	void **ptrs;
	size_t n;
};

typedef void (*row_fill_fn)(void *item, const PGresult *res, int row);

static void
rows_build(struct rows *l, const PGresult *res, size_t size, row_fill_fn fill)
{
	int n = PQntuples(res);

	l->items = xcalloc((size_t)n + 1, size);
	l->ptrs = xcalloc((size_t)n + 1, sizeof(*l->ptrs));
	for (int i = 0; i < n; i++) {
		l->ptrs[i] = (char *)l->items + (size_t)i * size;
		fill(l->ptrs[i], res, i);
	}
	l->n = (size_t)n;
}

static void
rows_free(struct rows *l)
{
	free(l->items);
	free(l->ptrs);
}

static void
office_added(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Office o = PACE__V1__OFFICE__INIT;
	cJSON *j = db_json(res->res, 0, "r");

	o.id = json_int(j, "id");
	o.name = (char *)json_str(j, "name");
	o.region = (char *)json_str(j, "region");
	f.body_case = BODY(OFFICE);
	f.office = &o;
	req_reply(r, &f);
	cJSON_Delete(j);
}

static void
exec_office_add(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__OfficeAdd *m = f->office_add;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id) != 0)
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_str(&p, m->name);
	par_str(&p, m->region);
	req_write(c, id, BODY(OFFICE_ADD), &st_office_add, p.v, 0,
		office_added);
}

static void
office_row(void *item, const PGresult *res, int i)
{
	Pace__V1__Office *o = item;

	pace__v1__office__init(o);
	o->id = db_int(res, i, "id");
	o->name = (char *)db_str(res, i, "name");
	o->region = (char *)db_str(res, i, "region");
}

static void
office_listed(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__OfficeListReply reply = PACE__V1__OFFICE_LIST_REPLY__INIT;
	struct rows l;

	rows_build(&l, res->res, sizeof(Pace__V1__Office), office_row);
	reply.n_offices = l.n;
	reply.offices = (Pace__V1__Office **)l.ptrs;
	f.body_case = BODY(OFFICE_LIST_REPLY);
	f.office_list_reply = &reply;
	req_reply(r, &f);
	rows_free(&l);
}

static void
exec_office_list(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	struct params p = {0};

	par_actor(&p, c);
	req_read(c, id, BODY(OFFICE_LIST), &st_office_list, p.v,
		office_listed);
}

static void
team_added(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Team t = PACE__V1__TEAM__INIT;
	cJSON *j = db_json(res->res, 0, "r");

	t.id = json_int(j, "id");
	t.name = (char *)json_str(j, "name");
	t.office_id = json_int(j, "office_id");
	t.office = (char *)json_str(j, "office");
	t.manager_id = json_int(j, "manager_id");
	t.manager = (char *)json_str(j, "manager");
	f.body_case = BODY(TEAM);
	f.team = &t;
	req_reply(r, &f);
	cJSON_Delete(j);
}

static void
exec_team_add(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__TeamAdd *m = f->team_add;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id) != 0)
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_str(&p, m->name);
	par_str(&p, m->office);
	par_str(&p, m->manager);
	req_write(c, id, BODY(TEAM_ADD), &st_team_add, p.v, 0, team_added);
}

static void
team_row(void *item, const PGresult *res, int i)
{
	Pace__V1__Team *t = item;

	pace__v1__team__init(t);
	t->id = db_int(res, i, "id");
	t->name = (char *)db_str(res, i, "name");
	t->office_id = db_int(res, i, "office_id");
	t->office = (char *)db_str(res, i, "office");
	t->manager_id = db_int(res, i, "manager_id");
	t->manager = (char *)db_str(res, i, "manager");
}

static void
team_listed(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__TeamListReply reply = PACE__V1__TEAM_LIST_REPLY__INIT;
	struct rows l;

	rows_build(&l, res->res, sizeof(Pace__V1__Team), team_row);
	reply.n_teams = l.n;
	reply.teams = (Pace__V1__Team **)l.ptrs;
	f.body_case = BODY(TEAM_LIST_REPLY);
	f.team_list_reply = &reply;
	req_reply(r, &f);
	rows_free(&l);
}

static void
exec_team_list(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	struct params p = {0};

	par_actor(&p, c);
	req_read(c, id, BODY(TEAM_LIST), &st_team_list, p.v, team_listed);
}

static void
user_from_json(Pace__V1__User *u, const cJSON *j)
{
	u->id = json_int(j, "id");
	u->login = (char *)json_str(j, "login");
	u->name = (char *)json_str(j, "name");
	u->role = (Pace__V1__Role)role_parse(json_str(j, "role"));
	u->team_id = json_int(j, "team_id");
	u->team = (char *)json_str(j, "team");
	u->hired_on = (char *)json_str(j, "hired_on");
	u->region = (char *)json_str(j, "region");
	u->active = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "active"));
}

static void
user_added(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__User u = PACE__V1__USER__INIT;
	cJSON *j = db_json(res->res, 0, "r");

	user_from_json(&u, j);
	f.body_case = BODY(USER);
	f.user = &u;
	req_reply(r, &f);
	cJSON_Delete(j);
}

/* user add: hash the password on the thread pool, then write. */
struct user_add {
	struct conn *c; /* ref */
	uint32_t id;
	char uid[24], hash[33];
	char *op, *login, *name, *role, *team, *hired_on, *region;
};

static void
user_add_free(struct user_add *ua)
{
	free(ua->op);
	free(ua->login);
	free(ua->name);
	free(ua->role);
	free(ua->team);
	free(ua->hired_on);
	free(ua->region);
	free(ua);
}

static void
user_hashed_cb(void *arg, int ok, const char *pwhash)
{
	struct user_add *ua = arg;
	struct conn *c = ua->c;
	const char *p[10];

	if (!conn_is_closing(c)) {
		if (!ok) {
			conn_send_error(c, ua->id, E_INTERNAL, "password",
				"could not hash the password");
		} else {
			p[0] = ua->uid;
			p[1] = ua->op;
			p[2] = ua->hash;
			p[3] = ua->login;
			p[4] = ua->name;
			p[5] = ua->role;
			p[6] = ua->team;
			p[7] = pwhash;
			p[8] = ua->hired_on;
			p[9] = ua->region;
			req_write(c, ua->id, BODY(USER_ADD), &st_user_add, p, 0,
				user_added);
		}
	}
	conn_req_end(c);
	user_add_free(ua);
}

static void
exec_user_add(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__UserAdd *m = f->user_add;
	struct user_add *ua;
	size_t pwlen = m->password ? strlen(m->password) : 0;
	int rc;

	if (cap_check_op(c, id, m->client_op_id) != 0)
		return;
	if (pwlen < 8 || pwlen > 1024) {
		conn_send_error(c, id, E_INVALID, "password",
			"password must be 8-1024 bytes");
		return;
	}
	if (role_parse(role_name((enum role)m->role)) == ROLE_NONE) {
		conn_send_error(c, id, E_INVALID, "role",
			"role: admin, director, manager or rep");
		return;
	}
	ua = xcalloc(1, sizeof(*ua));
	ua->c = c;
	ua->id = id;
	req_actor(c, ua->uid);
	request_hash(&m->base, ua->hash);
	ua->op = xstrdup(m->client_op_id);
	ua->login = xstrdup(m->login);
	ua->name = xstrdup(m->name);
	ua->role = xstrdup(role_name((enum role)m->role));
	ua->team = xstrdup(m->team);
	ua->hired_on = xstrdup(m->hired_on);
	ua->region = xstrdup(m->region);
	conn_req_begin(c);
	rc = auth_hash(m->password, user_hashed_cb, ua);
	if (rc != 0) {
		conn_send_error(c, id, E_EXHAUSTED, NULL,
			"too many password operations in progress; retry shortly");
		conn_req_end(c);
		user_add_free(ua);
	}
}

static void
user_row(void *item, const PGresult *res, int i)
{
	Pace__V1__User *u = item;

	pace__v1__user__init(u);
	u->id = db_int(res, i, "id");
	u->login = (char *)db_str(res, i, "login");
	u->name = (char *)db_str(res, i, "name");
	u->role = (Pace__V1__Role)role_parse(db_str(res, i, "role"));
	u->team_id = db_int(res, i, "team_id");
	u->team = (char *)db_str(res, i, "team");
	u->hired_on = (char *)db_str(res, i, "hired_on");
	u->region = (char *)db_str(res, i, "region");
	u->active = db_bool(res, i, "active");
}

static void
user_listed(struct req *r, const struct db_result *res)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__UserListReply reply = PACE__V1__USER_LIST_REPLY__INIT;
	struct rows l;

	rows_build(&l, res->res, sizeof(Pace__V1__User), user_row);
	reply.n_users = l.n;
	reply.users = (Pace__V1__User **)l.ptrs;
	f.body_case = BODY(USER_LIST_REPLY);
	f.user_list_reply = &reply;
	req_reply(r, &f);
	rows_free(&l);
}

static void
exec_user_list(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	struct params p = {0};

	par_actor(&p, c);
	par_str(&p, f->user_list->team);
	req_read(c, id, BODY(USER_LIST), &st_user_list, p.v, user_listed);
}

const struct handler handler_office_add = {"office add", 0, ROLES_ADMINS,
	exec_office_add};
const struct handler handler_office_list = {"office list", 0, ROLES_ANY,
	exec_office_list};
const struct handler handler_team_add = {"team add", 0, ROLES_ADMINS,
	exec_team_add};
const struct handler handler_team_list = {"team list", 0, ROLES_ANY,
	exec_team_list};
const struct handler handler_user_add = {"user add", 0, ROLES_ADMINS,
	exec_user_add};
const struct handler handler_user_list = {"user list", 0, ROLES_ANY,
	exec_user_list};
