/*
 * Row op ids (see rowid.h). The occurrence count of each distinct row is
 * kept in an open-addressing table keyed by the row's 32-byte digest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pc.h"
#include "rowid.h"
#include "xmalloc.h"

#define DIGEST 32

struct slot {
	uint8_t key[DIGEST];
	uint32_t count; /* rows seen with this digest; 0 = empty slot */
};

struct rowid {
	char *kind;
	struct slot *slots;
	size_t cap, used; /* cap is a power of two, kept over twice used */
};

struct rowid *
rowid_new(const char *kind)
{
	struct rowid *r = xcalloc(1, sizeof(*r));

	r->kind = xstrdup(kind);
	r->cap = 1024;
	r->slots = xcalloc(r->cap, sizeof(*r->slots));
	return r;
}

void
rowid_free(struct rowid *r)
{
	if (r == NULL)
		return;
	free(r->kind);
	free(r->slots);
	free(r);
}

static struct slot *
find(struct slot *slots, size_t cap, const uint8_t *key)
{
	size_t i;

	memcpy(&i, key, sizeof(i));
	for (i &= cap - 1;; i = (i + 1) & (cap - 1))
		if (slots[i].count == 0 || memcmp(slots[i].key, key, DIGEST) == 0)
			return &slots[i];
}

static void
grow(struct rowid *r)
{
	size_t cap = r->cap * 2;
	struct slot *slots = xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < r->cap; i++)
		if (r->slots[i].count)
			*find(slots, cap, r->slots[i].key) = r->slots[i];
	free(r->slots);
	r->slots = slots;
	r->cap = cap;
}

/* Length-prefixed, so that cells cannot run into each other. */
static void
hash_str(crypto_generichash_state *st, const char *s, size_t len)
{
	uint8_t n[4] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
		(uint8_t)(len >> 24)};

	crypto_generichash_update(st, n, sizeof(n));
	crypto_generichash_update(st, (const uint8_t *)s, len);
}

void
rowid_next(struct rowid *r, char *const *cells, size_t n, char out[37])
{
	crypto_generichash_state st;
	uint8_t key[DIGEST + 4];
	struct slot *s;
	uint32_t occurrence;

	crypto_generichash_init(&st, NULL, 0, DIGEST);
	hash_str(&st, "pace-import-row-v1", strlen("pace-import-row-v1"));
	hash_str(&st, r->kind, strlen(r->kind));
	for (size_t i = 0; i < n; i++)
		hash_str(&st, cells[i], strlen(cells[i]));
	crypto_generichash_final(&st, key, DIGEST);
	if (2 * (r->used + 1) > r->cap)
		grow(r);
	s = find(r->slots, r->cap, key);
	if (s->count == 0) {
		memcpy(s->key, key, DIGEST);
		r->used++;
	}
	occurrence = s->count++;
	/* The id: digest and occurrence, hashed once more. */
	key[DIGEST] = (uint8_t)occurrence;
	key[DIGEST + 1] = (uint8_t)(occurrence >> 8);
	key[DIGEST + 2] = (uint8_t)(occurrence >> 16);
	key[DIGEST + 3] = (uint8_t)(occurrence >> 24);
	pc_uuid_from(key, sizeof(key), out);
}
