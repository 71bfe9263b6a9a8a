/* The length-prefix codec of the wire protocol (see frame.h). */
#include "frame.h"

enum frame_status
frame_peek(const uint8_t *buf, size_t avail, uint32_t max, uint32_t *body_len)
{
	uint32_t len;

	if (avail < FRAME_HDR_LEN)
		return FRAME_NEED_MORE;
	len = be32_read(buf);
	*body_len = len;
	if (len == 0)
		return FRAME_ERR_EMPTY;
	if (len > max)
		return FRAME_ERR_TOO_BIG;
	return avail - FRAME_HDR_LEN >= len ? FRAME_OK : FRAME_NEED_MORE;
}

void
frame_write_hdr(uint8_t *dst, uint32_t len)
{
	dst[0] = (uint8_t)(len >> 24);
	dst[1] = (uint8_t)(len >> 16);
	dst[2] = (uint8_t)(len >> 8);
	dst[3] = (uint8_t)len;
}

const char *
frame_status_str(enum frame_status st)
{
	switch (st) {
	case FRAME_OK:
		return "ok";
	case FRAME_NEED_MORE:
		return "incomplete frame";
	case FRAME_ERR_EMPTY:
		return "empty frame";
	case FRAME_ERR_TOO_BIG:
		return "frame too big";
	}
	return "?";
}
