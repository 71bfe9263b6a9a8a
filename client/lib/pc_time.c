/*
 * ISO 8601 text <-> microseconds since the epoch (see pc_time.h). All
 * calendar arithmetic is done here (days_from_civil, civil_from_days); the
 * C library is asked only for the local zone's UTC offset at an instant
 * (localtime_r's tm_gmtoff). Those answers are cached per UTC day, because
 * glibc re-parses the zone's rule on every call past the last transition
 * in the zone file, which made an import of 100,000 rows spend seconds in
 * mktime(). A local time is found by trying the offsets in force around
 * it and keeping those that convert back to it: none means it falls in a
 * daylight-saving gap, two that it happens twice (the earlier is taken).
 * Not thread-safe (the cache); pace and pace-desk convert on one thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pc_time.h"

#define US_PER_S INT64_C(1000000)

struct civil {
	int year, mon, day, hour, min, sec;
	int32_t frac_us;
};

/* Exactly n digits. */
static int
digits(const char **pp, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*pp)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*pp += n;
	*out = v;
	return 0;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
read_date(const char **pp, struct civil *c)
{
	if (digits(pp, 4, &c->year) || *(*pp)++ != '-' ||
		digits(pp, 2, &c->mon) || *(*pp)++ != '-' ||
		digits(pp, 2, &c->day))
		return -1;
	if (c->year < 1900 || c->mon < 1 || c->mon > 12 || c->day < 1 ||
		c->day > month_days(c->year, c->mon))
		return -1;
	return 0;
}

static int
read_clock(const char **pp, struct civil *c)
{
	if (digits(pp, 2, &c->hour) || *(*pp)++ != ':' ||
		digits(pp, 2, &c->min))
		return -1;
	if (**pp == ':') {
		(*pp)++;
		if (digits(pp, 2, &c->sec))
			return -1;
		if (**pp == '.' || **pp == ',') {
			int n = 0;
			(*pp)++;
			for (; **pp >= '0' && **pp <= '9'; (*pp)++, n++) {
				if (n >= 6)
					return -1; /* finer than Pace keeps */
				c->frac_us = c->frac_us * 10 + (**pp - '0');
			}
			if (n == 0)
				return -1;
			for (; n < 6; n++)
				c->frac_us *= 10;
		}
	}
	return c->hour > 23 || c->min > 59 || c->sec > 59 ? -1 : 0;
}

/* "Z", "+08:00", "+0800", "+08": *off_s set and 1; 0 if none; -1 bad. */
static int
read_offset(const char **pp, int *off_s)
{
	int sign, h, m = 0;

	if (**pp == 'Z' || **pp == 'z') {
		(*pp)++;
		*off_s = 0;
		return 1;
	}
	if (**pp != '+' && **pp != '-')
		return 0;
	sign = **pp == '-' ? -1 : 1;
	(*pp)++;
	if (digits(pp, 2, &h))
		return -1;
	if (**pp == ':')
		(*pp)++;
	if (**pp >= '0' && **pp <= '9' && digits(pp, 2, &m))
		return -1;
	if (h > 23 || m > 59)
		return -1;
	*off_s = sign * (h * 3600 + m * 60);
	return 1;
}

/* Floor division (time before the epoch). */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The civil date of a day number (H. Hinnant's civil_from_days). */
static void
civil_from_days(int64_t z, struct civil *c)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	c->year = (int)(yoe + era * 400 + (c->mon <= 2));
}

#define CACHE_DAYS 256 /* a power of two */

struct day_offset {
	int64_t day;  /* UTC day number */
	long off;     /* UTC offset (s) at its start */
	int uniform;  /* the same offset at its end: no change within it */
	int used;
};

static struct day_offset cache[CACHE_DAYS];
static char cache_tz[256];
static int cache_valid;

/* Follow changes of TZ (tests switch zones): tzset and forget the cache. */
static void
tz_sync(void)
{
	const char *tz = getenv("TZ");
	char cur[sizeof(cache_tz)];

	snprintf(cur, sizeof(cur), "%c%s", tz ? '=' : '-', tz ? tz : "");
	if (cache_valid && strcmp(cur, cache_tz) == 0)
		return;
	tzset();
	memset(cache, 0, sizeof(cache));
	snprintf(cache_tz, sizeof(cache_tz), "%s", cur);
	cache_valid = 1;
}

