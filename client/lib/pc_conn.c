/*
 * The blocking transport of libpaceclient (see pc.h): a non-blocking socket
 * driven with poll() so that every wait has a deadline; TLS through OpenSSL
 * with the server name verified.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "clock.h"
#include "pc.h"
#include "wire.h"
#include "xmalloc.h"

#define DEFAULT_TIMEOUT_MS 15000

struct push_item {
	pace_frame_t *f;
	struct push_item *next;
};

struct pc_conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	struct pc_codec codec;
	uint32_t next_id;
	int timeout_ms;
	struct push_item *push_head, *push_tail;
	char err[512];
	char field[64];
	uint32_t retry_after_ms;
};

static void
set_err(struct pc_conn *pc, const char *fmt, const char *arg)
{
	snprintf(pc->err, sizeof(pc->err), fmt, arg);
	pc->field[0] = '\0';
}

static int
split_server(const char *s, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon;

	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL || (size_t)(rb - s - 1) >= hlen)
			return -1;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = strrchr(s, ':');
		size_t n = colon ? (size_t)(colon - s) : strlen(s);
		if (n >= hlen)
			return -1;
		memcpy(host, s, n);
		host[n] = '\0';
	}
	snprintf(port, plen, "%s", colon ? colon + 1 : "7420");
	return *host ? 0 : -1;
}

static int
wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = (deadline - clock_mono_us()) / 1000;
		struct pollfd p = {.fd = fd, .events = events};
		int r;

		if (left <= 0)
			return E_TIMEOUT;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return E_TIMEOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int
tcp_connect(struct pc_conn *pc, const char *host, const char *port,
	int64_t deadline)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	int rc, fd = -1;

	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		set_err(pc, "cannot resolve server: %s", gai_strerror(rc));
		return E_UNAVAILABLE;
	}
	rc = E_UNAVAILABLE;
	for (ai = res; ai; ai = ai->ai_next) {
		int soerr = 0, one = 1;
		socklen_t sl = sizeof(soerr);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			ai->ai_protocol);
		if (fd < 0)
			continue;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
			(errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) == 0 &&
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
				soerr == 0)) {
			rc = 0;
			break;
		}
		set_err(pc, "cannot connect to the server: %s",
			strerror(soerr ? soerr : errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	pc->fd = fd;
	return rc;
}

static int
tls_wait(struct pc_conn *pc, int r, int64_t deadline)
{
	switch (SSL_get_error(pc->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return wait_fd(pc->fd, POLLIN, deadline);
	case SSL_ERROR_WANT_WRITE:
		return wait_fd(pc->fd, POLLOUT, deadline);
	case SSL_ERROR_ZERO_RETURN:
		set_err(pc, "%s", "the server closed the connection");
		return E_CLOSED;
	default: {
		char buf[256];
		unsigned long e = ERR_get_error();
		if (e)
			ERR_error_string_n(e, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "connection broken");
		set_err(pc, "TLS: %s", buf);
		ERR_clear_error();
		return E_UNAVAILABLE;
	}
	}
}

static int
tls_start(struct pc_conn *pc, const struct pc_opts *o, const char *host,
	int64_t deadline)
{
	int r;

	pc->ctx = SSL_CTX_new(TLS_client_method());
	if (pc->ctx == NULL)
		return E_INTERNAL;
	SSL_CTX_set_min_proto_version(pc->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(pc->ctx, SSL_VERIFY_PEER, NULL);
	if (o->tls_ca) {
		if (SSL_CTX_load_verify_locations(pc->ctx, o->tls_ca, NULL) != 1) {
			set_err(pc, "cannot read the CA file %s", o->tls_ca);
			return E_INVALID;
		}
	} else {
		SSL_CTX_set_default_verify_paths(pc->ctx);
	}
	pc->ssl = SSL_new(pc->ctx);
	SSL_set_fd(pc->ssl, pc->fd);
	SSL_set_tlsext_host_name(pc->ssl, host);
	/* Verify that the certificate names the server we asked for. */
	if (SSL_set1_host(pc->ssl, host) != 1)
		return E_INTERNAL;
	while ((r = SSL_connect(pc->ssl)) != 1) {
		int rc = tls_wait(pc, r, deadline);
		if (rc != 0) {
			long v = SSL_get_verify_result(pc->ssl);
			/*
			 * Not "unreachable": writes must not quietly go to the
			 * offline outbox when the server is not who it says.
			 */
			if (v != X509_V_OK) {
				set_err(pc, "TLS: server certificate not trusted: %s",
					X509_verify_cert_error_string(v));
				return E_DENIED;
			}
			return rc == E_TIMEOUT ? rc : E_UNAVAILABLE;
		}
	}
	return 0;
}

