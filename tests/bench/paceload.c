/*
 * paceload: a load generator and latency meter for paced, and for the
 * baselines it is compared with (Redis pub/sub, an MQTT broker).
 *
 * Pace mode: N writer connections log in as reps and send ActivityLog and
 * DealMove requests at an open-loop constant rate (or closed-loop, keeping
 * a window full, with --rate 0); M subscriber connections log in as managers
 * and subscribe to the team's KPI snapshot. Every write carries a fresh
 * client_op_id, `at` = the wall clock when it was sent, and a note with the
 * writer, its sequence and the send time. Reported:
 *   - acknowledged writes per second in the measurement window;
 *   - submit -> ack latency (the ack comes after the group commit);
 *   - submit -> push latency: the time from sending an activity to each
 *     subscriber receiving the first snapshot that includes it. A team's
 *     snapshot counts its activities (followups_total), so a snapshot whose
 *     count rose by k since the subscriber's first one includes the first k
 *     activities acknowledged in this run (in ack order, which is commit
 *     order up to the interleaving of concurrent batches);
 *   - fan-out latency: the snapshot's computed_at (stamped by the server
 *     right before it is encoded once and queued to every subscriber) to
 *     its arrival, i.e. publish -> deliver, comparable with Redis;
 *   - RSS and CPU of the servers (/proc/PID) and of PostgreSQL.
 * Latencies are measured from the moment a write was due (its slot in the
 * schedule) when the window held it back, so queueing is not hidden
 * (coordinated omission); otherwise from when it was queued for sending.
 *
 * Redis mode: M subscribers SUBSCRIBE to one channel, one publisher
 * PUBLISHes --rate messages/s of --msg-size bytes, each stamped with its
 * send time: publish -> receive latency at every subscriber.
 *
 * MQTT mode: M clients CONNECT and SUBSCRIBE (QoS 0) and stay idle: for the
 * broker's memory per connection.
 *
 * Seed mode: as an admin, create the office, the team, its reps and its
 * managers that the other modes log in as (idempotent: fixed op ids).
 *
 * One process, one thread, one libuv loop. It refuses more than 19,000
 * sockets (the machine allows 20,000 open files per process): spread larger
 * loads over several processes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "frame.pb-c.h"
#include "hist.h"
#include "procstat.h"
#include "resp.h"
#include "wire.h"

#define MAX_SOCKETS 19000
#define MAX_SERVERS 8
#define MAX_PIDS 8
#define TICK_MS 1
#define OUT_SLOTS 4096 /* outstanding requests per connection (power of 2) */

/* Frame body field numbers (proto/frame.proto). */
enum {
	B_WELCOME = 11,
	B_LOGIN_OK = 13,
	B_OK = 16,
	B_PONG = 18,
	B_ERROR = 19,
	B_OFFICE = 31,
	B_TEAM = 35,
	B_USER = 39,
	B_CUSTOMER = 62,
	B_DEAL = 72,
	B_ACTIVITY = 77,
	B_SUBSCRIBED = 161,
	B_PUSH = 163,
};

/* Error codes (proto/session.proto). */
enum {
	EC_INVALID = 1,
	EC_CONFLICT = 5,
	EC_UNAVAILABLE = 6,
	EC_EXHAUSTED = 7,
	EC_MAX = 9,
};

enum mode { M_PACE, M_REDIS, M_MQTT, M_SEED };
enum kind { K_WRITER, K_SUB, K_ADMIN, K_RPUB, K_RSUB, K_MQTT };
enum cstate {
	S_IDLE, /* not started */
	S_CONNECTING,
	S_HELLO, /* Hello sent */
	S_WAIT_TOKEN, /* another connection of this user is logging in */
	S_AUTH, /* Login or Resume sent */
	S_SETUP, /* writer: customer and deals; admin: seeding */
	S_SUBSCRIBING,
	S_READY,
	S_DEAD,
};
/* What an outstanding request was. */
enum rkind {
	R_NONE,
	R_HELLO,
	R_AUTH,
	R_CUSTOMER,
	R_DEAL_SETUP,
	R_SUBSCRIBE,
	R_ACTIVITY,
	R_DEAL_MOVE,
	R_DEAL_ADD,
	R_SEED,
};
enum phase { P_SETUP, P_SETTLE, P_WARMUP, P_MEASURE, P_DRAIN, P_DONE };

struct obuf {
	uint8_t *p;
	size_t len, cap;
};

struct user {
	char login[64];
	char *token; /* after the first login */
	int logging; /* a Login is in flight */
	struct conn *waiters;
};

struct deal {
	int64_t id;
	int stage; /* pace.v1.Stage */
	int busy; /* a move is in flight */
};

struct outreq {
	uint32_t id; /* 0: free */
	uint8_t kind;
	int32_t deal; /* index in c->deals for moves */
	int64_t origin; /* ns: when the latency clock started */
};

struct conn {
	uv_tcp_t tcp;
	uv_connect_t creq;
	enum kind kind;
	enum cstate state;
	int idx;
	int srv; /* index into the server list */
	struct user *user;
	struct conn *wait_next;
	int is_login;
	uint8_t *in; /* bytes of an incomplete message */
	size_t in_len, in_cap;
	struct obuf out;
	int writing; /* a uv_write is in flight */
	int dirty;
	uint32_t next_id;
	struct outreq *reqs; /* nslots: requests awaiting their answer */
	uint32_t nslots; /* a power of 2 */
	int inflight;
	/* writer */
	int64_t customer_id;
	struct deal *deals;
	int ndeals, capdeals, deal_cursor, deals_pending;
	int64_t next_due; /* ns: the next scheduled write */
	int64_t interval; /* ns between writes of this writer */
	uint64_t seq;
	/* subscriber */
	int have_base;
	int64_t base; /* followups_total of the first snapshot */
	int64_t seen; /* highest count seen */
	/* redis publisher: send times of PUBLISHes awaiting their reply */
	int64_t *fifo;
	size_t fifo_head, fifo_len, fifo_cap;
	/* retry */
	int64_t retry_at;
	int retry_what;
};

/* --- options --------------------------------------------------------------- */

static struct {
	enum mode mode;
	char *servers[MAX_SERVERS];
	int nservers;
	char *sub_servers[MAX_SERVERS];
	int nsub_servers;
	int writers, subscribers;
	double rate;
	double duration, warmup, drain, settle;
	int window;
	int deal_pct;
	const char *prefix;
	const char *password;
	const char *team;
	int writer_users, sub_users;
	int pids[MAX_PIDS];
	int npids;
	int pg_pid;
	int json;
	int connect_conc;
	int msg_size;
	const char *label;
	const char *admin, *admin_password;
	int reps, managers;
	int deals_per_writer;
	int quiet;
} O = {
        .mode = M_PACE,
        .writers = 8,
        .rate = 100,
        .duration = 10,
        .warmup = 2,
        .drain = 5,
        .settle = 1,
        .window = 128,
        .deal_pct = 20,
        .prefix = "pl",
        .password = "paceload-pw-1",
        .sub_users = 10,
        .connect_conc = 256,
        .msg_size = 512,
        .admin = "admin",
        .reps = 64,
        .managers = 10,
        .deals_per_writer = -1,
};

/* --- state ----------------------------------------------------------------- */

static uv_loop_t *loop;
static uv_timer_t tick;
static uv_prepare_t flusher;
static struct sockaddr_in addrs[MAX_SERVERS], sub_addrs[MAX_SERVERS];
static struct conn *conns;
static int nconns, next_to_start, connecting, nready, ndead;
static struct conn **dirty;
static int ndirty;
static struct user *wusers, *susers;
static int nwusers, nsusers;
static char team_name[128];
static enum phase phase = P_SETUP;
static int64_t t_setup0, t_ready, t_load0, t_m0, t_m1, t_drain_end;
static uint64_t rng[4];

/* Outcomes. */
static struct hist h_ack, h_push, h_push_local, h_push_cross, h_fanout;
static struct {
	uint64_t sent, acked, acked_in_window, errors, late;
	uint64_t by_kind_acked[R_SEED + 1];
	uint64_t errors_by_code[EC_MAX + 1];
	uint64_t pushes, pushes_in_window, push_bytes_in_window, initial;
	uint64_t unmatched;
	uint64_t setup_errors;
	char last_error[256];
} S;

/* Acknowledged activities in ack order: when each was sent, and where. */
struct acked {
	int64_t origin;
	int srv;
};
static struct acked *acked;
static size_t nacked, capacked;

/* Pushes seen before the acks they include (resolved when those arrive). */
struct deferred {
	int sub;
	int64_t lo, hi; /* ranks (1-based, inclusive) */
	int64_t at; /* ns */
};
static struct deferred *defer;
static size_t ndefer, capdefer;

/* Seeding. */
static int seed_next, seed_total, seed_done, seed_inflight;

static struct pstat ps_start[MAX_PIDS], ps_ready[MAX_PIDS], ps_m0[MAX_PIDS],
        ps_m1[MAX_PIDS];
static double pg_cpu_m0, pg_cpu_m1;
static double self_cpu_m0, self_cpu_m1;

static void die(const char *fmt, ...)
        __attribute__((format(printf, 1, 2), noreturn));
