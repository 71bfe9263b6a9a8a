/*
 * A bump arena for building nested protobuf replies: every piece of a reply
 * is allocated here and the whole is freed at once after packing.
 */
#ifndef PACE_ARENA_H
#define PACE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

#define ARENA_INIT {NULL}

/* Zeroed memory that lives until arena_free(). Aborts on OOM. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);

/* Allocate a T (zeroed) in the arena. */
#define ARENA_NEW(a, T) ((T *)arena_alloc((a), sizeof(T)))

#endif
