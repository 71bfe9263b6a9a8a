/*
 * Allocation wrappers that abort on out-of-memory. Sizes that come from the
 * wire must be checked against a limit before they reach these.
 */
#ifndef PACE_XMALLOC_H
#define PACE_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
