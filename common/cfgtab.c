/* Table-driven configuration parser (see cfgtab.h). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfgtab.h"
#include "xmalloc.h"

#define FIELD(obj, k, type) ((type *)((char *)(obj) + (k)->offset))
#define CFIELD(obj, k, type) ((const type *)((const char *)(obj) + (k)->offset))

static int
name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '-' ? '_' : (char)tolower((unsigned char)*a);
		char cb = *b == '-' ? '_' : (char)tolower((unsigned char)*b);
		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

const struct cfg_key *
cfg_find(const struct cfg_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (name_eq(t->keys[i].name, name))
			return &t->keys[i];
	return NULL;
}

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int
parse_int(const char *v, unsigned flags, long long *out)
{
	char *end;
	long long n, mul = 1;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (end == v || errno != 0)
		return -1;
	if (*end && (flags & CFG_BYTES)) {
		switch (tolower((unsigned char)*end)) {
		case 'k':
			mul = 1024;
			break;
		case 'm':
			mul = 1024 * 1024;
			break;
		case 'g':
			mul = 1024LL * 1024 * 1024;
			break;
		default:
			return -1;
		}
		end++;
		if (strcasecmp(end, "ib") == 0 || strcasecmp(end, "b") == 0)
			end += strlen(end);
	}
	if (*end != '\0')
		return -1;
	if (n > LLONG_MAX / mul || n < LLONG_MIN / mul)
		return -1;
	*out = n * mul;
	return 0;
}

static int
set_key(const struct cfg_key *k, void *obj, const char *value, char *err,
	size_t errlen)
{
	long long n;
	int b;

	switch (k->type) {
	case CFG_INT:
		if (parse_int(value, k->flags, &n) != 0) {
			snprintf(err, errlen, "%s: '%s' is not a number%s",
				k->name, value,
				k->flags & CFG_BYTES ? " (k/m/g suffix allowed)"
						     : "");
			return E_CONFIG;
		}
		if (n < k->min || n > k->max) {
			snprintf(err, errlen, "%s: %lld is outside %lld..%lld",
				k->name, n, k->min, k->max);
			return E_CONFIG;
		}
		*FIELD(obj, k, long long) = n;
		return 0;
	case CFG_BOOL:
		if (parse_bool(value, &b) != 0) {
			snprintf(err, errlen, "%s: '%s' is not a boolean",
				k->name, value);
			return E_CONFIG;
		}
		*FIELD(obj, k, int) = b;
		return 0;
	case CFG_STR:
		if ((long long)strlen(value) > k->max) {
			snprintf(err, errlen, "%s: longer than %lld bytes",
				k->name, k->max);
			return E_CONFIG;
		}
		free(*FIELD(obj, k, char *));
		*FIELD(obj, k, char *) = *value ? xstrdup(value) : NULL;
		return 0;
	}
	snprintf(err, errlen, "%s: bad type", k->name);
	return E_CONFIG;
}

int
cfg_defaults(const struct cfg_table *t, void *obj, char *err, size_t errlen)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct cfg_key *k = &t->keys[i];
		int rc;

		if (k->type == CFG_STR) {
			*FIELD(obj, k, char *) = NULL;
			if (k->def == NULL)
				continue;
		}
		rc = set_key(k, obj, k->def ? k->def : "", err, errlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
cfg_set(const struct cfg_table *t, void *obj, const char *name,
	const char *value, char *err, size_t errlen)
{
	const struct cfg_key *k = cfg_find(t, name);

	if (k == NULL) {
		snprintf(err, errlen, "unknown setting '%s'", name);
		return E_CONFIG;
	}
	return set_key(k, obj, value, err, errlen);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
cfg_load_file(const struct cfg_table *t, void *obj, const char *path,
	char *err, size_t errlen)
{
	char line[4096], sub[512];
	FILE *f = fopen(path, "r");
	int lineno = 0, rc = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return E_CONFIG;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p, *eq, *key, *val;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", path,
				lineno);
			rc = E_CONFIG;
			break;
		}
		p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			snprintf(err, errlen, "%s:%d: expected key = value",
				path, lineno);
			rc = E_CONFIG;
			break;
		}
		*eq = '\0';
		key = trim(p);
		val = trim(eq + 1);
		/*
		 * A quoted value may hold '#'; after its closing quote only a
		 * comment may follow. An unquoted value ends at '#'.
		 */
		if (*val == '"') {
			char *close = strchr(val + 1, '"'), *rest;
			if (close == NULL) {
				snprintf(err, errlen, "%s:%d: unterminated quote",
					path, lineno);
				rc = E_CONFIG;
				break;
			}
			*close = '\0';
			rest = trim(close + 1);
			if (*rest != '\0' && *rest != '#') {
				snprintf(err, errlen,
					"%s:%d: unexpected text after the quoted value",
					path, lineno);
				rc = E_CONFIG;
				break;
			}
			val++;
		} else {
			if ((p = strchr(val, '#')) != NULL)
				*p = '\0';
			val = trim(val);
		}
		rc = cfg_set(t, obj, key, val, sub, sizeof(sub));
		if (rc != 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, sub);
			break;
		}
	}
	fclose(f);
	return rc;
}