static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "paceload: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void
note(const char *fmt, ...)
{
	va_list ap;

	if (O.quiet)
		return;
	fprintf(stderr, "paceload: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

static void *
xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (p == NULL)
		die("out of memory");
	return p;
}

/* --- time, randomness, ids -------------------------------------------------- */

static inline int64_t
mono_ns(void)
{
	return (int64_t)uv_hrtime();
}

static int64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The wall clock at a monotonic instant (for `at` and message stamps). */
static int64_t wall_minus_mono_us;

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rnd(void) /* xoshiro256** */
{
	uint64_t r = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;

	rng[2] ^= rng[0];
	rng[3] ^= rng[1];
	rng[1] ^= rng[2];
	rng[0] ^= rng[3];
	rng[2] ^= t;
	rng[3] = rotl(rng[3], 45);
	return r;
}

static void
uuid_fmt(const uint8_t b[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	int o = 0;

	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

static void
uuid_random(char out[37])
{
	uint64_t a = rnd(), b = rnd();
	uint8_t u[16];

	memcpy(u, &a, 8);
	memcpy(u + 8, &b, 8);
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	uuid_fmt(u, out);
}

/* A fixed id for a name (FNV-1a, twice): replays are idempotent. */
static void
uuid_named(const char *name, char out[37])
{
	uint64_t h[2] = {1469598103934665603ULL, 1099511628211ULL * 7};
	uint8_t u[16];

	for (int k = 0; k < 2; k++)
		for (const char *p = name; *p; p++) {
			h[k] ^= (uint8_t)*p;
			h[k] *= 1099511628211ULL;
			h[k] ^= h[k] >> 29;
		}
	memcpy(u, &h[0], 8);
	memcpy(u + 8, &h[1], 8);
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x50);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	uuid_fmt(u, out);
}

/* --- /proc ----------------------------------------------------------------- */

static void
sample_all(struct pstat *ps)
{
	for (int i = 0; i < O.npids; i++)
		proc_stat(O.pids[i], &ps[i]);
}

/* --- output buffers and writing --------------------------------------------- */

static uint8_t *
obuf_reserve(struct obuf *b, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	return b->p + b->len;
}

static void
obuf_put(struct obuf *b, const void *p, size_t n)
{
	memcpy(obuf_reserve(b, n), p, n);
	b->len += n;
}

static void
mark_dirty(struct conn *c)
{
	if (!c->dirty && c->state != S_DEAD) {
		c->dirty = 1;
		dirty[ndirty++] = c;
	}
}

struct wreq {
	uv_write_t req;
	struct conn *c;
	uint8_t *p;
};

static void conn_fail(struct conn *c, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void
write_cb(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct conn *c = w->c;

	free(w->p);
	free(w);
	c->writing = 0;
	if (status < 0) {
		conn_fail(c, "write: %s", uv_strerror(status));
		return;
	}
	if (c->out.len)
		mark_dirty(c);
}

static void
conn_flush(struct conn *c)
{
	uv_buf_t b;
	struct wreq *w;
	int n;

	if (c->writing || c->out.len == 0 || c->state == S_DEAD)
		return;
	b = uv_buf_init((char *)c->out.p, (unsigned)c->out.len);
	n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
	if (n == (int)c->out.len) {
		c->out.len = 0;
		return;
	}
	if (n < 0 && n != UV_EAGAIN) {
		conn_fail(c, "write: %s", uv_strerror(n));
		return;
	}
	if (n < 0)
		n = 0;
	/* The rest goes out with uv_write; the buffer goes with it. */
	w = xcalloc(1, sizeof(*w));
	w->c = c;
	w->p = c->out.p;
	b = uv_buf_init(
	        (char *)c->out.p + n, (unsigned)(c->out.len - (size_t)n));
	memset(&c->out, 0, sizeof(c->out));
	c->writing = 1;
	if ((n = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, write_cb)) !=
	        0) {
		free(w->p);
		free(w);
		c->writing = 0;
		conn_fail(c, "write: %s", uv_strerror(n));
	}
}

static void
flush_cb(uv_prepare_t *h)
{
	for (int i = 0; i < ndirty; i++) {
		dirty[i]->dirty = 0;
		conn_flush(dirty[i]);
	}
	ndirty = 0;
}

/* --- Pace frames: sending ---------------------------------------------------- */

static uint32_t
send_frame(struct conn *c, Pace__V1__Frame *f)
{
	size_t n;
	uint8_t *p;

	f->id = ++c->next_id;
	if (f->id == 0)
		f->id = ++c->next_id;
	n = pace__v1__frame__get_packed_size(f);
	p = obuf_reserve(&c->out, 4 + n);
	p[0] = (uint8_t)(n >> 24);
	p[1] = (uint8_t)(n >> 16);
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	pace__v1__frame__pack(f, p + 4);
	c->out.len += 4 + n;
	mark_dirty(c);
	return f->id;
}

/* Record an outstanding request; -1 if its slot is taken (too many). */
static int
req_add(struct conn *c, uint32_t id, enum rkind kind, int deal, int64_t origin)
{
	struct outreq *r = &c->reqs[id & (c->nslots - 1)];

	if (r->id != 0)
		return -1;
	r->id = id;
	r->kind = (uint8_t)kind;
	r->deal = deal;
	r->origin = origin;
	c->inflight++;
	return 0;
}

/* The slot the next request would use is free. */
static int
req_room(struct conn *c)
{
	uint32_t id = c->next_id + 1 ? c->next_id + 1 : 1;

	return c->reqs[id & (c->nslots - 1)].id == 0;
}

static int
req_take(struct conn *c, uint32_t id, struct outreq *out)
{
	struct outreq *r;

	if (id == 0 || c->reqs == NULL)
		return -1;
	r = &c->reqs[id & (c->nslots - 1)];
	if (r->id != id)
		return -1;
	*out = *r;
	r->id = 0;
	c->inflight--;
	return 0;
}

static void
send_hello(struct conn *c)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Hello m = PACE__V1__HELLO__INIT;

	m.protocol_version = PROTO_VERSION;
	m.client_name = "paceload";
	f.body_case = PACE__V1__FRAME__BODY_HELLO;
	f.hello = &m;
	req_add(c, send_frame(c, &f), R_HELLO, -1, 0);
	c->state = S_HELLO;
}

static void
send_login(struct conn *c)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Login m = PACE__V1__LOGIN__INIT;
	Pace__V1__Resume r = PACE__V1__RESUME__INIT;

	if (c->user->token) {
		r.token = c->user->token;
		f.body_case = PACE__V1__FRAME__BODY_RESUME;
		f.resume = &r;
		c->is_login = 0;
	} else {
		m.user = c->user->login;
		m.password = (char *)(c->kind == K_ADMIN ? O.admin_password
		                                         : O.password);
		f.body_case = PACE__V1__FRAME__BODY_LOGIN;
		f.login = &m;
		c->is_login = 1;
		c->user->logging = 1;
	}
	req_add(c, send_frame(c, &f), R_AUTH, -1, 0);
	c->state = S_AUTH;
}

static void
start_auth(struct conn *c)
{
	struct user *u = c->user;

	if (u->token == NULL && u->logging) {
		c->state = S_WAIT_TOKEN;
		c->wait_next = u->waiters;
		u->waiters = c;
		return;
	}
	send_login(c);
}

static void
send_customer_add(struct conn *c)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__CustomerAdd m = PACE__V1__CUSTOMER_ADD__INIT;
	char op[37], key[128], name[128];

	snprintf(key, sizeof(key), "paceload customer %s", c->user->login);
	uuid_named(key, op);
	snprintf(name, sizeof(name), "paceload %s", c->user->login);
	m.client_op_id = op;
	m.name = name;
	m.industry = "software";
	m.size_band = "medium";
	m.region = "east";
	f.body_case = PACE__V1__FRAME__BODY_CUSTOMER_ADD;
	f.customer_add = &m;
	req_add(c, send_frame(c, &f), R_CUSTOMER, -1, 0);
}

static uint32_t
send_deal_add(struct conn *c)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__DealAdd m = PACE__V1__DEAL_ADD__INIT;
	char op[37], title[64];

	uuid_random(op);
	snprintf(title, sizeof(title), "paceload deal %llu",
	        (unsigned long long)++c->seq);
	m.client_op_id = op;
	m.title = title;
	m.customer_id = c->customer_id;
	m.amount = 1000000 + (int64_t)(rnd() % 9000000);
	m.stage = PACE__V1__STAGE__LEAD;
	f.body_case = PACE__V1__FRAME__BODY_DEAL_ADD;
	f.deal_add = &m;
	return send_frame(c, &f);
}

static void
send_subscribe(struct conn *c)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Subscribe m = PACE__V1__SUBSCRIBE__INIT;
	Pace__V1__Scope s = PACE__V1__SCOPE__INIT;

	s.kind = PACE__V1__SCOPE_KIND__SCOPE_TEAM;
	s.name = team_name;
	m.scope = &s;
	m.period = ""; /* the current month */
	f.body_case = PACE__V1__FRAME__BODY_SUBSCRIBE;
	f.subscribe = &m;
	req_add(c, send_frame(c, &f), R_SUBSCRIBE, -1, 0);
	c->state = S_SUBSCRIBING;
}

/* --- Pace frames: reading ------------------------------------------------------ */

struct pbr {
	const uint8_t *p, *end;
};