static int
write_all(struct pc_conn *pc, const uint8_t *p, size_t n, int64_t deadline)
{
	while (n > 0) {
		ssize_t w;
		int rc;

		if (pc->ssl) {
			int r = SSL_write(pc->ssl, p, (int)n);
			if (r > 0) {
				p += r;
				n -= (size_t)r;
				continue;
			}
			if ((rc = tls_wait(pc, r, deadline)) != 0)
				return rc;
			continue;
		}
		w = send(pc->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if ((rc = wait_fd(pc->fd, POLLOUT, deadline)) != 0)
				return rc;
			continue;
		}
		set_err(pc, "connection lost: %s", strerror(errno));
		return E_CLOSED;
	}
	return 0;
}

/* Read what is available (waiting until deadline) into the codec. */
static int
read_some(struct pc_conn *pc, int64_t deadline)
{
	uint8_t buf[16384];
	ssize_t n;
	int rc;

	for (;;) {
		if (pc->ssl) {
			int r = SSL_read(pc->ssl, buf, sizeof(buf));
			if (r > 0) {
				n = r;
				break;
			}
			if ((rc = tls_wait(pc, r, deadline)) != 0)
				return rc;
			continue;
		}
		n = recv(pc->fd, buf, sizeof(buf), 0);
		if (n > 0)
			break;
		if (n == 0) {
			set_err(pc, "%s", "the server closed the connection");
			return E_CLOSED;
		}
		if (errno != EAGAIN && errno != EINTR) {
			set_err(pc, "connection lost: %s", strerror(errno));
			return E_CLOSED;
		}
		if ((rc = wait_fd(pc->fd, POLLIN, deadline)) != 0)
			return rc;
	}
	if (pc_codec_feed(&pc->codec, buf, (size_t)n) != (size_t)n) {
		set_err(pc, "%s", "the server sent a frame over the limit");
		return E_PROTO;
	}
	return 0;
}

int
pc_send(struct pc_conn *pc, pace_frame_t *req, uint32_t *id)
{
	size_t len;
	uint8_t *buf;
	int rc;

	req->id = ++pc->next_id;
	if (pc->next_id == 0)
		req->id = pc->next_id = 1;
	buf = msg_pack(req, &len);
	rc = write_all(pc, buf, len,
		clock_mono_us() + (int64_t)pc->timeout_ms * 1000);
	free(buf);
	if (rc == 0 && id)
		*id = req->id;
	return rc;
}

int
pc_recv(struct pc_conn *pc, int timeout_ms, pace_frame_t **out)
{
	int64_t deadline = clock_mono_us() + (int64_t)timeout_ms * 1000;

	for (;;) {
		int rc = pc_codec_next(&pc->codec, out);

		if (rc != 0) {
			if (rc < 0)
				set_err(pc, "%s", "malformed frame from the server");
			return rc;
		}
		rc = read_some(pc, deadline);
		if (rc == E_TIMEOUT)
			return 0;
		if (rc != 0)
			return rc;
	}
}

static void
keep_push(struct pc_conn *pc, pace_frame_t *f)
{
	struct push_item *it = xcalloc(1, sizeof(*it));

	it->f = f;
	if (pc->push_tail)
		pc->push_tail->next = it;
	else
		pc->push_head = it;
	pc->push_tail = it;
}

pace_frame_t *
pc_next_push(struct pc_conn *pc)
{
	struct push_item *it = pc->push_head;
	pace_frame_t *f;

	if (it == NULL)
		return NULL;
	pc->push_head = it->next;
	if (pc->push_head == NULL)
		pc->push_tail = NULL;
	f = it->f;
	free(it);
	return f;
}

int
pc_call(struct pc_conn *pc, pace_frame_t *req, pace_frame_t **resp)
{
	uint32_t id;
	int rc;

	pc->err[0] = pc->field[0] = '\0';
	pc->retry_after_ms = 0;
	if ((rc = pc_send(pc, req, &id)) != 0)
		return rc;
	for (;;) {
		pace_frame_t *f = NULL;

		rc = pc_recv(pc, pc->timeout_ms, &f);
		if (rc == 0) {
			set_err(pc, "%s", "the server did not answer in time");
			return E_TIMEOUT;
		}
		if (rc < 0)
			return rc;
		if (f->id == 0 && f->body_case != PACE__V1__FRAME__BODY_ERROR) {
			keep_push(pc, f);
			continue;
		}
		if (f->body_case == PACE__V1__FRAME__BODY_ERROR &&
			(f->id == id || f->id == 0)) {
			const Pace__V1__Error *e = f->error;
			snprintf(pc->err, sizeof(pc->err), "%s",
				e->message ? e->message : "");
			snprintf(pc->field, sizeof(pc->field), "%s",
				e->field ? e->field : "");
			pc->retry_after_ms = e->retry_after_ms;
			rc = err_from_wire((int)e->code);
			msg_free(f);
			return rc;
		}
		if (f->id != id) {
			msg_free(f); /* an answer to an earlier, abandoned call */
			continue;
		}
		*resp = f;
		return 0;
	}
}

