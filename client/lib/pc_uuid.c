/* UUIDs for client_op_id: random, or derived from data (see pc.h). */
#include <stdio.h>

#include <sodium.h>

#include "pc.h"

static void
format_v4(uint8_t b[16], char out[37])
{
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
		"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		"%02x%02x%02x%02x%02x%02x",
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		b[10], b[11], b[12], b[13], b[14], b[15]);
}

void
pc_uuid(char out[37])
{
	uint8_t b[16];

	randombytes_buf(b, sizeof(b));
	format_v4(b, out);
}

void
pc_uuid_from(const void *data, size_t len, char out[37])
{
	uint8_t b[16];

	crypto_generichash(b, sizeof(b), data, len, NULL, 0);
	format_v4(b, out);
}
