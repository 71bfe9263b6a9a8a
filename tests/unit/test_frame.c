/*
 * Unit tests of the frame codec (common/frame.c) and the reassembly buffer
 * (common/rbuf.c): arrival byte by byte, many frames per read, the length
 * limits (zero, == limit, limit + 1, pre-login vs post-login) and the
 * buffer's memory bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"
#include "rbuf.h"

#define PREAUTH 4096u
#define POSTAUTH (1024u * 1024u)

/* A frame of body length len whose body bytes are (seed + i) & 0xff. */
static uint8_t *
make_frame(uint32_t len, uint8_t seed, size_t *total)
{
	uint8_t *p = malloc(FRAME_HDR_LEN + (size_t)len);

	assert_non_null(p);
	frame_write_hdr(p, len);
	for (uint32_t i = 0; i < len; i++)
		p[FRAME_HDR_LEN + i] = (uint8_t)(seed + i);
	*total = FRAME_HDR_LEN + (size_t)len;
	return p;
}

static void
assert_body(const uint8_t *body, uint32_t len, uint32_t want_len, uint8_t seed)
{
	assert_int_equal(len, want_len);
	for (uint32_t i = 0; i < len; i++)
		assert_int_equal(body[i], (uint8_t)(seed + i));
}

static void
test_header_roundtrip(void **state)
{
	uint8_t h[4];

	frame_write_hdr(h, 0x01020304u);
	assert_int_equal(h[0], 1);
	assert_int_equal(h[1], 2);
	assert_int_equal(h[2], 3);
	assert_int_equal(h[3], 4);
	assert_int_equal(be32_read(h), 0x01020304u);
	frame_write_hdr(h, 0xffffffffu);
	assert_int_equal(be32_read(h), 0xffffffffu);
}

static void
test_peek_statuses(void **state)
{
	uint8_t buf[16] = {0};
	uint32_t len = 12345;

	/* Fewer than 4 bytes: need more, and *body_len is not touched. */
	for (size_t i = 0; i < FRAME_HDR_LEN; i++) {
		assert_int_equal(
		        frame_peek(buf, i, 100, &len), FRAME_NEED_MORE);
		assert_int_equal(len, 12345);
	}
	/* Zero length is an error, not an empty frame to skip. */
	frame_write_hdr(buf, 0);
	assert_int_equal(frame_peek(buf, 4, 100, &len), FRAME_ERR_EMPTY);
	assert_int_equal(len, 0);
	/* Header complete, body partial: need more, length known. */
	frame_write_hdr(buf, 10);
	assert_int_equal(frame_peek(buf, 13, 100, &len), FRAME_NEED_MORE);
	assert_int_equal(len, 10);
	assert_int_equal(frame_peek(buf, 14, 100, &len), FRAME_OK);
	assert_int_equal(len, 10);
	/* Extra bytes after the frame do not matter. */
	assert_int_equal(frame_peek(buf, 16, 100, &len), FRAME_OK);
}

static void
test_peek_limit(void **state)
{
	uint8_t buf[4];
	uint32_t len;

	/* Exactly the limit is allowed: only the header is there yet. */
	frame_write_hdr(buf, PREAUTH);
	assert_int_equal(frame_peek(buf, 4, PREAUTH, &len), FRAME_NEED_MORE);
	assert_int_equal(len, PREAUTH);
	/* One more is refused on the header alone, before any body. */
	frame_write_hdr(buf, PREAUTH + 1);
	assert_int_equal(frame_peek(buf, 4, PREAUTH, &len), FRAME_ERR_TOO_BIG);
	assert_int_equal(len, PREAUTH + 1);
	/* The same header is fine under the larger post-login limit. */
	assert_int_equal(frame_peek(buf, 4, POSTAUTH, &len), FRAME_NEED_MORE);
	/* The largest declared length never passes a sane limit. */
	frame_write_hdr(buf, 0xffffffffu);
	assert_int_equal(frame_peek(buf, 4, POSTAUTH, &len), FRAME_ERR_TOO_BIG);
	assert_int_equal(len, 0xffffffffu);
	assert_string_equal(
	        frame_status_str(FRAME_ERR_TOO_BIG), "frame too big");
	assert_string_equal(frame_status_str(FRAME_ERR_EMPTY), "empty frame");
}

