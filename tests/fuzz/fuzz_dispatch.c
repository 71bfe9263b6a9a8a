/*
 * libFuzzer harness for decode + dispatch of every message type: the real
 * server core (libpaced_core.a: conn.c, dispatch.c, every handler, auth,
 * topics) on a connection whose socket is one end of a socketpair, with a
 * stub database in place of PostgreSQL.
 *
 * The stub: this file defines db_read() and db_write(), so the linker never
 * pulls server/db/db.c (the pool-backed ones) out of the library. Each call
 * becomes a pending job; the fuzz input decides when each job is answered
 * and with what: rows with any columns and values, no rows, or an error of
 * any code. Whatever is still pending at the end is answered UNAVAILABLE,
 * as the real pool does when the database goes away.
 *
 * Checked, beyond "no crash, no leak, no undefined behaviour":
 * - every response is a decodable Frame;
 * - no request id is answered more often than it was sent, and, while the
 *   connection stays open, every request is answered exactly once (the
 *   contract of handler.h);
 * - every database callback runs exactly once (db.h), params are valid
 *   strings when submitted.
 *
 * Input: [role][db policy] then records, each a tag byte and its data:
 *   FRAME  u16 len, bytes: one frame body (the harness adds the header)
 *   RAW    u16 len, bytes: raw stream bytes (any length prefixes)
 *   ANSWER idx, kind, ...: answer a pending job:
 *          kind 0: rows: nrows, ncols, ncols x (u8 len, name),
 *                  nrows x ncols x (u16 len, value; 0xFFFF is NULL)
 *          kind 1: no rows
 *          kind 2: error: code index (bit 7: out of scope), (u8 len,
 *                  message), (u8 len, field)
 *   RUN    n: run the loop; conn_cron as if n seconds had passed
 *   CLOSE  : close the connection (later answers find it closing)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#include "addrtab.h"
#include "auth.h"
#include "clock.h"
#include "config.h"
#include "conn.h"
#include "db/db.h"
#include "log.h"
#include "msg.h"
#include "rbuf.h"
#include "server.h"
#include "topics.h"
#include "xmalloc.h"

struct server srv; /* defined by main.c in paced, which is not linked */

enum { T_FRAME, T_RAW, T_ANSWER, T_RUN, T_CLOSE, T_NTAGS };

#define MAX_PENDING 256
#define MAX_IDS 65536

struct job {
	const struct stmt *st;
	db_cb cb;
	void *arg;
};

static struct {
	struct job pending[MAX_PENDING];
	int npending;
	unsigned submitted;
	unsigned fail_every; /* every Nth submission is refused (0: none) */
	const uint8_t *p, *end; /* the fuzz input being read */
	struct conn *c;
	int peer; /* our end of the socketpair */
	struct rbuf out; /* what the server wrote, being framed */
	uint16_t sent[MAX_IDS];
	uint16_t answered[MAX_IDS];
	int closed_early; /* the connection closed (or lingers) */
	int raw; /* raw bytes were sent: ids are not known */
	char valid_hash[crypto_pwhash_STRBYTES];
	uv_prepare_t flush;
} F;

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_dispatch: invariant broken: %s\n", what);
		abort();
	}
}

/* --- reading the fuzz input ------------------------------------------ */

static int
more(void)
{
	return F.p < F.end;
}

static uint8_t
u8(void)
{
	return F.p < F.end ? *F.p++ : 0;
}

static uint16_t
u16(void)
{
	uint16_t hi = u8();

	return (uint16_t)(hi << 8 | u8());
}

/* Up to n bytes of input (fewer at the end); returns the count. */
static size_t
take(const uint8_t **out, size_t n)
{
	size_t left = (size_t)(F.end - F.p);

	if (n > left)
		n = left;
	*out = F.p;
	F.p += n;
	return n;
}