static int
pb_varint(struct pbr *r, uint64_t *v)
{
	uint64_t x = 0;

	for (int s = 0; s < 64 && r->p < r->end; s += 7) {
		uint8_t b = *r->p++;
		x |= (uint64_t)(b & 0x7f) << s;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* Next field: 1, 0 at the end, -1 if malformed. Varints and fixed values
 * come in *v, length-delimited ones in *data and *len. */
static int
pb_next(struct pbr *r, uint32_t *fno, uint64_t *v, const uint8_t **data,
        size_t *len)
{
	uint64_t key, n;

	if (r->p >= r->end)
		return 0;
	if (pb_varint(r, &key) != 0)
		return -1;
	*fno = (uint32_t)(key >> 3);
	*v = 0;
	*data = NULL;
	*len = 0;
	switch (key & 7) {
	case 0:
		return pb_varint(r, v) == 0 ? 1 : -1;
	case 1:
		if (r->end - r->p < 8)
			return -1;
		memcpy(v, r->p, 8);
		r->p += 8;
		return 1;
	case 2:
		if (pb_varint(r, &n) != 0 || n > (uint64_t)(r->end - r->p))
			return -1;
		*data = r->p;
		*len = (size_t)n;
		r->p += n;
		return 1;
	case 5:
		if (r->end - r->p < 4)
			return -1;
		memcpy(v, r->p, 4);
		r->p += 4;
		return 1;
	default:
		return -1;
	}
}

/* A field of a message: varint value or string. */
static int
pb_get(const uint8_t *m, size_t n, uint32_t want, uint64_t *v,
        const uint8_t **data, size_t *len)
{
	struct pbr r = {m, m + n};
	uint32_t fno;
	uint64_t x;
	const uint8_t *d;
	size_t l;
	int rc, found = 0;

	while ((rc = pb_next(&r, &fno, &x, &d, &l)) == 1)
		if (fno == want) { /* last one wins, as in protobuf */
			if (v)
				*v = x;
			if (data) {
				*data = d;
				*len = l;
			}
			found = 1;
		}
	return rc < 0 ? -1 : found;
}

static int64_t
pb_int(const uint8_t *m, size_t n, uint32_t want)
{
	uint64_t v = 0;

	pb_get(m, n, want, &v, NULL, NULL);
	return (int64_t)v;
}

static void start_next(void);
static void check_setup_done(void);
static void writer_fill(struct conn *c, int64_t now);

static void
conn_ready(struct conn *c)
{
	if (c->state == S_READY)
		return;
	c->state = S_READY;
	nready++;
	connecting--;
	start_next();
	check_setup_done();
}

static void
setup_error(struct conn *c, const char *what, const uint8_t *b, size_t n)
{
	const uint8_t *msg = NULL;
	size_t ml = 0;

	pb_get(b, n, 2, NULL, &msg, &ml);
	S.setup_errors++;
	snprintf(S.last_error, sizeof(S.last_error), "%s (%s): %.*s", what,
	        c->user ? c->user->login : "?", (int)ml,
	        msg ? (const char *)msg : "");
	note("setup failed: %s", S.last_error);
}

/* Retry a setup step later (the server said UNAVAILABLE or EXHAUSTED). */
static void
retry_later(struct conn *c, int what, const uint8_t *err, size_t n)
{
	int64_t ms = pb_int(err, n, 4);

	if (ms <= 0 || ms > 5000)
		ms = 200;
	c->retry_at = mono_ns() + ms * 1000000;
	c->retry_what = what;
}

static void
record_ack_activity(struct conn *c, int64_t origin)
{
	if (nacked == capacked) {
		capacked = capacked ? capacked * 2 : 65536;
		acked = xrealloc(acked, capacked * sizeof(*acked));
	}
	acked[nacked].origin = origin;
	acked[nacked].srv = c->srv;
	nacked++;
}

static int
in_window(int64_t origin)
{
	return t_m0 && origin >= t_m0 && (t_m1 == 0 || origin < t_m1);
}

/* Submit -> push samples for ranks lo..hi seen by subscriber s at `at`. */
static void
push_samples(struct conn *s, int64_t lo, int64_t hi, int64_t at)
{
	for (int64_t r = lo; r <= hi; r++) {
		const struct acked *a = &acked[r - 1];
		int64_t us = (at - a->origin) / 1000;

		if (!in_window(a->origin))
			continue;
		hist_add(&h_push, us);
		hist_add(a->srv == s->srv ? &h_push_local : &h_push_cross, us);
	}
}

static void
resolve_deferred(void)
{
	size_t k = 0;

	for (size_t i = 0; i < ndefer; i++) {
		struct deferred *d = &defer[i];

		if ((size_t)d->hi <= nacked) {
			push_samples(&conns[d->sub], d->lo, d->hi, d->at);
		} else {
			defer[k++] = *d;
		}
	}
	ndefer = k;
}

static void
on_snapshot(struct conn *c, const uint8_t *snap, size_t n, size_t frame_len,
        int64_t now)
{
	int64_t count = pb_int(snap, n, 11); /* followups_total */
	int64_t computed = pb_int(snap, n, 37);
	int64_t lo, hi;

	if (!c->have_base) {
		c->have_base = 1;
		c->base = c->seen = count;
		S.initial++;
		if (c->state == S_SUBSCRIBING)
			conn_ready(c);
		return;
	}
	S.pushes++;
	if (phase == P_MEASURE) {
		S.pushes_in_window++;
		S.push_bytes_in_window += frame_len;
		if (computed > 0)
			hist_add(&h_fanout,
			        (now / 1000 + wall_minus_mono_us) - computed);
	}
	if (count <= c->seen)
		return;
	lo = c->seen - c->base + 1;
	hi = count - c->base;
	c->seen = count;
	if ((size_t)hi <= nacked) {
		push_samples(c, lo, hi, now);
		return;
	}
	/* Pushed before this process saw the ack: settle it when it comes. */
	if ((size_t)lo <= nacked) {
		push_samples(c, lo, (int64_t)nacked, now);
		lo = (int64_t)nacked + 1;
	}
	if (ndefer == capdefer) {
		capdefer = capdefer ? capdefer * 2 : 1024;
		defer = xrealloc(defer, capdefer * sizeof(*defer));
	}
	defer[ndefer].sub = c->idx;
	defer[ndefer].lo = lo;
	defer[ndefer].hi = hi;
	defer[ndefer].at = now;
	ndefer++;
}

static void seed_pump(struct conn *c);

static void
on_reply(struct conn *c, uint32_t fbody, const uint8_t *b, size_t n,
        const struct outreq *r, int64_t now)
{
	int is_err = fbody == B_ERROR;
	int code = is_err ? (int)pb_int(b, n, 1) : 0;
	struct conn *w0;

	switch (r->kind) {
	case R_HELLO:
		if (fbody != B_WELCOME) {
			setup_error(c, "hello", b, n);
			conn_fail(c, "Hello refused");
			return;
		}
		start_auth(c);
		return;
	case R_AUTH:
		if (fbody != B_LOGIN_OK) {
			if (c->is_login)
				c->user->logging = 0;
			if (code == EC_EXHAUSTED || code == EC_UNAVAILABLE) {
				c->state = S_WAIT_TOKEN;
				retry_later(c, R_AUTH, b, n);
				return;
			}
			setup_error(c, "login", b, n);
			conn_fail(c, "login refused");
			while (c->is_login && (w0 = c->user->waiters) != NULL) {
				c->user->waiters = w0->wait_next;
				conn_fail(w0, "login of %s refused",
				        c->user->login);
			}
			return;
		}
		if (c->is_login) {
			const uint8_t *tok;
			size_t tl;
			struct conn *w;

			if (pb_get(b, n, 1, NULL, &tok, &tl) == 1 && tl > 0) {
				c->user->token = xcalloc(1, tl + 1);
				memcpy(c->user->token, tok, tl);
			}
			c->user->logging = 0;
			while ((w = c->user->waiters) != NULL) {
				c->user->waiters = w->wait_next;
				if (w->state == S_WAIT_TOKEN &&
				        w->retry_at == 0)
					send_login(w);
			}
		}
		if (c->kind == K_WRITER) {
			c->state = S_SETUP;
			send_customer_add(c);
		} else if (c->kind == K_SUB) {
			send_subscribe(c);
		} else if (c->kind == K_ADMIN) {
			c->state = S_SETUP;
			seed_pump(c);
		}
		return;
	case R_CUSTOMER:
		if (fbody != B_CUSTOMER) {
			if (code == EC_EXHAUSTED || code == EC_UNAVAILABLE) {
				retry_later(c, R_CUSTOMER, b, n);
				return;
			}
			setup_error(c, "customer", b, n);
			conn_fail(c, "customer refused");
			return;
		}
		c->customer_id = pb_int(b, n, 1);
		c->deals_pending = O.deals_per_writer;
		for (int i = 0; i < c->deals_pending && i < O.window; i++)
			req_add(c, send_deal_add(c), R_DEAL_SETUP, -1, 0);
		if (c->deals_pending == 0)
			conn_ready(c);
		return;
	case R_DEAL_SETUP:
	case R_DEAL_ADD:
		if (fbody == B_DEAL) {
			if (c->ndeals == c->capdeals) {
				c->capdeals =
				        c->capdeals ? c->capdeals * 2 : 64;
				c->deals = xrealloc(c->deals,
				        (size_t)c->capdeals *
				                sizeof(*c->deals));
			}
			c->deals[c->ndeals].id = pb_int(b, n, 1);
			c->deals[c->ndeals].stage = (int)pb_int(b, n, 8);
			c->deals[c->ndeals].busy = 0;
			c->ndeals++;
		}
		if (r->kind == R_DEAL_ADD)
			break; /* a write of the run: counted below */
		if (fbody != B_DEAL && code != EC_EXHAUSTED &&
		        code != EC_UNAVAILABLE) {
			setup_error(c, "deal", b, n);
			conn_fail(c, "deal refused");
			return;
		}
		if (fbody != B_DEAL) {
			/* Try this one again (the window keeps the rest going). */
			req_add(c, send_deal_add(c), R_DEAL_SETUP, -1, 0);
			return;
		}
		if (--c->deals_pending == 0) {
			conn_ready(c);
			return;
		}
		if (c->deals_pending - c->inflight > 0)
			req_add(c, send_deal_add(c), R_DEAL_SETUP, -1, 0);
		return;
	case R_SUBSCRIBE:
		if (fbody != B_SUBSCRIBED) {
			if (code == EC_EXHAUSTED || code == EC_UNAVAILABLE) {
				retry_later(c, R_SUBSCRIBE, b, n);
				return;
			}
			setup_error(c, "subscribe", b, n);
			conn_fail(c, "subscribe refused");
		}
		/* Ready with the first snapshot, which follows. */
		return;
	case R_SEED:
		seed_inflight--;
		/* CONFLICT: made before under another op id; fine. */
		if (is_err && code != EC_CONFLICT)
			setup_error(c, "seed", b, n);
		seed_done++;
		seed_pump(c);
		return;
	default:
		break;
	}
	/* A write of the run. */
	if (r->kind == R_DEAL_MOVE && r->deal >= 0 && r->deal < c->ndeals) {
		struct deal *d = &c->deals[r->deal];
		d->busy = 0;
		if (fbody == B_DEAL)
			d->stage = (int)pb_int(b, n, 8);
	}
	if (is_err) {
		S.errors++;
		S.errors_by_code[code >= 0 && code <= EC_MAX ? code : 0]++;
		if (S.errors <= 5) {
			const uint8_t *msg = NULL;
			size_t ml = 0;
			pb_get(b, n, 2, NULL, &msg, &ml);
			snprintf(S.last_error, sizeof(S.last_error),
			        "write error %d: %.*s", code, (int)ml,
			        msg ? (const char *)msg : "");
			note("%s", S.last_error);
		}
	} else {
		S.acked++;
		S.by_kind_acked[r->kind]++;
		if (phase == P_MEASURE)
			S.acked_in_window++;
		if (in_window(r->origin))
			hist_add(&h_ack, (now - r->origin) / 1000);
		if (r->kind == R_ACTIVITY) {
			record_ack_activity(c, r->origin);
			if (ndefer)
				resolve_deferred();
		}
	}
	if (O.rate <= 0 && (phase == P_WARMUP || phase == P_MEASURE))
		writer_fill(c, now);
}

static void
pace_message(struct conn *c, const uint8_t *m, size_t n, int64_t now)
{
	struct pbr r = {m, m + n};
	uint32_t fno, id = 0, body = 0;
	uint64_t v;
	const uint8_t *d, *bd = NULL;
	size_t l, bl = 0;
	int rc;
	struct outreq req;

	while ((rc = pb_next(&r, &fno, &v, &d, &l)) == 1) {
		if (fno == 1)
			id = (uint32_t)v;
		else if (d) {
			body = fno;
			bd = d;
			bl = l;
		}
	}
	if (rc < 0) {
		conn_fail(c, "malformed frame");
		return;
	}
	if (body == B_PUSH) {
		const uint8_t *snap;
		size_t sl;

		if (pb_get(bd, bl, 10, NULL, &snap, &sl) == 1)
			on_snapshot(c, snap, sl, n + 4, now);
		return;
	}
	if (id == 0) {
		if (body == B_ERROR) {
			const uint8_t *msg = NULL;
			size_t ml = 0;
			pb_get(bd, bl, 2, NULL, &msg, &ml);
			conn_fail(c, "server error: %.*s", (int)ml,
			        msg ? (const char *)msg : "");
		}
		return;
	}
	if (req_take(c, id, &req) != 0)
		return; /* not ours (a pong, say) */
	on_reply(c, body, bd ? bd : (const uint8_t *)"", bl, &req, now);
}

/* --- writers: the schedule -------------------------------------------------- */

static void
send_write(struct conn *c, int64_t origin)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	char op[37], notebuf[96];
	int kind = R_ACTIVITY, di = -1;
	uint32_t id;

	uuid_random(op);
	if (O.deal_pct > 0 && (int)(rnd() % 100) < O.deal_pct) {
		/* The next deal not in flight and not yet at negotiation. */
		for (int k = 0; k < c->ndeals; k++) {
			int i = (c->deal_cursor + k) % c->ndeals;
			if (!c->deals[i].busy &&
			        c->deals[i].stage <
			                PACE__V1__STAGE__NEGOTIATION) {
				di = i;
				break;
			}
		}
		kind = di >= 0 ? R_DEAL_MOVE : R_DEAL_ADD;
	}
	if (kind == R_ACTIVITY) {
		Pace__V1__ActivityLog m = PACE__V1__ACTIVITY_LOG__INIT;

		m.client_op_id = op;
		m.kind = (Pace__V1__ActivityKind)(1 + c->seq % 4);
		m.customer_id = c->customer_id;
		m.at = origin / 1000 + wall_minus_mono_us;
		m.duration_min = 5;
		snprintf(notebuf, sizeof(notebuf), "paceload w%d s%llu t%lld",
		        c->idx, (unsigned long long)c->seq, (long long)m.at);
		m.note = notebuf;
		c->seq++;
		f.body_case = PACE__V1__FRAME__BODY_ACTIVITY_LOG;
		f.activity_log = &m;
		id = send_frame(c, &f);
	} else if (kind == R_DEAL_MOVE) {
		Pace__V1__DealMove m = PACE__V1__DEAL_MOVE__INIT;
		struct deal *d = &c->deals[di];

		m.client_op_id = op;
		m.id = d->id;
		m.stage = (Pace__V1__Stage)(d->stage + 1);
		m.at = origin / 1000 + wall_minus_mono_us;
		d->busy = 1;
		c->deal_cursor = (di + 1) % c->ndeals;
		f.body_case = PACE__V1__FRAME__BODY_DEAL_MOVE;
		f.deal_move = &m;
		id = send_frame(c, &f);
	} else {
		id = send_deal_add(c);
	}
	req_add(c, id, (enum rkind)kind, di, origin);
	S.sent++;
}

/* Closed loop: keep the window full. */
static void
writer_fill(struct conn *c, int64_t now)
{
	if (c->kind != K_WRITER || c->state != S_READY)
		return;
	while (c->inflight < O.window && req_room(c))
		send_write(c, now);
}

/* Open loop: send every write that is due; the window may hold some back,
 * then their latency still counts from when they were due. */
static void
writer_due(struct conn *c, int64_t now)
{
	while (c->next_due <= now) {
		int64_t origin;

		if (c->inflight >= O.window || !req_room(c)) {
			S.late++;
			break;
		}
		/* Due within the last tick: sent on time, clock from now. */
		origin = now - c->next_due > 2 * TICK_MS * 1000000LL
		        ? c->next_due
		        : now;
		send_write(c, origin);
		c->next_due += c->interval;
	}
}

/* --- Redis -------------------------------------------------------------------- */

static const char redis_channel[] = "paceload";

static void
redis_subscribe(struct conn *c)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "SUBSCRIBE %s\r\n", redis_channel);

	obuf_put(&c->out, buf, (size_t)n);
	mark_dirty(c);
	c->state = S_SUBSCRIBING;
}

