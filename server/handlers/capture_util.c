/* Parameters, shape checks and enum names of the capture family (capture.h). */
#include <stdio.h>
#include <string.h>

#include "capture.h"

void
par_str(struct params *p, const char *s)
{
	if (p->n < CAP_MAX_PARAMS)
		p->v[p->n++] = s;
}

void
par_int(struct params *p, long long x)
{
	if (p->n >= CAP_MAX_PARAMS)
		return;
	snprintf(p->num[p->n], sizeof(p->num[p->n]), "%lld", x);
	p->v[p->n] = p->num[p->n];
	p->n++;
}

void
par_bool(struct params *p, int b)
{
	par_str(p, b ? "true" : "false");
}

void
par_actor(struct params *p, const struct conn *c)
{
	req_actor(c, p->actor);
	par_str(p, p->actor);
}

void
par_write(struct params *p, const struct conn *c, const char *op,
        const ProtobufCMessage *m)
{
	par_actor(p, c);
	par_str(p, op);
	request_hash(m, p->hash);
	par_str(p, p->hash);
}

int
cap_check_op(struct conn *c, uint32_t id, const char *op)
{
	if (!valid_op_id(op)) {
		conn_send_error(c, id, E_INVALID, "client_op_id",
		        "client_op_id must be a UUID");
		return -1;
	}
	return 0;
}

int
cap_check_str(struct conn *c, uint32_t id, const char *s, const char *field,
        size_t max_chars)
{
	size_t chars = 0;

	if (s == NULL)
		return 0;
	if (!utf8_valid(s, &chars)) {
		conn_send_error(c, id, E_INVALID, field,
		        "%s is not valid UTF-8", field);
		return -1;
	}
	/* SQL applies the exact rule (after trimming); this only bounds. */
	if (chars > max_chars + 16) {
		conn_send_error(c, id, E_INVALID, field,
		        "%s is longer than %zu characters", field, max_chars);
		return -1;
	}
	return 0;
}

/* 2100-01-01T00:00:00Z in microseconds. */
#define AT_MAX 4102444800000000LL

int
cap_check_at(struct conn *c, uint32_t id, int64_t at, const char *field)
{
	if (at < 0) {
		conn_send_error(c, id, E_INVALID, field,
		        "%s is older than the org's backfill window", field);
		return -1;
	}
	if (at > AT_MAX) {
		conn_send_error(
		        c, id, E_INVALID, field, "%s is in the future", field);
		return -1;
	}
	return 0;
}

int
cap_check_limit(struct conn *c, uint32_t id, int32_t limit)
{
	if (limit < 0 || limit > CAP_LIST_MAX) {
		conn_send_error(c, id, E_INVALID, "limit",
		        "limit: 1 to %d (0 = 100)", CAP_LIST_MAX);
		return -1;
	}
	return 0;
}

int
cap_check_fields(struct conn *c, uint32_t id, size_t n, char **fields,
        const char *const *allowed, char *buf, size_t len)
{
	size_t off = 0;

	if (n == 0 || n > CAP_FIELDS_MAX) {
		conn_send_error(c, id, E_INVALID, "fields",
		        "fields: name 1 to %d fields to change",
		        CAP_FIELDS_MAX);
		return -1;
	}
	off += (size_t)snprintf(buf, len, "{");
	for (size_t i = 0; i < n; i++) {
		const char *const *a;

		for (a = allowed; *a; a++)
			if (fields[i] && strcmp(fields[i], *a) == 0)
				break;
		if (*a == NULL) {
			/* Echo the name only if it is a plain word. */
			const char *f = fields[i] ? fields[i] : "";
			int plain = strlen(f) <= 40 &&
			        strspn(f, "abcdefghijklmnopqrstuvwxyz_") ==
			                strlen(f);

			conn_send_error(c, id, E_INVALID, "fields",
			        "fields: \"%s\" cannot be changed",
			        plain ? f : "?");
			return -1;
		}
		/* Allowed names are plain words: no quoting needed. */
		off += (size_t)snprintf(buf + off, len > off ? len - off : 0,
		        "%s%s", i ? "," : "", *a);
	}
	if (off + 2 > len) {
		conn_send_error(c, id, E_INVALID, "fields", "too many fields");
		return -1;
	}
	snprintf(buf + off, len - off, "}");
	return 0;
}

static const char *const stages[] = {"", "lead", "qualified", "proposal",
        "quote", "negotiation", "won", "lost"};
static const char *const kinds[] = {"", "call", "visit", "email", "meeting"};
#define NELEM(a) ((int)(sizeof(a) / sizeof(a[0])))

const char *
stage_name(int stage)
{
	return stage >= 0 && stage < NELEM(stages) ? stages[stage] : NULL;
}

int
stage_value(const char *name)
{
	for (int i = 1; name && i < NELEM(stages); i++)
		if (strcmp(name, stages[i]) == 0)
			return i;
	return 0;
}

const char *
kind_name(int kind)
{
	return kind >= 0 && kind < NELEM(kinds) ? kinds[kind] : NULL;
}

int
kind_value(const char *name)
{
	for (int i = 1; name && i < NELEM(kinds); i++)
		if (strcmp(name, kinds[i]) == 0)
			return i;
	return 0;
}