/* A NUL-terminated copy of a u8-length-prefixed string of the input. */
static char *
str(void)
{
	const uint8_t *s;
	size_t n = take(&s, u8());
	char *out = xmalloc(n + 1);

	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/* --- the stub database --------------------------------------------------- */

static int
submit(const struct stmt *st, const char *const *params, db_cb cb, void *arg)
{
	/* The params must be readable now (they are copied by the real one). */
	for (int i = 0; i < st->nparams; i++)
		if (params[i])
			(void)strlen(params[i]);
	F.submitted++;
	if (F.fail_every && F.submitted % F.fail_every == 0)
		return E_DB_BUSY;
	if (F.npending == MAX_PENDING)
		return E_DB_BUSY;
	F.pending[F.npending++] = (struct job){st, cb, arg};
	return 0;
}

int
db_read(const struct stmt *st, const char *const *params, db_cb cb, void *arg)
{
	return submit(st, params, cb, arg);
}

int
db_write(const struct stmt *st, const char *const *params, unsigned flags,
        db_cb cb, void *arg)
{
	return submit(st, params, cb, arg);
}

int
db_write_keyed(int64_t key, const struct stmt *st, const char *const *params,
        unsigned flags, db_cb cb, void *arg)
{
	return submit(st, params, cb, arg);
}

static const int error_codes[] = {E_UNAVAILABLE, E_INVALID, E_UNAUTH, E_DENIED,
        E_NOTFOUND, E_CONFLICT, E_EXHAUSTED, E_INTERNAL, E_DB_BUSY};

/*
 * A result with columns and rows from the input. A password hash column is
 * either a real hash of "pw" or junk: a hash from the input could ask
 * argon2 for gigabytes (the database is trusted with that, not the fuzzer).
 */
static PGresult *
make_rows(void)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	int nrows = u8() % 4, ncols = u8() % 32;
	PGresAttDesc attrs[32];
	char *names[32];

	memset(attrs, 0, sizeof(attrs));
	for (int i = 0; i < ncols; i++) {
		names[i] = str();
		attrs[i].name = names[i];
		attrs[i].format = 0;
		attrs[i].typid = 25; /* text */
		attrs[i].typlen = -1;
		attrs[i].atttypmod = -1;
	}
	if (ncols > 0 && !PQsetResultAttrs(res, ncols, attrs))
		check(0, "PQsetResultAttrs");
	for (int r = 0; r < nrows; r++) {
		for (int i = 0; i < ncols; i++) {
			uint16_t n = u16();
			const uint8_t *v;
			size_t len;

			if (n == 0xFFFF) {
				/* NULL (rows are added in order: set it). */
				check(PQsetvalue(res, r, i, NULL, -1),
				        "PQsetvalue");
				continue;
			}
			len = take(&v, n);
			if (strcmp(names[i], "pw_hash") == 0) {
				v = (const uint8_t *)(len && (v[0] & 1)
				                ? F.valid_hash
				                : "junk");
				len = strlen((const char *)v);
			}
			check(PQsetvalue(res, r, i, (char *)v, (int)len),
			        "PQsetvalue");
		}
	}
	for (int i = 0; i < ncols; i++)
		free(names[i]);
	return res;
}

static void
answer(int idx, int kind)
{
	struct job j = F.pending[idx];
	struct db_result r = {0};
	char *message = NULL, *field = NULL;
	uint8_t code;

	memmove(&F.pending[idx], &F.pending[idx + 1],
	        (size_t)(F.npending - idx - 1) * sizeof(F.pending[0]));
	F.npending--;
	switch (kind) {
	case 0:
		r.res = make_rows();
		break;
	case 1:
		r.res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
		break;
	case 2:
		code = u8();
		r.err = error_codes[code %
		        (sizeof(error_codes) / sizeof(error_codes[0]))];
		/* Bit 7: "not found" for something out of scope (PA4S4). */
		r.out_of_scope = r.err == E_NOTFOUND && (code & 0x80);
		message = str();
		field = str();
		r.message = message;
		r.field = *field ? field : NULL;
		break;
	default: /* what the pool says when the database is gone */
		r.err = E_UNAVAILABLE;
		r.message = "database unavailable";
		break;
	}
	j.cb(j.arg, &r);
	PQclear(r.res);
	free(message);
	free(field);
}

