/*
 * Client connections: accept, read and frame, queue and write, close (see
 * conn.h). Writes are batched: conn_send_frame() only queues and puts the
 * connection on the flush list; conn_flush_all(), run once per loop turn
 * right before polling, issues one uv_write per connection.
 */
#include <malloc.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "addrtab.h"
#include "audit.h"
#include "clock.h"
#include "conn.h"
#include "dispatch.h"
#include "err.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "tls.h"
#include "xmalloc.h"

/* Frames per uv_write: enough to batch a burst, small enough to be fair. */
#define WRITE_BATCH 64
/* How long a lingering close may wait for a client to take its last bytes. */
#define LINGER_US 2000000

struct write_req {
	uv_write_t req;
	struct conn *c; /* ref */
	size_t bytes;
	int nframes;
	uint8_t *cipher; /* owned TLS output, or NULL */
	struct frame *f[]; /* nframes; sized to fit (most writes carry one) */
};

static TAILQ_HEAD(, conn) pending = TAILQ_HEAD_INITIALIZER(pending);
static uint8_t read_buf[65536]; /* one loop thread: reads never overlap */

static void conn_free(struct conn *c);

/*
 * The log prefix "c#12 1.2.3.4:5678 zhangsan" is made when a line is
 * logged, not kept: 10,000 idle connections would hold 1.5 MiB of it.
 */
void
conn_log(struct conn *c, int level, const char *fmt, ...)
{
	char ctx[200];
	va_list ap;

	if (!log_enabled(level))
		return;
	if (c->port)
		snprintf(ctx, sizeof(ctx), "c#%llu %s:%u%s%s",
			(unsigned long long)c->id, c->addr, c->port,
			c->ident ? " " : "", c->ident ? c->ident->login : "");
	else
		snprintf(ctx, sizeof(ctx), "c#%llu %s%s%s",
			(unsigned long long)c->id, c->addr, c->ident ? " " : "",
			c->ident ? c->ident->login : "");
	va_start(ap, fmt);
	log_vwrite((enum log_level)level, ctx, fmt, ap);
	va_end(ap);
}

void
conn_ref(struct conn *c)
{
	c->refs++;
}

void
conn_unref(struct conn *c)
{
	if (--c->refs == 0)
		conn_free(c);
}

static void
conn_free(struct conn *c)
{
	struct outq_item *it;

	while ((it = TAILQ_FIRST(&c->outq)) != NULL) {
		TAILQ_REMOVE(&c->outq, it, entry);
		frame_unref(it->f);
		free(it);
	}
	rbuf_fini(&c->in);
	free(c->stash);
	free(c->close_reason);
	tls_conn_free(c->tls);
	free(c->ident);
	free(c);
}

static void
closed_cb(uv_handle_t *h)
{
	struct conn *c = (struct conn *)h;
	struct addr_entry *e = addrtab_find(c->addr);

	if (e && e->conns > 0)
		e->conns--;
	conn_unref(c); /* the socket's own ref */
}

static void
vclose(struct conn *c, int level, const char *fmt, va_list ap)
{
	char reason[256];

	if (conn_is_closing(c))
		return;
	vsnprintf(reason, sizeof(reason), fmt, ap);
	conn_log(c, level, "closed: %s", reason);
	c->flags |= CONN_CLOSING;
	TAILQ_REMOVE(&srv.clients, c, all_entry);
	srv.nclients--;
	metrics_conn_closed();
	if (c->flags & CONN_PENDING) {
		TAILQ_REMOVE(&pending, c, pending_entry);
		c->flags &= ~CONN_PENDING;
	}
	dispatch_conn_closed(c);
	uv_close((uv_handle_t *)&c->tcp, closed_cb);
}

void
conn_close(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vclose(c, LOG_INFO, fmt, ap);
	va_end(ap);
}

static void
read_stop(struct conn *c)
{
	if (c->flags & CONN_READING) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->flags &= ~CONN_READING;
	}
}

