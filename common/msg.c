/* Frame packing and unpacking (see msg.h). */
#include "frame.h"
#include "msg.h"
#include "xmalloc.h"

uint8_t *
msg_pack(const pace_frame_t *f, size_t *len)
{
	size_t n = pace__v1__frame__get_packed_size(f);
	uint8_t *buf = xmalloc(FRAME_HDR_LEN + n);

	frame_write_hdr(buf, (uint32_t)n);
	pace__v1__frame__pack(f, buf + FRAME_HDR_LEN);
	*len = FRAME_HDR_LEN + n;
	return buf;
}

pace_frame_t *
msg_unpack(const uint8_t *body, size_t len)
{
	return pace__v1__frame__unpack(NULL, len, body);
}

void
msg_free(pace_frame_t *f)
{
	if (f)
		pace__v1__frame__free_unpacked(f, NULL);
}

const char *
msg_body_name(int body_case)
{
	const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(
		&pace__v1__frame__descriptor, (unsigned)body_case);

	return fd ? fd->name : "none";
}

int
utf8_valid(const char *str, size_t *chars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t count = 0;

	while (*s) {
		unsigned c = *s;
		int n;
		unsigned cp, min;

		count++;
		if (c < 0x80) {
			s++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		for (int i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += n + 1;
	}
	if (chars)
		*chars = count;
	return 1;
}

int
msg_check_utf8(const ProtobufCMessage *m, const char **field)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		const char *base = (const char *)m + fd->offset;
		size_t n = 1;
		const void *const *items;

		if (fd->type != PROTOBUF_C_TYPE_STRING &&
			fd->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t which = *(const uint32_t *)((const char *)m +
				fd->quantifier_offset);
			if (which != fd->id)
				continue;
		}
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)((const char *)m + fd->quantifier_offset);
			items = *(const void *const *const *)base;
		} else {
			items = (const void *const *)base;
		}
		for (size_t k = 0; k < n; k++) {
			const void *v = items[k];

			if (v == NULL)
				continue;
			if (fd->type == PROTOBUF_C_TYPE_STRING) {
				if (!utf8_valid(v, NULL)) {
					*field = fd->name;
					return -1;
				}
			} else if (msg_check_utf8(v, field) != 0) {
				return -1;
			}
		}
	}
	return 0;
}
