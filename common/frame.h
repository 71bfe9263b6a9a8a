/*
 * The frame codec: a 4-byte big-endian length, then that many bytes of a
 * protobuf Frame. Pure functions on byte buffers; no I/O, no allocation.
 */
#ifndef PACE_FRAME_H
#define PACE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

enum frame_status {
	FRAME_OK = 0,      /* a whole frame is in the buffer */
	FRAME_NEED_MORE,   /* not enough bytes yet */
	FRAME_ERR_EMPTY,   /* declared length 0 */
	FRAME_ERR_TOO_BIG, /* declared length over the limit */
};

/*
 * Look at the start of buf. On FRAME_OK, FRAME_ERR_TOO_BIG and, once the
 * header is complete, FRAME_NEED_MORE, *body_len holds the declared length.
 * The limit is checked as soon as the header is complete, so a too-big frame
 * is refused before any of its body is buffered.
 */
enum frame_status frame_peek(const uint8_t *buf, size_t avail, uint32_t max,
	uint32_t *body_len);

/* Write the 4-byte header for a body of len bytes. */
void frame_write_hdr(uint8_t *dst, uint32_t len);

static inline uint32_t
be32_read(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | (uint32_t)p[3];
}

const char *frame_status_str(enum frame_status st);

#endif
