/*
 * A bounded reassembly buffer for incoming frames. Bytes are appended as they
 * arrive (one at a time or many frames at once); rbuf_next() hands out whole
 * frames. The buffer never grows past one frame plus its header, and is
 * released entirely when it is empty, so an idle connection costs nothing.
 */
#ifndef PACE_RBUF_H
#define PACE_RBUF_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct rbuf {
	uint8_t *data; /* owned; NULL while empty and idle */
	size_t cap;    /* allocated bytes */
	size_t off;    /* start of unconsumed bytes */
	size_t len;    /* unconsumed bytes from off */
};

void rbuf_init(struct rbuf *rb);
void rbuf_fini(struct rbuf *rb);

/*
 * Space to read into: at least `want` bytes (callers pass their read size),
 * but never more than the current frame can still use when its header is
 * known, and never beyond FRAME_HDR_LEN + max overall.
 */
uint8_t *rbuf_space(struct rbuf *rb, size_t want, uint32_t max, size_t *avail);

/* Record that n bytes were written into the space from rbuf_space(). */
void rbuf_commit(struct rbuf *rb, size_t n);

/*
 * Append bytes (a copy); used where the bytes come from elsewhere, e.g. TLS.
 * Appends at most what fits within the limit; returns the count taken.
 */
size_t rbuf_append(struct rbuf *rb, const uint8_t *p, size_t n, uint32_t max);

/*
 * Next whole frame. On FRAME_OK *body and *len describe the body, valid until
 * the next call on rb. On FRAME_ERR_* *len is the declared length (0 while
 * the header is incomplete). Errors are sticky for the caller to act on.
 */
enum frame_status rbuf_next(struct rbuf *rb, uint32_t max,
	const uint8_t **body, uint32_t *len);

/* Drop the buffer if it holds nothing (call after a burst is processed). */
void rbuf_trim(struct rbuf *rb);

static inline size_t
rbuf_pending(const struct rbuf *rb)
{
	return rb->len;
}

#endif