/* --- the connection ------------------------------------------------------ */

static void
flush_cb(uv_prepare_t *h)
{
	conn_flush_all();
}

static struct conn *
fake_conn(int fd, int role)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	/* What conn_accept() does, minus accept() and uv_read_start(). */
	uv_tcp_init(srv.loop, &c->tcp);
	check(uv_tcp_open(&c->tcp, fd) == 0, "uv_tcp_open");
	c->refs = 1;
	c->id = ++srv.next_conn_id;
	rbuf_init(&c->in);
	TAILQ_INIT(&c->outq);
	c->created_us = c->last_active_us = clock_mono_us();
	c->tokens = (double)srv.cfg.rate_limit_burst;
	c->tokens_at_us = c->created_us;
	snprintf(c->addr, sizeof(c->addr), "192.0.2.7");
	c->port = 4242;
	TAILQ_INSERT_TAIL(&srv.clients, c, all_entry);
	srv.nclients++;
	addrtab_get(c->addr)->conns++;
	if (role > 0) {
		struct identity *id = identity_new("fuzz", "", "", "", "", "");

		id->user_id = 7;
		id->org_id = 1;
		id->team_id = role >= ROLE_MANAGER ? 3 : 0;
		id->role = (enum role)role;
		conn_set_identity(c, id);
	} else if (role < 0) {
		c->state = CONN_HELLO;
	}
	return c;
}

static int
conn_gone(void)
{
	return F.c == NULL || conn_is_closing(F.c) ||
	        (F.c->flags & CONN_LINGER);
}

/* Read and check what the server wrote to the socket. */
static void
read_peer(void)
{
	for (;;) {
		size_t avail;
		uint8_t *dst = rbuf_space(&F.out, 65536, 64 << 20, &avail);
		ssize_t n = recv(F.peer, dst, avail, MSG_DONTWAIT);
		const uint8_t *body;
		uint32_t len;

		if (n <= 0)
			break;
		rbuf_commit(&F.out, (size_t)n);
		while (rbuf_next(&F.out, 64 << 20, &body, &len) == FRAME_OK) {
			pace_frame_t *f = msg_unpack(body, len);

			check(f != NULL,
			        "the server sent an undecodable frame");
			if (f->id != 0 && f->id < MAX_IDS && !F.raw) {
				F.answered[f->id]++;
				check(F.answered[f->id] <= F.sent[f->id],
				        "a request was answered more than once");
			}
			msg_free(f);
		}
	}
	rbuf_trim(&F.out);
}

static void
run_loop(void)
{
	/*
	 * uv_run() does nothing in a loop with no active handle, so the
	 * flush paced runs from a uv_prepare is called here as well.
	 */
	for (int i = 0; i < 4; i++) {
		conn_flush_all();
		uv_run(srv.loop, UV_RUN_NOWAIT);
		read_peer();
	}
	/* Password checks run on the thread pool: wait for them. */
	while (auth_busy() > 0) {
		conn_flush_all();
		uv_run(srv.loop, UV_RUN_ONCE);
		read_peer();
	}
}

static void
feed(const uint8_t *p, size_t n)
{
	if (F.c == NULL || conn_is_closing(F.c))
		return;
	conn_feed(F.c, p, n);
}

/* Note the id of a frame the server will see (if it decodes). */
static void
note_request(const uint8_t *body, size_t len)
{
	pace_frame_t *f = msg_unpack(body, len);

	if (f && f->id != 0 && f->id < MAX_IDS && F.sent[f->id] < 65535)
		F.sent[f->id]++;
	msg_free(f);
}

