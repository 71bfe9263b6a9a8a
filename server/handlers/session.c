/*
 * Handshake and session family: Hello, Login, Resume, Logout, Ping, WhoAmI.
 *
 * Login answers "wrong login or password" alike for an unknown login and a
 * wrong password, and takes as long for both (the unknown login is checked
 * against a dummy hash). After login_max_failures failures in a row, an
 * account or an address must wait, doubling each time up to
 * login_backoff_max_s, before its next password is even checked.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "addrtab.h"
#include "audit.h"
#include "auth.h"
#include "clock.h"
#include "handlers.h"
#include "log.h"
#include "server.h"
#include "wire.h"
#include "xmalloc.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name
#define MAX_LOGIN 64
#define MAX_PASSWORD 1024

static const struct stmt st_login_lookup = {"login_lookup",
	"SELECT * FROM pace.login_lookup($1, $2::int, $3::int)", 3};
static const struct stmt st_login_failed = {"login_failed",
	"SELECT * FROM pace.login_failed($1, $2, $3)", 3};
static const struct stmt st_session_create = {"session_create",
	"SELECT * FROM pace.session_create($1, $2, $3::int, $4)", 4};
static const struct stmt st_session_resume = {"session_resume",
	"SELECT * FROM pace.session_resume($1)", 1};
static const struct stmt st_session_revoke = {"session_revoke",
	"SELECT * FROM pace.session_revoke($1, $2, $3)", 3};

const struct stmt *const session_stmts[] = {&st_login_lookup,
	&st_login_failed, &st_session_create, &st_session_resume,
	&st_session_revoke, NULL};

static void
exec_hello(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	Pace__V1__Frame out = PACE__V1__FRAME__INIT;
	Pace__V1__Welcome w = PACE__V1__WELCOME__INIT;

	if (f->hello->protocol_version != PROTO_VERSION) {
		conn_send_error(c, id, E_VERSION, "protocol_version",
			"unsupported protocol version %u (this server speaks %d)",
			f->hello->protocol_version, PROTO_VERSION);
		conn_close_after_flush(c, "unsupported protocol version %u",
			f->hello->protocol_version);
		return;
	}
	if (c->state == CONN_NEW)
		c->state = CONN_HELLO;
	conn_log(c, LOG_DEBUG, "hello from %.64s",
		f->hello->client_name ? f->hello->client_name : "");
	w.protocol_version = PROTO_VERSION;
	w.server_name = "paced " PACE_VERSION;
	w.max_frame_bytes = (uint32_t)srv.cfg.max_frame_bytes;
	w.max_frame_bytes_preauth = (uint32_t)srv.cfg.max_frame_bytes_preauth;
	w.idle_timeout_s = (uint32_t)srv.cfg.idle_timeout_s;
	out.id = id;
	out.body_case = BODY(WELCOME);
	out.welcome = &w;
	conn_send(c, &out);
}

/* Identity from a session_create / session_resume row. */
static struct identity *
identity_from_row(const PGresult *res)
{
	struct identity *id = identity_new(db_str(res, 0, "login"),
		db_str(res, 0, "name"), db_str(res, 0, "team"),
		db_str(res, 0, "org"), db_str(res, 0, "currency"),
		db_str(res, 0, "timezone"));

	id->user_id = db_int(res, 0, "user_id");
	id->org_id = db_int(res, 0, "org_id");
	id->team_id = db_int(res, 0, "team_id");
	id->role = role_parse(db_str(res, 0, "role"));
	id->expires_at = db_int(res, 0, "expires_at");
	return id;
}

static void
fill_identity(Pace__V1__Identity *m, const struct identity *id)
{
	m->user_id = id->user_id;
	m->login = (char *)id->login;
	m->name = (char *)id->name;
	m->role = (Pace__V1__Role)id->role;
	m->team_id = id->team_id;
	m->team = (char *)id->team;
	m->org_id = id->org_id;
	m->org = (char *)id->org;
	m->currency = (char *)id->currency;
	m->timezone = (char *)id->timezone;
}

