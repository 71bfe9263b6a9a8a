/*
 * Typed option values: ids, amounts (pc_money), times (pc_time), dates and
 * bounded integers, each refused with a message naming the option.
 */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"
#include "pc_money.h"
#include "pc_time.h"

static int
parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v <= 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int
pos_id(struct cli *cli, const char *s, const char *what, int64_t *out)
{
	if (parse_id(s, out) != 0)
		return cli_usage_error(cli, _("%s must be a numeric id, not '%s'"),
			what, s);
	return EXIT_OK;
}

int
arg_id(struct cli *cli, const struct args *a, const char *name, int64_t *out)
{
	const char *s = arg_get(cli, a, name);

	if (s && parse_id(s, out) != 0)
		return cli_usage_error(cli,
			_("--%s must be a numeric id, not '%s'"), name, s);
	return EXIT_OK;
}

int
arg_money(struct cli *cli, const struct args *a, const char *name,
	int64_t *out)
{
	const char *s = arg_get(cli, a, name);
	enum pc_money_err e;

	if (s && (e = pc_money_parse(s, out)) != PC_MONEY_OK)
		return cli_usage_error(cli, _("--%s '%s': %s"), name, s,
			_(pc_money_strerror(e)));
	return EXIT_OK;
}

int
arg_time(struct cli *cli, const struct args *a, const char *name,
	int64_t *out)
{
	const char *s = arg_get(cli, a, name);

	if (s && pc_time_parse(s, out) != 0)
		return cli_usage_error(cli,
			_("--%s '%s': not a date or time (write e.g. 2026-11-27, "
			  "2026-11-27 14:30 or 2026-11-27T14:30:00+08:00)"),
			name, s);
	return EXIT_OK;
}

int
arg_date(struct cli *cli, const struct args *a, const char *name,
	const char **out)
{
	const char *s = arg_get(cli, a, name);

	if (s && pc_date_check(s) != 0)
		return cli_usage_error(cli,
			_("--%s '%s': not a date (write YYYY-MM-DD)"), name, s);
	if (s)
		*out = s;
	return EXIT_OK;
}

int
arg_int(struct cli *cli, const struct args *a, const char *name, long min,
	long max, long *out)
{
	const char *s = arg_get(cli, a, name);
	char *end;
	long v;

	if (s == NULL)
		return EXIT_OK;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return cli_usage_error(cli, _("--%s must be a number from %ld to %ld"),
			name, min, max);
	*out = v;
	return EXIT_OK;
}
