/*
 * The contract between the dispatcher and handler families
 * (server/handlers/<family>.c).
 *
 * A handler's exec() borrows the decoded frame: the dispatcher frees it when
 * exec returns, so anything kept for later is copied. exec either answers at
 * once (conn_send / conn_send_error) or starts a struct req, whose reply
 * (req_reply / req_fail) comes later, exactly once.
 */
#ifndef PACE_HANDLER_H
#define PACE_HANDLER_H

#include <stdint.h>

#include "conn.h"
#include "db/db.h"
#include "identity.h"
#include "msg.h"

enum {
	H_PREHELLO = 1 << 0, /* served before Hello (Ping, Hello itself) */
	H_PREAUTH = 1 << 1,  /* served before login (Login, Resume) */
};

struct handler {
	const char *name;
	unsigned flags;
	unsigned roles; /* ROLE_BIT()s allowed; ROLES_ANY for every role */
	void (*exec)(struct conn *c, uint32_t id, const pace_frame_t *f);
};

/* A request in progress. Holds a ref on the conn until answered. */
struct req {
	struct conn *c;
	uint32_t id;
	int kind; /* Frame body case of the request */
	int64_t t0;
};

void req_start(struct req *r, struct conn *c, uint32_t id, int kind);
/* Answer with f (its id is set here) and end the request. */
void req_reply(struct req *r, pace_frame_t *f);
/* Answer Ok{id} and end the request. */
void req_ok(struct req *r, int64_t row_id);
void req_fail(struct req *r, int err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Answer with a database error (its code, message and field). */
void req_fail_db(struct req *r, const struct db_result *res);

/*
 * The common shape of a handler: run one statement, then build the reply
 * from its rows with `rows` (which must call req_reply/req_fail). The req is
 * heap-allocated here and freed after `rows` returns.
 */
typedef void (*req_rows_fn)(struct req *r, const struct db_result *res);
void req_read(struct conn *c, uint32_t id, int kind, const struct stmt *st,
	const char *const *params, req_rows_fn rows);
void req_write(struct conn *c, uint32_t id, int kind, const struct stmt *st,
	const char *const *params, unsigned db_flags, req_rows_fn rows);

/* Text for the statement parameter of the acting user. */
void req_actor(const struct conn *c, char buf[24]);

/* Check a client_op_id: a UUID in text form. */
int valid_op_id(const char *s);
/* Hex BLAKE2b-128 of the packed request message: the replay fingerprint. */
void request_hash(const ProtobufCMessage *m, char out[33]);

#endif