int
pc_connect(const struct pc_opts *o, struct pc_conn **out)
{
	struct pc_conn *pc = xcalloc(1, sizeof(*pc));
	char host[256], port[16];
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__Hello hello = PACE__V1__HELLO__INIT;
	int64_t deadline;
	int rc;

	pc->fd = -1;
	pc->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	pc_codec_init(&pc->codec, MAX_FRAME_BYTES_CEILING);
	deadline = clock_mono_us() + (int64_t)pc->timeout_ms * 1000;
	if (split_server(o->server ? o->server : PC_DEFAULT_SERVER, host,
		    sizeof(host), port, sizeof(port)) != 0) {
		set_err(pc, "bad server address '%s' (want HOST:PORT)",
			o->server ? o->server : "");
		rc = E_INVALID;
		goto fail;
	}
	if ((rc = tcp_connect(pc, host, port, deadline)) != 0)
		goto fail;
	if ((o->tls || o->tls_ca) &&
		(rc = tls_start(pc, o, host, deadline)) != 0)
		goto fail;
	hello.protocol_version = PROTO_VERSION;
	hello.client_name = (char *)(o->client_name ? o->client_name : "pace");
	req.body_case = PACE__V1__FRAME__BODY_HELLO;
	req.hello = &hello;
	if ((rc = pc_call(pc, &req, &resp)) != 0)
		goto fail;
	if (resp->body_case != PACE__V1__FRAME__BODY_WELCOME) {
		set_err(pc, "%s", "unexpected answer to Hello");
		rc = E_PROTO;
		goto fail;
	}
	msg_free(resp);
	*out = pc;
	return 0;
fail:
	msg_free(resp);
	*out = pc; /* kept so the caller can read pc_conn_error(); close it */
	return rc;
}

void
pc_close(struct pc_conn *pc)
{
	pace_frame_t *f;

	if (pc == NULL)
		return;
	while ((f = pc_next_push(pc)) != NULL)
		msg_free(f);
	if (pc->ssl) {
		SSL_shutdown(pc->ssl);
		SSL_free(pc->ssl);
	}
	if (pc->ctx)
		SSL_CTX_free(pc->ctx);
	if (pc->fd >= 0)
		close(pc->fd);
	pc_codec_fini(&pc->codec);
	free(pc);
}

int
pc_fd(const struct pc_conn *pc)
{
	return pc->fd;
}

const char *
pc_conn_error(const struct pc_conn *pc)
{
	return pc->err;
}

const char *
pc_conn_error_field(const struct pc_conn *pc)
{
	return pc->field;
}

uint32_t
pc_retry_after_ms(const struct pc_conn *pc)
{
	return pc->retry_after_ms;
}

static int
take_identity(pace_frame_t *resp, char **token, Pace__V1__Identity **identity)
{
	Pace__V1__LoginOk *ok;

	if (resp->body_case != PACE__V1__FRAME__BODY_LOGIN_OK) {
		msg_free(resp);
		return E_PROTO;
	}
	ok = resp->login_ok;
	if (token)
		*token = xstrdup(ok->token ? ok->token : "");
	if (identity) {
		/* Detach the identity from the frame so it outlives it. */
		*identity = ok->identity;
		ok->identity = NULL;
	}
	msg_free(resp);
	return 0;
}

int
pc_login(struct pc_conn *pc, const char *user, const char *password,
	char **token, Pace__V1__Identity **identity)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__Login m = PACE__V1__LOGIN__INIT;
	int rc;

	m.user = (char *)user;
	m.password = (char *)password;
	req.body_case = PACE__V1__FRAME__BODY_LOGIN;
	req.login = &m;
	if ((rc = pc_call(pc, &req, &resp)) != 0)
		return rc;
	return take_identity(resp, token, identity);
}

int
pc_resume(struct pc_conn *pc, const char *token, Pace__V1__Identity **identity)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__Resume m = PACE__V1__RESUME__INIT;
	int rc;

	m.token = (char *)token;
	req.body_case = PACE__V1__FRAME__BODY_RESUME;
	req.resume = &m;
	if ((rc = pc_call(pc, &req, &resp)) != 0)
		return rc;
	return take_identity(resp, NULL, identity);
}
