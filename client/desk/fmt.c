/* Numbers as pace-desk shows them (see fmt.h). */
#include <libintl.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "pc_money.h"

#define _(s) gettext(s)
#define N_(s) (s)
#define DASH "\xe2\x80\x94" /* — */

char *
desk_fmt_ratio(const Pace__V1__Num *n, char *buf, size_t len)
{
	if (n == NULL)
		snprintf(buf, len, DASH);
	else
		snprintf(buf, len, "%.1f%%", n->v * 100.0);
	return buf;
}

char *
desk_fmt_pace(const Pace__V1__Num *n, char *buf, size_t len)
{
	if (n == NULL)
		snprintf(buf, len, DASH);
	else
		snprintf(buf, len, "%.2f", n->v);
	return buf;
}

char *
desk_fmt_times(const Pace__V1__Num *n, char *buf, size_t len)
{
	if (n == NULL)
		snprintf(buf, len, DASH);
	else
		snprintf(buf, len, "%.2f\xc3\x97", n->v); /* × */
	return buf;
}

char *
desk_fmt_fen(const Pace__V1__Fen *f, const char *currency, char *buf,
	size_t len)
{
	if (f == NULL) {
		snprintf(buf, len, DASH);
		return buf;
	}
	return pc_money_format(f->v, currency, buf, len);
}

static const char *
short_symbol(const char *currency)
{
	if (currency == NULL || *currency == '\0')
		return "";
	if (strcmp(currency, "CNY") == 0 || strcmp(currency, "RMB") == 0)
		return "\xc2\xa5";
	if (strcmp(currency, "USD") == 0)
		return "$";
	if (strcmp(currency, "EUR") == 0)
		return "\xe2\x82\xac";
	return NULL;
}

/* v / unit with at most one decimal, the decimal dropped when it is 0. */
static void
scaled(char *out, size_t len, uint64_t units, uint64_t unit)
{
	uint64_t tenths = (units * 10 + unit / 2) / unit;

	if (tenths % 10 == 0 || tenths >= 1000)
		snprintf(out, len, "%llu", (unsigned long long)((tenths + 5) / 10));
	else
		snprintf(out, len, "%llu.%llu", (unsigned long long)(tenths / 10),
			(unsigned long long)(tenths % 10));
}

char *
desk_fmt_money_short(int64_t fen, const char *currency, int chinese_units,
	char *buf, size_t len)
{
	uint64_t u = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;
	uint64_t units = (u + 50) / 100;
	const char *sym = short_symbol(currency);
	char num[32];
	const char *suffix = "";

	if (chinese_units) {
		if (units >= 100000000ULL) {
			scaled(num, sizeof(num), units, 100000000ULL);
			suffix = "\xe4\xba\xbf"; /* 亿 */
		} else if (units >= 10000ULL) {
			scaled(num, sizeof(num), units, 10000ULL);
			suffix = "\xe4\xb8\x87"; /* 万 */
		} else {
			snprintf(num, sizeof(num), "%llu", (unsigned long long)units);
		}
	} else {
		if (units >= 1000000000ULL) {
			scaled(num, sizeof(num), units, 1000000000ULL);
			suffix = "B";
		} else if (units >= 1000000ULL) {
			scaled(num, sizeof(num), units, 1000000ULL);
			suffix = "M";
		} else if (units >= 1000ULL) {
			scaled(num, sizeof(num), units, 1000ULL);
			suffix = "K";
		} else {
			snprintf(num, sizeof(num), "%llu", (unsigned long long)units);
		}
	}
	if (sym)
		snprintf(buf, len, "%s%s%s%s", fen < 0 ? "-" : "", sym, num, suffix);
	else
		snprintf(buf, len, "%s%s %s%s", fen < 0 ? "-" : "", currency, num,
			suffix);
	return buf;
}

int
desk_fmt_chinese(void)
{
	const char *const *langs = g_get_language_names_with_category("LC_MESSAGES");

	for (; langs && *langs; langs++) {
		if (strncmp(*langs, "zh", 2) == 0)
			return 1;
		if (strcmp(*langs, "C") != 0 && strcmp(*langs, "C.UTF-8") != 0 &&
			strcmp(*langs, "C.utf8") != 0 && strcmp(*langs, "POSIX") != 0)
			return 0;
	}
	return 0;
}

const char *
desk_status_text(Pace__V1__Status s)
{
	switch (s) {
	case PACE__V1__STATUS__GREEN:
		return _("on track");
	case PACE__V1__STATUS__YELLOW:
		return _("at risk");
	case PACE__V1__STATUS__RED:
		return _("behind");
	default:
		return _("no pace yet");
	}
}

const char *
desk_status_key(Pace__V1__Status s)
{
	switch (s) {
	case PACE__V1__STATUS__GREEN:
		return "green";
	case PACE__V1__STATUS__YELLOW:
		return "yellow";
	case PACE__V1__STATUS__RED:
		return "red";
	default:
		return "none";
	}
}

char *
desk_period_of(enum desk_period_preset p, GDateTime *now)
{
	int y = g_date_time_get_year(now), m = g_date_time_get_month(now);

	switch (p) {
	case DESK_PERIOD_MONTH:
		return g_strdup("");
	case DESK_PERIOD_QUARTER:
		return g_strdup_printf("%04dQ%d", y, (m - 1) / 3 + 1);
	case DESK_PERIOD_YEAR:
		return g_strdup_printf("%04d", y);
	case DESK_PERIOD_WEEK:
		return g_strdup_printf("%04d-W%02d",
			g_date_time_get_week_numbering_year(now),
			g_date_time_get_week_of_year(now));
	case DESK_PERIOD_TODAY:
		return g_date_time_format(now, "%Y-%m-%d");
	default:
		return g_strdup("");
	}
}

const char *
desk_period_label(enum desk_period_preset p)
{
	static const char *const labels[] = {N_("This month"),
		N_("This quarter"), N_("This year"), N_("This week"), N_("Today")};

	return p < DESK_PERIOD_NPRESETS ? _(labels[p]) : "";
}

int
desk_period_valid(const char *t)
{
	static const char *const pats[] = {"^[0-9]{4}$", "^[0-9]{4}[Qq][1-4]$",
		"^[0-9]{4}-(0[1-9]|1[0-2])$", "^[0-9]{4}-[Ww][0-5][0-9]$",
		"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"};

	if (t == NULL)
		return 0;
	if (*t == '\0')
		return 1;
	for (size_t i = 0; i < G_N_ELEMENTS(pats); i++)
		if (g_regex_match_simple(pats[i], t, 0, 0))
			return 1;
	return 0;
}
