/*
 * What the capture handler families (customer.c, deal.c, activity.c,
 * payment.c, org.c, import.c) share: statement parameters as text, the
 * shape checks done before anything reaches SQL, the enum names SQL uses,
 * and the conversion of the functions' JSON answers into protobuf
 * (capture_pb.c).
 *
 * Business rules (scopes, stage order, amounts, time windows) live in SQL
 * (deploy/sql/005-016); these checks only bound what is sent there.
 */
#ifndef PACE_CAPTURE_H
#define PACE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "handler.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

/* Limits of repeated fields and lists (DESIGN §2: bounded input). */
#define CAP_LIST_MAX 1000
#define CAP_FIELDS_MAX 16
#define CAP_PLAN_MAX 120

/* --- statement parameters ------------------------------------------------ */

#define CAP_MAX_PARAMS 16

/* Text parameters: strings are borrowed, numbers are kept here. */
struct params {
	const char *v[CAP_MAX_PARAMS];
	char num[CAP_MAX_PARAMS][24];
	char hash[33];
	char actor[24];
	int n;
};

void par_str(struct params *p, const char *s);
void par_int(struct params *p, long long x);
void par_bool(struct params *p, int b);
/* actor: every statement's first parameter. */
void par_actor(struct params *p, const struct conn *c);
/* actor, client_op_id, request hash: the head of every write. */
void par_write(struct params *p, const struct conn *c, const char *op,
        const ProtobufCMessage *m);

/* --- checks: each answers INVALID_ARGUMENT itself and returns -1 ---------- */

int cap_check_op(struct conn *c, uint32_t id, const char *op);
/* Valid UTF-8 and not far over max_chars (SQL checks exactly). */
int cap_check_str(struct conn *c, uint32_t id, const char *s, const char *field,
        size_t max_chars);
/* Microsecond times: 0 (now) or within 1970..2100. */
int cap_check_at(struct conn *c, uint32_t id, int64_t at, const char *field);
/* Lists: 0 (default 100) or 1..1000. */
int cap_check_limit(struct conn *c, uint32_t id, int32_t limit);
/* Update masks: at most CAP_FIELDS_MAX known names; returns them as a
 * PostgreSQL array literal in buf. */
int cap_check_fields(struct conn *c, uint32_t id, size_t n, char **fields,
        const char *const *allowed, char *buf, size_t len);

/* --- enums ---------------------------------------------------------------- */

/* "" for 0 (unspecified), NULL when out of range. */
const char *stage_name(int stage);
int stage_value(const char *name);
const char *kind_name(int kind);
int kind_value(const char *name);

/* --- replies -------------------------------------------------------------- */

/* n zeroed T-sized items from the reply's arena (common/arena.h); n is
 * bounded by the answer's size, so n * size cannot overflow. */
static inline void *
cap_alloc(struct arena *a, size_t n, size_t size)
{
	return arena_alloc(a, n * size);
}

/* Fill m from a JSON object of deploy/sql (strings borrowed from j). */
void pb_customer(Pace__V1__Customer *m, const cJSON *j);
void pb_deal(struct arena *a, Pace__V1__Deal *m, const cJSON *j);
void pb_contract(struct arena *a, Pace__V1__Contract *m, const cJSON *j);
void pb_installment(Pace__V1__Installment *m, const cJSON *j);
void pb_activity(Pace__V1__Activity *m, const cJSON *j);

/*
 * The usual row callback: column r holds one JSON value; `build` fills the
 * frame from it (using the arena), the reply is sent, and all is freed.
 */
typedef void (*cap_build_fn)(
        struct arena *a, Pace__V1__Frame *f, const cJSON *j);
void cap_reply_json(
        struct req *r, const struct db_result *res, cap_build_fn build);

#endif
