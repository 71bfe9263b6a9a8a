/* Reference-counted packed frames (see frame_ref.h). */
#include <stdlib.h>

#include "frame.h"
#include "frame_ref.h"
#include "xmalloc.h"

struct frame *
frame_pack(const pace_frame_t *f)
{
	size_t n = pace__v1__frame__get_packed_size(f);
	struct frame *fr = xmalloc(sizeof(*fr) + FRAME_HDR_LEN + n);

	fr->refs = 1;
	fr->len = FRAME_HDR_LEN + n;
	frame_write_hdr(fr->data, (uint32_t)n);
	pace__v1__frame__pack(f, fr->data + FRAME_HDR_LEN);
	return fr;
}

struct frame *
frame_ref(struct frame *fr)
{
	fr->refs++;
	return fr;
}

void
frame_unref(struct frame *fr)
{
	if (--fr->refs == 0)
		free(fr);
}
