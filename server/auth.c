/* Password hashing on the thread pool, and session tokens (see auth.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <sodium.h>

#include "auth.h"
#include "log.h"
#include "xmalloc.h"

struct hash_work {
	uv_work_t work;
	TAILQ_ENTRY(hash_work) entry;
	int verify;
	char *password;  /* owned, wiped */
	char hash[crypto_pwhash_STRBYTES];
	int ok;
	auth_cb cb;
	void *arg;
};

static struct {
	uv_loop_t *loop;
	unsigned long long ops;
	size_t mem;
	int concurrency, queue_limit;
	int running, waiting;
	TAILQ_HEAD(, hash_work) queue;
	char dummy[crypto_pwhash_STRBYTES];
} a;

int
auth_init(uv_loop_t *loop, long long ops, long long mem_kib, int concurrency,
	int queue_limit)
{
	uint8_t rnd[16];
	char pw[33];

	if (sodium_init() < 0)
		return E_INTERNAL;
	a.loop = loop;
	a.ops = (unsigned long long)ops;
	a.mem = (size_t)mem_kib * 1024;
	a.concurrency = concurrency;
	a.queue_limit = queue_limit;
	TAILQ_INIT(&a.queue);
	/* The hash unknown logins are checked against: same cost, no match. */
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
	if (crypto_pwhash_str(a.dummy, pw, strlen(pw), a.ops, a.mem) != 0)
		return E_INTERNAL;
	return 0;
}

static void
work_cb(uv_work_t *w)
{
	struct hash_work *hw = (struct hash_work *)w;
	size_t n = strlen(hw->password);

	if (hw->verify)
		hw->ok = crypto_pwhash_str_verify(hw->hash, hw->password, n) == 0;
	else
		hw->ok = crypto_pwhash_str(hw->hash, hw->password, n, a.ops,
				 a.mem) == 0;
}

static void start_next(void);

static void
finish(struct hash_work *hw, int ok)
{
	sodium_memzero(hw->password, strlen(hw->password));
	free(hw->password);
	hw->cb(hw->arg, ok, hw->verify || !ok ? NULL : hw->hash);
	free(hw);
}

static void
after_cb(uv_work_t *w, int status)
{
	struct hash_work *hw = (struct hash_work *)w;

	a.running--;
	finish(hw, status == 0 && hw->ok);
	start_next();
}

static void
start_next(void)
{
	struct hash_work *hw;

	while (a.running < a.concurrency &&
		(hw = TAILQ_FIRST(&a.queue)) != NULL) {
		TAILQ_REMOVE(&a.queue, hw, entry);
		a.waiting--;
		a.running++;
		if (uv_queue_work(a.loop, &hw->work, work_cb, after_cb) != 0) {
			a.running--;
			finish(hw, 0);
		}
	}
}

static int
submit(int verify, const char *hash, const char *password, auth_cb cb,
	void *arg)
{
	struct hash_work *hw;

	if (a.waiting >= a.queue_limit)
		return E_EXHAUSTED;
	hw = xcalloc(1, sizeof(*hw));
	hw->verify = verify;
	hw->password = xstrdup(password);
	if (verify)
		snprintf(hw->hash, sizeof(hw->hash), "%s", hash ? hash : a.dummy);
	hw->cb = cb;
	hw->arg = arg;
	TAILQ_INSERT_TAIL(&a.queue, hw, entry);
	a.waiting++;
	start_next();
	return 0;
}

int
auth_verify(const char *hash, const char *password, auth_cb cb, void *arg)
{
	return submit(1, hash, password, cb, arg);
}

int
auth_hash(const char *password, auth_cb cb, void *arg)
{
	return submit(0, NULL, password, cb, arg);
}

int
auth_hash_now(const char *password, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return E_INTERNAL;
	if (crypto_pwhash_str(out, password, strlen(password), a.ops, a.mem) != 0)
		return E_INTERNAL;
	return 0;
}

void
auth_token_hash(const char *token, char hash[TOKEN_HASH_HEX + 1])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const uint8_t *)token, strlen(token));
	sodium_bin2hex(hash, TOKEN_HASH_HEX + 1, h, sizeof(h));
}

void
auth_new_token(char token[TOKEN_LEN + 1], char hash[TOKEN_HASH_HEX + 1])
{
	uint8_t rnd[32];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2base64(token, TOKEN_LEN + 1, rnd, sizeof(rnd),
		sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	auth_token_hash(token, hash);
}

int
auth_busy(void)
{
	return a.running + a.waiting;
}