/*
 * Give the connection its identity (unless it closed meanwhile) and send the
 * LoginOk, which borrows id's strings. The reply goes last: it may drop the
 * last reference of a closing connection.
 */
static void
attach_and_reply(struct req *r, struct identity *id, pace_frame_t *f,
	const char *what)
{
	int attach = !conn_is_closing(r->c);

	if (attach) {
		conn_set_identity(r->c, id);
		conn_log(r->c, LOG_INFO, "%s as %s (%s)", what, id->login,
			role_name(id->role));
	}
	req_reply(r, f);
	if (!attach)
		free(id);
}

/* A login in progress: lookup -> verify -> session_create or login_failed. */
struct login {
	struct req r;
	char *login;
	char *password;
	int64_t user_id;
	char token[TOKEN_LEN + 1];
	char token_hash[TOKEN_HASH_HEX + 1];
};

static void
login_free(struct login *l)
{
	if (l->password) {
		sodium_memzero(l->password, strlen(l->password));
		free(l->password);
	}
	free(l->login);
	sodium_memzero(l->token, sizeof(l->token));
	free(l);
}

static void
login_fail_throttled(struct login *l, long long retry_ms, const char *who)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Error e = PACE__V1__ERROR__INIT;
	char msg[160];

	audit_security(l->r.c, "login_throttled", who);
	snprintf(msg, sizeof(msg),
		"too many failed logins; try again in %lld s",
		(retry_ms + 999) / 1000);
	e.code = PACE__V1__ERROR_CODE__RESOURCE_EXHAUSTED;
	e.message = msg;
	e.field = "";
	e.retry_after_ms = (uint32_t)retry_ms;
	f.body_case = BODY(ERROR);
	f.error = &e;
	req_reply(&l->r, &f);
	login_free(l);
}

static void
created_cb(void *arg, const struct db_result *res)
{
	struct login *l = arg;
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__LoginOk ok = PACE__V1__LOGIN_OK__INIT;
	Pace__V1__Identity im = PACE__V1__IDENTITY__INIT;
	struct identity *id;
	struct addr_entry *e;

	if (res->err != 0 || PQntuples(res->res) != 1) {
		if (res->err != 0)
			req_fail_db(&l->r, res);
		else
			req_fail(&l->r, E_UNAUTH, NULL,
				"wrong login or password");
		login_free(l);
		return;
	}
	if ((e = addrtab_find(l->r.c->addr)) != NULL)
		e->fails = 0;
	id = identity_from_row(res->res);
	identity_set_token_hash(id, l->token_hash);
	fill_identity(&im, id);
	ok.token = l->token;
	ok.expires_at = id->expires_at;
	ok.identity = &im;
	f.body_case = BODY(LOGIN_OK);
	f.login_ok = &ok;
	attach_and_reply(&l->r, id, &f, "logged in");
	login_free(l);
}

static void
failed_cb(void *arg, const struct db_result *res)
{
	struct login *l = arg;

	req_fail(&l->r, E_UNAUTH, NULL, "wrong login or password");
	login_free(l);
}