static void
test_rbuf_byte_by_byte(void **state)
{
	struct rbuf rb;
	size_t total;
	uint8_t *fr = make_frame(300, 7, &total);
	const uint8_t *body;
	uint32_t len;

	rbuf_init(&rb);
	assert_int_equal(rbuf_next(&rb, PREAUTH, &body, &len), FRAME_NEED_MORE);
	for (size_t i = 0; i < total; i++) {
		assert_int_equal(rbuf_append(&rb, fr + i, 1, PREAUTH), 1);
		if (i + 1 < total)
			assert_int_equal(rbuf_next(&rb, PREAUTH, &body, &len),
			        FRAME_NEED_MORE);
	}
	assert_int_equal(rbuf_next(&rb, PREAUTH, &body, &len), FRAME_OK);
	assert_body(body, len, 300, 7);
	assert_int_equal(rbuf_pending(&rb), 0);
	assert_int_equal(rbuf_next(&rb, PREAUTH, &body, &len), FRAME_NEED_MORE);
	rbuf_fini(&rb);
	free(fr);
}

/* The same, through rbuf_space()/rbuf_commit() as a socket read would. */
static void
test_rbuf_space_commit_byte_by_byte(void **state)
{
	struct rbuf rb;
	size_t total, avail;
	uint8_t *fr = make_frame(1000, 3, &total);
	const uint8_t *body;
	uint32_t len;

	rbuf_init(&rb);
	for (size_t i = 0; i < total; i++) {
		uint8_t *dst = rbuf_space(&rb, 1, PREAUTH, &avail);

		assert_non_null(dst);
		assert_true(avail >= 1);
		*dst = fr[i];
		rbuf_commit(&rb, 1);
		assert_int_equal(rbuf_next(&rb, PREAUTH, &body, &len),
		        i + 1 < total ? FRAME_NEED_MORE : FRAME_OK);
	}
	assert_body(body, len, 1000, 3);
	rbuf_fini(&rb);
	free(fr);
}

static void
test_rbuf_many_frames_one_read(void **state)
{
	enum { N = 200 };
	struct rbuf rb;
	uint8_t *all = NULL;
	size_t alltotal = 0;
	const uint8_t *body;
	uint32_t len;

	/* Frames of lengths 1..N back to back, as one read would bring them. */
	for (uint32_t i = 1; i <= N; i++) {
		size_t t;
		uint8_t *fr = make_frame(i, (uint8_t)i, &t);

		all = realloc(all, alltotal + t);
		assert_non_null(all);
		memcpy(all + alltotal, fr, t);
		alltotal += t;
		free(fr);
	}
	assert_true(alltotal < POSTAUTH);
	rbuf_init(&rb);
	assert_int_equal(rbuf_append(&rb, all, alltotal, POSTAUTH), alltotal);
	for (uint32_t i = 1; i <= N; i++) {
		assert_int_equal(
		        rbuf_next(&rb, POSTAUTH, &body, &len), FRAME_OK);
		assert_body(body, len, i, (uint8_t)i);
	}
	assert_int_equal(
	        rbuf_next(&rb, POSTAUTH, &body, &len), FRAME_NEED_MORE);
	assert_int_equal(rbuf_pending(&rb), 0);

	/* A frame split across two reads: the tail of one, head of next. */
	size_t cut = alltotal / 2 + 3;
	assert_int_equal(rbuf_append(&rb, all, cut, POSTAUTH), cut);
	uint32_t seen = 0;
	while (rbuf_next(&rb, POSTAUTH, &body, &len) == FRAME_OK) {
		seen++;
		assert_body(body, len, seen, (uint8_t)seen);
	}
	assert_true(seen > 0 && seen < N);
	assert_true(rbuf_pending(&rb) > 0);
	assert_int_equal(rbuf_append(&rb, all + cut, alltotal - cut, POSTAUTH),
	        alltotal - cut);
	while (rbuf_next(&rb, POSTAUTH, &body, &len) == FRAME_OK) {
		seen++;
		assert_body(body, len, seen, (uint8_t)seen);
	}
	assert_int_equal(seen, N);
	rbuf_fini(&rb);
	free(all);
}