static void
redis_publish(struct conn *c, int64_t origin)
{
	char hdr[96];
	size_t size = (size_t)(O.msg_size < 32 ? 32 : O.msg_size);
	int n = snprintf(hdr, sizeof(hdr),
	        "*3\r\n$7\r\nPUBLISH\r\n$%zu\r\n%s\r\n$%zu\r\n",
	        strlen(redis_channel), redis_channel, size);
	uint8_t *p;

	obuf_put(&c->out, hdr, (size_t)n);
	p = obuf_reserve(&c->out, size + 2);
	/* The send time (wall clock, µs) leads the payload. */
	n = snprintf((char *)p, 32, "%020lld ",
	        (long long)(origin / 1000 + wall_minus_mono_us));
	memset(p + n, 'x', size - (size_t)n);
	p[size] = '\r';
	p[size + 1] = '\n';
	c->out.len += size + 2;
	mark_dirty(c);
	if (c->fifo_len == c->fifo_cap) {
		size_t cap = c->fifo_cap ? c->fifo_cap * 2 : 1024;
		int64_t *nf = xcalloc(cap, sizeof(*nf));
		for (size_t i = 0; i < c->fifo_len; i++)
			nf[i] = c->fifo[(c->fifo_head + i) % c->fifo_cap];
		free(c->fifo);
		c->fifo = nf;
		c->fifo_cap = cap;
		c->fifo_head = 0;
	}
	c->fifo[(c->fifo_head + c->fifo_len++) % c->fifo_cap] = origin;
	S.sent++;
}

