/*
 * The protocol on the GLib main loop (see net_glib.h).
 *
 * Reading: a GPollableInputStream source wakes us when bytes are there; we
 * read until the stream would block, feed pc_codec and hand out whole
 * frames. Writing: frames are packed into an output queue and written at
 * once while the socket takes them; only when it would block does a
 * pollable output source wait for room. A link that stays silent for a
 * third of the server's idle timeout is sent a Ping; no answer within the
 * next third, and it is taken as lost.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include <gio/gio.h>

#include "net_glib.h"
#include "pc.h"
#include "wire.h"

#define READ_CHUNK 16384
#define CONNECT_TIMEOUT_S 10
#define DEFAULT_IDLE_S 60

struct pending {
	uint32_t id;
	desk_net_reply_cb cb;
	void *data;
	struct pending *next;
};

struct desk_net {
	struct desk_net_cbs cbs;
	void *data;
	enum desk_net_state state;
	unsigned gen;                /* bumped by every close */

	GSocketClient *client;       /* owned */
	GCancellable *cancel;        /* owned; the connect in progress */
	GSocketConnection *conn;     /* owned while connected */
	GPollableInputStream *in;    /* borrowed from conn */
	GPollableOutputStream *out;  /* borrowed from conn */
	GSource *in_src, *out_src;   /* owned, attached while needed */
	GByteArray *outq;            /* owned: bytes not yet written */
	struct pc_codec codec;
	char *host;                  /* owned, for TLS name checks */
	char *tls_ca;                /* owned */

	uint32_t next_id;
	uint32_t hello_id;
	struct pending *pending;     /* owned list of requests awaiting replies */

	guint ping_src;              /* keepalive timer */
	guint down_src;              /* a write failed: report it from the loop */
	char *down_why;              /* owned, with down_src */
	struct connecting *connecting; /* the connect in progress, or NULL */
	int idle_s;                  /* the server's idle timeout */
	gint64 last_rx;              /* monotonic µs of the last byte read */
	int ping_out;                /* a Ping is unanswered */
};

struct connecting {
	struct desk_net *n; /* NULL once the net closed or went away */
};

static void net_down(struct desk_net *n, const char *why);
static void flush_out(struct desk_net *n);

struct desk_net *
desk_net_new(const struct desk_net_cbs *cbs, void *data)
{
	struct desk_net *n = g_new0(struct desk_net, 1);

	n->cbs = *cbs;
	n->data = data;
	n->outq = g_byte_array_new();
	pc_codec_init(&n->codec, MAX_FRAME_BYTES_CEILING);
	return n;
}

enum desk_net_state
desk_net_state(const struct desk_net *n)
{
	return n->state;
}

size_t
desk_net_queued(const struct desk_net *n)
{
	return n->outq->len;
}

static void
set_state(struct desk_net *n, enum desk_net_state st, const char *why)
{
	n->state = st;
	if (n->cbs.on_state)
		n->cbs.on_state(n, st, why, n->data);
}

/* Fail every pending reply with rc (the list is detached first). */
static void
fail_pending(struct desk_net *n, int rc, const char *why)
{
	struct pending *p = n->pending, *next;

	n->pending = NULL;
	for (; p; p = next) {
		next = p->next;
		if (p->cb)
			p->cb(n, NULL, rc, why, p->data);
		g_free(p);
	}
}

/* Drop the connection and its sources; no callbacks. */
static void
teardown(struct desk_net *n)
{
	n->gen++;
	if (n->connecting) {
		n->connecting->n = NULL; /* its callback only frees it */
		n->connecting = NULL;
	}
	if (n->down_src) {
		g_source_remove(n->down_src);
		n->down_src = 0;
	}
	g_clear_pointer(&n->down_why, g_free);
	if (n->cancel) {
		g_cancellable_cancel(n->cancel);
		g_clear_object(&n->cancel);
	}
	if (n->in_src) {
		g_source_destroy(n->in_src);
		g_clear_pointer(&n->in_src, g_source_unref);
	}
	if (n->out_src) {
		g_source_destroy(n->out_src);
		g_clear_pointer(&n->out_src, g_source_unref);
	}
	if (n->ping_src) {
		g_source_remove(n->ping_src);
		n->ping_src = 0;
	}
	if (n->conn) {
		g_io_stream_close(G_IO_STREAM(n->conn), NULL, NULL);
		g_clear_object(&n->conn);
	}
	n->in = NULL;
	n->out = NULL;
	g_byte_array_set_size(n->outq, 0);
	pc_codec_fini(&n->codec);
	pc_codec_init(&n->codec, MAX_FRAME_BYTES_CEILING);
	n->ping_out = 0;
	n->hello_id = 0;
}