static void
test_rbuf_zero_length(void **state)
{
	struct rbuf rb;
	size_t t;
	uint8_t *ok = make_frame(5, 0, &t);
	uint8_t zero[4] = {0, 0, 0, 0};
	const uint8_t *body;
	uint32_t len = 99;

	rbuf_init(&rb);
	assert_int_equal(rbuf_append(&rb, ok, t, PREAUTH), t);
	assert_int_equal(rbuf_append(&rb, zero, 4, PREAUTH), 4);
	assert_int_equal(rbuf_next(&rb, PREAUTH, &body, &len), FRAME_OK);
	assert_body(body, len, 5, 0);
	/* The error is sticky: asking again gives the same answer. */
	assert_int_equal(rbuf_next(&rb, PREAUTH, &body, &len), FRAME_ERR_EMPTY);
	assert_int_equal(rbuf_next(&rb, PREAUTH, &body, &len), FRAME_ERR_EMPTY);
	rbuf_fini(&rb);
	free(ok);
}

static void
test_rbuf_limit_exact_and_over(void **state)
{
	struct rbuf rb;
	size_t t;
	uint8_t *at = make_frame(PREAUTH, 9, &t);
	uint8_t *over;
	const uint8_t *body;
	uint32_t len;

	/* Exactly the limit: accepted whole. */
	rbuf_init(&rb);
	assert_int_equal(rbuf_append(&rb, at, t, PREAUTH), t);
	assert_int_equal(rbuf_next(&rb, PREAUTH, &body, &len), FRAME_OK);
	assert_body(body, len, PREAUTH, 9);
	assert_true(rb.cap <= FRAME_HDR_LEN + PREAUTH);
	rbuf_fini(&rb);
	free(at);

	/* Limit + 1: refused as soon as the header is in, body unread. */
	over = make_frame(PREAUTH + 1, 9, &t);
	rbuf_init(&rb);
	assert_int_equal(
	        rbuf_append(&rb, over, FRAME_HDR_LEN, PREAUTH), FRAME_HDR_LEN);
	assert_int_equal(
	        rbuf_next(&rb, PREAUTH, &body, &len), FRAME_ERR_TOO_BIG);
	/* The buffer never takes more than one max frame + header of it. */
	size_t took = rbuf_append(
	        &rb, over + FRAME_HDR_LEN, t - FRAME_HDR_LEN, PREAUTH);
	assert_true(rbuf_pending(&rb) <= FRAME_HDR_LEN + PREAUTH);
	assert_true(took < t - FRAME_HDR_LEN);
	assert_true(rb.cap <= FRAME_HDR_LEN + PREAUTH);
	assert_int_equal(
	        rbuf_next(&rb, PREAUTH, &body, &len), FRAME_ERR_TOO_BIG);
	rbuf_fini(&rb);
	free(over);
}

static void
test_rbuf_preauth_vs_postauth(void **state)
{
	struct rbuf rb;
	size_t t;
	uint8_t *fr = make_frame(PREAUTH + 1000, 1, &t);
	const uint8_t *body;
	uint32_t len;

	rbuf_init(&rb);
	/* Before login: the header alone is enough to refuse it. */
	assert_int_equal(
	        rbuf_append(&rb, fr, FRAME_HDR_LEN, PREAUTH), FRAME_HDR_LEN);
	assert_int_equal(
	        rbuf_next(&rb, PREAUTH, &body, &len), FRAME_ERR_TOO_BIG);
	/* After login the same frame is fine. */
	assert_int_equal(
	        rbuf_next(&rb, POSTAUTH, &body, &len), FRAME_NEED_MORE);
	assert_int_equal(rbuf_append(&rb, fr + FRAME_HDR_LEN, t - FRAME_HDR_LEN,
	                         POSTAUTH),
	        t - FRAME_HDR_LEN);
	assert_int_equal(rbuf_next(&rb, POSTAUTH, &body, &len), FRAME_OK);
	assert_body(body, len, PREAUTH + 1000, 1);
	rbuf_fini(&rb);
	free(fr);
}

