/*
 * Unit tests of the table-driven configuration parser (common/cfgtab.c):
 * defaults, bounds, k/m/g suffixes, unknown keys, booleans, files (comments,
 * quotes, line numbers in errors) and PREFIX_KEY environment overrides.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfgtab.h"

struct tcfg {
	long long max_items;
	long long buf_bytes;
	int verbose;
	char *name;
	char *secret;
};

#define K(f) offsetof(struct tcfg, f)

/* Sorted by name, as real tables are. */
static const struct cfg_key keys[] = {
        {"buf_bytes", CFG_INT, 64, 1LL << 32, "4k", K(buf_bytes), CFG_BYTES,
                "Buffer size."},
        {"max_items", CFG_INT, 1, 1000, "10", K(max_items), 0, "Items."},
        {"name", CFG_STR, 0, 16, "pace", K(name), 0, "A name."},
        {"secret", CFG_STR, 0, 64, NULL, K(secret), CFG_SECRET, "A secret."},
        {"verbose", CFG_BOOL, 0, 1, "false", K(verbose), 0, "Chatty."},
};
static const struct cfg_table table = {keys, sizeof(keys) / sizeof(keys[0])};

static char err[512];

static int
setup(void **state)
{
	struct tcfg *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	assert_int_equal(cfg_defaults(&table, c, err, sizeof(err)), 0);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	cfg_free(&table, *state);
	free(*state);
	return 0;
}

