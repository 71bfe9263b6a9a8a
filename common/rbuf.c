/* Frame reassembly buffer (see rbuf.h). */
#include <stdlib.h>
#include <string.h>

#include "rbuf.h"
#include "xmalloc.h"

/* Small first allocation: most frames (pings, acks, small writes) fit. */
#define RBUF_MIN 512

void
rbuf_init(struct rbuf *rb)
{
	memset(rb, 0, sizeof(*rb));
}

void
rbuf_fini(struct rbuf *rb)
{
	free(rb->data);
	memset(rb, 0, sizeof(*rb));
}

/* Bytes the frame being assembled may still need, bounded by max. */
static size_t
rbuf_need(const struct rbuf *rb, uint32_t max)
{
	uint32_t blen;
	size_t total;

	if (rb->len < FRAME_HDR_LEN)
		return FRAME_HDR_LEN - rb->len;
	blen = be32_read(rb->data + rb->off);
	if (blen == 0 || blen > max)
		return 0;
	total = FRAME_HDR_LEN + (size_t)blen;
	return total > rb->len ? total - rb->len : 0;
}

uint8_t *
rbuf_space(struct rbuf *rb, size_t want, uint32_t max, size_t *avail)
{
	size_t need = rbuf_need(rb, max);
	size_t limit = FRAME_HDR_LEN + (size_t)max;
	size_t target;

	/* Read ahead (several small frames per read) but not past one max. */
	if (want < need)
		want = need;
	if (want < FRAME_HDR_LEN)
		want = FRAME_HDR_LEN;
	if (rb->len + want > limit)
		want = limit > rb->len ? limit - rb->len : 0;
	if (want == 0) {
		*avail = 0;
		return NULL;
	}
	if (rb->off > 0 && rb->off + rb->len + want > rb->cap) {
		memmove(rb->data, rb->data + rb->off, rb->len);
		rb->off = 0;
	}
	target = rb->len + want;
	if (target > rb->cap) {
		size_t ncap = rb->cap ? rb->cap : RBUF_MIN;
		while (ncap < target)
			ncap *= 2;
		if (ncap > limit)
			ncap = limit;
		rb->data = xrealloc(rb->data, ncap);
		rb->cap = ncap;
	}
	*avail = rb->cap - rb->off - rb->len;
	return rb->data + rb->off + rb->len;
}

void
rbuf_commit(struct rbuf *rb, size_t n)
{
	rb->len += n;
}

size_t
rbuf_append(struct rbuf *rb, const uint8_t *p, size_t n, uint32_t max)
{
	size_t done = 0;

	while (done < n) {
		size_t avail;
		uint8_t *dst = rbuf_space(rb, n - done, max, &avail);
		size_t k;

		if (dst == NULL || avail == 0)
			break;
		k = n - done < avail ? n - done : avail;
		memcpy(dst, p + done, k);
		rbuf_commit(rb, k);
		done += k;
	}
	return done;
}

enum frame_status
rbuf_next(struct rbuf *rb, uint32_t max, const uint8_t **body, uint32_t *len)
{
	uint32_t blen = 0;
	enum frame_status st;

	if (rb->len == 0)
		return FRAME_NEED_MORE;
	st = frame_peek(rb->data + rb->off, rb->len, max, &blen);
	if (st != FRAME_OK) {
		*len = blen; /* the declared length, for the error message */
		return st;
	}
	*body = rb->data + rb->off + FRAME_HDR_LEN;
	*len = blen;
	rb->off += FRAME_HDR_LEN + (size_t)blen;
	rb->len -= FRAME_HDR_LEN + (size_t)blen;
	return FRAME_OK;
}

void
rbuf_trim(struct rbuf *rb)
{
	if (rb->len == 0) {
		free(rb->data);
		rb->data = NULL;
		rb->cap = 0;
		rb->off = 0;
	}
}
