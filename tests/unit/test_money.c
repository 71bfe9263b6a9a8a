/*
 * Unit tests of client/lib/pc_money.c: amounts as people write them (plain,
 * grouped, ¥, 万/亿, full-width) parsed exactly into fen; every refusal
 * (empty, negative, garbage, fractions of a fen, overflow) with its reason;
 * and the two output forms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pc_money.h"

static int64_t
parse_ok(const char *s)
{
	int64_t fen = -1;
	enum pc_money_err e = pc_money_parse(s, &fen);

	if (e != PC_MONEY_OK)
		fail_msg("'%s' refused: %s", s, pc_money_strerror(e));
	return fen;
}

static void
parse_bad(const char *s, enum pc_money_err want)
{
	int64_t fen = 12345;
	enum pc_money_err e = pc_money_parse(s, &fen);

	if (e != want)
		fail_msg("'%s': got %d (%s), want %d", s ? s : "(null)", (int)e,
			pc_money_strerror(e), (int)want);
	assert_int_equal(fen, 12345); /* untouched on failure */
}

static void
test_plain(void **state)
{
	assert_int_equal(parse_ok("120000"), INT64_C(12000000));
	assert_int_equal(parse_ok("120000.5"), INT64_C(12000050));
	assert_int_equal(parse_ok("120000.50"), INT64_C(12000050));
	assert_int_equal(parse_ok("0.01"), 1);
	assert_int_equal(parse_ok("0"), 0);
	assert_int_equal(parse_ok(".5"), 50);
	assert_int_equal(parse_ok("007"), 700);
	assert_int_equal(parse_ok("  42  "), 4200);
	assert_int_equal(parse_ok("+42"), 4200);
	/* Extra zeros are not extra precision. */
	assert_int_equal(parse_ok("1.500"), 150);
	assert_int_equal(parse_ok("1.5000000"), 150);
}

static void
test_grouped_and_symbols(void **state)
{
	assert_int_equal(parse_ok("1,234.56"), 123456);
	assert_int_equal(parse_ok("1,234,567"), INT64_C(123456700));
	assert_int_equal(parse_ok("¥1,234.56"), 123456);
	assert_int_equal(parse_ok("￥1,234.56"), 123456);
	assert_int_equal(parse_ok("¥ 1,234.56"), 123456);
	assert_int_equal(parse_ok("1234.56元"), 123456);
	assert_int_equal(parse_ok("123"), 12300);
}

static void
test_chinese_units(void **state)
{
	assert_int_equal(parse_ok("12万"), INT64_C(12000000));
	assert_int_equal(parse_ok("1.5万"), INT64_C(1500000));
	assert_int_equal(parse_ok("12.34万"), INT64_C(12340000));
	assert_int_equal(parse_ok("0.000001万"), 1);
	assert_int_equal(parse_ok("3亿"), INT64_C(30000000000));
	assert_int_equal(parse_ok("1.23456789亿"), INT64_C(12345678900));
	assert_int_equal(parse_ok("1.2345678912亿"), INT64_C(12345678912));
	assert_int_equal(parse_ok("12万元"), INT64_C(12000000));
	assert_int_equal(parse_ok("¥12万"), INT64_C(12000000));
	assert_int_equal(parse_ok("1,200万"), INT64_C(1200000000));
	assert_int_equal(parse_ok("12萬"), INT64_C(12000000));
}

static void
test_full_width(void **state)
{
	/* １２３４．５６ with a full-width comma and yen sign. */
	assert_int_equal(parse_ok("\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc"
				  "\x94\xef\xbc\x8e\xef\xbc\x95\xef\xbc\x96"),
		123456);
	assert_int_equal(parse_ok("\xef\xbf\xa5\xef\xbc\x91\xef\xbc\x8c\xef\xbc"
				  "\x90\xef\xbc\x90\xef\xbc\x90"),
		100000);
	assert_int_equal(parse_ok("\xef\xbc\x91\xef\xbc\x95万"),
		INT64_C(15000000));
	/* Ideographic spaces around are ignored. */
	assert_int_equal(parse_ok("\xe3\x80\x80" "5\xe3\x80\x80"), 500);
}