static void
rpub_due(struct conn *c, int64_t now)
{
	while (c->next_due <= now) {
		int64_t origin = now - c->next_due > 2 * TICK_MS * 1000000LL
		        ? c->next_due
		        : now;
		redis_publish(c, origin);
		c->next_due += c->interval;
	}
}

static size_t
redis_input(struct conn *c, const uint8_t *p, size_t n, int64_t now)
{
	size_t used = 0;

	while (used < n) {
		struct resp_el el[4];
		int nel = 0;
		long k = resp_parse(p + used, n - used, el, &nel);

		if (k == 0)
			break;
		if (k < 0) {
			conn_fail(c, "unexpected Redis reply");
			return n;
		}
		used += (size_t)k;
		if (c->kind == K_RPUB) {
			if (nel == 1 && el[0].t == ':' && c->fifo_len > 0) {
				int64_t origin = c->fifo[c->fifo_head];
				c->fifo_head = (c->fifo_head + 1) % c->fifo_cap;
				c->fifo_len--;
				S.acked++;
				if (phase == P_MEASURE)
					S.acked_in_window++;
				if (in_window(origin))
					hist_add(&h_ack, (now - origin) / 1000);
			} else if (nel == 1 && el[0].t == '-') {
				S.errors++;
			}
			continue;
		}
		if (nel == 3 && el[0].len == 9 &&
		        memcmp(el[0].s, "subscribe", 9) == 0) {
			if (c->state == S_SUBSCRIBING)
				conn_ready(c);
		} else if (nel == 3 && el[0].len == 7 &&
		        memcmp(el[0].s, "message", 7) == 0 && el[2].t == '$') {
			int64_t sent = strtoll((const char *)el[2].s, NULL, 10);
			int64_t origin =
			        sent - wall_minus_mono_us; /* µs, mono */

			S.pushes++;
			if (phase == P_MEASURE) {
				S.pushes_in_window++;
				S.push_bytes_in_window += (size_t)k;
			}
			if (in_window(origin * 1000)) {
				int64_t us = now / 1000 - origin;
				hist_add(&h_push, us);
				hist_add(&h_fanout, us);
			}
		}
	}
	return used;
}

/* --- MQTT --------------------------------------------------------------------- */

static void
mqtt_put_str(struct obuf *b, const char *s)
{
	size_t n = strlen(s);
	uint8_t l[2] = {(uint8_t)(n >> 8), (uint8_t)n};

	obuf_put(b, l, 2);
	obuf_put(b, s, n);
}

static void
mqtt_put_len(struct obuf *b, size_t n)
{
	do {
		uint8_t d = (uint8_t)(n % 128);
		n /= 128;
		if (n)
			d |= 0x80;
		obuf_put(b, &d, 1);
	} while (n);
}

static void
mqtt_start(struct conn *c)
{
	char id[64];
	struct obuf v = {0};
	static const uint8_t hdr[] = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0x02,
	        0x58}; /* MQTT 3.1.1, clean session, keepalive 600 s */
	uint8_t t;

	snprintf(id, sizeof(id), "%s-%d-%d", O.prefix, (int)getpid(), c->idx);
	obuf_put(&v, hdr, sizeof(hdr));
	mqtt_put_str(&v, id);
	t = 0x10;
	obuf_put(&c->out, &t, 1);
	mqtt_put_len(&c->out, v.len);
	obuf_put(&c->out, v.p, v.len);
	v.len = 0;
	/* SUBSCRIBE, packet id 1, QoS 0. Pipelined after CONNECT. */
	{
		static const uint8_t pid[] = {0, 1};
		uint8_t qos = 0;
		obuf_put(&v, pid, 2);
		mqtt_put_str(&v, "paceload/bench");
		obuf_put(&v, &qos, 1);
		t = 0x82;
		obuf_put(&c->out, &t, 1);
		mqtt_put_len(&c->out, v.len);
		obuf_put(&c->out, v.p, v.len);
	}
	free(v.p);
	mark_dirty(c);
	c->state = S_SUBSCRIBING;
}

static size_t
mqtt_input(struct conn *c, const uint8_t *p, size_t n, int64_t now)
{
	size_t used = 0;

	while (n - used >= 2) {
		size_t len = 0, k = 1;
		int shift = 0;
		uint8_t type = p[used] >> 4;

		for (;;) {
			if (used + k >= n)
				return used;
			len |= (size_t)(p[used + k] & 0x7f) << shift;
			shift += 7;
			if (!(p[used + k++] & 0x80))
				break;
			if (shift > 21) {
				conn_fail(c, "bad MQTT length");
				return n;
			}
		}
		if (n - used < k + len)
			break;
		if (type == 2 && len >= 2 && p[used + k + 1] != 0) {
			conn_fail(c, "MQTT CONNACK refused (%d)",
			        p[used + k + 1]);
			return n;
		}
		if (type == 9 && c->state == S_SUBSCRIBING)
			conn_ready(c);
		used += k + len;
	}
	return used;
}

/* --- connections ------------------------------------------------------------ */

static size_t
conn_input(struct conn *c, const uint8_t *p, size_t n, int64_t now)
{
	size_t used = 0;

	if (c->kind == K_RPUB || c->kind == K_RSUB)
		return redis_input(c, p, n, now);
	if (c->kind == K_MQTT)
		return mqtt_input(c, p, n, now);
	while (n - used >= 4 && c->state != S_DEAD) {
		uint32_t len = (uint32_t)p[used] << 24 |
		        (uint32_t)p[used + 1] << 16 |
		        (uint32_t)p[used + 2] << 8 | p[used + 3];

		if (n - used - 4 < len)
			break;
		pace_message(c, p + used + 4, len, now);
		used += 4 + len;
	}
	return used;
}

static uint8_t read_buf[1 << 16];

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	buf->base = (char *)read_buf;
	buf->len = sizeof(read_buf);
}

static void
read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct conn *c = (struct conn *)s;
	int64_t now = mono_ns();
	size_t used;

	if (nread == 0)
		return;
	if (nread < 0) {
		conn_fail(c, "%s",
		        nread == UV_EOF ? "server closed the connection"
		                        : uv_strerror((int)nread));
		return;
	}
	if (c->in_len == 0) {
		used = conn_input(
		        c, (const uint8_t *)buf->base, (size_t)nread, now);
		if (used < (size_t)nread && c->state != S_DEAD) {
			size_t rest = (size_t)nread - used;
			if (rest > c->in_cap) {
				c->in = xrealloc(c->in, rest);
				c->in_cap = rest;
			}
			memcpy(c->in, buf->base + used, rest);
			c->in_len = rest;
		}
		return;
	}
	if (c->in_len + (size_t)nread > c->in_cap) {
		c->in_cap = c->in_len + (size_t)nread;
		c->in = xrealloc(c->in, c->in_cap);
	}
	memcpy(c->in + c->in_len, buf->base, (size_t)nread);
	c->in_len += (size_t)nread;
	used = conn_input(c, c->in, c->in_len, now);
	if (c->state == S_DEAD)
		return;
	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	if (c->in_len == 0 && c->in_cap > 65536) {
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
}

static void
conn_fail(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	char msg[200];

	if (c->state == S_DEAD)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->state != S_READY) {
		connecting--;
		S.setup_errors++;
	} else {
		nready--;
	}
	c->state = S_DEAD;
	ndead++;
	if (ndead <= 5)
		note("connection %d: %s", c->idx, msg);
	snprintf(S.last_error, sizeof(S.last_error), "connection %d: %s",
	        c->idx, msg);
	if (!uv_is_closing((uv_handle_t *)&c->tcp))
		uv_close((uv_handle_t *)&c->tcp, NULL);
	if (phase == P_SETUP)
		start_next();
}

static void
connect_cb(uv_connect_t *req, int status)
{
	struct conn *c = req->data;

	if (status < 0) {
		conn_fail(c, "connect: %s", uv_strerror(status));
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) != 0) {
		conn_fail(c, "read_start");
		return;
	}
	switch (c->kind) {
	case K_RPUB:
		conn_ready(c);
		break;
	case K_RSUB:
		redis_subscribe(c);
		break;
	case K_MQTT:
		mqtt_start(c);
		break;
	default:
		send_hello(c);
	}
}

static void
conn_start(struct conn *c)
{
	const struct sockaddr_in *a =
	        c->kind == K_SUB || c->kind == K_RSUB || c->kind == K_MQTT
	        ? &sub_addrs[c->srv]
	        : &addrs[c->srv];
	int rc;

	uv_tcp_init(loop, &c->tcp);
	c->creq.data = c;
	c->state = S_CONNECTING;
	connecting++;
	rc = uv_tcp_connect(
	        &c->creq, &c->tcp, (const struct sockaddr *)a, connect_cb);
	if (rc != 0)
		conn_fail(c, "connect: %s", uv_strerror(rc));
}

static void
start_next(void)
{
	while (phase == P_SETUP && next_to_start < nconns &&
	        connecting < O.connect_conc)
		conn_start(&conns[next_to_start++]);
}

/* --- seeding ------------------------------------------------------------------ */

