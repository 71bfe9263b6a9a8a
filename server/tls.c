/* Server-side TLS through OpenSSL memory BIOs (see tls.h). */
#include <stdlib.h>
#include <string.h>

#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "tls.h"
#include "xmalloc.h"

struct tls_ctx {
	SSL_CTX *ctx;
};

struct tls_conn {
	SSL *ssl;
	BIO *rbio; /* ciphertext in; owned by ssl */
	BIO *wbio; /* ciphertext out; owned by ssl */
	int handshaken;
};

static void
last_error(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		snprintf(buf, len, "unknown TLS error");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
}

struct tls_ctx *
tls_ctx_new(const char *cert, const char *key, char *err, size_t errlen)
{
	struct tls_ctx *t = xcalloc(1, sizeof(*t));

	t->ctx = SSL_CTX_new(TLS_server_method());
	if (t->ctx == NULL)
		goto fail;
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(t->ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1)
		goto fail;
	if (SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1)
		goto fail;
	if (SSL_CTX_check_private_key(t->ctx) != 1)
		goto fail;
	return t;
fail:
	last_error(err, errlen);
	tls_ctx_free(t);
	return NULL;
}

void
tls_ctx_free(struct tls_ctx *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

int
tls_conn_new(struct conn *c)
{
	struct tls_conn *t = xcalloc(1, sizeof(*t));

	t->ssl = SSL_new(srv.tls->ctx);
	t->rbio = BIO_new(BIO_s_mem());
	t->wbio = BIO_new(BIO_s_mem());
	if (t->ssl == NULL || t->rbio == NULL || t->wbio == NULL) {
		if (t->ssl)
			SSL_free(t->ssl);
		else {
			BIO_free(t->rbio);
			BIO_free(t->wbio);
		}
		free(t);
		return -1;
	}
	SSL_set_bio(t->ssl, t->rbio, t->wbio);
	SSL_set_accept_state(t->ssl);
	c->tls = t;
	return 0;
}

void
tls_conn_free(struct tls_conn *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t);
}

/* Send whatever OpenSSL produced (handshake records, alerts, key updates). */
static void
drain_wbio(struct conn *c)
{
	struct tls_conn *t = c->tls;
	size_t pending = BIO_ctrl_pending(t->wbio);

	if (pending > 0) {
		uint8_t *buf = xmalloc(pending);
		int n = BIO_read(t->wbio, buf, (int)pending);

		if (n > 0)
			conn_write_raw(c, buf, (size_t)n);
		else
			free(buf);
	}
}

void
tls_conn_input(struct conn *c, const uint8_t *p, size_t n)
{
	struct tls_conn *t = c->tls;
	uint8_t plain[16384];
	char err[256];

	if (BIO_write(t->rbio, p, (int)n) != (int)n) {
		conn_close(c, "TLS: buffer error");
		return;
	}
	if (!t->handshaken) {
		int rc = SSL_do_handshake(t->ssl);

		drain_wbio(c);
		if (rc != 1) {
			int e = SSL_get_error(t->ssl, rc);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return;
			last_error(err, sizeof(err));
			metrics_tls_failed();
			conn_close(c, "TLS handshake failed: %s", err);
			return;
		}
		t->handshaken = 1;
		conn_log(c, LOG_DEBUG, "TLS %s %s", SSL_get_version(t->ssl),
			SSL_get_cipher_name(t->ssl));
	}
	for (;;) {
		int r = SSL_read(t->ssl, plain, sizeof(plain));

		if (r > 0) {
			conn_feed(c, plain, (size_t)r);
			if (conn_is_closing(c))
				return;
			continue;
		}
		drain_wbio(c);
		switch (SSL_get_error(t->ssl, r)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			return;
		case SSL_ERROR_ZERO_RETURN:
			conn_close(c, "client closed TLS");
			return;
		default:
			last_error(err, sizeof(err));
			conn_close(c, "TLS read: %s", err);
			return;
		}
	}
}

int
tls_conn_encrypt(struct conn *c, const uv_buf_t *bufs, int n, uint8_t **out,
	size_t *outlen)
{
	struct tls_conn *t = c->tls;
	size_t pending;
	uint8_t *buf;

	for (int i = 0; i < n; i++) {
		if (bufs[i].len == 0)
			continue;
		if (SSL_write(t->ssl, bufs[i].base, (int)bufs[i].len) <= 0)
			return -1;
	}
	pending = BIO_ctrl_pending(t->wbio);
	buf = xmalloc(pending ? pending : 1);
	if (pending > 0 && BIO_read(t->wbio, buf, (int)pending) != (int)pending) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = pending;
	return 0;
}

/* A memory BIO that held more than this is replaced once it is empty. */
#define BIO_KEEP_BYTES 1024

/* A new memory BIO if b is empty but once grew big, else NULL. */
static BIO *
fresh_if_big(BIO *b)
{
	BUF_MEM *bm = NULL;

	if (BIO_ctrl_pending(b) != 0 || BIO_get_mem_ptr(b, &bm) != 1 ||
		bm == NULL || bm->max <= BIO_KEEP_BYTES)
		return NULL;
	return BIO_new(BIO_s_mem());
}

void
tls_conn_idle(struct conn *c)
{
	struct tls_conn *t = c->tls;
	BIO *b;

	/* Returns 0 while OpenSSL still holds data; then it keeps them. */
	(void)SSL_free_buffers(t->ssl);
	/*
	 * A memory BIO never gives back what it once held: after one 64 KiB
	 * socket read, or one batch of big replies, it would keep that much
	 * for the life of the connection. Once empty, big ones are swapped
	 * for new ones (SSL_set0_*bio frees the old).
	 */
	if ((b = fresh_if_big(t->rbio)) != NULL) {
		SSL_set0_rbio(t->ssl, b);
		t->rbio = b;
	}
	if ((b = fresh_if_big(t->wbio)) != NULL) {
		SSL_set0_wbio(t->ssl, b);
		t->wbio = b;
	}
}
