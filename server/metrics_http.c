/*
 * The Prometheus scrape endpoint (see metrics_http.h).
 *
 * Why not libmicrohttpd or another HTTP library: the counters live on the
 * loop thread and are plain integers, updated without locks. A library that
 * runs its own threads (libmicrohttpd's usual modes) would need locks or a
 * hand-off to render them; its external-select mode would need a uv_poll
 * adapter of its own. Serving one read-only page needs far less: read one
 * request head (bounded), answer, close. That is this file.
 *
 * Limits, so that a scraper (or anyone reaching the port) cannot hurt the
 * server: at most MAX_CONNS connections at once (more are closed at accept),
 * a request head of at most MAX_REQ bytes (else 431), and REQ_TIMEOUT_MS for
 * the whole exchange, request and answer (then the connection is closed,
 * written or not: a scraper that does not read cannot pin memory). Every
 * response closes the connection ("Connection: close"): Prometheus
 * reconnects per scrape, which costs nothing at scrape intervals of seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "xmalloc.h"

#define MAX_REQ 8192
#define MAX_CONNS 32
#define REQ_TIMEOUT_MS 5000

struct mconn {
	uv_tcp_t tcp; /* first: the handle's address is ours */
	uv_timer_t timer; /* REQ_TIMEOUT_MS after accept: close */
	uv_write_t wr; /* the one response write */
	char *resp; /* owned: the response being written */
	size_t len; /* bytes of the request head in buf */
	int open_handles; /* freed when both handles are closed */
	int closing;
	TAILQ_ENTRY(mconn) entry; /* on H.conns while open */
	char buf[MAX_REQ]; /* the request head */
};

static struct {
	uv_tcp_t lsock;
	int active;
	int port;
	int nconns;
	TAILQ_HEAD(, mconn) conns;
} H;

static void
handle_closed_cb(uv_handle_t *h)
{
	struct mconn *mc = h->data;

	if (--mc->open_handles > 0)
		return;
	free(mc->resp);
	free(mc);
}

static void
mconn_close(struct mconn *mc)
{
	if (mc->closing)
		return;
	mc->closing = 1;
	TAILQ_REMOVE(&H.conns, mc, entry);
	H.nconns--;
	uv_timer_stop(&mc->timer);
	uv_close((uv_handle_t *)&mc->timer, handle_closed_cb);
	uv_close((uv_handle_t *)&mc->tcp, handle_closed_cb);
}

static void
write_cb(uv_write_t *req, int status)
{
	mconn_close(req->data);
}

/* Send status line, headers and (unless head_only) body, then close. */
static void
respond(struct mconn *mc, const char *status, const char *ctype,
        const char *extra, const char *body, size_t blen, int head_only)
{
	uv_buf_t b;
	int n, rc;

	uv_read_stop((uv_stream_t *)&mc->tcp);
	n = snprintf(NULL, 0,
	        "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	        "%sConnection: close\r\n\r\n",
	        status, ctype, blen, extra);
	mc->resp = xmalloc((size_t)n + 1 + blen);
	snprintf(mc->resp, (size_t)n + 1,
	        "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	        "%sConnection: close\r\n\r\n",
	        status, ctype, blen, extra);
	if (!head_only && blen > 0)
		memcpy(mc->resp + n, body, blen);
	b = uv_buf_init(
	        mc->resp, (unsigned)n + (head_only ? 0 : (unsigned)blen));
	mc->wr.data = mc;
	if ((rc = uv_write(
	             &mc->wr, (uv_stream_t *)&mc->tcp, &b, 1, write_cb)) != 0)
		mconn_close(mc);
}

static void
respond_text(struct mconn *mc, const char *status, const char *extra,
        const char *text)
{
	respond(mc, status, "text/plain; charset=utf-8", extra, text,
	        strlen(text), 0);
}

/*
 * A complete request head is in buf: "METHOD SP TARGET SP HTTP/1.x CRLF"
 * then headers, which we do not need. Answer it.
 */