/* Write text to a fresh temporary file; the caller unlinks and frees. */
static char *
write_file(const char *text)
{
	char *path = strdup("/tmp/pace-cfgtab-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static int
load_text(struct tcfg *c, const char *text, char **path_out)
{
	char *path = write_file(text);
	int rc = cfg_load_file(&table, c, path, err, sizeof(err));

	unlink(path);
	if (path_out)
		*path_out = path;
	else
		free(path);
	return rc;
}

static void
test_defaults(void **state)
{
	struct tcfg *c = *state;

	assert_int_equal(c->max_items, 10);
	assert_int_equal(c->buf_bytes, 4096);
	assert_int_equal(c->verbose, 0);
	assert_non_null(c->name);
	assert_string_equal(c->name, "pace");
	assert_null(c->secret);
}

static void
test_bad_default_is_reported(void **state)
{
	static const struct cfg_key bad[] = {
	        {"n", CFG_INT, 1, 5, "9", 0, 0, "Out of bounds default."},
	};
	static const struct cfg_table bt = {bad, 1};
	long long n = 0;

	assert_int_equal(cfg_defaults(&bt, &n, err, sizeof(err)), E_CONFIG);
	assert_non_null(strstr(err, "n: 9 is outside 1..5"));
}

static void
test_find_names(void **state)
{
	assert_ptr_equal(cfg_find(&table, "max_items"), &keys[1]);
	/* Dashes and underscores are the same, and case does not matter. */
	assert_ptr_equal(cfg_find(&table, "max-items"), &keys[1]);
	assert_ptr_equal(cfg_find(&table, "MAX_ITEMS"), &keys[1]);
	assert_null(cfg_find(&table, "max_item"));
	assert_null(cfg_find(&table, "max_itemss"));
	assert_null(cfg_find(&table, ""));
}

static void
test_bounds(void **state)
{
	struct tcfg *c = *state;

	assert_int_equal(
	        cfg_set(&table, c, "max_items", "1", err, sizeof(err)), 0);
	assert_int_equal(c->max_items, 1);
	assert_int_equal(
	        cfg_set(&table, c, "max_items", "1000", err, sizeof(err)), 0);
	assert_int_equal(c->max_items, 1000);

	/* Out of bounds: an error naming the range; the value is kept. */
	assert_int_equal(cfg_set(&table, c, "max_items", "0", err, sizeof(err)),
	        E_CONFIG);
	assert_string_equal(err, "max_items: 0 is outside 1..1000");
	assert_int_equal(c->max_items, 1000);
	assert_int_equal(
	        cfg_set(&table, c, "max_items", "1001", err, sizeof(err)),
	        E_CONFIG);
	assert_int_equal(c->max_items, 1000);
	assert_int_equal(
	        cfg_set(&table, c, "max_items", "-5", err, sizeof(err)),
	        E_CONFIG);
	assert_int_equal(c->max_items, 1000);

	/* Not a number at all. */
	assert_int_equal(cfg_set(&table, c, "max_items", "", err, sizeof(err)),
	        E_CONFIG);
	assert_int_equal(
	        cfg_set(&table, c, "max_items", "12abc", err, sizeof(err)),
	        E_CONFIG);
	assert_non_null(strstr(err, "is not a number"));
	assert_int_equal(cfg_set(&table, c, "max_items", "99999999999999999999",
	                         err, sizeof(err)),
	        E_CONFIG);
	assert_int_equal(c->max_items, 1000);

	/* Strings are bounded by length. */
	assert_int_equal(cfg_set(&table, c, "name", "0123456789abcdef", err,
	                         sizeof(err)),
	        0);
	assert_int_equal(cfg_set(&table, c, "name", "0123456789abcdefg", err,
	                         sizeof(err)),
	        E_CONFIG);
	assert_non_null(strstr(err, "longer than 16"));
	assert_string_equal(c->name, "0123456789abcdef");
	/* An empty string is stored as NULL. */
	assert_int_equal(cfg_set(&table, c, "name", "", err, sizeof(err)), 0);
	assert_null(c->name);
}

static void
test_suffixes(void **state)
{
	struct tcfg *c = *state;
	static const struct {
		const char *text;
		long long want;
	} ok[] = {
	        {"64", 64},
	        {"4k", 4096},
	        {"4K", 4096},
	        {"4KiB", 4096},
	        {"4kb", 4096},
	        {"2m", 2LL * 1024 * 1024},
	        {"3M", 3LL * 1024 * 1024},
	        {"1MiB", 1024LL * 1024},
	        {"4g", 4LL * 1024 * 1024 * 1024},
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(cfg_set(&table, c, "buf_bytes", ok[i].text,
		                         err, sizeof(err)),
		        0);
		assert_int_equal(c->buf_bytes, ok[i].want);
	}
	/* Bounds apply after the suffix: 5g > 4 GiB, 63 < 64. */
	assert_int_equal(
	        cfg_set(&table, c, "buf_bytes", "5g", err, sizeof(err)),
	        E_CONFIG);
	assert_non_null(strstr(err, "outside"));
	assert_int_equal(
	        cfg_set(&table, c, "buf_bytes", "63", err, sizeof(err)),
	        E_CONFIG);
	assert_int_equal(c->buf_bytes, 4LL * 1024 * 1024 * 1024);
	/* Unknown suffixes, trailing junk and overflow are refused. */
	static const char *const bad[] = {
	        "4t", "4kk", "4k b", "k", "4 k", "4kx", "9223372036854775807k"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cfg_set(&table, c, "buf_bytes", bad[i], err,
		                         sizeof(err)),
		        E_CONFIG);
		assert_non_null(strstr(err, "k/m/g suffix allowed"));
	}
	/* A key without CFG_BYTES takes no suffix. */
	assert_int_equal(
	        cfg_set(&table, c, "max_items", "1k", err, sizeof(err)),
	        E_CONFIG);
	assert_int_equal(c->max_items, 10);
}

static void
test_unknown_key(void **state)
{
	struct tcfg *c = *state;

	assert_int_equal(
	        cfg_set(&table, c, "no_such_key", "1", err, sizeof(err)),
	        E_CONFIG);
	assert_string_equal(err, "unknown setting 'no_such_key'");
}

static void
test_bools(void **state)
{
	struct tcfg *c = *state;
	static const char *const yes[] = {
	        "1", "true", "TRUE", "yes", "Yes", "on", "ON"};
	static const char *const no[] = {
	        "0", "false", "False", "no", "NO", "off", "Off"};
	static const char *const bad[] = {
	        "", "2", "maybe", "tru", "yess", "y", "n", " true"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		c->verbose = 0;
		assert_int_equal(
		        cfg_set(&table, c, "verbose", yes[i], err, sizeof(err)),
		        0);
		assert_int_equal(c->verbose, 1);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		c->verbose = 1;
		assert_int_equal(
		        cfg_set(&table, c, "verbose", no[i], err, sizeof(err)),
		        0);
		assert_int_equal(c->verbose, 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c->verbose = 1;
		assert_int_equal(
		        cfg_set(&table, c, "verbose", bad[i], err, sizeof(err)),
		        E_CONFIG);
		assert_non_null(strstr(err, "is not a boolean"));
		assert_int_equal(c->verbose, 1);
	}
}

static void
test_file_parsing(void **state)
{
	struct tcfg *c = *state;
	const char *text = "# a comment line\n"
	                   "\n"
	                   "   \t\n"
	                   "max_items = 42   # trailing comment\n"
	                   "  buf-bytes=8k\n"
	                   "verbose\t=\tyes\n"
	                   "name = \"  two words \"\n"
	                   "secret = plain\n";

	assert_int_equal(load_text(c, text, NULL), 0);
	assert_int_equal(c->max_items, 42);
	assert_int_equal(c->buf_bytes, 8192);
	assert_int_equal(c->verbose, 1);
	/* Quotes keep the spaces inside them and are removed. */
	assert_string_equal(c->name, "  two words ");
	assert_string_equal(c->secret, "plain");

	/* A quoted empty value clears a string. */
	assert_int_equal(load_text(c, "name = \"\"\n", NULL), 0);
	assert_null(c->name);

	/* No trailing newline on the last line is fine. */
	assert_int_equal(load_text(c, "max_items = 7", NULL), 0);
	assert_int_equal(c->max_items, 7);
}

static void
test_file_errors_have_line_numbers(void **state)
{
	struct tcfg *c = *state;
	char *path, want[600];

	assert_int_equal(
	        load_text(c,
	                "# ok\nmax_items = 5\n\nbogus = 1\nmax_items = 6\n",
	                &path),
	        E_CONFIG);
	snprintf(want, sizeof(want), "%s:4: unknown setting 'bogus'", path);
	assert_string_equal(err, want);
	/* Lines before the error were applied; lines after it were not. */
	assert_int_equal(c->max_items, 5);
	free(path);

	assert_int_equal(load_text(c, "\n\nmax_items 5\n", &path), E_CONFIG);
	snprintf(want, sizeof(want), "%s:3: expected key = value", path);
	assert_string_equal(err, want);
	free(path);

	assert_int_equal(
	        load_text(c, "verbose = yes\nverbose = perhaps\n", &path),
	        E_CONFIG);
	snprintf(want, sizeof(want),
	        "%s:2: verbose: 'perhaps' is not a boolean", path);
	assert_string_equal(err, want);
	free(path);

	assert_int_equal(load_text(c, "max_items = 5000\n", &path), E_CONFIG);
	snprintf(want, sizeof(want), "%s:1: max_items: 5000 is outside 1..1000",
	        path);
	assert_string_equal(err, want);
	free(path);

	/* A missing file names the file and the reason. */
	assert_int_equal(cfg_load_file(&table, c, "/nonexistent/pace.conf", err,
	                         sizeof(err)),
	        E_CONFIG);
	assert_non_null(strstr(err, "/nonexistent/pace.conf: "));
	assert_non_null(strstr(err, "No such file"));
}

static void
test_env_override(void **state)
{
	struct tcfg *c = *state;

	unsetenv("PACETEST_MAX_ITEMS");
	unsetenv("PACETEST_BUF_BYTES");
	unsetenv("PACETEST_VERBOSE");
	unsetenv("PACETEST_NAME");
	unsetenv("PACETEST_SECRET");

	/* Nothing set: nothing changes. */
	assert_int_equal(
	        cfg_load_env(&table, c, "PACETEST_", err, sizeof(err)), 0);
	assert_int_equal(c->max_items, 10);

	/* PREFIX + upper-case key; the file's value is overridden. */
	assert_int_equal(
	        load_text(c, "max_items = 42\nname = fromfile\n", NULL), 0);
	setenv("PACETEST_MAX_ITEMS", "77", 1);
	setenv("PACETEST_BUF_BYTES", "1m", 1);
	setenv("PACETEST_VERBOSE", "on", 1);
	/* Lower-case or unprefixed variables are not ours. */
	setenv("pacetest_name", "lower", 1);
	setenv("NAME", "bare", 1);
	assert_int_equal(
	        cfg_load_env(&table, c, "PACETEST_", err, sizeof(err)), 0);
	assert_int_equal(c->max_items, 77);
	assert_int_equal(c->buf_bytes, 1024 * 1024);
	assert_int_equal(c->verbose, 1);
	assert_string_equal(c->name, "fromfile");

	/* A bad value names the variable; values before it were applied. */
	setenv("PACETEST_MAX_ITEMS", "0", 1);
	assert_int_equal(cfg_load_env(&table, c, "PACETEST_", err, sizeof(err)),
	        E_CONFIG);
	assert_string_equal(
	        err, "PACETEST_MAX_ITEMS: max_items: 0 is outside 1..1000");
	assert_int_equal(c->max_items, 77);

	unsetenv("PACETEST_MAX_ITEMS");
	unsetenv("PACETEST_BUF_BYTES");
	unsetenv("PACETEST_VERBOSE");
	unsetenv("pacetest_name");
	unsetenv("NAME");
}

static void
test_format_and_dump(void **state)
{
	struct tcfg *c = *state;
	char buf[128], *out = NULL;
	size_t outlen = 0;
	FILE *f;

	assert_int_equal(
	        cfg_set(&table, c, "secret", "hunter22", err, sizeof(err)), 0);
	cfg_format(&keys[0], c, buf, sizeof(buf));
	assert_string_equal(buf, "4096");
	cfg_format(&keys[4], c, buf, sizeof(buf));
	assert_string_equal(buf, "false");
	/* Secrets are never printed. */
	cfg_format(&keys[3], c, buf, sizeof(buf));
	assert_string_equal(buf, "********");

	f = open_memstream(&out, &outlen);
	assert_non_null(f);
	cfg_dump(&table, c, f);
	fclose(f);
	assert_string_equal(out,
	        "buf_bytes = 4096\n"
	        "max_items = 10\n"
	        "name = pace\n"
	        "secret = ********\n"
	        "verbose = false\n");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	        cmocka_unit_test(test_bad_default_is_reported),
	        cmocka_unit_test(test_find_names),
	        cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_suffixes, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_unknown_key, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_bools, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_file_parsing, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_file_errors_have_line_numbers, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_env_override, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_format_and_dump, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
