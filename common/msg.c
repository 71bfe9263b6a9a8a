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
