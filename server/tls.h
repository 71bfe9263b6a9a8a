/*
 * TLS on the client listener, with OpenSSL driven through memory BIOs: the
 * socket stays a plain libuv stream, ciphertext goes in with
 * tls_conn_input() and comes out of tls_conn_encrypt(); nothing blocks.
 */
#ifndef PACE_TLS_H
#define PACE_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct conn;
struct tls_ctx;
struct tls_conn;

/* Load the certificate chain and key. NULL with err filled on failure. */
struct tls_ctx *tls_ctx_new(const char *cert, const char *key, char *err,
	size_t errlen);
void tls_ctx_free(struct tls_ctx *ctx);

/* Give c a server-side TLS session on srv.tls. */
int tls_conn_new(struct conn *c);
void tls_conn_free(struct tls_conn *t);

/* Ciphertext from the socket: handshake, then plaintext to conn_feed(). */
void tls_conn_input(struct conn *c, const uint8_t *p, size_t n);

/* Encrypt plaintext buffers into one new ciphertext buffer (caller frees). */
int tls_conn_encrypt(struct conn *c, const uv_buf_t *bufs, int n,
	uint8_t **out, size_t *outlen);

/* Nothing queued: let OpenSSL release its buffers. */
void tls_conn_idle(struct conn *c);

#endif
