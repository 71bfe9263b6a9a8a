/* Line-oriented logging to stderr (see log.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"

enum log_level log_current_level = LOG_INFO;
static int log_json;
static const char *log_ident = "pace";

static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
	[LOG_TRACE] = "trace",
};

void
log_set_level(enum log_level lvl)
{
	log_current_level = lvl;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
		i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *
log_level_name(enum log_level lvl)
{
	return level_names[lvl];
}

void
log_set_json(int on)
{
	log_json = on;
}

void
log_set_ident(const char *ident)
{
	log_ident = ident;
}

/* Append s to buf as the inside of a JSON string. */
static size_t
json_escape(char *buf, size_t cap, size_t at, const char *s)
{
	for (; *s && at + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			buf[at++] = '\\';
			buf[at++] = (char)ch;
		} else if (ch < 0x20) {
			at += (size_t)snprintf(buf + at, cap - at, "\\u%04x", ch);
		} else {
			buf[at++] = (char)ch;
		}
	}
	return at;
}

void
log_vwrite(enum log_level lvl, const char *ctx, const char *fmt, va_list ap)
{
	char msg[2048], line[4608], ts[40];
	struct timespec now;
	struct tm tm;
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - n, ".%03ldZ", now.tv_nsec / 1000000);

	if (log_json) {
		n = (size_t)snprintf(line, sizeof(line),
			"{\"ts\":\"%s\",\"level\":\"%s\",\"app\":\"%s\"", ts,
			level_names[lvl], log_ident);
		if (ctx) {
			n += (size_t)snprintf(line + n, sizeof(line) - n,
				",\"conn\":\"");
			n = json_escape(line, sizeof(line), n, ctx);
			line[n++] = '"';
		}
		n += (size_t)snprintf(line + n, sizeof(line) - n, ",\"msg\":\"");
		n = json_escape(line, sizeof(line), n, msg);
		snprintf(line + n, sizeof(line) - n, "\"}\n");
	} else {
		snprintf(line, sizeof(line), "%s %s %-5s %s%s%s\n", ts,
			log_ident, level_names[lvl], ctx ? ctx : "",
			ctx ? ": " : "", msg);
	}
	fputs(line, stderr);
}

void
log_write(enum log_level lvl, const char *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(lvl, ctx, fmt, ap);
	va_end(ap);
}
