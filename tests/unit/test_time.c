/*
 * Unit tests of client/lib/pc_time.c: ISO 8601 dates and date-times read in
 * the local zone (TZ) unless an offset is given, in a zone without
 * daylight-saving time (Asia/Shanghai) and one with it (Europe/Berlin: the
 * spring gap is refused, the autumn repeat is the earlier time), the
 * refusals, and the output forms read back exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "err.h"
#include "pc_time.h"

static void
use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int64_t
parse_ok(const char *s)
{
	int64_t us = 0;

	if (pc_time_parse(s, &us) != 0)
		fail_msg("'%s' refused", s);
	return us;
}

static void
parse_bad(const char *s)
{
	int64_t us = 77;

	if (pc_time_parse(s, &us) != E_INVALID)
		fail_msg("'%s' accepted as %lld", s ? s : "(null)", (long long)us);
	assert_int_equal(us, 77);
}

static void
test_shanghai(void **state)
{
	use_tz("Asia/Shanghai");
	/* A date alone is local midnight. */
	assert_int_equal(parse_ok("2026-11-27"), INT64_C(1795708800000000));
	assert_int_equal(parse_ok("2026-11-27 14:30"), INT64_C(1795761000000000));
	assert_int_equal(parse_ok("2026-11-27T14:30"), INT64_C(1795761000000000));
	assert_int_equal(parse_ok("2026-11-27T14:30:00"),
		INT64_C(1795761000000000));
	assert_int_equal(parse_ok(" 2026-11-27 14:30 "),
		INT64_C(1795761000000000));
	assert_int_equal(parse_ok("2026-11-27T14:30:00.25"),
		INT64_C(1795761000250000));
	assert_int_equal(parse_ok("2026-11-27T14:30:00.000001"),
		INT64_C(1795761000000001));
}

static void
test_offsets(void **state)
{
	/* With an offset the local zone does not matter. */
	const char *zones[] = {"Asia/Shanghai", "Europe/Berlin", "UTC"};

	for (size_t i = 0; i < 3; i++) {
		use_tz(zones[i]);
		assert_int_equal(parse_ok("2026-11-27T14:30:00Z"),
			INT64_C(1795789800000000));
		assert_int_equal(parse_ok("2026-11-27 14:30Z"),
			INT64_C(1795789800000000));
		assert_int_equal(parse_ok("2026-11-27T14:30:00+08:00"),
			INT64_C(1795761000000000));
		assert_int_equal(parse_ok("2026-11-27T14:30:00+0800"),
			INT64_C(1795761000000000));
		assert_int_equal(parse_ok("2026-11-27T14:30+08"),
			INT64_C(1795761000000000));
		assert_int_equal(parse_ok("2026-11-27T14:30:00-05:30"),
			INT64_C(1795809600000000));
	}
}

static void
test_berlin_dst(void **state)
{
	use_tz("Europe/Berlin");
	assert_int_equal(parse_ok("2026-01-15 12:00"), INT64_C(1768474800000000));
	assert_int_equal(parse_ok("2026-07-15 12:00"), INT64_C(1784109600000000));
	/* Spring forward: 02:00-02:59 on 29 March 2026 never happens. */
	parse_bad("2026-03-29 02:30");
	parse_bad("2026-03-29T02:00:00");
	assert_int_equal(parse_ok("2026-03-29 03:00"), INT64_C(1774746000000000));
	assert_int_equal(parse_ok("2026-03-29"), INT64_C(1774738800000000));
	/* Fall back: 02:30 on 25 October happens twice; the earlier counts. */
	assert_int_equal(parse_ok("2026-10-25 02:30"), INT64_C(1792888200000000));
	/* The later one can still be said with its offset. */
	assert_int_equal(parse_ok("2026-10-25T02:30+01:00"),
		INT64_C(1792891800000000));
}

