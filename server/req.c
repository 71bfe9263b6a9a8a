/* Request lifecycle helpers shared by every handler family (see handler.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "clock.h"
#include "handler.h"
#include "metrics.h"
#include "xmalloc.h"

void
req_start(struct req *r, struct conn *c, uint32_t id, int kind)
{
	r->c = c;
	r->id = id;
	r->kind = kind;
	r->t0 = clock_mono_us();
	conn_req_begin(c);
}

static void
req_end(struct req *r, int failed)
{
	metrics_request(r->kind, clock_mono_us() - r->t0, failed);
	conn_req_end(r->c);
	r->c = NULL;
}

void
req_reply(struct req *r, pace_frame_t *f)
{
	f->id = r->id;
	conn_send(r->c, f);
	req_end(r, 0);
}

void
req_ok(struct req *r, int64_t row_id)
{
	Pace__V1__Frame f = PACE__V1__FRAME__INIT;
	Pace__V1__Ok ok = PACE__V1__OK__INIT;

	ok.id = row_id;
	f.body_case = PACE__V1__FRAME__BODY_OK;
	f.ok = &ok;
	req_reply(r, &f);
}

void
req_fail(struct req *r, int err, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conn_send_error(r->c, r->id, err, field, "%s", msg);
	req_end(r, 1);
}

void
req_fail_db(struct req *r, const struct db_result *res)
{
	const char *msg = res->message ? res->message : err_str(res->err);

	/*
	 * A denial decided in SQL, or a probe of something out of scope
	 * (answered exactly like something absent), is a security event.
	 */
	if (res->err == E_DENIED || res->out_of_scope) {
		char detail[256];

		snprintf(detail, sizeof(detail), "%s: %s",
			msg_body_name(r->kind), msg);
		audit_security(r->c,
			res->out_of_scope ? "denied_hidden" : "denied", detail);
	}
	req_fail(r, res->err, res->field, "%s", msg);
}

struct rows_req {
	struct req r;
	req_rows_fn rows;
};

static void
rows_cb(void *arg, const struct db_result *res)
{
	struct rows_req *rr = arg;

	if (res->err != 0)
		req_fail_db(&rr->r, res);
	else
		rr->rows(&rr->r, res);
	free(rr);
}

static void
run(struct conn *c, uint32_t id, int kind, const struct stmt *st,
	const char *const *params, int write, unsigned flags, req_rows_fn rows)
{
	struct rows_req *rr = xcalloc(1, sizeof(*rr));
	int rc;

	rr->rows = rows;
	req_start(&rr->r, c, id, kind);
	/* A user's writes share one database connection (db.h). */
	rc = write ? db_write_keyed(c->ident ? c->ident->user_id : 0, st,
			     params, flags, rows_cb, rr)
		   : db_read(st, params, rows_cb, rr);
	if (rc != 0) {
		req_fail(&rr->r, rc, NULL, "%s", err_str(rc));
		free(rr);
	}
}

void
req_read(struct conn *c, uint32_t id, int kind, const struct stmt *st,
	const char *const *params, req_rows_fn rows)
{
	run(c, id, kind, st, params, 0, 0, rows);
}

void
req_write(struct conn *c, uint32_t id, int kind, const struct stmt *st,
	const char *const *params, unsigned db_flags, req_rows_fn rows)
{
	run(c, id, kind, st, params, 1, db_flags, rows);
}

void
req_actor(const struct conn *c, char buf[24])
{
	snprintf(buf, 24, "%lld", c->ident ? (long long)c->ident->user_id : 0LL);
}

int
valid_op_id(const char *s)
{
	static const int dash[] = {8, 13, 18, 23};
	size_t i, d = 0;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (d < 4 && (int)i == dash[d]) {
			if (s[i] != '-')
				return 0;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

void
request_hash(const ProtobufCMessage *m, char out[33])
{
	uint8_t stackbuf[1024], *buf = stackbuf, h[16];
	size_t n = protobuf_c_message_get_packed_size(m);

	if (n > sizeof(stackbuf))
		buf = xmalloc(n);
	protobuf_c_message_pack(m, buf);
	crypto_generichash(h, sizeof(h), buf, n, NULL, 0);
	sodium_bin2hex(out, 33, h, sizeof(h));
	if (buf != stackbuf)
		free(buf);
}