void
conn_close_after_flush(struct conn *c, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	if (conn_is_closing(c) || (c->flags & CONN_LINGER))
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	/* The reason is logged once, when the socket is closed. */
	c->close_reason = xstrdup(reason);
	read_stop(c);
	c->flags |= CONN_LINGER;
	c->linger_until_us = clock_mono_us() + LINGER_US;
	if (TAILQ_EMPTY(&c->outq) && !(c->flags & CONN_WRITING))
		conn_close(c, "%s", c->close_reason);
}

static void
mark_pending(struct conn *c)
{
	if (!(c->flags & (CONN_PENDING | CONN_CLOSING))) {
		c->flags |= CONN_PENDING;
		TAILQ_INSERT_TAIL(&pending, c, pending_entry);
	}
}

int
conn_send_frame(struct conn *c, struct frame *fr)
{
	struct outq_item *it;

	if (conn_is_closing(c))
		return E_CLOSED;
	if (c->outq_bytes + fr->len > (size_t)srv.cfg.outbuf_hard_bytes) {
		metrics_slow_consumer();
		conn_close(c, "too far behind (%zu bytes queued)", c->outq_bytes);
		return E_EXHAUSTED;
	}
	it = xmalloc(sizeof(*it));
	it->f = frame_ref(fr);
	TAILQ_INSERT_TAIL(&c->outq, it, entry);
	c->outq_bytes += fr->len;
	mark_pending(c);
	return 0;
}

void
conn_send(struct conn *c, const pace_frame_t *f)
{
	struct frame *fr;

	if (conn_is_closing(c))
		return;
	fr = frame_pack(f);
	(void)conn_send_frame(c, fr);
	frame_unref(fr);
}

void
conn_send_error(struct conn *c, uint32_t id, int err, const char *field,
	const char *fmt, ...)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Error e = PACE__V1__ERROR__INIT;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e.code = (Pace__V1__ErrorCode)err_to_wire(err);
	e.message = msg;
	e.field = (char *)(field ? field : "");
	if (err == E_UNAVAILABLE || err == E_DB_BUSY)
		e.retry_after_ms = 1000;
	f.id = id;
	f.body_case = PACE__V1__FRAME__BODY_ERROR;
	f.error = &e;
	metrics_error(err);
	conn_log(c, LOG_DEBUG, "error to #%u: %s%s%s%s: %s", id, err_str(err),
		field ? " (" : "", field ? field : "", field ? ")" : "", msg);
	conn_send(c, &f);
}

static void read_start(struct conn *c);
static void resume_input(struct conn *c);

void
conn_req_begin(struct conn *c)
{
	c->inflight++;
	conn_ref(c);
	if (c->inflight >= srv.cfg.max_inflight_per_conn &&
		!(c->flags & CONN_READ_PAUSED)) {
		c->flags |= CONN_READ_PAUSED;
		read_stop(c);
	}
}

/* Frame and dispatch what is buffered; stops while paused. */
static void
process_input(struct conn *c)
{
	for (;;) {
		const uint8_t *body;
		uint32_t len;
		enum frame_status st;
		pace_frame_t *msg;

		if (c->flags & (CONN_CLOSING | CONN_READ_PAUSED | CONN_LINGER))
			return;
		st = rbuf_next(&c->in, srv_max_frame(c->ident != NULL), &body,
			&len);
		if (st == FRAME_NEED_MORE)
			break;
		if (st != FRAME_OK) {
			metrics_bad_frame();
			conn_send_error(c, 0,
				st == FRAME_ERR_TOO_BIG ? E_TOO_BIG : E_INVALID,
				NULL, "%s: %u bytes (limit %u)",
				frame_status_str(st), len,
				srv_max_frame(c->ident != NULL));
			conn_close_after_flush(c, "%s (%u bytes declared)",
				frame_status_str(st), len);
			return;
		}
		c->last_active_us = clock_mono_us();
		msg = msg_unpack(body, len);
		if (msg == NULL) {
			metrics_bad_frame();
			conn_send_error(c, 0, E_INVALID, NULL,
				"malformed frame");
			conn_close_after_flush(c, "malformed frame");
			return;
		}
		dispatch_frame(c, msg);
		msg_free(msg);
	}
	rbuf_trim(&c->in);
}