static void
verified_cb(void *arg, int ok, const char *hash)
{
	struct login *l = arg;
	struct conn *c = l->r.c;
	char uid[24], ttl[24];
	const char *params[4];
	int rc;

	snprintf(uid, sizeof(uid), "%lld", (long long)l->user_id);
	if (!ok || l->user_id == 0) {
		struct addr_entry *e = addrtab_get(c->addr);

		e->fails++;
		e->last_fail = clock_mono_us();
		if (e->fails >= srv.cfg.login_max_failures) {
			int shift = (int)(e->fails - srv.cfg.login_max_failures);
			int64_t wait = 1000000LL << (shift > 20 ? 20 : shift);

			if (wait > srv.cfg.login_backoff_max_s * 1000000LL)
				wait = srv.cfg.login_backoff_max_s * 1000000LL;
			e->fail_until = clock_mono_us() + wait;
		}
		conn_log(c, LOG_INFO, "login failed for '%.64s'", l->login);
		params[0] = l->user_id ? uid : NULL;
		params[1] = l->login;
		params[2] = c->addr;
		rc = db_write(&st_login_failed, params, 0, failed_cb, l);
		if (rc != 0)
			failed_cb(l, NULL);
		return;
	}
	auth_new_token(l->token, l->token_hash);
	snprintf(ttl, sizeof(ttl), "%lld", srv.cfg.session_ttl_hours);
	params[0] = uid;
	params[1] = l->token_hash;
	params[2] = ttl;
	params[3] = c->addr;
	rc = db_write(&st_session_create, params, 0, created_cb, l);
	if (rc != 0) {
		req_fail(&l->r, rc, NULL, "%s", err_str(rc));
		login_free(l);
	}
}

static void
looked_up_cb(void *arg, const struct db_result *res)
{
	struct login *l = arg;
	const char *hash = NULL;
	int rc;

	if (res->err != 0) {
		req_fail_db(&l->r, res);
		login_free(l);
		return;
	}
	if (PQntuples(res->res) == 1) {
		long long retry = db_int(res->res, 0, "retry_after_ms");

		l->user_id = db_int(res->res, 0, "user_id");
		if (retry > 0) {
			login_fail_throttled(l, retry, l->login);
			return;
		}
		hash = db_str(res->res, 0, "pw_hash");
	}
	rc = auth_verify(hash, l->password, verified_cb, l);
	if (rc != 0) {
		audit_security(l->r.c, "login_busy", l->login);
		req_fail(&l->r, E_EXHAUSTED, NULL,
			"too many logins in progress; retry shortly");
		login_free(l);
	}
}

static void
exec_login(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__Login *m = f->login;
	struct addr_entry *e = addrtab_find(c->addr);
	char maxf[24], backoff[24];
	const char *params[3];
	struct login *l;
	int64_t now = clock_mono_us();
	int rc;

	if (m->user == NULL || *m->user == '\0' || strlen(m->user) > MAX_LOGIN) {
		conn_send_error(c, id, E_INVALID, "user",
			"login must be 1-%d bytes", MAX_LOGIN);
		return;
	}
	if (m->password == NULL || strlen(m->password) > MAX_PASSWORD) {
		conn_send_error(c, id, E_INVALID, "password",
			"password must be at most %d bytes", MAX_PASSWORD);
		return;
	}
	if (e && e->fail_until > now) {
		long long ms = (e->fail_until - now) / 1000;
		Pace__V1__Frame out = PACE__V1__FRAME__INIT;
		Pace__V1__Error err = PACE__V1__ERROR__INIT;
		char msg[160];

		audit_security(c, "login_throttled", c->addr);
		snprintf(msg, sizeof(msg),
			"too many failed logins from %s; try again in %lld s",
			c->addr, (ms + 999) / 1000);
		err.code = PACE__V1__ERROR_CODE__RESOURCE_EXHAUSTED;
		err.message = msg;
		err.field = "";
		err.retry_after_ms = (uint32_t)ms;
		out.id = id;
		out.body_case = BODY(ERROR);
		out.error = &err;
		conn_send(c, &out);
		return;
	}
	l = xcalloc(1, sizeof(*l));
	l->login = xstrdup(m->user);
	l->password = xstrdup(m->password);
	req_start(&l->r, c, id, BODY(LOGIN));
	snprintf(maxf, sizeof(maxf), "%lld", srv.cfg.login_max_failures);
	snprintf(backoff, sizeof(backoff), "%lld", srv.cfg.login_backoff_max_s);
	params[0] = l->login;
	params[1] = maxf;
	params[2] = backoff;
	rc = db_read(&st_login_lookup, params, looked_up_cb, l);
	if (rc != 0) {
		req_fail(&l->r, rc, NULL, "%s", err_str(rc));
		login_free(l);
	}
}

