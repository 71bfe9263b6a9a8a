/*
 * Times as people write them, and back. Pace counts time as int64
 * microseconds since the Unix epoch, UTC; people write ISO 8601 in their
 * own time zone (the TZ environment variable), which is what these convert.
 */
#ifndef PACE_PC_TIME_H
#define PACE_PC_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * Parse "2026-11-27", "2026-11-27 14:30", "2026-11-27T14:30:00",
 * "2026-11-27T14:30:00.250", each optionally followed by "Z", "+08:00",
 * "+0800" or "+08". Without an offset the time is local (TZ); a date alone
 * is 00:00 local. A local time skipped by a daylight-saving change is
 * refused; one that happens twice is the earlier. Returns 0 with *us set,
 * or E_INVALID.
 */
int pc_time_parse(const char *s, int64_t *us) WARN_UNUSED;

/*
 * Check a calendar date "YYYY-MM-DD" (a real day, 1900-9999). Returns 0 or
 * E_INVALID.
 */
int pc_date_check(const char *s) WARN_UNUSED;

/* Local "YYYY-MM-DD HH:MM" (for people). Returns buf; 32 bytes suffice. */
char *pc_time_format(int64_t us, char *buf, size_t len);

/*
 * Local ISO 8601 with the offset, for files and scripts:
 * "2026-11-27T14:30:00+08:00", with ".ffffff" when there are fractions of
 * a second. pc_time_parse() reads it back exactly. Returns buf; 40 bytes
 * suffice.
 */
char *pc_time_iso(int64_t us, char *buf, size_t len);

#endif