void
desk_net_close(struct desk_net *n)
{
	teardown(n);
	n->state = DESK_NET_DOWN;
	fail_pending(n, E_CLOSED, "closed");
}

/* The link is lost: tell the owner, fail the pending requests. */
static void
net_down(struct desk_net *n, const char *why)
{
	if (n->state == DESK_NET_DOWN)
		return;
	teardown(n);
	set_state(n, DESK_NET_DOWN, why);
	fail_pending(n, E_CLOSED, why);
}

void
desk_net_free(struct desk_net *n)
{
	if (n == NULL)
		return;
	desk_net_close(n);
	pc_codec_fini(&n->codec);
	g_byte_array_unref(n->outq);
	g_clear_object(&n->client);
	g_free(n->host);
	g_free(n->tls_ca);
	g_free(n);
}

/* --- writing ------------------------------------------------------------------ */

static gboolean
out_ready_cb(GObject *stream, gpointer data)
{
	struct desk_net *n = data;

	g_clear_pointer(&n->out_src, g_source_unref);
	flush_out(n);
	return G_SOURCE_REMOVE;
}

static gboolean
down_later_cb(gpointer data)
{
	struct desk_net *n = data;
	char *why = n->down_why;

	n->down_src = 0;
	n->down_why = NULL;
	net_down(n, why);
	g_free(why);
	return G_SOURCE_REMOVE;
}

/* Write what the socket takes now; wait for room only if it would block. */
static void
flush_out(struct desk_net *n)
{
	while (n->outq->len > 0 && n->out) {
		GError *err = NULL;
		gssize w = g_pollable_output_stream_write_nonblocking(n->out,
			n->outq->data, n->outq->len, NULL, &err);

		if (w > 0) {
			g_byte_array_remove_range(n->outq, 0, (guint)w);
			continue;
		}
		if (err && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
			g_error_free(err);
			if (n->out_src == NULL) {
				n->out_src = g_pollable_output_stream_create_source(
					n->out, NULL);
				g_source_set_callback(n->out_src,
					(GSourceFunc)(void (*)(void))out_ready_cb, n, NULL);
				g_source_attach(n->out_src, NULL);
			}
			return;
		}
		/* Not from here: the caller may be in the middle of a request. */
		if (n->down_src == 0) {
			n->down_why = g_strdup(err ? err->message : "write failed");
			n->down_src = g_idle_add(down_later_cb, n);
		}
		if (err)
			g_error_free(err);
		g_byte_array_set_size(n->outq, 0);
		return;
	}
}

static void
queue_frame(struct desk_net *n, const pace_frame_t *f)
{
	size_t len;
	uint8_t *buf = msg_pack(f, &len);

	g_byte_array_append(n->outq, buf, (guint)len);
	free(buf);
	if (n->out_src == NULL)
		flush_out(n);
}

static int
send_request(struct desk_net *n, pace_frame_t *req, desk_net_reply_cb cb,
	void *data)
{
	struct pending *p, **tail;

	if (n->conn == NULL)
		return E_CLOSED;
	if (++n->next_id == 0)
		n->next_id = 1;
	req->id = n->next_id;
	p = g_new0(struct pending, 1);
	p->id = req->id;
	p->cb = cb;
	p->data = data;
	for (tail = &n->pending; *tail; tail = &(*tail)->next)
		;
	*tail = p;
	queue_frame(n, req);
	return 0;
}

int
desk_net_call(struct desk_net *n, pace_frame_t *req, desk_net_reply_cb cb,
	void *data)
{
	if (n->state != DESK_NET_UP)
		return E_CLOSED;
	return send_request(n, req, cb, data);
}

void
desk_net_cancel_data(struct desk_net *n, void *data)
{
	for (struct pending *p = n->pending; p; p = p->next)
		if (p->data == data)
			p->cb = NULL;
}

