/*
 * libFuzzer harness for the frame decoder with reassembly: common/rbuf.c +
 * common/frame.c (+ msg_unpack of every whole body).
 *
 * The input is a limit, a list of split points and a byte stream. The
 * stream is fed to an rbuf in pieces cut at the split points, the way
 * conn_feed() does (rbuf_append, or rbuf_space + rbuf_commit like a socket
 * read), taking frames out with rbuf_next() between pieces. The result must
 * not depend on where the stream was cut: it is compared with a one-pass
 * decode of the whole stream by frame_peek(). Also checked: the buffer never
 * holds more than one frame at the limit plus its header, and appending
 * never gets stuck while a frame is incomplete.
 *
 * Input layout: [max: 3 bytes][nsplit: 1][nsplit x split: 2 bytes][stream].
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "msg.h"
#include "rbuf.h"

#define MAX_FRAMES 4096

struct decoded {
	size_t n; /* whole frames */
	size_t off[MAX_FRAMES]; /* body offset in the stream */
	uint32_t len[MAX_FRAMES]; /* body length */
	enum frame_status end; /* NEED_MORE or the error that stopped */
	uint32_t end_len; /* declared length with an error */
};

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_frame: invariant broken: %s\n", what);
		abort();
	}
}

/* The reference: one pass over the whole stream. */
static void
decode_whole(const uint8_t *p, size_t n, uint32_t max, struct decoded *d)
{
	size_t pos = 0;

	d->n = 0;
	d->end = FRAME_NEED_MORE;
	d->end_len = 0;
	while (d->n < MAX_FRAMES) {
		uint32_t blen = 0;
		enum frame_status st = frame_peek(p + pos, n - pos, max, &blen);

		if (st == FRAME_NEED_MORE)
			return;
		if (st != FRAME_OK) {
			d->end = st;
			d->end_len = blen;
			return;
		}
		d->off[d->n] = pos + FRAME_HDR_LEN;
		d->len[d->n] = blen;
		d->n++;
		pos += FRAME_HDR_LEN + blen;
	}
}

static struct decoded want, got;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t splits[64];
	size_t nsplit, pos = 0, si = 0, frames_seen = 0;
	const uint8_t *stream;
	size_t slen;
	uint32_t max;
	struct rbuf rb;
	int stopped = 0;

	if (size < 4)
		return 0;
	/* Limits from tiny (1 byte) to past the 64 KiB read size. */
	max = ((uint32_t)data[0] << 16 | (uint32_t)data[1] << 8 | data[2]) %
	        200000;
	if (max == 0)
		max = 1;
	nsplit = data[3] % 64;
	if (size < 4 + 2 * nsplit)
		return 0;
	for (size_t i = 0; i < nsplit; i++)
		splits[i] = (uint16_t)(data[4 + 2 * i] << 8 | data[5 + 2 * i]);
	stream = data + 4 + 2 * nsplit;
	slen = size - 4 - 2 * nsplit;

	decode_whole(stream, slen, max, &want);

	rbuf_init(&rb);
	got.n = 0;
	got.end = FRAME_NEED_MORE;
	got.end_len = 0;
	/* Where each frame's body starts in the stream, for the comparison. */
	size_t consumed = 0; /* stream bytes taken out as whole frames */
	while (pos < slen && !stopped) {
		size_t piece =
		        nsplit ? (size_t)splits[si++ % nsplit] + 1 : slen;
		int use_space = si & 1;

		if (piece > slen - pos)
			piece = slen - pos;
		/* Feed the piece, taking frames out whenever it does not fit. */
		while (piece > 0 && !stopped) {
			size_t k;

			if (use_space) {
				size_t avail = 0;
				uint8_t *dst =
				        rbuf_space(&rb, piece, max, &avail);

				k = dst ? (piece < avail ? piece : avail) : 0;
				if (k)
					memcpy(dst, stream + pos, k);
				rbuf_commit(&rb, k);
			} else {
				k = rbuf_append(&rb, stream + pos, piece, max);
			}
			check(rb.cap <= FRAME_HDR_LEN + (size_t)max,
			        "buffer grew past header + max");
			check(rb.off + rb.len <= rb.cap,
			        "length past capacity");
			pos += k;
			piece -= k;
			for (;;) {
				const uint8_t *body;
				uint32_t blen = 0;
				enum frame_status st =
				        rbuf_next(&rb, max, &body, &blen);

				if (st == FRAME_NEED_MORE)
					break;
				if (st != FRAME_OK) {
					got.end = st;
					got.end_len = blen;
					stopped = 1;
					break;
				}
				consumed += FRAME_HDR_LEN + blen;
				if (got.n < MAX_FRAMES) {
					got.off[got.n] = consumed - blen;
					got.len[got.n] = blen;
					/* Same bytes as in the stream at that place. */
					check(memcmp(body,
					              stream + got.off[got.n],
					              blen) == 0,
					        "body bytes differ from the stream");
					got.n++;
				}
				frames_seen++;
				msg_free(msg_unpack(body, blen));
			}
			if (k == 0 && piece > 0 && !stopped) {
				/* Nothing taken and no frame came out: stuck. */
				check(0, "append made no progress");
			}
			if ((pos & 7) == 0)
				rbuf_trim(&rb);
		}
	}
	/*
	 * The reference stops after MAX_FRAMES; compare what both saw. An
	 * error must be the same error at the same place.
	 */
	if (want.n < MAX_FRAMES) {
		check(got.n == want.n,
		        "frame count differs from one-pass decode");
		check(got.end == want.end, "end status differs");
		check(got.end_len == want.end_len, "declared length differs");
	}
	for (size_t i = 0; i < got.n && i < want.n; i++) {
		check(got.off[i] == want.off[i], "frame offset differs");
		check(got.len[i] == want.len[i], "frame length differs");
	}
	/* Whatever is left is exactly the unconsumed tail of the stream. */
	if (!stopped)
		check(rbuf_pending(&rb) == slen - consumed, "pending bytes");
	rbuf_fini(&rb);
	return 0;
}
