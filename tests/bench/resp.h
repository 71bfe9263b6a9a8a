/*
 * Redis replies (RESP 2), as much as the pub/sub baseline needs: simple
 * strings, errors, integers, bulk strings and arrays of up to 4 of them.
 */
#ifndef PACE_BENCH_RESP_H
#define PACE_BENCH_RESP_H

#include <stddef.h>
#include <stdint.h>

struct resp_el {
	char t;           /* '+', '-', ':', '$' */
	const uint8_t *s; /* the value's bytes (in the input) */
	size_t len;
	long long i;      /* the integer, or the bulk length */
};

/* One reply at p: its elements in el (up to 4), their count in *nel.
 * Returns the bytes it took, 0 if incomplete, -1 if not understood. */
long resp_parse(const uint8_t *p, size_t n, struct resp_el *el, int *nel);

#endif
