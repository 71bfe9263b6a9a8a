/*
 * Amounts as text <-> int64 fen (see pc_money.h). Parsing first folds the
 * text to a small ASCII alphabet (full-width forms, ¥, 万, 亿, 元 become
 * single letters), then reads the digits as a decimal string and scales it
 * by a power of ten: no floating point anywhere.
 */
#include <stdio.h>
#include <string.h>

#include "pc_money.h"

#define N_(s) (s)

/* Folded symbols. */
#define SYM_YEN 'Y'
#define SYM_WAN 'W' /* 万: 10^4 */
#define SYM_YI 'E'  /* 亿: 10^8 */
#define SYM_YUAN 'U'

#define MAX_TEXT 128

struct fold {
	const char *utf8;
	char to;
};

/* Multi-byte forms people type, and what they mean. */
static const struct fold folds[] = {
	{"\xef\xbc\x8c", ','},   /* ， full-width comma */
	{"\xef\xbc\x8e", '.'},   /* ． full-width full stop */
	{"\xef\xbc\x8d", '-'},   /* － full-width hyphen-minus */
	{"\xe2\x88\x92", '-'},   /* − minus sign */
	{"\xef\xbc\x8b", '+'},   /* ＋ */
	{"\xc2\xa5", SYM_YEN},   /* ¥ */
	{"\xef\xbf\xa5", SYM_YEN}, /* ￥ */
	{"\xe4\xb8\x87", SYM_WAN}, /* 万 */
	{"\xe8\x90\xac", SYM_WAN}, /* 萬 */
	{"\xe4\xba\xbf", SYM_YI},  /* 亿 */
	{"\xe5\x84\x84", SYM_YI},  /* 億 */
	{"\xe5\x85\x83", SYM_YUAN}, /* 元 */
	{"\xe3\x80\x80", ' '},   /* ideographic space */
};

/* Fold s into out (ASCII); -1 on a character that has no place here. */
static int
fold_text(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	while (*s) {
		unsigned char c = (unsigned char)*s;
		char to = 0;
		size_t used = 1;

		if (c < 0x80) {
			to = (char)c;
		} else if (c == 0xef && (unsigned char)s[1] == 0xbc &&
			(unsigned char)s[2] >= 0x90 &&
			(unsigned char)s[2] <= 0x99) {
			to = (char)('0' + ((unsigned char)s[2] - 0x90));
			used = 3; /* full-width digit */
		} else {
			for (size_t i = 0; i < sizeof(folds) / sizeof(folds[0]);
				i++) {
				size_t l = strlen(folds[i].utf8);
				if (strncmp(s, folds[i].utf8, l) == 0) {
					to = folds[i].to;
					used = l;
					break;
				}
			}
			if (to == 0)
				return -1;
		}
		s += used;
		if (to == ' ' || to == '\t' || to == '\n' || to == '\r')
			continue;
		if (n + 1 >= cap)
			return -1;
		out[n++] = to;
	}
	out[n] = '\0';
	return 0;
}

/* Digits before the point, with optional thousands separators. */
static enum pc_money_err
read_int_part(const char **pp, char *digits, size_t *nd, size_t cap)
{
	const char *p = *pp;
	size_t group = 0, groups = 0;
	int commas = 0;

	for (;; p++) {
		if (*p >= '0' && *p <= '9') {
			if (*nd + 1 >= cap)
				return PC_MONEY_OVERFLOW;
			digits[(*nd)++] = *p;
			group++;
		} else if (*p == ',') {
			/* First group 1-3 digits, every later one exactly 3. */
			if (group == 0 || group > 3 || (groups > 0 && group != 3))
				return PC_MONEY_GROUPING;
			commas = 1;
			groups++;
			group = 0;
		} else {
			break;
		}
	}
	if (commas && group != 3)
		return PC_MONEY_GROUPING;
	*pp = p;
	return PC_MONEY_OK;
}

/* value = digits x 10^exp10, exactly, or an error. */
static enum pc_money_err
scale(const char *digits, size_t nd, int exp10, int64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	/* Dropped digits (fractions of a fen) must all be zero. */
	while (exp10 < 0) {
		if (nd == 0)
			break;
		if (digits[nd - 1] != '0')
			return PC_MONEY_PRECISION;
		nd--;
		exp10++;
	}
	while (i < nd && digits[i] == '0')
		i++;
	for (; i < nd; i++) {
		v = v * 10 + (uint64_t)(digits[i] - '0');
		if (v > (uint64_t)PC_MONEY_MAX)
			return PC_MONEY_OVERFLOW;
	}
	for (; exp10 > 0; exp10--) {
		v *= 10;
		if (v > (uint64_t)PC_MONEY_MAX)
			return PC_MONEY_OVERFLOW;
	}
	*out = (int64_t)v;
	return PC_MONEY_OK;
}