/* Whatever arrives, the buffer stays within one max frame + header. */
static void
test_rbuf_never_grows_past_max(void **state)
{
	const uint32_t max = 64 * 1024;
	struct rbuf rb;
	size_t t, avail;
	uint8_t *fr = make_frame(max, 5, &t);
	uint8_t *two = malloc(2 * t);
	const uint8_t *body;
	uint32_t len;
	size_t off = 0;
	int frames = 0;

	assert_non_null(two);
	memcpy(two, fr, t);
	memcpy(two + t, fr, t);
	rbuf_init(&rb);
	/* Ask for far more room than a frame: the space offered is capped. */
	while (off < 2 * t) {
		uint8_t *dst = rbuf_space(&rb, 10 * (size_t)max, max, &avail);
		size_t k;

		assert_non_null(dst);
		assert_true(avail > 0);
		assert_true(rb.cap <= FRAME_HDR_LEN + max);
		assert_true(rbuf_pending(&rb) + avail <= FRAME_HDR_LEN + max);
		k = avail < 2 * t - off ? avail : 2 * t - off;
		if (k > 7000)
			k = 7000; /* a typical partial read */
		memcpy(dst, two + off, k);
		rbuf_commit(&rb, k);
		off += k;
		while (rbuf_next(&rb, max, &body, &len) == FRAME_OK) {
			assert_body(body, len, max, 5);
			frames++;
		}
		assert_true(rb.cap <= FRAME_HDR_LEN + max);
	}
	assert_int_equal(frames, 2);
	/* rbuf_append never takes more than what one frame may still use. */
	assert_true(rbuf_append(&rb, two, 2 * t, max) <= FRAME_HDR_LEN + max);
	assert_true(rb.cap <= FRAME_HDR_LEN + max);
	rbuf_fini(&rb);
	free(fr);
	free(two);
}

static void
test_rbuf_released_when_empty(void **state)
{
	struct rbuf rb;
	size_t t;
	uint8_t *fr = make_frame(100, 0, &t);
	const uint8_t *body;
	uint32_t len;

	rbuf_init(&rb);
	assert_null(rb.data);
	assert_int_equal(rb.cap, 0);
	/* Trimming an idle buffer is a no-op. */
	rbuf_trim(&rb);
	assert_null(rb.data);

	/* A partial frame is kept across a trim. */
	assert_int_equal(rbuf_append(&rb, fr, t - 1, PREAUTH), t - 1);
	rbuf_trim(&rb);
	assert_non_null(rb.data);
	assert_int_equal(rbuf_pending(&rb), t - 1);
	assert_int_equal(rbuf_append(&rb, fr + t - 1, 1, PREAUTH), 1);
	assert_int_equal(rbuf_next(&rb, PREAUTH, &body, &len), FRAME_OK);
	assert_body(body, len, 100, 0);

	/* Consumed entirely: the memory goes back. */
	rbuf_trim(&rb);
	assert_null(rb.data);
	assert_int_equal(rb.cap, 0);
	assert_int_equal(rb.off, 0);
	assert_int_equal(rbuf_pending(&rb), 0);

	/* And it works again afterwards. */
	assert_int_equal(rbuf_append(&rb, fr, t, PREAUTH), t);
	assert_int_equal(rbuf_next(&rb, PREAUTH, &body, &len), FRAME_OK);
	assert_body(body, len, 100, 0);
	rbuf_fini(&rb);
	assert_null(rb.data);
	free(fr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_header_roundtrip),
	        cmocka_unit_test(test_peek_statuses),
	        cmocka_unit_test(test_peek_limit),
	        cmocka_unit_test(test_rbuf_byte_by_byte),
	        cmocka_unit_test(test_rbuf_space_commit_byte_by_byte),
	        cmocka_unit_test(test_rbuf_many_frames_one_read),
	        cmocka_unit_test(test_rbuf_zero_length),
	        cmocka_unit_test(test_rbuf_limit_exact_and_over),
	        cmocka_unit_test(test_rbuf_preauth_vs_postauth),
	        cmocka_unit_test(test_rbuf_never_grows_past_max),
	        cmocka_unit_test(test_rbuf_released_when_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