int
cfg_load_env(const struct cfg_table *t, void *obj, const char *prefix,
	char *err, size_t errlen)
{
	char var[128], sub[512];

	for (size_t i = 0; i < t->n; i++) {
		const struct cfg_key *k = &t->keys[i];
		const char *v;
		size_t j, pl = strlen(prefix);
		int rc;

		if (pl + strlen(k->name) + 1 > sizeof(var))
			continue;
		memcpy(var, prefix, pl);
		for (j = 0; k->name[j]; j++)
			var[pl + j] = (char)toupper((unsigned char)k->name[j]);
		var[pl + j] = '\0';
		if ((v = getenv(var)) == NULL)
			continue;
		rc = set_key(k, obj, v, sub, sizeof(sub));
		if (rc != 0) {
			snprintf(err, errlen, "%s: %s", var, sub);
			return rc;
		}
	}
	return 0;
}

void
cfg_format(const struct cfg_key *k, const void *obj, char *buf, size_t len)
{
	const char *s;

	switch (k->type) {
	case CFG_INT:
		snprintf(buf, len, "%lld", *CFIELD(obj, k, long long));
		break;
	case CFG_BOOL:
		snprintf(buf, len, "%s", *CFIELD(obj, k, int) ? "true" : "false");
		break;
	case CFG_STR:
		s = *CFIELD(obj, k, char *);
		if (s && (k->flags & CFG_SECRET))
			s = "********";
		snprintf(buf, len, "%s", s ? s : "");
		break;
	}
}

void
cfg_dump(const struct cfg_table *t, const void *obj, FILE *out)
{
	char buf[1024];

	for (size_t i = 0; i < t->n; i++) {
		cfg_format(&t->keys[i], obj, buf, sizeof(buf));
		fprintf(out, "%s = %s\n", t->keys[i].name, buf);
	}
}

void
cfg_print_help(const struct cfg_table *t, FILE *out)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct cfg_key *k = &t->keys[i];
		char flag[96];
		size_t j;

		snprintf(flag, sizeof(flag), "--%s", k->name);
		for (j = 2; flag[j]; j++)
			if (flag[j] == '_')
				flag[j] = '-';
		fprintf(out, "  %-30s %s\n", flag, k->help);
		if (k->type == CFG_INT)
			fprintf(out, "  %-30s (default %s, %lld..%lld)\n", "",
				k->def ? k->def : "", k->min, k->max);
		else if (k->def)
			fprintf(out, "  %-30s (default %s)\n", "", k->def);
	}
}

void
cfg_free(const struct cfg_table *t, void *obj)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct cfg_key *k = &t->keys[i];
		if (k->type == CFG_STR) {
			free(*FIELD(obj, k, char *));
			*FIELD(obj, k, char *) = NULL;
		}
	}
}
