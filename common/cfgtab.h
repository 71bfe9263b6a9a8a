/*
 * Table-driven configuration: each key has a type, bounds, a default and a
 * line of help. The same table parses files ("key = value"), environment
 * variables (PACE_KEY) and command-line flags (--key or --key-with-dashes),
 * prints --help and dumps the effective configuration. Unknown keys and
 * out-of-bounds values are errors, never silently ignored.
 */
#ifndef PACE_CFGTAB_H
#define PACE_CFGTAB_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

enum cfg_type {
	CFG_INT,  /* long long, min..max; CFG_BYTES allows k/m/g suffixes */
	CFG_BOOL, /* int: true/false/yes/no/on/off/1/0 */
	CFG_STR,  /* char *, owned by the object; NULL when empty */
};

enum {
	CFG_BYTES = 1 << 0,  /* integer may carry a k/m/g (KiB/MiB/GiB) suffix */
	CFG_RELOAD = 1 << 1, /* may change on reload (SIGHUP) */
	CFG_SECRET = 1 << 2, /* never printed */
};

struct cfg_key {
	const char *name; /* lower_snake_case; table sorted by name */
	enum cfg_type type;
	long long min, max;
	const char *def; /* default as text; NULL for an empty string */
	size_t offset;   /* where the value lives in the object */
	unsigned flags;
	const char *help; /* one sentence */
};

struct cfg_table {
	const struct cfg_key *keys;
	size_t n;
};

/* Set every key to its default. Returns 0 or E_CONFIG (a bad table). */
int cfg_defaults(const struct cfg_table *t, void *obj, char *err,
	size_t errlen) WARN_UNUSED;

/* Look a key up by name; '-' and '_' are the same. NULL if unknown. */
const struct cfg_key *cfg_find(const struct cfg_table *t, const char *name);

/* Parse and set one value. On error obj is unchanged and err says why. */
int cfg_set(const struct cfg_table *t, void *obj, const char *name,
	const char *value, char *err, size_t errlen) WARN_UNUSED;

/* Read "key = value" lines; '#' starts a comment. */
int cfg_load_file(const struct cfg_table *t, void *obj, const char *path,
	char *err, size_t errlen) WARN_UNUSED;

/* Apply PREFIX + upper-case key variables that are set, e.g. PACE_LISTEN. */
int cfg_load_env(const struct cfg_table *t, void *obj, const char *prefix,
	char *err, size_t errlen) WARN_UNUSED;

/* Format one value as text into buf. */
void cfg_format(const struct cfg_key *k, const void *obj, char *buf,
	size_t len);

/* Print "key = value" for every key (secrets masked). */
void cfg_dump(const struct cfg_table *t, const void *obj, FILE *out);

/* Print the keys as --flags with bounds, defaults and help. */
void cfg_print_help(const struct cfg_table *t, FILE *out);

/* Free the strings the object owns. */
void cfg_free(const struct cfg_table *t, void *obj);

#endif
