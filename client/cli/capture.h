/*
 * Presentation of the captured facts (customers, deals, activities,
 * contracts, payments) shared by several commands: the names of stages and
 * activity kinds, money and times for people, and the JSON shape of each
 * entity (money as integer fen, times as µs plus an ISO string).
 */
#ifndef PACE_CLI_CAPTURE_H
#define PACE_CLI_CAPTURE_H

#include <cjson/cJSON.h>

#include "cli.h"

/* "lead" ... "lost" (untranslated keywords), or "?". */
const char *stage_name(int stage);
/* The Stage for a keyword, or 0. */
int stage_from(const char *s);
/* "call", "visit", "email", "meeting", or "?". */
const char *kind_name(int kind);
int kind_from(const char *s);

/* Money in the org's currency ("¥1,234.56"); buf of 48 bytes. */
const char *fmt_money(const struct cli *cli, int64_t fen, char *buf);
/* Local "YYYY-MM-DD HH:MM", or "" for 0; buf of 32 bytes. */
const char *fmt_when(int64_t us, char *buf);
/* A number as text; buf of 24 bytes; "" for 0 when blank_zero. */
const char *fmt_i64(int64_t v, char *buf, int blank_zero);

/* The installments and receipts of a contract, as tables (none: nothing). */
void contract_print(struct cli *cli, const Pace__V1__Contract *c);

cJSON *customer_json(const Pace__V1__Customer *c);
cJSON *deal_json(const Pace__V1__Deal *d);
cJSON *contract_json(const Pace__V1__Contract *c);
cJSON *installment_json(const Pace__V1__Installment *i);
cJSON *activity_json(const Pace__V1__Activity *a);
cJSON *payment_row_json(const Pace__V1__PaymentRow *r);

#endif