static long
libc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/* The local zone's UTC offset at t (seconds since the epoch). */
static long
offset_at(int64_t t)
{
	int64_t day = floor_div(t, 86400);
	struct day_offset *c = &cache[(uint64_t)day & (CACHE_DAYS - 1)];

	if (!c->used || c->day != day) {
		long a = libc_offset(day * 86400), b = libc_offset(day * 86400 +
							    86400);
		c->day = day;
		c->off = a;
		c->uniform = a == b;
		c->used = 1;
	}
	return c->uniform ? c->off : libc_offset(t);
}

/* Seconds since the epoch of a local civil time; -1 if it never happens. */
static int
local_seconds(const struct civil *c, int64_t *out)
{
	int64_t u = days_from_civil(c->year, c->mon, c->day) * 86400 +
		c->hour * 3600 + c->min * 60 + c->sec;
	long offs[2];
	int found = 0;

	tz_sync();
	/* Offsets are within ±18 h, so these bracket the instant. */
	offs[0] = offset_at(u - 18 * 3600);
	offs[1] = offset_at(u + 18 * 3600);
	for (int i = 0; i < 2; i++) {
		int64_t t = u - offs[i];
		if (i == 1 && offs[1] == offs[0])
			break;
		if (offset_at(t) != offs[i])
			continue; /* that offset is not in force then */
		if (!found || t < *out)
			*out = t;
		found = 1;
	}
	return found ? 0 : -1;
}

int
pc_time_parse(const char *s, int64_t *us)
{
	struct civil c = {0};
	const char *p = s;
	int off_s = 0, has_off = 0;
	int64_t secs;

	if (s == NULL)
		return E_INVALID;
	while (*p == ' ')
		p++;
	if (read_date(&p, &c) != 0)
		return E_INVALID;
	if (*p == 'T' || *p == 't' || (*p == ' ' && p[1] >= '0' && p[1] <= '9')) {
		p++;
		if (read_clock(&p, &c) != 0)
			return E_INVALID;
		if ((has_off = read_offset(&p, &off_s)) < 0)
			return E_INVALID;
	}
	while (*p == ' ')
		p++;
	if (*p != '\0')
		return E_INVALID;
	if (has_off) {
		secs = days_from_civil(c.year, c.mon, c.day) * 86400 +
			c.hour * 3600 + c.min * 60 + c.sec - off_s;
	} else if (local_seconds(&c, &secs) != 0) {
		return E_INVALID;
	}
	*us = secs * US_PER_S + c.frac_us;
	return 0;
}

int
pc_date_check(const char *s)
{
	struct civil c = {0};
	const char *p = s;

	if (s == NULL || read_date(&p, &c) != 0 || *p != '\0')
		return E_INVALID;
	return 0;
}

/* Local civil time of us: *c (with frac_us) and the offset in force. */
static void
to_local(int64_t us, struct civil *c, long *off)
{
	int64_t secs = floor_div(us, US_PER_S), local, sod;

	tz_sync();
	*off = offset_at(secs);
	local = secs + *off;
	civil_from_days(floor_div(local, 86400), c);
	sod = local - floor_div(local, 86400) * 86400;
	c->hour = (int)(sod / 3600);
	c->min = (int)(sod % 3600 / 60);
	c->sec = (int)(sod % 60);
	c->frac_us = (int32_t)(us - secs * US_PER_S);
}

char *
pc_time_format(int64_t us, char *buf, size_t len)
{
	struct civil c;
	long off;

	to_local(us, &c, &off);
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", c.year, c.mon, c.day,
		c.hour, c.min);
	return buf;
}

char *
pc_time_iso(int64_t us, char *buf, size_t len)
{
	struct civil c;
	char fr[16] = "", zone[40] = "Z";
	long off, a;

	to_local(us, &c, &off);
	if (c.frac_us)
		snprintf(fr, sizeof(fr), ".%06ld", (long)c.frac_us);
	a = off < 0 ? -off : off;
	if (off != 0)
		snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+',
			a / 3600, a % 3600 / 60);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", c.year, c.mon,
		c.day, c.hour, c.min, c.sec, fr, zone);
	return buf;
}