/* --- keepalive ------------------------------------------------------------------- */

static void
pong_cb(struct desk_net *n, const pace_frame_t *f, int rc, const char *msg,
	void *data)
{
	n->ping_out = 0;
}

static gboolean
ping_cb(gpointer data)
{
	struct desk_net *n = data;
	gint64 quiet = (g_get_monotonic_time() - n->last_rx) / G_USEC_PER_SEC;
	int third = n->idle_s / 3 > 0 ? n->idle_s / 3 : 1;

	if (n->state != DESK_NET_UP)
		return G_SOURCE_CONTINUE;
	if (n->ping_out && quiet >= 2 * third) {
		n->ping_src = 0; /* removed by returning REMOVE */
		net_down(n, "the server stopped answering");
		return G_SOURCE_REMOVE;
	}
	if (!n->ping_out && quiet >= third) {
		pace_frame_t req = PACE__V1__FRAME__INIT;
		Pace__V1__Ping p = PACE__V1__PING__INIT;

		p.sent_at = g_get_real_time();
		req.body_case = PACE__V1__FRAME__BODY_PING;
		req.ping = &p;
		if (send_request(n, &req, pong_cb, NULL) == 0)
			n->ping_out = 1;
	}
	return G_SOURCE_CONTINUE;
}

/* --- reading ---------------------------------------------------------------------- */

static void
welcome_cb(struct desk_net *n, const pace_frame_t *f, int rc, const char *msg,
	void *data)
{
	int third;

	if (f == NULL) {
		if (rc != E_CLOSED)
			net_down(n, msg && *msg ? msg : err_str(rc));
		return;
	}
	if (f->body_case != PACE__V1__FRAME__BODY_WELCOME) {
		net_down(n, "unexpected answer to Hello");
		return;
	}
	n->idle_s = f->welcome->idle_timeout_s > 0 ?
		(int)f->welcome->idle_timeout_s :
		DEFAULT_IDLE_S;
	third = n->idle_s / 3 > 0 ? n->idle_s / 3 : 1;
	n->ping_src = g_timeout_add_seconds((guint)(third > 5 ? 5 : third),
		ping_cb, n);
	set_state(n, DESK_NET_UP, NULL);
}

static void
dispatch(struct desk_net *n, pace_frame_t *f)
{
	struct pending **pp, *p = NULL;

	if (f->id != 0) {
		for (pp = &n->pending; *pp; pp = &(*pp)->next) {
			if ((*pp)->id == f->id) {
				p = *pp;
				*pp = p->next;
				break;
			}
		}
	}
	if (p == NULL) {
		if (n->cbs.on_frame)
			n->cbs.on_frame(n, f, n->data);
		return;
	}
	if (p->cb) {
		if (f->body_case == PACE__V1__FRAME__BODY_ERROR) {
			const Pace__V1__Error *e = f->error;
			p->cb(n, NULL, err_from_wire((int)e->code),
				e->message ? e->message : "", p->data);
		} else {
			p->cb(n, f, 0, NULL, p->data);
		}
	}
	g_free(p);
}

static gboolean
in_ready_cb(GObject *stream, gpointer data)
{
	struct desk_net *n = data;
	unsigned gen = n->gen;
	uint8_t buf[READ_CHUNK];

	for (;;) {
		GError *err = NULL;
		gssize r = g_pollable_input_stream_read_nonblocking(n->in, buf,
			sizeof(buf), NULL, &err);
		size_t off = 0;

		if (r < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
			g_error_free(err);
			break;
		}
		if (r <= 0) {
			char *why = g_strdup(r == 0 ? "the server closed the connection" :
							err->message);
			if (err)
				g_error_free(err);
			/* The source is destroyed by teardown; stop here. */
			net_down(n, why);
			g_free(why);
			return G_SOURCE_REMOVE;
		}
		n->last_rx = g_get_monotonic_time();
		n->ping_out = 0;
		while (off < (size_t)r) {
			pace_frame_t *f = NULL;
			int rc;

			off += pc_codec_feed(&n->codec, buf + off, (size_t)r - off);
			while ((rc = pc_codec_next(&n->codec, &f)) == 1) {
				dispatch(n, f);
				msg_free(f);
				if (n->gen != gen) /* closed by a callback */
					return G_SOURCE_REMOVE;
			}
			if (rc < 0) {
				net_down(n, "malformed frame from the server");
				return G_SOURCE_REMOVE;
			}
		}
	}
	return G_SOURCE_CONTINUE;
}