static void
seed_pump(struct conn *c)
{
	while (seed_next < seed_total && seed_inflight < 16) {
		Pace__V1__Frame f = PACE__V1__FRAME__INIT;
		Pace__V1__OfficeAdd oa = PACE__V1__OFFICE_ADD__INIT;
		Pace__V1__TeamAdd ta = PACE__V1__TEAM_ADD__INIT;
		Pace__V1__UserAdd ua = PACE__V1__USER_ADD__INIT;
		char op[37], key[160], office[96], login[64];
		int i = seed_next++;

		snprintf(office, sizeof(office), "%soffice", O.prefix);
		if (i == 0) {
			snprintf(key, sizeof(key), "paceload seed office %s",
			        office);
			uuid_named(key, op);
			oa.client_op_id = op;
			oa.name = office;
			oa.region = "east";
			f.body_case = PACE__V1__FRAME__BODY_OFFICE_ADD;
			f.office_add = &oa;
		} else if (i == 1) {
			snprintf(key, sizeof(key), "paceload seed team %s",
			        team_name);
			uuid_named(key, op);
			ta.client_op_id = op;
			ta.name = team_name;
			ta.office = office;
			f.body_case = PACE__V1__FRAME__BODY_TEAM_ADD;
			f.team_add = &ta;
		} else {
			int k = i - 2, rep = k < O.reps;

			if (rep)
				snprintf(login, sizeof(login), "%sr%04d",
				        O.prefix, k + 1);
			else
				snprintf(login, sizeof(login), "%sm%03d",
				        O.prefix, k - O.reps + 1);
			snprintf(key, sizeof(key), "paceload seed user %s",
			        login);
			uuid_named(key, op);
			ua.client_op_id = op;
			ua.login = login;
			ua.name = login;
			ua.role = rep ? PACE__V1__ROLE__REP
			              : PACE__V1__ROLE__MANAGER;
			ua.team = team_name;
			ua.password = (char *)O.password;
			ua.region = "east";
			f.body_case = PACE__V1__FRAME__BODY_USER_ADD;
			f.user_add = &ua;
		}
		/* Office and team first: users need them. */
		if (i < 2 && seed_inflight > 0) {
			seed_next--;
			break;
		}
		req_add(c, send_frame(c, &f), R_SEED, -1, 0);
		seed_inflight++;
		if (i < 2)
			break;
	}
	if (seed_done >= seed_total && seed_inflight == 0)
		conn_ready(c);
}

/* --- phases ------------------------------------------------------------------- */

static void report(void);

static void
begin_load(int64_t now)
{
	int nw = 0;

	t_load0 = now;
	phase = O.warmup > 0 ? P_WARMUP : P_MEASURE;
	for (int i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];
		if (c->state != S_READY)
			continue;
		if (c->kind == K_WRITER || c->kind == K_RPUB)
			nw++;
	}
	for (int i = 0, k = 0; i < nconns; i++) {
		struct conn *c = &conns[i];
		if (c->state != S_READY ||
		        (c->kind != K_WRITER && c->kind != K_RPUB))
			continue;
		if (O.rate > 0) {
			c->interval = (int64_t)(1e9 * nw / O.rate);
			/* Stagger the writers over one interval. */
			c->next_due = now + c->interval * k / nw;
		} else if (c->kind == K_WRITER) {
			writer_fill(c, now);
		}
		k++;
	}
	if (phase == P_MEASURE) {
		t_m0 = now;
		sample_all(ps_m0);
		pg_cpu_m0 = proc_tree_cpu(O.pg_pid);
		self_cpu_m0 = self_cpu();
	}
}

static void
check_setup_done(void)
{
	if (phase != P_SETUP || nready + ndead < nconns)
		return;
	t_ready = mono_ns();
	note("setup: %d connections ready, %d failed, in %.1f s", nready, ndead,
	        (double)(t_ready - t_setup0) / 1e9);
	if (ndead > 0 || S.setup_errors > 0) {
		note("setup failed (%s)", S.last_error);
		report();
		exit(1);
	}
	if (O.mode == M_SEED) {
		phase = P_DONE;
		report();
		exit(S.setup_errors ? 1 : 0);
	}
	phase = P_SETTLE;
}

static int
drained(void)
{
	for (int i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];
		if (c->state != S_READY)
			continue;
		if (c->kind == K_WRITER && c->inflight > 0)
			return 0;
		if (c->kind == K_RPUB && c->fifo_len > 0)
			return 0;
		if (c->kind == K_SUB && c->seen - c->base < (int64_t)nacked)
			return 0;
	}
	return ndefer == 0;
}

static void
tick_cb(uv_timer_t *t)
{
	int64_t now = mono_ns();

	/* Setup retries. */
	if (phase == P_SETUP) {
		for (int i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];
			if (c->retry_at == 0 || c->retry_at > now)
				continue;
			c->retry_at = 0;
			if (c->state == S_DEAD)
				continue;
			if (c->retry_what == R_AUTH)
				start_auth(c);
			else if (c->retry_what == R_CUSTOMER)
				send_customer_add(c);
			else if (c->retry_what == R_SUBSCRIBE)
				send_subscribe(c);
		}
		return;
	}
	if (phase == P_SETTLE) {
		if (now - t_ready < (int64_t)(O.settle * 1e9))
			return;
		sample_all(ps_ready);
		begin_load(now);
		now = mono_ns();
	}
	if (phase == P_WARMUP && now - t_load0 >= (int64_t)(O.warmup * 1e9)) {
		phase = P_MEASURE;
		t_m0 = now;
		sample_all(ps_m0);
		pg_cpu_m0 = proc_tree_cpu(O.pg_pid);
		self_cpu_m0 = self_cpu();
	}
	if (phase == P_MEASURE && now - t_m0 >= (int64_t)(O.duration * 1e9)) {
		t_m1 = now;
		sample_all(ps_m1);
		pg_cpu_m1 = proc_tree_cpu(O.pg_pid);
		self_cpu_m1 = self_cpu();
		phase = P_DRAIN;
		t_drain_end = now + (int64_t)(O.drain * 1e9);
	}
	if (phase == P_WARMUP || phase == P_MEASURE) {
		if (O.rate > 0)
			for (int i = 0; i < nconns; i++) {
				struct conn *c = &conns[i];
				if (c->state != S_READY)
					continue;
				if (c->kind == K_WRITER)
					writer_due(c, now);
				else if (c->kind == K_RPUB)
					rpub_due(c, now);
			}
		else
			for (int i = 0; i < nconns; i++)
				writer_fill(&conns[i], now);
	}
	if (phase == P_DRAIN && (drained() || now >= t_drain_end)) {
		phase = P_DONE;
		uv_timer_stop(&tick);
		report();
		exit(S.setup_errors || ndead ? 1 : 0);
	}
}

/* --- report ------------------------------------------------------------------- */

static void
hline(FILE *f, const char *name, const struct hist *h)
{
	if (h->count == 0)
		return;
	fprintf(f,
	        "  %-22s n=%-9llu p50=%-9.3f p95=%-9.3f p99=%-9.3f "
	        "p99.9=%-9.3f max=%.3f ms\n",
	        name, (unsigned long long)h->count, hist_pct(h, 50) / 1e3,
	        hist_pct(h, 95) / 1e3, hist_pct(h, 99) / 1e3,
	        hist_pct(h, 99.9) / 1e3, h->max / 1e3);
}

static const char *
mode_name(void)
{
	static const char *const names[] = {"pace", "redis", "mqtt", "seed"};
	return names[O.mode];
}