struct resume {
	struct req r;
	char token_hash[TOKEN_HASH_HEX + 1];
};

static void
resumed_cb(void *arg, const struct db_result *res)
{
	struct resume *rs = arg;
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__LoginOk ok = PACE__V1__LOGIN_OK__INIT;
	Pace__V1__Identity im = PACE__V1__IDENTITY__INIT;
	struct identity *id;

	if (res->err != 0) {
		req_fail_db(&rs->r, res);
		free(rs);
		return;
	}
	if (PQntuples(res->res) != 1) {
		audit_security(rs->r.c, "resume_refused",
			"session expired, revoked or unknown");
		req_fail(&rs->r, E_UNAUTH, "token",
			"session expired or revoked; log in again");
		free(rs);
		return;
	}
	id = identity_from_row(res->res);
	identity_set_token_hash(id, rs->token_hash);
	fill_identity(&im, id);
	ok.token = "";
	ok.expires_at = id->expires_at;
	ok.identity = &im;
	f.body_case = BODY(LOGIN_OK);
	f.login_ok = &ok;
	attach_and_reply(&rs->r, id, &f, "resumed session");
	free(rs);
}

static void
exec_resume(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	struct resume *rs;
	const char *params[1];
	int rc;

	if (f->resume->token == NULL || strlen(f->resume->token) != TOKEN_LEN) {
		conn_send_error(c, id, E_UNAUTH, "token", "malformed token");
		return;
	}
	rs = xcalloc(1, sizeof(*rs));
	auth_token_hash(f->resume->token, rs->token_hash);
	req_start(&rs->r, c, id, BODY(RESUME));
	params[0] = rs->token_hash;
	rc = db_read(&st_session_resume, params, resumed_cb, rs);
	if (rc != 0) {
		req_fail(&rs->r, rc, NULL, "%s", err_str(rc));
		free(rs);
	}
}

static void
revoked_cb(struct req *r, const struct db_result *res)
{
	if (!conn_is_closing(r->c)) {
		conn_log(r->c, LOG_INFO, "logged out");
		conn_set_identity(r->c, NULL);
	}
	req_ok(r, 0);
}

static void
exec_logout(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	char uid[24], hash[TOKEN_HASH_HEX + 1];
	const char *params[3];

	req_actor(c, uid);
	identity_token_hash(c->ident, hash);
	params[0] = uid;
	params[1] = hash;
	params[2] = c->addr;
	req_write(c, id, BODY(LOGOUT), &st_session_revoke, params, 0,
		revoked_cb);
}

static void
exec_ping(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	Pace__V1__Frame out = PACE__V1__FRAME__INIT;
	Pace__V1__Pong pong = PACE__V1__PONG__INIT;

	pong.sent_at = f->ping->sent_at;
	pong.server_time = clock_now_us();
	out.id = id;
	out.body_case = BODY(PONG);
	out.pong = &pong;
	conn_send(c, &out);
}

static void
exec_whoami(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	Pace__V1__Frame out = PACE__V1__FRAME__INIT;
	Pace__V1__Identity im = PACE__V1__IDENTITY__INIT;

	fill_identity(&im, c->ident);
	out.id = id;
	out.body_case = BODY(IDENTITY);
	out.identity = &im;
	conn_send(c, &out);
}

const struct handler handler_hello = {"hello", H_PREHELLO, ROLES_ANY,
	exec_hello};
const struct handler handler_login = {"login", H_PREAUTH, ROLES_ANY,
	exec_login};
const struct handler handler_resume = {"resume", H_PREAUTH, ROLES_ANY,
	exec_resume};
const struct handler handler_logout = {"logout", 0, ROLES_ANY, exec_logout};
const struct handler handler_ping = {"ping", H_PREHELLO, ROLES_ANY, exec_ping};
const struct handler handler_whoami = {"whoami", 0, ROLES_ANY, exec_whoami};