static void
test_refused(void **state)
{
	use_tz("Asia/Shanghai");
	parse_bad("");
	parse_bad(NULL);
	parse_bad("2026");
	parse_bad("2026-11");
	parse_bad("2026-1-5");
	parse_bad("27/11/2026");
	parse_bad("2026/11/27");
	parse_bad("2026-13-01");
	parse_bad("2026-00-10");
	parse_bad("2026-02-29");
	parse_bad("2026-04-31");
	parse_bad("2026-11-27 24:00");
	parse_bad("2026-11-27 14:60");
	parse_bad("2026-11-27 14:30:60");
	parse_bad("2026-11-27T14");
	parse_bad("2026-11-27T1430");
	parse_bad("2026-11-27 14:30 tomorrow");
	parse_bad("2026-11-27T14:30:00+25:00");
	parse_bad("2026-11-27T14:30:00+08:99");
	parse_bad("2026-11-27T14:30:00.");
	parse_bad("2026-11-27T14:30:00.1234567");
	parse_bad("1899-12-31");
	parse_bad("now");
	/* Leap days exist in leap years only. */
	assert_true(parse_ok("2028-02-29") > 0);
	assert_int_equal(pc_date_check("2028-02-29"), 0);
	assert_int_equal(pc_date_check("2026-11-27"), 0);
	assert_int_equal(pc_date_check("2026-02-29"), E_INVALID);
	assert_int_equal(pc_date_check("2026-11-27 10:00"), E_INVALID);
	assert_int_equal(pc_date_check("20261127"), E_INVALID);
	assert_int_equal(pc_date_check(""), E_INVALID);
}

static void
test_format(void **state)
{
	char b[64];

	use_tz("Asia/Shanghai");
	assert_string_equal(pc_time_format(INT64_C(1795761000000000), b,
				    sizeof(b)),
		"2026-11-27 14:30");
	assert_string_equal(pc_time_iso(INT64_C(1795761000000000), b, sizeof(b)),
		"2026-11-27T14:30:00+08:00");
	assert_string_equal(pc_time_iso(INT64_C(1795761000250000), b, sizeof(b)),
		"2026-11-27T14:30:00.250000+08:00");
	use_tz("Europe/Berlin");
	assert_string_equal(pc_time_format(INT64_C(1784109600000000), b,
				    sizeof(b)),
		"2026-07-15 12:00");
	assert_string_equal(pc_time_iso(INT64_C(1784109600000000), b, sizeof(b)),
		"2026-07-15T12:00:00+02:00");
	assert_string_equal(pc_time_iso(INT64_C(1768474800000000), b, sizeof(b)),
		"2026-01-15T12:00:00+01:00");
	/* The second 02:30 of the autumn night keeps its offset. */
	assert_string_equal(pc_time_iso(INT64_C(1792891800000000), b, sizeof(b)),
		"2026-10-25T02:30:00+01:00");
	use_tz("UTC");
	assert_string_equal(pc_time_iso(0, b, sizeof(b)), "1970-01-01T00:00:00Z");
	assert_string_equal(pc_time_iso(-1, b, sizeof(b)),
		"1969-12-31T23:59:59.999999Z");
	use_tz("America/St_Johns"); /* -03:30 */
	assert_string_equal(pc_time_iso(INT64_C(1795789800000000), b, sizeof(b)),
		"2026-11-27T11:00:00-03:30");
}

static void
test_round_trip(void **state)
{
	static const char *zones[] = {"Asia/Shanghai", "Europe/Berlin", "UTC",
		"America/St_Johns"};
	static const int64_t v[] = {0, 1, INT64_C(1795761000250000),
		INT64_C(1792888200000000), INT64_C(1792891800000000),
		INT64_C(1774746000000000), INT64_C(1795761000123457)};
	char b[64];

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		use_tz(zones[z]);
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			assert_int_equal(parse_ok(pc_time_iso(v[i], b, sizeof(b))),
				v[i]);
	}
}

/*
 * The calendar arithmetic against the C library, every 37 minutes over two
 * years in zones with hour and half-hour daylight-saving changes: the same
 * local time as localtime_r(), and every ISO string read back exactly.
 */
static void
test_against_libc(void **state)
{
	static const char *zones[] = {"Europe/Berlin", "Asia/Shanghai",
		"America/St_Johns", "Australia/Lord_Howe", "America/Sao_Paulo"};
	const int64_t from = INT64_C(1735689600), to = INT64_C(1798761600);
	char mine[64], libc[64];

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		use_tz(zones[z]);
		for (int64_t t = from; t < to; t += 37 * 60) {
			time_t tt = (time_t)t;
			struct tm tm;

			localtime_r(&tt, &tm);
			strftime(libc, sizeof(libc), "%Y-%m-%d %H:%M", &tm);
			pc_time_format(t * 1000000, mine, sizeof(mine));
			if (strcmp(mine, libc) != 0)
				fail_msg("%s at %lld: %s, libc %s", zones[z],
					(long long)t, mine, libc);
			pc_time_iso(t * 1000000 + 5, mine, sizeof(mine));
			assert_int_equal(parse_ok(mine), t * 1000000 + 5);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shanghai),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_berlin_dst),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_against_libc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