/* --- the fuzz entry points ------------------------------------------------ */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	signal(SIGPIPE, SIG_IGN);
	log_set_level(getenv("FUZZ_LOG") ? LOG_TRACE : LOG_ERROR);
	srv.loop = uv_default_loop();
	TAILQ_INIT(&srv.clients);
	if (cfg_defaults(&config_table, &srv.cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "config: %s\n", err);
		abort();
	}
	/* Cheap hashing: the fuzzer logs in a lot. */
	srv.cfg.pwhash_ops = 1;
	srv.cfg.pwhash_mem_kib = 8;
	if (auth_init(srv.loop, 1, 8, 2, 8) != 0 ||
	        auth_hash_now("pw", F.valid_hash, sizeof(F.valid_hash)) != 0)
		abort();
	topics_init(srv.loop, 0);
	uv_prepare_init(srv.loop, &F.flush);
	uv_prepare_start(&F.flush, flush_cb);
	uv_unref((uv_handle_t *)&F.flush);
	rbuf_init(&F.out);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2], role, rounds;
	uint8_t hdr[4];

	if (size < 2)
		return 0;
	F.p = data;
	F.end = data + size;
	/* 0: new connection, 1-4: logged in as that role, 5: after Hello. */
	role = u8() % 6;
	F.fail_every = u8() % 16;
	F.submitted = 0;
	F.npending = 0;
	memset(F.sent, 0, sizeof(F.sent));
	memset(F.answered, 0, sizeof(F.answered));
	check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0,
	        "socketpair");
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	F.peer = sv[1];
	F.c = fake_conn(sv[0], role == 5 ? -1 : role);
	conn_ref(F.c); /* ours, to look at it after a close */
	F.closed_early = 0;
	F.raw = 0;

	while (more()) {
		uint8_t tag = u8() % T_NTAGS;
		const uint8_t *p;
		size_t n;

		switch (tag) {
		case T_FRAME:
			n = take(&p, u16() % 8192);
			if (n == 0)
				break;
			frame_write_hdr(hdr, (uint32_t)n);
			note_request(p, n);
			feed(hdr, sizeof(hdr));
			feed(p, n);
			break;
		case T_RAW:
			n = take(&p, u16() % 8192);
			F.raw = 1;
			feed(p, n);
			break;
		case T_ANSWER:
			if (F.npending == 0) {
				(void)u8();
				break;
			}
			{
				int idx = u8() % F.npending;
				answer(idx, u8() % 3);
			}
			break;
		case T_RUN:
			conn_cron(clock_mono_us() + (int64_t)u8() * 1000000LL);
			run_loop();
			break;
		case T_CLOSE:
			if (!conn_is_closing(F.c)) {
				F.closed_early = 1;
				conn_close(F.c, "fuzz: closed by the client");
			}
			break;
		}
		if (conn_is_closing(F.c))
			F.closed_early = 1;
	}
	/*
	 * The database goes away: what is pending fails, as the pool fails it.
	 * Answers may start more jobs (and resume paused input); a request's
	 * chain ends at its first error. Subscribed topics may keep retrying
	 * their snapshot while the connection is open, so only a bounded
	 * number of rounds is run before the requests are checked.
	 */
	F.p = F.end;
	for (rounds = 0; rounds < 200; rounds++) {
		run_loop();
		if (F.npending == 0 && auth_busy() == 0)
			break;
		while (F.npending > 0)
			answer(0, 3);
	}
	run_loop();
	if (conn_gone())
		F.closed_early = 1;
	if (!F.closed_early && !F.raw) {
		for (int id = 1; id < MAX_IDS; id++)
			check(F.answered[id] == F.sent[id],
			        "a request was never answered");
	}
	/* Once the connection is closed, every chain of jobs must end. */
	conn_close(F.c, "fuzz: done");
	for (rounds = 0; rounds < 1000; rounds++) {
		run_loop();
		if (F.npending == 0 && auth_busy() == 0)
			break;
		while (F.npending > 0)
			answer(0, 3);
	}
	check(rounds < 1000, "database jobs keep coming after the close");
	run_loop();
	check(F.c->refs == 1, "references left on a closed connection");
	conn_unref(F.c);
	F.c = NULL;
	close(F.peer);
	rbuf_fini(&F.out);
	/* Forget per-address state (failed logins) between inputs. */
	addrtab_sweep(INT64_MAX / 2);
	return 0;
}
