/* A small chained hash table keyed by source address (see addrtab.h). */
#include <stdlib.h>
#include <string.h>

#include "addrtab.h"
#include "xmalloc.h"

#define NBUCKETS 4096

static struct addr_entry *buckets[NBUCKETS];

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % NBUCKETS;
}

struct addr_entry *
addrtab_find(const char *addr)
{
	for (struct addr_entry *e = buckets[hash(addr)]; e; e = e->next)
		if (strcmp(e->addr, addr) == 0)
			return e;
	return NULL;
}

struct addr_entry *
addrtab_get(const char *addr)
{
	struct addr_entry *e = addrtab_find(addr);
	unsigned h;

	if (e)
		return e;
	e = xcalloc(1, sizeof(*e));
	strncpy(e->addr, addr, sizeof(e->addr) - 1);
	h = hash(addr);
	e->next = buckets[h];
	buckets[h] = e;
	return e;
}

void
addrtab_sweep(int64_t now_mono_us)
{
	for (int i = 0; i < NBUCKETS; i++) {
		struct addr_entry **pp = &buckets[i];

		while (*pp) {
			struct addr_entry *e = *pp;

			if (e->conns == 0 &&
				(e->fails == 0 ||
					(e->last_fail + 3600000000LL < now_mono_us &&
						e->fail_until < now_mono_us))) {
				*pp = e->next;
				free(e);
			} else {
				pp = &e->next;
			}
		}
	}
}
