/* Columns of the import/export CSV files and cell normalisation. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "csvkinds.h"
#include "pc_money.h"
#include "pc_time.h"
#include "xmalloc.h"

/* The cell order is the server's (docs/import.md); do not reorder. */
static const struct csv_column customer_cols[] = {
	{"name", CELL_TEXT},
	{"industry", CELL_TEXT},
	{"size_band", CELL_TEXT},
	{"region", CELL_TEXT},
	{"owner", CELL_WORD},
	{"at", CELL_TIME},
};

static const struct csv_column deal_cols[] = {
	{"title", CELL_TEXT},
	{"customer", CELL_TEXT},
	{"amount", CELL_MONEY},
	{"stage", CELL_WORD},
	{"expected_close", CELL_DATE},
	{"source", CELL_TEXT},
	{"product_line", CELL_TEXT},
	{"owner", CELL_WORD},
	{"at", CELL_TIME},
	{"closed_at", CELL_TIME},
	{"loss_reason", CELL_TEXT},
};

static const struct csv_column activity_cols[] = {
	{"user", CELL_WORD},
	{"kind", CELL_WORD},
	{"customer", CELL_TEXT},
	{"deal", CELL_TEXT},
	{"at", CELL_TIME},
	{"duration_min", CELL_TEXT},
	{"note", CELL_TEXT},
};

static const struct csv_column payment_cols[] = {
	{"deal", CELL_TEXT},
	{"kind", CELL_WORD},
	{"date", CELL_DATE},
	{"amount", CELL_MONEY},
};

#define KIND(n, c) {n, c, (int)(sizeof(c) / sizeof(c[0]))}

static const struct csv_kind kinds[] = {
	KIND("customers", customer_cols),
	KIND("deals", deal_cols),
	KIND("activities", activity_cols),
	KIND("payments", payment_cols),
};

const struct csv_kind *
csv_kind_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* A copy of s without leading and trailing ASCII white space. */
static char *
trimmed(const char *s)
{
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

int
csv_kind_column(const struct csv_kind *k, const char *name)
{
	char *t = trimmed(name);
	int found = -1;

	for (int i = 0; i < k->ncols && found < 0; i++)
		if (strcasecmp(k->cols[i].name, t) == 0)
			found = i;
	free(t);
	return found;
}

/*
 * Integer microseconds accepted in a time cell: 2000-01-01T00:00:00Z to
 * 2100-01-01T00:00:00Z (the server's own upper bound, cap_check_at).
 */
#define TIME_US_MIN INT64_C(946684800000000)
#define TIME_US_MAX INT64_C(4102444800000000)

/*
 * A time cell: a plain non-negative integer is microseconds since the epoch,
 * UTC (what `pace` sends, and what scripts write); anything else is a time
 * as people write it (pc_time_parse, local time unless an offset is given).
 * Returns NULL with *us set, or why the cell is refused.
 */
static const char *
time_cell(const char *t, int64_t *us)
{
	size_t n = strlen(t);

	if (n > 0 && strspn(t, "0123456789") == n) {
		if (n > 16 || (*us = strtoll(t, NULL, 10)) < TIME_US_MIN ||
			*us > TIME_US_MAX)
			return N_("a time in microseconds must lie between "
				  "2000-01-01 and 2100-01-01 UTC (946684800000000 "
				  "to 4102444800000000)");
		return NULL;
	}
	if (pc_time_parse(t, us) != 0)
		return N_("not a date or time (write e.g. 2026-11-27 14:30)");
	return NULL;
}

const char *
csv_cell_normalise(const struct csv_column *c, const char *in, char **out)
{
	char *t = trimmed(in);
	enum pc_money_err me;
	const char *why;
	int64_t v;

	switch (c->type) {
	case CELL_TEXT:
		break;
	case CELL_WORD:
		for (char *p = t; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		break;
	case CELL_MONEY:
		if (*t == '\0')
			break; /* absent: the server's default or its error */
		if ((me = pc_money_parse(t, &v)) != PC_MONEY_OK) {
			free(t);
			return pc_money_strerror(me);
		}
		free(t);
		t = xasprintf("%lld", (long long)v);
		break;
	case CELL_TIME:
		if (*t == '\0')
			break;
		if ((why = time_cell(t, &v)) != NULL) {
			free(t);
			return why;
		}
		free(t);
		t = xasprintf("%lld", (long long)v);
		break;
	case CELL_DATE:
		if (*t != '\0' && pc_date_check(t) != 0) {
			free(t);
			return N_("not a date (write YYYY-MM-DD)");
		}
		break;
	}
	*out = t;
	return NULL;
}
