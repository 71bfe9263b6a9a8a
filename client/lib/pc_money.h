/*
 * Money as people write it, and back: amounts are int64 fen (1/100 of the
 * currency unit) everywhere in Pace; these functions are the only place
 * where text becomes fen, exactly, without floating point.
 */
#ifndef PACE_PC_MONEY_H
#define PACE_PC_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The largest amount accepted: 10^13 yuan, i.e. 10^15 fen. */
#define PC_MONEY_MAX INT64_C(1000000000000000)

/* Why a text is not an amount (pc_money_strerror names each). */
enum pc_money_err {
	PC_MONEY_OK = 0,
	PC_MONEY_EMPTY,
	PC_MONEY_NEGATIVE,
	PC_MONEY_SYNTAX,
	PC_MONEY_GROUPING,
	PC_MONEY_PRECISION,
	PC_MONEY_OVERFLOW,
};

/*
 * Parse an amount: "120000", "120000.5", "1,234.56", "¥1,234.56", "12万",
 * "1.5万", "3亿", optionally with full-width digits and punctuation and a
 * trailing 元. Fractions of a fen are refused (trailing zeros are fine),
 * as are negatives and amounts over PC_MONEY_MAX. Returns PC_MONEY_OK with
 * *fen set, or the reason (and *fen untouched).
 */
enum pc_money_err pc_money_parse(const char *s, int64_t *fen) WARN_UNUSED;

/* An English, translatable (N_) description of a parse error. */
const char *pc_money_strerror(enum pc_money_err e);

/*
 * Format for people: "¥1,234.56" for CNY, "$" for USD, "€" for EUR, else
 * "GBP 1,234.56"; no prefix when currency is NULL or empty. Returns buf.
 * 40 bytes always suffice.
 */
char *pc_money_format(int64_t fen, const char *currency, char *buf,
	size_t len);

/* Format for files and scripts: "1234.56", "-0.05". Returns buf. */
char *pc_money_plain(int64_t fen, char *buf, size_t len);

#endif