/* --- connecting --------------------------------------------------------------------- */

static void
tls_event_cb(GSocketClient *client, GSocketClientEvent ev,
	GSocketConnectable *c, GIOStream *conn, gpointer data)
{
	struct desk_net *n = data;

	if (ev != G_SOCKET_CLIENT_TLS_HANDSHAKING || n->tls_ca == NULL)
		return;
	GError *err = NULL;
	GTlsDatabase *db = g_tls_file_database_new(n->tls_ca, &err);
	if (db) {
		g_tls_connection_set_database(G_TLS_CONNECTION(conn), db);
		g_object_unref(db);
	} else {
		g_warning("cannot read the CA file %s: %s", n->tls_ca,
			err ? err->message : "?");
		g_clear_error(&err);
	}
}

static void
connected_cb(GObject *src, GAsyncResult *res, gpointer data)
{
	struct connecting *c = data;
	struct desk_net *n = c->n;
	GError *err = NULL;
	GSocketConnection *conn =
		g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(src), res, &err);
	pace_frame_t req = PACE__V1__FRAME__INIT;
	Pace__V1__Hello hello = PACE__V1__HELLO__INIT;
	GSocket *sock;

	if (n == NULL) { /* closed (or freed) meanwhile */
		if (conn)
			g_object_unref(conn);
		g_clear_error(&err);
		g_free(c);
		return;
	}
	n->connecting = NULL;
	g_free(c);
	g_clear_object(&n->cancel);
	if (conn == NULL) {
		char *why = g_strdup(err ? err->message : "cannot connect");
		g_clear_error(&err);
		n->state = DESK_NET_CONNECTING; /* so net_down reports it */
		net_down(n, why);
		g_free(why);
		return;
	}
	n->conn = conn;
	sock = g_socket_connection_get_socket(conn);
	/* The client's timeout was for connecting; a quiet link is fine (Ping
	 * checks it), so no I/O timeout on the socket. */
	g_socket_set_timeout(sock, 0);
	g_socket_set_keepalive(sock, TRUE);
	g_socket_set_option(sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
	n->in = G_POLLABLE_INPUT_STREAM(
		g_io_stream_get_input_stream(G_IO_STREAM(conn)));
	n->out = G_POLLABLE_OUTPUT_STREAM(
		g_io_stream_get_output_stream(G_IO_STREAM(conn)));
	n->in_src = g_pollable_input_stream_create_source(n->in, NULL);
	g_source_set_callback(n->in_src,
		(GSourceFunc)(void (*)(void))in_ready_cb, n, NULL);
	g_source_attach(n->in_src, NULL);
	n->last_rx = g_get_monotonic_time();
	hello.protocol_version = PROTO_VERSION;
	hello.client_name = "pace-desk " PACE_VERSION;
	req.body_case = PACE__V1__FRAME__BODY_HELLO;
	req.hello = &hello;
	(void)send_request(n, &req, welcome_cb, NULL);
}

void
desk_net_connect(struct desk_net *n, const char *server, int tls,
	const char *tls_ca)
{
	struct connecting *c;

	desk_net_close(n);
	g_clear_object(&n->client);
	g_free(n->tls_ca);
	n->tls_ca = tls_ca && *tls_ca ? g_strdup(tls_ca) : NULL;
	n->client = g_socket_client_new();
	g_socket_client_set_timeout(n->client, CONNECT_TIMEOUT_S);
	if (tls || n->tls_ca) {
		g_socket_client_set_tls(n->client, TRUE);
		g_signal_connect(n->client, "event", G_CALLBACK(tls_event_cb), n);
	}
	n->cancel = g_cancellable_new();
	c = g_new0(struct connecting, 1);
	c->n = n;
	n->connecting = c;
	set_state(n, DESK_NET_CONNECTING, NULL);
	g_socket_client_connect_to_host_async(n->client,
		server && *server ? server : PC_DEFAULT_SERVER, PACE_DEFAULT_PORT,
		n->cancel, connected_cb, c);
}