/* A JSON string (quotes included). */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void
report(void)
{
	double win = t_m1 > t_m0 ? (double)(t_m1 - t_m0) / 1e9 : 0;
	int nsubs_ready = 0;
	FILE *f = O.json ? stderr : stdout;

	for (int i = 0; i < nconns; i++)
		if (conns[i].state == S_READY &&
		        (conns[i].kind == K_SUB || conns[i].kind == K_RSUB ||
		                conns[i].kind == K_MQTT))
			nsubs_ready++;
	for (size_t i = 0; i < ndefer; i++)
		S.unmatched += (uint64_t)(defer[i].hi - defer[i].lo + 1);

	if (!O.quiet || !O.json) {
		fprintf(f,
		        "paceload %s%s%s: %d writers, %d subscribers, rate %.0f/s, "
		        "%.1f s measured\n",
		        mode_name(), O.label ? " " : "", O.label ? O.label : "",
		        O.writers, O.subscribers, O.rate, win);
		if (win > 0) {
			fprintf(f,
			        "  acknowledged          %.0f writes/s (%llu in window; "
			        "%llu sent, %llu errors, %llu held by the window)\n",
			        S.acked_in_window / win,
			        (unsigned long long)S.acked_in_window,
			        (unsigned long long)S.sent,
			        (unsigned long long)S.errors,
			        (unsigned long long)S.late);
			if (S.pushes_in_window)
				fprintf(f,
				        "  pushes                %.1f per subscriber per s, "
				        "%.0f bytes each\n",
				        S.pushes_in_window / win /
				                (nsubs_ready ? nsubs_ready : 1),
				        (double)S.push_bytes_in_window /
				                S.pushes_in_window);
		}
		hline(f, "submit->ack", &h_ack);
		hline(f, "submit->push", &h_push);
		hline(f, "  same instance", &h_push_local);
		hline(f, "  other instance", &h_push_cross);
		hline(f, "fan-out (publish->rx)", &h_fanout);
		for (int i = 0; i < O.npids; i++)
			fprintf(f,
			        "  server pid %-8d rss %ld KiB at start, %ld KiB ready, "
			        "%ld KiB end (hwm %ld); cpu %.0f%% of a core\n",
			        O.pids[i], ps_start[i].rss_kib,
			        ps_ready[i].rss_kib,
			        ps_m1[i].rss_kib ? ps_m1[i].rss_kib
			                         : ps_ready[i].rss_kib,
			        ps_m1[i].hwm_kib,
			        win > 0 ? 100 *
			                        (ps_m1[i].cpu_s -
			                                ps_m0[i].cpu_s) /
			                        win
			                : 0);
		if (O.pg_pid > 0 && win > 0)
			fprintf(f,
			        "  postgres              cpu %.0f%% of a core\n",
			        100 * (pg_cpu_m1 - pg_cpu_m0) / win);
		if (win > 0)
			fprintf(f,
			        "  paceload              cpu %.0f%% of a core\n",
			        100 * (self_cpu_m1 - self_cpu_m0) / win);
		if (S.unmatched)
			fprintf(f, "  %llu write/push pairs never matched\n",
			        (unsigned long long)S.unmatched);
	}
	if (!O.json)
		return;
	f = stdout;
	fprintf(f, "{\"mode\": \"%s\", \"label\": ", mode_name());
	json_str(f, O.label ? O.label : "");
	fprintf(f, ", \"last_error\": ");
	json_str(f, S.last_error);
	fprintf(f,
	        ", \"writers\": %d, "
	        "\"subscribers\": %d, \"subscribers_ready\": %d, \"rate\": %.1f, "
	        "\"window\": %d, \"duration_s\": %.3f, \"setup_s\": %.3f, "
	        "\"setup_errors\": %llu, \"dead\": %d,\n",
	        O.writers, O.subscribers, nsubs_ready, O.rate, O.window, win,
	        t_ready ? (double)(t_ready - t_setup0) / 1e9 : 0,
	        (unsigned long long)S.setup_errors, ndead);
	fprintf(f,
	        " \"writes\": {\"sent\": %llu, \"acked\": %llu, "
	        "\"acked_in_window\": %llu, \"acked_per_s\": %.1f, \"errors\": %llu, "
	        "\"late\": %llu, \"activities\": %llu, \"deal_moves\": %llu, "
	        "\"deal_adds\": %llu, \"errors_by_code\": {",
	        (unsigned long long)S.sent, (unsigned long long)S.acked,
	        (unsigned long long)S.acked_in_window,
	        win > 0 ? S.acked_in_window / win : 0,
	        (unsigned long long)S.errors, (unsigned long long)S.late,
	        (unsigned long long)S.by_kind_acked[R_ACTIVITY],
	        (unsigned long long)S.by_kind_acked[R_DEAL_MOVE],
	        (unsigned long long)S.by_kind_acked[R_DEAL_ADD]);
	for (int i = 0, first = 1; i <= EC_MAX; i++)
		if (S.errors_by_code[i]) {
			fprintf(f, "%s\"%d\": %llu", first ? "" : ", ", i,
			        (unsigned long long)S.errors_by_code[i]);
			first = 0;
		}
	fprintf(f,
	        "}},\n \"pushes\": {\"received\": %llu, \"in_window\": %llu, "
	        "\"per_sub_per_s\": %.3f, \"avg_bytes\": %.1f, \"unmatched\": %llu},\n",
	        (unsigned long long)S.pushes,
	        (unsigned long long)S.pushes_in_window,
	        win > 0 && nsubs_ready ? S.pushes_in_window / win / nsubs_ready
	                               : 0,
	        S.pushes_in_window
	                ? (double)S.push_bytes_in_window / S.pushes_in_window
	                : 0,
	        (unsigned long long)S.unmatched);
	fprintf(f, " \"ack_us\": ");
	hist_json(&h_ack, f);
	fprintf(f, ",\n \"push_us\": ");
	hist_json(&h_push, f);
	fprintf(f, ",\n \"push_local_us\": ");
	hist_json(&h_push_local, f);
	fprintf(f, ",\n \"push_cross_us\": ");
	hist_json(&h_push_cross, f);
	fprintf(f, ",\n \"fanout_us\": ");
	hist_json(&h_fanout, f);
	fprintf(f, ",\n \"servers\": [");
	for (int i = 0; i < O.npids; i++)
		fprintf(f,
		        "%s{\"pid\": %d, \"rss_kib_start\": %ld, "
		        "\"rss_kib_ready\": %ld, \"rss_kib_end\": %ld, \"hwm_kib\": %ld, "
		        "\"cpu_s\": %.3f, \"cpu_cores\": %.3f}",
		        i ? ", " : "", O.pids[i], ps_start[i].rss_kib,
		        ps_ready[i].rss_kib, ps_m1[i].rss_kib, ps_m1[i].hwm_kib,
		        ps_m1[i].cpu_s - ps_m0[i].cpu_s,
		        win > 0 ? (ps_m1[i].cpu_s - ps_m0[i].cpu_s) / win : 0);
	fprintf(f, "],\n \"pg_cpu_cores\": %.3f, \"client_cpu_cores\": %.3f}\n",
	        win > 0 ? (pg_cpu_m1 - pg_cpu_m0) / win : 0,
	        win > 0 ? (self_cpu_m1 - self_cpu_m0) / win : 0);
	fflush(f);
}

/* --- options ------------------------------------------------------------------ */

static const char usage[] =
        "usage: paceload [options]\n"
        "  --mode pace|redis|mqtt|seed  what to drive (default pace)\n"
        "  --server H:P[,H:P...]     writers' servers (round robin); the broker\n"
        "                            for redis and mqtt; the admin's for seed\n"
        "  --sub-server H:P[,...]    subscribers' servers (default: --server)\n"
        "  --writers N               writer connections (default 8; redis: 1)\n"
        "  --subscribers M           subscriber connections (default 0)\n"
        "  --rate R                  writes (messages) per second in all, open\n"
        "                            loop; 0: closed loop, windows kept full\n"
        "  --window K                most writes in flight per writer (128)\n"
        "  --duration S              measured seconds (10)\n"
        "  --warmup S                seconds of load before measuring (2)\n"
        "  --drain S                 most seconds to wait for the last answers (5)\n"
        "  --settle S                seconds idle after setup, before the load (1)\n"
        "  --deal-moves PCT          share of writes that are deal moves (20)\n"
        "  --deals-per-writer D      deals each writer creates first (default:\n"
        "                            enough for the run)\n"
        "  --users-prefix P          logins P r0001.. (reps), P m001.. (managers),\n"
        "                            team P team (default pl)\n"
        "  --password PW             the users' password\n"
        "  --team NAME               team to subscribe to (default P team)\n"
        "  --writer-users K          distinct reps for the writers (default: one\n"
        "                            each); more connections share them (Resume)\n"
        "  --sub-users K             distinct managers for subscribers (10)\n"
        "  --server-pid PID[,PID]    sample RSS and CPU of these processes\n"
        "  --pg-pid PID              postmaster: CPU of it and its backends\n"
        "  --connect-concurrency N   connections being set up at once (256)\n"
        "  --msg-size B              redis: message bytes (512)\n"
        "  --admin LOGIN --admin-password PW --reps N --managers M   seed mode\n"
        "  --label TEXT              copied into the report\n"
        "  --json                    JSON report on stdout (summary on stderr)\n"
        "  --quiet                   no progress notes\n"
        "  --selftest                check the histogram and exit\n";

static int
parse_list(const char *s, char **out, int max)
{
	char *dup = strdup(s), *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(dup, ",", &save); t && n < max;
	        t = strtok_r(NULL, ",", &save))
		out[n++] = strdup(t);
	free(dup);
	return n;
}

static void
parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[128];
	const char *colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		die("bad address '%s' (HOST:PORT)", s);
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (uv_ip4_addr(host, atoi(colon + 1), a) != 0)
		die("bad address '%s' (an IPv4 address and a port)", s);
}

