/*
 * Logging: one line per event to stderr, human or JSON. Levels are checked
 * before formatting, so debug and trace lines cost nothing when off.
 */
#ifndef PACE_LOG_H
#define PACE_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
	LOG_TRACE,
};

extern enum log_level log_current_level;

void log_set_level(enum log_level lvl);
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level lvl);
void log_set_json(int on);
void log_set_ident(const char *ident);

/* ctx may be NULL; otherwise it prefixes the line (e.g. "c#12 1.2.3.4:5 zhangsan"). */
void log_write(enum log_level lvl, const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vwrite(enum log_level lvl, const char *ctx, const char *fmt,
	va_list ap);

#define log_enabled(lvl) ((int)(lvl) <= (int)log_current_level)
#define LOG_AT(lvl, ...)                                                       \
	do {                                                                   \
		if (log_enabled(lvl))                                          \
			log_write(lvl, NULL, __VA_ARGS__);                     \
	} while (0)
#define log_error(...) LOG_AT(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) LOG_AT(LOG_WARN, __VA_ARGS__)
#define log_info(...) LOG_AT(LOG_INFO, __VA_ARGS__)
#define log_debug(...) LOG_AT(LOG_DEBUG, __VA_ARGS__)
#define log_trace(...) LOG_AT(LOG_TRACE, __VA_ARGS__)

#endif
