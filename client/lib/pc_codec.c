/* The protocol core: bytes in, frames out, no I/O (see pc.h). */
#include "pc.h"

void
pc_codec_init(struct pc_codec *c, uint32_t max)
{
	rbuf_init(&c->in);
	c->max = max;
}

void
pc_codec_fini(struct pc_codec *c)
{
	rbuf_fini(&c->in);
}

size_t
pc_codec_feed(struct pc_codec *c, const uint8_t *p, size_t n)
{
	return rbuf_append(&c->in, p, n, c->max);
}

int
pc_codec_next(struct pc_codec *c, pace_frame_t **out)
{
	const uint8_t *body;
	uint32_t len;
	enum frame_status st = rbuf_next(&c->in, c->max, &body, &len);
	pace_frame_t *f;

	switch (st) {
	case FRAME_NEED_MORE:
		rbuf_trim(&c->in);
		return 0;
	case FRAME_ERR_TOO_BIG:
		return E_TOO_BIG;
	case FRAME_ERR_EMPTY:
		return E_PROTO;
	case FRAME_OK:
		break;
	}
	f = msg_unpack(body, len);
	if (f == NULL)
		return E_PROTO;
	*out = f;
	return 1;
}
