/*
 * A packed frame shared by reference: header and payload in one allocation,
 * so a push is encoded once and queued on every subscriber by reference.
 */
#ifndef PACE_FRAME_REF_H
#define PACE_FRAME_REF_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

struct frame {
	int refs;
	size_t len;      /* header + payload */
	uint8_t data[];  /* [u32be length][Frame] */
};

/* Pack f once; the result has one reference. */
struct frame *frame_pack(const pace_frame_t *f);
struct frame *frame_ref(struct frame *fr);
void frame_unref(struct frame *fr);

#endif
