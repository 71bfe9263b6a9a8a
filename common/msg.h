/*
 * Frame <-> bytes. msg_pack() makes one allocation holding the 4-byte header
 * and the payload, ready to write; msg_unpack() decodes a body that the frame
 * codec has already bounded.
 */
#ifndef PACE_MSG_H
#define PACE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "frame.pb-c.h"

typedef Pace__V1__Frame pace_frame_t;

/* Header + payload in one xmalloc'd buffer of *len bytes; caller frees. */
uint8_t *msg_pack(const pace_frame_t *f, size_t *len);

/* Decoded frame, or NULL if the bytes are not a Frame. Free with msg_free. */
pace_frame_t *msg_unpack(const uint8_t *body, size_t len);
void msg_free(pace_frame_t *f);

/*
 * Check that every string in a decoded message (nested messages and
 * repeated fields included) is valid UTF-8: protobuf-c does not. Returns 0,
 * or -1 with *field naming the first bad field.
 */
int msg_check_utf8(const ProtobufCMessage *m, const char **field);

/*
 * Is s valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF)?
 * When chars is not NULL it gets the number of code points.
 */
int utf8_valid(const char *s, size_t *chars);

/* The name of a body case, for logs ("ping", "login", ...). */
const char *msg_body_name(int body_case);

#endif