static void
serve(struct mconn *mc)
{
	char method[16], target[1024], version[16];
	const char *path_end;
	size_t plen;
	int head_only;

	if (sscanf(mc->buf, "%15s %1023s %15s", method, target, version) != 3 ||
	        strncmp(version, "HTTP/1.", 7) != 0) {
		respond_text(mc, "400 Bad Request", "", "bad request\n");
		return;
	}
	head_only = strcmp(method, "HEAD") == 0;
	if (!head_only && strcmp(method, "GET") != 0) {
		respond_text(mc, "405 Method Not Allowed",
		        "Allow: GET, HEAD\r\n", "only GET\n");
		return;
	}
	path_end = strchr(target, '?');
	plen = path_end ? (size_t)(path_end - target) : strlen(target);
	if (plen == 8 && memcmp(target, "/metrics", 8) == 0) {
		size_t len;
		char *text = metrics_render(&len);

		respond(mc, "200 OK",
		        "text/plain; version=0.0.4; charset=utf-8", "", text,
		        len, head_only);
		free(text);
		return;
	}
	respond_text(mc, "404 Not Found", "", "not found: try /metrics\n");
}

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct mconn *mc = h->data;

	/* Keep one byte for the terminating NUL. */
	*b = uv_buf_init(mc->buf + mc->len, (unsigned)(MAX_REQ - 1 - mc->len));
}

static void
read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct mconn *mc = s->data;

	if (nread < 0) {
		mconn_close(mc);
		return;
	}
	mc->len += (size_t)nread;
	mc->buf[mc->len] = '\0';
	if (strstr(mc->buf, "\r\n\r\n") || strstr(mc->buf, "\n\n")) {
		serve(mc); /* the deadline also bounds the write */
	} else if (mc->len >= MAX_REQ - 1) {
		respond_text(mc, "431 Request Header Fields Too Large", "",
		        "request too large\n");
	}
}

static void
timeout_cb(uv_timer_t *t)
{
	mconn_close(t->data);
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct mconn *mc;

	if (status < 0) {
		log_warn("metrics: accept: %s", uv_strerror(status));
		return;
	}
	mc = xcalloc(1, sizeof(*mc));
	uv_tcp_init(server->loop, &mc->tcp);
	uv_timer_init(server->loop, &mc->timer);
	mc->tcp.data = mc->timer.data = mc;
	mc->open_handles = 2;
	TAILQ_INSERT_TAIL(&H.conns, mc, entry);
	H.nconns++;
	if (uv_accept(server, (uv_stream_t *)&mc->tcp) != 0 ||
	        H.nconns > MAX_CONNS) {
		/* Too many scrapers at once: close (after accepting, so the
		 * backlog drains). */
		mconn_close(mc);
		return;
	}
	uv_timer_start(&mc->timer, timeout_cb, REQ_TIMEOUT_MS, 0);
	if (uv_read_start((uv_stream_t *)&mc->tcp, alloc_cb, read_cb) != 0)
		mconn_close(mc);
}

static void
lsock_closed_cb(uv_handle_t *h)
{
}

int
metrics_http_start(uv_loop_t *loop, const char *hostport)
{
	char host[128];
	struct sockaddr_storage ss;
	int port, rc, len = sizeof(ss);

	if (parse_hostport(hostport, host, sizeof(host), &port) != 0) {
		log_error("metrics_listen: '%s' is not HOST:PORT", hostport);
		return E_CONFIG;
	}
	if (strchr(host, ':'))
		rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss);
	else
		rc = uv_ip4_addr(*host ? host : "0.0.0.0", port,
		        (struct sockaddr_in *)&ss);
	if (rc != 0) {
		log_error("metrics_listen: bad address '%s'", host);
		return E_CONFIG;
	}
	TAILQ_INIT(&H.conns);
	uv_tcp_init(loop, &H.lsock);
	if ((rc = uv_tcp_bind(&H.lsock, (struct sockaddr *)&ss, 0)) != 0 ||
	        (rc = uv_listen((uv_stream_t *)&H.lsock, 64, on_connection)) !=
	                0) {
		log_error(
		        "metrics: listen on %s: %s", hostport, uv_strerror(rc));
		uv_close((uv_handle_t *)&H.lsock, lsock_closed_cb);
		return rc;
	}
	uv_tcp_getsockname(&H.lsock, (struct sockaddr *)&ss, &len);
	H.port = ntohs(ss.ss_family == AF_INET6
	                ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                : ((struct sockaddr_in *)&ss)->sin_port);
	H.active = 1;
	metrics_sampler_start(loop);
	log_info("metrics on http://%s/metrics (port %d)", hostport, H.port);
	return 0;
}

int
metrics_http_port(void)
{
	return H.active ? H.port : 0;
}

void
metrics_http_stop(void)
{
	if (!H.active)
		return;
	H.active = 0;
	metrics_sampler_stop();
	uv_close((uv_handle_t *)&H.lsock, lsock_closed_cb);
	while (!TAILQ_EMPTY(&H.conns))
		mconn_close(TAILQ_FIRST(&H.conns));
}
