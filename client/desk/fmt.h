/*
 * Numbers as pace-desk shows them: percentages, pace, money (pc_money, and a
 * compact form for chart axes: ¥1.2M in English, ¥120万 in Chinese), and
 * the period presets of the period chooser. Pure: no GTK, no I/O.
 */
#ifndef PACE_DESK_FMT_H
#define PACE_DESK_FMT_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "kpi.pb-c.h"

/* "52.3%", or "—" when n is NULL (undefined). Returns buf. */
char *desk_fmt_ratio(const Pace__V1__Num *n, char *buf, size_t len);
/* "0.95", or "—". */
char *desk_fmt_pace(const Pace__V1__Num *n, char *buf, size_t len);
/* "2.40×", or "—" (coverage: pipeline over what is left to reach). */
char *desk_fmt_times(const Pace__V1__Num *n, char *buf, size_t len);
/* pc_money_format, or "—" for a NULL Fen. */
char *desk_fmt_fen(const Pace__V1__Fen *f, const char *currency, char *buf,
	size_t len);
/*
 * Short money for axes and tight places: with chinese_units 12,000,000 fen
 * is "¥12万", 250,000,000,000 fen "¥25亿"; otherwise "¥120K", "¥2.5B".
 * Below 10,000 units (or 1,000 in English) the whole number of units.
 */
char *desk_fmt_money_short(int64_t fen, const char *currency,
	int chinese_units, char *buf, size_t len);
/* Whether the messages are in Chinese (money_short's units follow). */
int desk_fmt_chinese(void);

/* The translated word for a status: on track, at risk, behind, no pace yet. */
const char *desk_status_text(Pace__V1__Status s);
/* "green", "yellow", "red" or "none" (CSS classes, reports). */
const char *desk_status_key(Pace__V1__Status s);

/* The period chooser's presets, in order. */
enum desk_period_preset {
	DESK_PERIOD_MONTH,   /* "": the current month, following the calendar */
	DESK_PERIOD_QUARTER, /* 2026Q4 */
	DESK_PERIOD_YEAR,    /* 2026 */
	DESK_PERIOD_WEEK,    /* 2026-W48 (ISO) */
	DESK_PERIOD_TODAY,   /* 2026-11-27 */
	DESK_PERIOD_NPRESETS,
};
/* The period text of a preset for the local day `now`; g_free it. */
char *desk_period_of(enum desk_period_preset p, GDateTime *now);
/* The translated label of a preset ("This month", ...). */
const char *desk_period_label(enum desk_period_preset p);
/* Does text look like a period the server accepts (2026, 2026Q4, ...)? */
int desk_period_valid(const char *text);

#endif