void
conn_req_end(struct conn *c)
{
	c->inflight--;
	if ((c->flags & CONN_READ_PAUSED) &&
		c->inflight < srv.cfg.max_inflight_per_conn &&
		!conn_is_closing(c)) {
		c->flags &= ~CONN_READ_PAUSED;
		resume_input(c);
		if (!(c->flags & (CONN_READ_PAUSED | CONN_CLOSING | CONN_LINGER)))
			read_start(c);
	}
	conn_unref(c);
}

void
conn_feed(struct conn *c, const uint8_t *p, size_t n)
{
	while (n > 0 && !(c->flags & (CONN_CLOSING | CONN_LINGER))) {
		size_t k = rbuf_append(&c->in, p, n,
			srv_max_frame(c->ident != NULL));

		p += k;
		n -= k;
		process_input(c);
		if (k == 0)
			break;
	}
	if (n > 0 && (c->flags & CONN_READ_PAUSED) && !conn_is_closing(c)) {
		/*
		 * Paused with a full buffer: keep the rest of this read. Reading
		 * is stopped while paused, so this holds at most one read.
		 */
		c->stash = xrealloc(c->stash, c->stash_len + n);
		memcpy(c->stash + c->stash_len, p, n);
		c->stash_len += n;
	}
}

/* Resume after a pause: the bytes kept while paused come first. */
static void
resume_input(struct conn *c)
{
	uint8_t *stash = c->stash;
	size_t len = c->stash_len;

	c->stash = NULL;
	c->stash_len = 0;
	process_input(c);
	if (stash) {
		conn_feed(c, stash, len);
		free(stash);
	}
}

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

	if (nread == 0)
		return;
	if (nread < 0) {
		if (nread == UV_EOF)
			conn_close(c, "client closed the connection");
		else
			conn_close(c, "read: %s", uv_strerror((int)nread));
		return;
	}
	metrics_bytes_in((size_t)nread);
	if (c->tls) {
		tls_conn_input(c, (const uint8_t *)buf->base, (size_t)nread);
		return;
	}
	conn_feed(c, (const uint8_t *)buf->base, (size_t)nread);
}

static void
read_start(struct conn *c)
{
	int rc;

	/* Shutting down: what was received is served, nothing more is read. */
	if (c->flags & (CONN_READING | CONN_CLOSING) || srv.stopping)
		return;
	rc = uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb);
	if (rc != 0) {
		conn_close(c, "read_start: %s", uv_strerror(rc));
		return;
	}
	c->flags |= CONN_READING;
}

void
conn_accept(uv_stream_t *server)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	struct sockaddr_storage ss;
	struct addr_entry *e;
	int sslen = sizeof(ss), rc;
	char ip[46] = "?";

	uv_tcp_init(srv.loop, &c->tcp);
	c->refs = 1;
	c->id = ++srv.next_conn_id;
	rbuf_init(&c->in);
	TAILQ_INIT(&c->outq);
	c->created_us = c->last_active_us = clock_mono_us();
	c->tokens = (double)srv.cfg.rate_limit_burst;
	c->tokens_at_us = c->created_us;
	if ((rc = uv_accept(server, (uv_stream_t *)&c->tcp)) != 0) {
		log_warn("accept: %s", uv_strerror(rc));
		uv_close((uv_handle_t *)&c->tcp, (uv_close_cb)free);
		return;
	}
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sslen) == 0) {
		int port = 0;
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			uv_ip6_name(a, ip, sizeof(ip));
			port = ntohs(a->sin6_port);
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			uv_ip4_name(a, ip, sizeof(ip));
			port = ntohs(a->sin_port);
		}
		c->port = (uint16_t)port;
	}
	snprintf(c->addr, sizeof(c->addr), "%s", ip);
	TAILQ_INSERT_TAIL(&srv.clients, c, all_entry);
	srv.nclients++;
	metrics_conn_opened();
	e = addrtab_get(c->addr);
	e->conns++;
	uv_tcp_nodelay(&c->tcp, 1);
	if (srv.cfg.client_sndbuf_bytes > 0) {
		int sz = (int)srv.cfg.client_sndbuf_bytes;

		(void)uv_send_buffer_size((uv_handle_t *)&c->tcp, &sz);
	}

	if (srv.stopping) {
		conn_close(c, "server is shutting down");
		return;
	}
	if (srv.nclients > srv.cfg.max_clients) {
		metrics_refused();
		conn_close(c, "too many clients (%d)", srv.nclients - 1);
		return;
	}
	if (e->conns > srv.cfg.max_conns_per_addr) {
		int64_t now = clock_mono_us();

		metrics_refused();
		/* Audited once a minute per address: a flood of connections
		 * must not become a flood of audit rows. */
		if (e->audited_us == 0 || now - e->audited_us > 60000000LL) {
			e->audited_us = now;
			audit_security(c, "conn_limit", c->addr);
		}
		conn_close(c, "too many connections from %s (%d)", c->addr,
			e->conns - 1);
		return;
	}
	conn_log(c, LOG_INFO, "connected");
	if (srv.tls && tls_conn_new(c) != 0) {
		conn_close(c, "TLS setup failed");
		return;
	}
	read_start(c);
}