static void
test_refused(void **state)
{
	parse_bad("", PC_MONEY_EMPTY);
	parse_bad("   ", PC_MONEY_EMPTY);
	parse_bad(NULL, PC_MONEY_EMPTY);
	parse_bad("-5", PC_MONEY_NEGATIVE);
	parse_bad("-0.01", PC_MONEY_NEGATIVE);
	parse_bad("¥-5", PC_MONEY_NEGATIVE);
	parse_bad("\xe2\x88\x92" "5", PC_MONEY_NEGATIVE); /* − sign */
	parse_bad("5-3", PC_MONEY_SYNTAX);
	parse_bad("abc", PC_MONEY_SYNTAX);
	parse_bad("12k", PC_MONEY_SYNTAX);
	parse_bad("1e5", PC_MONEY_SYNTAX);
	parse_bad("5.", PC_MONEY_SYNTAX);
	parse_bad(".", PC_MONEY_SYNTAX);
	parse_bad("万", PC_MONEY_SYNTAX);
	parse_bad("¥", PC_MONEY_SYNTAX);
	parse_bad("1.2.3", PC_MONEY_SYNTAX);
	parse_bad("12万万", PC_MONEY_SYNTAX);
	parse_bad("5元万", PC_MONEY_SYNTAX);
	parse_bad("1,234.5,6", PC_MONEY_SYNTAX);
	parse_bad("$5", PC_MONEY_SYNTAX);
	parse_bad("五", PC_MONEY_SYNTAX);
	parse_bad("1,23", PC_MONEY_GROUPING);
	parse_bad("1234,567", PC_MONEY_GROUPING);
	parse_bad(",123", PC_MONEY_GROUPING);
	parse_bad("1,,234", PC_MONEY_GROUPING);
	parse_bad("1,2345", PC_MONEY_GROUPING);
	parse_bad("0.001", PC_MONEY_PRECISION);
	parse_bad("120000.505", PC_MONEY_PRECISION);
	parse_bad("0.0000001万", PC_MONEY_PRECISION);
	parse_bad("1.23456789123亿", PC_MONEY_PRECISION);
}

static void
test_limits(void **state)
{
	/* 10^15 fen is the largest accepted; one fen more is not. */
	assert_int_equal(parse_ok("10000000000000"), PC_MONEY_MAX);
	assert_int_equal(parse_ok("10,000,000,000,000.00"), PC_MONEY_MAX);
	assert_int_equal(parse_ok("100000亿"), PC_MONEY_MAX);
	parse_bad("10000000000000.01", PC_MONEY_OVERFLOW);
	parse_bad("100000.00000001亿", PC_MONEY_OVERFLOW);
	parse_bad("99999999999999999999999999", PC_MONEY_OVERFLOW);
	parse_bad("9223372036854775807", PC_MONEY_OVERFLOW);
	parse_bad("184467440737095516160", PC_MONEY_OVERFLOW);
	/* Leading zeros do not count towards the size. */
	assert_int_equal(parse_ok("0000000000000000000000001"), 100);
	/* Every error has a message. */
	for (int e = PC_MONEY_OK; e <= PC_MONEY_OVERFLOW; e++)
		assert_true(strlen(pc_money_strerror((enum pc_money_err)e)) > 0);
}

static void
test_format(void **state)
{
	char b[64];

	assert_string_equal(pc_money_format(123456, "CNY", b, sizeof(b)),
		"¥1,234.56");
	assert_string_equal(pc_money_format(0, "CNY", b, sizeof(b)), "¥0.00");
	assert_string_equal(pc_money_format(5, "CNY", b, sizeof(b)), "¥0.05");
	assert_string_equal(pc_money_format(12000000, "CNY", b, sizeof(b)),
		"¥120,000.00");
	assert_string_equal(pc_money_format(99999, "USD", b, sizeof(b)),
		"$999.99");
	assert_string_equal(pc_money_format(100000, "EUR", b, sizeof(b)),
		"€1,000.00");
	assert_string_equal(pc_money_format(123456789, "GBP", b, sizeof(b)),
		"GBP 1,234,567.89");
	assert_string_equal(pc_money_format(-123456, "CNY", b, sizeof(b)),
		"-¥1,234.56");
	assert_string_equal(pc_money_format(123456, NULL, b, sizeof(b)),
		"1,234.56");
	assert_string_equal(pc_money_format(PC_MONEY_MAX, "CNY", b, sizeof(b)),
		"¥10,000,000,000,000.00");
	assert_string_equal(pc_money_format(INT64_MIN, "GBP", b, sizeof(b)),
		"-GBP 92,233,720,368,547,758.08");
	assert_string_equal(pc_money_plain(123456, b, sizeof(b)), "1234.56");
	assert_string_equal(pc_money_plain(7, b, sizeof(b)), "0.07");
	assert_string_equal(pc_money_plain(-7, b, sizeof(b)), "-0.07");
	assert_string_equal(pc_money_plain(0, b, sizeof(b)), "0.00");
}

static void
test_round_trip(void **state)
{
	static const int64_t v[] = {0, 1, 99, 100, 123456, 1000000,
		INT64_C(98765432101), PC_MONEY_MAX};
	char b[64];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(parse_ok(pc_money_plain(v[i], b, sizeof(b))),
			v[i]);
		assert_int_equal(parse_ok(pc_money_format(v[i], "CNY", b,
					 sizeof(b))),
			v[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_grouped_and_symbols),
		cmocka_unit_test(test_chinese_units),
		cmocka_unit_test(test_full_width),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
