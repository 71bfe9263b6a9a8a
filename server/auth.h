/*
 * Passwords and session tokens. argon2id hashing runs on the libuv thread
 * pool, at most pwhash_concurrency at once; further requests wait in a
 * bounded queue, and beyond it are refused (E_EXHAUSTED) rather than let a
 * login storm take the memory of the machine.
 */
#ifndef PACE_AUTH_H
#define PACE_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "err.h"

#define TOKEN_LEN 43      /* base64url of 32 random bytes, no padding */
#define TOKEN_HASH_HEX 64 /* hex SHA-256 of the token */

/* ok: 1 when the password matched (verify) / hash holds the new hash. */
typedef void (*auth_cb)(void *arg, int ok, const char *hash);

int auth_init(uv_loop_t *loop, long long ops, long long mem_kib,
	int concurrency, int queue_limit) WARN_UNUSED;

/*
 * Check `password` against `hash` (NULL: an unknown user, checked against a
 * dummy hash so the answer takes as long). Returns 0 or E_EXHAUSTED.
 */
int auth_verify(const char *hash, const char *password, auth_cb cb,
	void *arg) WARN_UNUSED;
/* Hash a new password. Returns 0 or E_EXHAUSTED. */
int auth_hash(const char *password, auth_cb cb, void *arg) WARN_UNUSED;

/* Synchronous hash, for start-up commands only (paced init). */
int auth_hash_now(const char *password, char *out, size_t outlen) WARN_UNUSED;

/* New random token and the hex hash stored for it. */
void auth_new_token(char token[TOKEN_LEN + 1], char hash[TOKEN_HASH_HEX + 1]);
/* The stored hash of a token the client presents. */
void auth_token_hash(const char *token, char hash[TOKEN_HASH_HEX + 1]);

/* Hashes running and waiting (for metrics and tests). */
int auth_busy(void);

#endif