void
conn_set_identity(struct conn *c, struct identity *ident)
{
	free(c->ident);
	c->ident = ident;
	c->state = ident ? CONN_READY : CONN_HELLO;
}

static void
after_write_cb(uv_write_t *req, int status)
{
	struct write_req *wr = (struct write_req *)req;
	struct conn *c = wr->c;

	for (int i = 0; i < wr->nframes; i++)
		frame_unref(wr->f[i]);
	free(wr->cipher);
	c->outq_bytes -= wr->bytes;
	c->flags &= ~CONN_WRITING;
	if (c->outq_bytes <= (size_t)srv.cfg.outbuf_soft_bytes)
		c->outq_soft_since = 0;
	if (status < 0) {
		conn_close(c, "write: %s", uv_strerror(status));
	} else if (!conn_is_closing(c)) {
		metrics_bytes_out(wr->bytes);
		if (!TAILQ_EMPTY(&c->outq))
			mark_pending(c);
		else if (c->flags & CONN_LINGER)
			conn_close(c, "%s", c->close_reason);
		else if (c->tls)
			tls_conn_idle(c);
	}
	free(wr);
	conn_unref(c);
}

/* Issue one uv_write with up to WRITE_BATCH queued frames. */
static void
conn_flush(struct conn *c)
{
	struct write_req *wr;
	uv_buf_t bufs[WRITE_BATCH];
	struct outq_item *it;
	int n = 0, rc;

	if (c->flags & (CONN_WRITING | CONN_CLOSING) || TAILQ_EMPTY(&c->outq))
		return;
	TAILQ_FOREACH(it, &c->outq, entry)
		if (++n == WRITE_BATCH)
			break;
	wr = xcalloc(1, offsetof(struct write_req, f) +
		(size_t)n * sizeof(wr->f[0]));
	n = 0;
	while (n < WRITE_BATCH && (it = TAILQ_FIRST(&c->outq)) != NULL) {
		TAILQ_REMOVE(&c->outq, it, entry);
		wr->f[n] = it->f;
		bufs[n] = uv_buf_init((char *)it->f->data, (unsigned)it->f->len);
		wr->bytes += it->f->len;
		free(it);
		n++;
	}
	wr->nframes = n;
	wr->c = c;
	conn_ref(c);
	c->flags |= CONN_WRITING;
	if (c->tls) {
		size_t clen = 0;
		if (tls_conn_encrypt(c, bufs, n, &wr->cipher, &clen) != 0) {
			c->flags &= ~CONN_WRITING;
			for (int i = 0; i < n; i++)
				frame_unref(wr->f[i]);
			c->outq_bytes -= wr->bytes;
			free(wr);
			conn_close(c, "TLS write failed");
			conn_unref(c);
			return;
		}
		bufs[0] = uv_buf_init((char *)wr->cipher, (unsigned)clen);
		n = 1;
	}
	rc = uv_write(&wr->req, (uv_stream_t *)&c->tcp, bufs, (unsigned)n,
		after_write_cb);
	if (rc != 0) {
		c->flags &= ~CONN_WRITING;
		for (int i = 0; i < wr->nframes; i++)
			frame_unref(wr->f[i]);
		c->outq_bytes -= wr->bytes;
		free(wr->cipher);
		free(wr);
		conn_close(c, "write: %s", uv_strerror(rc));
		conn_unref(c);
	}
}