enum pc_money_err
pc_money_parse(const char *s, int64_t *fen)
{
	char t[MAX_TEXT], digits[MAX_TEXT];
	const char *p;
	size_t nd = 0, nfrac = 0;
	int unit = 0; /* power of ten of 万/亿 */
	enum pc_money_err e;

	if (s == NULL)
		return PC_MONEY_EMPTY;
	if (fold_text(s, t, sizeof(t)) != 0)
		return PC_MONEY_SYNTAX;
	if (t[0] == '\0')
		return PC_MONEY_EMPTY;
	/* A minus before the digits ("-5", "¥-5", "-¥5") is a negative. */
	if ((p = strchr(t, '-')) != NULL) {
		const char *d = strpbrk(t, "0123456789");
		return d != NULL && p < d ? PC_MONEY_NEGATIVE : PC_MONEY_SYNTAX;
	}
	p = t;
	if (*p == '+')
		p++;
	if (*p == SYM_YEN)
		p++;
	if ((e = read_int_part(&p, digits, &nd, sizeof(digits))) != PC_MONEY_OK)
		return e;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (nd + 1 >= sizeof(digits))
				return PC_MONEY_OVERFLOW;
			digits[nd++] = *p++;
			nfrac++;
		}
		if (nfrac == 0)
			return PC_MONEY_SYNTAX;
	}
	if (nd == 0)
		return PC_MONEY_SYNTAX;
	if (*p == SYM_WAN) {
		unit = 4;
		p++;
	} else if (*p == SYM_YI) {
		unit = 8;
		p++;
	}
	if (*p == SYM_YUAN)
		p++;
	if (*p != '\0')
		return PC_MONEY_SYNTAX;
	return scale(digits, nd, 2 + unit - (int)nfrac, fen);
}

const char *
pc_money_strerror(enum pc_money_err e)
{
	switch (e) {
	case PC_MONEY_OK:
		return N_("ok");
	case PC_MONEY_EMPTY:
		return N_("no amount given");
	case PC_MONEY_NEGATIVE:
		return N_("amounts cannot be negative");
	case PC_MONEY_SYNTAX:
		return N_("not an amount (write e.g. 120000, 1,234.56, ¥1,234.56 or 12万)");
	case PC_MONEY_GROUPING:
		return N_("misplaced thousands separator (write e.g. 1,234,567.89)");
	case PC_MONEY_PRECISION:
		return N_("more precise than a fen (at most 2 decimals)");
	case PC_MONEY_OVERFLOW:
		return N_("amount too large");
	}
	return N_("not an amount");
}

static const char *
symbol(const char *currency, char *tmp, size_t len)
{
	if (currency == NULL || *currency == '\0')
		return "";
	if (strcmp(currency, "CNY") == 0 || strcmp(currency, "RMB") == 0)
		return "\xc2\xa5";
	if (strcmp(currency, "USD") == 0)
		return "$";
	if (strcmp(currency, "EUR") == 0)
		return "\xe2\x82\xac";
	snprintf(tmp, len, "%s ", currency);
	return tmp;
}

char *
pc_money_format(int64_t fen, const char *currency, char *buf, size_t len)
{
	char digits[24], grouped[40], tmp[16];
	uint64_t u = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;
	size_t n, g = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%llu",
		(unsigned long long)(u / 100));
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[g++] = ',';
		grouped[g++] = digits[i];
	}
	grouped[g] = '\0';
	snprintf(buf, len, "%s%s%s.%02u", fen < 0 ? "-" : "",
		symbol(currency, tmp, sizeof(tmp)), grouped,
		(unsigned)(u % 100));
	return buf;
}

char *
pc_money_plain(int64_t fen, char *buf, size_t len)
{
	uint64_t u = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;

	snprintf(buf, len, "%s%llu.%02u", fen < 0 ? "-" : "",
		(unsigned long long)(u / 100), (unsigned)(u % 100));
	return buf;
}