static void
parse_args(int argc, char **argv)
{
	enum {
		O_MODE = 256,
		O_SERVER,
		O_SUBSERVER,
		O_WRITERS,
		O_SUBS,
		O_RATE,
		O_WINDOW,
		O_DURATION,
		O_WARMUP,
		O_DRAIN,
		O_SETTLE,
		O_DEALPCT,
		O_DEALS,
		O_PREFIX,
		O_PASSWORD,
		O_TEAM,
		O_WUSERS,
		O_SUSERS,
		O_PID,
		O_PGPID,
		O_CONC,
		O_MSGSIZE,
		O_ADMIN,
		O_ADMINPW,
		O_REPS,
		O_MANAGERS,
		O_LABEL,
		O_JSON,
		O_QUIET,
		O_SELFTEST,
		O_HELP,
	};
	static const struct option lo[] = {
	        {"mode", 1, 0, O_MODE},
	        {"server", 1, 0, O_SERVER},
	        {"sub-server", 1, 0, O_SUBSERVER},
	        {"writers", 1, 0, O_WRITERS},
	        {"subscribers", 1, 0, O_SUBS},
	        {"rate", 1, 0, O_RATE},
	        {"window", 1, 0, O_WINDOW},
	        {"duration", 1, 0, O_DURATION},
	        {"warmup", 1, 0, O_WARMUP},
	        {"drain", 1, 0, O_DRAIN},
	        {"settle", 1, 0, O_SETTLE},
	        {"deal-moves", 1, 0, O_DEALPCT},
	        {"deals-per-writer", 1, 0, O_DEALS},
	        {"users-prefix", 1, 0, O_PREFIX},
	        {"password", 1, 0, O_PASSWORD},
	        {"team", 1, 0, O_TEAM},
	        {"writer-users", 1, 0, O_WUSERS},
	        {"sub-users", 1, 0, O_SUSERS},
	        {"server-pid", 1, 0, O_PID},
	        {"pg-pid", 1, 0, O_PGPID},
	        {"connect-concurrency", 1, 0, O_CONC},
	        {"msg-size", 1, 0, O_MSGSIZE},
	        {"admin", 1, 0, O_ADMIN},
	        {"admin-password", 1, 0, O_ADMINPW},
	        {"reps", 1, 0, O_REPS},
	        {"managers", 1, 0, O_MANAGERS},
	        {"label", 1, 0, O_LABEL},
	        {"json", 0, 0, O_JSON},
	        {"quiet", 0, 0, O_QUIET},
	        {"selftest", 0, 0, O_SELFTEST},
	        {"help", 0, 0, O_HELP},
	        {0, 0, 0, 0},
	};
	int ch, writers_set = 0;

	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case O_MODE:
			if (strcmp(optarg, "pace") == 0)
				O.mode = M_PACE;
			else if (strcmp(optarg, "redis") == 0)
				O.mode = M_REDIS;
			else if (strcmp(optarg, "mqtt") == 0)
				O.mode = M_MQTT;
			else if (strcmp(optarg, "seed") == 0)
				O.mode = M_SEED;
			else
				die("--mode: pace, redis, mqtt or seed");
			break;
		case O_SERVER:
			O.nservers = parse_list(optarg, O.servers, MAX_SERVERS);
			break;
		case O_SUBSERVER:
			O.nsub_servers =
			        parse_list(optarg, O.sub_servers, MAX_SERVERS);
			break;
		case O_WRITERS:
			O.writers = atoi(optarg);
			writers_set = 1;
			break;
		case O_SUBS:
			O.subscribers = atoi(optarg);
			break;
		case O_RATE:
			O.rate = atof(optarg);
			break;
		case O_WINDOW:
			O.window = atoi(optarg);
			break;
		case O_DURATION:
			O.duration = atof(optarg);
			break;
		case O_WARMUP:
			O.warmup = atof(optarg);
			break;
		case O_DRAIN:
			O.drain = atof(optarg);
			break;
		case O_SETTLE:
			O.settle = atof(optarg);
			break;
		case O_DEALPCT:
			O.deal_pct = atoi(optarg);
			break;
		case O_DEALS:
			O.deals_per_writer = atoi(optarg);
			break;
		case O_PREFIX:
			O.prefix = optarg;
			break;
		case O_PASSWORD:
			O.password = optarg;
			break;
		case O_TEAM:
			O.team = optarg;
			break;
		case O_WUSERS:
			O.writer_users = atoi(optarg);
			break;
		case O_SUSERS:
			O.sub_users = atoi(optarg);
			break;
		case O_PID: {
			char *pids[MAX_PIDS];
			int n = parse_list(optarg, pids, MAX_PIDS - O.npids);
			for (int i = 0; i < n; i++) {
				O.pids[O.npids++] = atoi(pids[i]);
				free(pids[i]);
			}
			break;
		}
		case O_PGPID:
			O.pg_pid = atoi(optarg);
			break;
		case O_CONC:
			O.connect_conc = atoi(optarg);
			break;
		case O_MSGSIZE:
			O.msg_size = atoi(optarg);
			break;
		case O_ADMIN:
			O.admin = optarg;
			break;
		case O_ADMINPW:
			O.admin_password = optarg;
			break;
		case O_REPS:
			O.reps = atoi(optarg);
			break;
		case O_MANAGERS:
			O.managers = atoi(optarg);
			break;
		case O_LABEL:
			O.label = optarg;
			break;
		case O_JSON:
			O.json = 1;
			break;
		case O_QUIET:
			O.quiet = 1;
			break;
		case O_SELFTEST: {
			int bad = hist_selftest(stderr);
			printf("hist selftest: %s\n", bad ? "FAILED" : "ok");
			exit(bad);
		}
		case 'h':
		case O_HELP:
			fputs(usage, stdout);
			exit(0);
		default:
			fputs(usage, stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s'", argv[optind]);
	if (O.nservers == 0)
		die("--server is required");
	if (O.nsub_servers == 0) {
		O.nsub_servers = O.nservers;
		memcpy(O.sub_servers, O.servers, sizeof(O.servers));
	}
	for (int i = 0; i < O.nservers; i++)
		parse_addr(O.servers[i], &addrs[i]);
	for (int i = 0; i < O.nsub_servers; i++)
		parse_addr(O.sub_servers[i], &sub_addrs[i]);
	if (O.mode == M_REDIS && !writers_set)
		O.writers = 1;
	if (O.mode == M_REDIS && O.writers > 1)
		die("--mode redis: one publisher (--writers 1 or 0)");
	if (O.mode == M_MQTT)
		O.writers = 0;
	if (O.mode == M_SEED) {
		if (O.admin_password == NULL)
			die("--mode seed needs --admin-password");
		O.writers = 1;
		O.subscribers = 0;
	}
	if (O.writers < 0 || O.subscribers < 0 || O.window < 1 ||
	        O.window > OUT_SLOTS / 2 || O.duration <= 0 || O.warmup < 0 ||
	        O.deal_pct < 0 || O.deal_pct > 100)
		die("bad numbers (see --help)");
	if (O.writers + O.subscribers > MAX_SOCKETS)
		die("%d connections: more than %d sockets in one process; spread "
		    "the load over several paceload processes",
		        O.writers + O.subscribers, MAX_SOCKETS);
	if (O.writer_users <= 0)
		O.writer_users = O.writers;
	if (O.sub_users <= 0)
		O.sub_users = 1;
	if (O.sub_users > O.subscribers)
		O.sub_users = O.subscribers;
	snprintf(team_name, sizeof(team_name), "%s", O.team ? O.team : "");
	if (!O.team)
		snprintf(team_name, sizeof(team_name), "%steam", O.prefix);
	if (O.deals_per_writer < 0) {
		/* Four moves per deal (lead -> negotiation), with a margin. */
		double moves = O.rate > 0 && O.writers > 0
		        ? O.rate / O.writers * (O.warmup + O.duration) *
		                O.deal_pct / 100
		        : 0;
		O.deals_per_writer =
		        O.deal_pct > 0 ? (int)(moves / 4 * 1.2) + 4 : 0;
	}
}

/* --- main --------------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	uint64_t seed[4];
	int k = 0;

	parse_args(argc, argv);
	if (getrandom(seed, sizeof(seed), 0) != sizeof(seed))
		die("getrandom failed");
	memcpy(rng, seed, sizeof(rng));
	wall_minus_mono_us = wall_us() - mono_ns() / 1000;
	loop = uv_default_loop();

	nconns = O.writers + O.subscribers;
	conns = xcalloc((size_t)nconns, sizeof(*conns));
	dirty = xcalloc((size_t)nconns, sizeof(*dirty));
	nwusers = O.mode == M_SEED ? 1 : O.writer_users;
	nsusers = O.sub_users;
	wusers = xcalloc((size_t)(nwusers ? nwusers : 1), sizeof(*wusers));
	susers = xcalloc((size_t)(nsusers ? nsusers : 1), sizeof(*susers));
	for (int i = 0; i < nwusers; i++)
		snprintf(wusers[i].login, sizeof(wusers[i].login), "%sr%04d",
		        O.prefix, i + 1);
	for (int i = 0; i < nsusers; i++)
		snprintf(susers[i].login, sizeof(susers[i].login), "%sm%03d",
		        O.prefix, i + 1);
	if (O.mode == M_SEED) {
		snprintf(wusers[0].login, sizeof(wusers[0].login), "%s",
		        O.admin);
		seed_total = 2 + O.reps + O.managers;
	}
	for (int i = 0; i < O.writers; i++, k++) {
		struct conn *c = &conns[k];
		c->idx = k;
		c->srv = i % O.nservers;
		c->kind = O.mode == M_REDIS ? K_RPUB
		        : O.mode == M_SEED  ? K_ADMIN
		                            : K_WRITER;
		c->user = &wusers[i % nwusers];
		if (c->kind == K_WRITER || c->kind == K_ADMIN) {
			c->nslots = OUT_SLOTS;
			c->reqs = xcalloc(c->nslots, sizeof(*c->reqs));
		}
	}
	for (int i = 0; i < O.subscribers; i++, k++) {
		struct conn *c = &conns[k];
		c->idx = k;
		c->srv = i % O.nsub_servers;
		c->kind = O.mode == M_REDIS ? K_RSUB
		        : O.mode == M_MQTT  ? K_MQTT
		                            : K_SUB;
		c->user = &susers[i % nsusers];
		if (c->kind == K_SUB) {
			/* Hello, Login or Resume, Subscribe: a few at most. */
			c->nslots = 8;
			c->reqs = xcalloc(c->nslots, sizeof(*c->reqs));
		}
	}
	sample_all(ps_start);
	uv_timer_init(loop, &tick);
	uv_timer_start(&tick, tick_cb, TICK_MS, TICK_MS);
	uv_prepare_init(loop, &flusher);
	uv_prepare_start(&flusher, flush_cb);
	t_setup0 = mono_ns();
	if (nconns == 0)
		check_setup_done();
	start_next();
	uv_run(loop, UV_RUN_DEFAULT);
	return 0;
}