void
conn_flush_all(void)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&pending)) != NULL) {
		TAILQ_REMOVE(&pending, c, pending_entry);
		c->flags &= ~CONN_PENDING;
		conn_flush(c);
	}
}

struct raw_req {
	uv_write_t req;
	struct conn *c;
	uint8_t *data;
};

static void
raw_write_cb(uv_write_t *req, int status)
{
	struct raw_req *rr = (struct raw_req *)req;
	struct conn *c = rr->c;

	free(rr->data);
	free(rr);
	if (status < 0)
		conn_close(c, "write: %s", uv_strerror(status));
	conn_unref(c);
}

void
conn_write_raw(struct conn *c, uint8_t *data, size_t len)
{
	struct raw_req *rr;
	uv_buf_t b;
	int rc;

	if (conn_is_closing(c)) {
		free(data);
		return;
	}
	rr = xcalloc(1, sizeof(*rr));
	rr->c = c;
	rr->data = data;
	conn_ref(c);
	b = uv_buf_init((char *)data, (unsigned)len);
	rc = uv_write(&rr->req, (uv_stream_t *)&c->tcp, &b, 1, raw_write_cb);
	if (rc != 0) {
		free(rr->data);
		free(rr);
		conn_close(c, "write: %s", uv_strerror(rc));
		conn_unref(c);
	}
}

int
conn_count_addr(const char *addr)
{
	struct addr_entry *e = addrtab_find(addr);

	return e ? e->conns : 0;
}

/*
 * After a burst (10,000 clients reconnecting and subscribing, a large
 * fan-out) the heap keeps the pages it peaked at: glibc returns only the
 * top of the heap by itself. Every 10 s, if more than 1 MiB lies free inside
 * it, hand the free pages back (malloc_trim). Measured with tests/bench: it
 * is the difference between the memory idle connections use and what their
 * connection storm left behind (docs/BENCHMARKS.md).
 */
static void
heap_trim(int64_t now)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	static int64_t last;

	if (now - last < 10000000)
		return;
	last = now;
	if (mallinfo2().fordblks > 1024 * 1024)
		malloc_trim(0);
#else
	(void)now;
#endif
}

void
conn_cron(int64_t now)
{
	struct conn *c, *next;
	int64_t hs = srv.cfg.handshake_timeout_s * 1000000LL;
	int64_t idle = srv.cfg.idle_timeout_s * 1000000LL;
	int64_t soft = srv.cfg.outbuf_soft_seconds * 1000000LL;

	for (c = TAILQ_FIRST(&srv.clients); c; c = next) {
		next = TAILQ_NEXT(c, all_entry);
		if (c->flags & CONN_LINGER) {
			if (now > c->linger_until_us)
				conn_close(c, "%s (and the client did not take its last bytes)",
					c->close_reason);
			continue;
		}
		if (c->state != CONN_READY && now - c->created_us > hs) {
			metrics_timeout();
			conn_close(c, "handshake not finished in %llds",
				(long long)srv.cfg.handshake_timeout_s);
			continue;
		}
		if (c->state == CONN_READY && idle > 0 && c->inflight == 0 &&
			now - c->last_active_us > idle) {
			metrics_timeout();
			conn_close(c, "idle for %llds",
				(long long)srv.cfg.idle_timeout_s);
			continue;
		}
		if (c->outq_bytes > (size_t)srv.cfg.outbuf_soft_bytes) {
			if (c->outq_soft_since == 0) {
				c->outq_soft_since = now;
			} else if (now - c->outq_soft_since > soft) {
				metrics_slow_consumer();
				conn_close(c,
					"too far behind (%zu bytes queued for %llds)",
					c->outq_bytes,
					(long long)srv.cfg.outbuf_soft_seconds);
			}
		}
	}
	addrtab_sweep(now);
	heap_trim(now);
}

void
conn_stop_reading_all(void)
{
	struct conn *c;

	TAILQ_FOREACH(c, &srv.clients, all_entry)
		read_stop(c);
}

void
conn_close_all(const char *reason)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&srv.clients)) != NULL)
		conn_close(c, "%s", reason);
}
