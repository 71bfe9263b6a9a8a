/* A reader of Redis replies (RESP), for the pub/sub baseline (resp.h). */
#include <stdlib.h>

#include "resp.h"

static long
resp_line(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (p[i] == '\r' && p[i + 1] == '\n')
			return (long)i;
	return -1;
}

static long
resp_one(const uint8_t *p, size_t n, struct resp_el *e)
{
	long l = resp_line(p, n);

	if (l < 0)
		return 0;
	e->t = (char)p[0];
	e->i = strtoll((const char *)p + 1, NULL, 10);
	e->s = p + 1;
	e->len = (size_t)l - 1;
	if (e->t == '$') {
		size_t need = (size_t)l + 2 + (size_t)e->i + 2;
		if (e->i < 0)
			return l + 2;
		if (n < need)
			return 0;
		e->s = p + l + 2;
		e->len = (size_t)e->i;
		return (long)need;
	}
	if (e->t == '+' || e->t == '-' || e->t == ':')
		return l + 2;
	return -1;
}

long
resp_parse(const uint8_t *p, size_t n, struct resp_el *el, int *nel)
{
	long off, k;
	int count;

	if (n < 1)
		return 0;
	if (p[0] != '*') {
		*nel = 1;
		return resp_one(p, n, &el[0]);
	}
	if ((off = resp_line(p, n)) < 0)
		return 0;
	count = atoi((const char *)p + 1);
	off += 2;
	if (count < 0 || count > 4)
		return -1;
	for (int i = 0; i < count; i++) {
		k = resp_one(p + off, n - (size_t)off, &el[i]);
		if (k <= 0)
			return k;
		off += k;
	}
	*nel = count;
	return off;
}
