/* paced's configuration table and its loading order (see config.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "listener.h"
#include "log.h"
#include "wire.h"

#define K(name) offsetof(struct config, name)
#define MiB (1024LL * 1024)

/* Sorted by name: --help and --dump-config print in this order. */
static const struct cfg_key keys[] = {
	{"alert_interval_s", CFG_INT, 1, 86400, "60", K(alert_interval_s),
		CFG_RELOAD,
		"Seconds between the time-driven alert checks (pace, stale deals, overdue payments)."},
	{"change_log_keep_s", CFG_INT, 60, 604800, "3600",
		K(change_log_keep_s), CFG_RELOAD,
		"Seconds the change log keeps rows for instances catching up."},
	{"change_poll_ms", CFG_INT, 100, 600000, "5000", K(change_poll_ms),
		CFG_RELOAD,
		"Read the change log at least this often, even without NOTIFY."},
	{"client_sndbuf_bytes", CFG_INT, 0, 64 * MiB, "0",
		K(client_sndbuf_bytes), CFG_BYTES | CFG_RELOAD,
		"Kernel send buffer of each client socket (0: the system's autotuning, up to net.ipv4.tcp_wmem); bounds what a slow reader holds in the kernel besides outbuf_*."},
	{"config_file", CFG_STR, 0, 4096, NULL, K(config_file), 0,
		"Read settings from this file (key = value lines); empty for none. By default the file named in --help (/etc/pace/paced.conf in the packages) if it exists. Flag or PACE_CONFIG_FILE only."},
	{"data_dir", CFG_STR, 0, 4096, NULL, K(data_dir), 0,
		"Directory of the embedded PostgreSQL cluster, used when no --db is given."},
	{"db", CFG_STR, 0, 4096, NULL, K(db), CFG_SECRET,
		"libpq connection string of the PostgreSQL database to use."},
	{"group_commit_max", CFG_INT, 1, 10000, "256", K(group_commit_max),
		0, "Most writes committed together in one transaction."},
	{"handshake_timeout_s", CFG_INT, 1, 3600, "10",
		K(handshake_timeout_s), CFG_RELOAD,
		"Seconds a new connection has to say Hello and log in."},
	{"idle_timeout_s", CFG_INT, 0, 604800, "300", K(idle_timeout_s),
		CFG_RELOAD,
		"Close a logged-in connection silent for this many seconds (0: never)."},
	{"listen", CFG_STR, 1, 256, "127.0.0.1:7420", K(listen), 0,
		"Address and port to accept clients on (HOST:PORT; port 0 picks one)."},
	{"listen_db", CFG_STR, 0, 4096, NULL, K(listen_db), CFG_SECRET,
		"libpq connection string for the LISTEN and leader-lock connection (default: db); point it at PostgreSQL itself when db goes through a pooler."},
	{"log_format", CFG_STR, 1, 8, "text", K(log_format), CFG_RELOAD,
		"Log line format: text or json."},
	{"log_level", CFG_STR, 1, 8, "info", K(log_level), CFG_RELOAD,
		"Least severe level logged: error, warn, info, debug, trace."},
	{"login_backoff_max_s", CFG_INT, 1, 86400, "300",
		K(login_backoff_max_s), CFG_RELOAD,
		"Longest wait imposed after repeated failed logins."},
	{"login_max_failures", CFG_INT, 1, 1000, "5", K(login_max_failures),
		CFG_RELOAD,
		"Failed logins for one account or address before each next try waits."},
	{"max_clients", CFG_INT, 1, 1000000, "15000", K(max_clients),
		CFG_RELOAD, "Most client connections at once."},
	{"max_conns_per_addr", CFG_INT, 1, 1000000, "1000",
		K(max_conns_per_addr), CFG_RELOAD,
		"Most client connections from one source address."},
	{"max_frame_bytes", CFG_INT, 64, MAX_FRAME_BYTES_CEILING,
		"1048576", K(max_frame_bytes), CFG_BYTES,
		"Largest frame accepted after login."},
	{"max_frame_bytes_preauth", CFG_INT, 64, MiB, "4096",
		K(max_frame_bytes_preauth), CFG_BYTES,
		"Largest frame accepted before login."},
	{"max_inflight_per_conn", CFG_INT, 1, 100000, "128",
		K(max_inflight_per_conn), CFG_RELOAD,
		"Requests one connection may have in progress; reading pauses beyond."},
	{"max_subscriptions_per_client", CFG_INT, 1, 10000, "64",
		K(max_subscriptions_per_client), CFG_RELOAD,
		"Most live subscriptions on one connection."},
	{"metrics_listen", CFG_STR, 0, 256, NULL, K(metrics_listen), 0,
		"Serve Prometheus metrics over HTTP on HOST:PORT (off when empty)."},
	{"outbuf_hard_bytes", CFG_INT, 4096, 1024 * MiB, "8388608",
		K(outbuf_hard_bytes), CFG_BYTES | CFG_RELOAD,
		"Disconnect a client whose unsent output passes this."},
	{"outbuf_soft_bytes", CFG_INT, 1024, 1024 * MiB, "1048576",
		K(outbuf_soft_bytes), CFG_BYTES | CFG_RELOAD,
		"Disconnect a client whose unsent output stays above this..."},
	{"outbuf_soft_seconds", CFG_INT, 1, 3600, "10",
		K(outbuf_soft_seconds), CFG_RELOAD,
		"...for this many seconds."},
	{"pg_bindir", CFG_STR, 0, 4096, NULL, K(pg_bindir), 0,
		"PostgreSQL server binaries for the embedded cluster (default: newest /usr/lib/postgresql/*/bin)."},
	{"pg_connect_timeout_ms", CFG_INT, 0, 600000, "10000",
		K(pg_connect_timeout_ms), 0,
		"Give up a database connect attempt after this long (0: never)."},
	{"pg_pipeline_depth", CFG_INT, 1, 100000, "512",
		K(pg_pipeline_depth), 0,
		"Most statements in flight on one database connection."},
	{"pg_pool_size", CFG_INT, 1, 256, "4", K(pg_pool_size), 0,
		"Database connections."},
	{"pg_queue_limit", CFG_INT, 1, 10000000, "20000", K(pg_queue_limit),
		0,
		"Most statements waiting for a database connection; beyond, requests are refused."},
	{"pg_reconnect_max_ms", CFG_INT, 10, 600000, "5000",
		K(pg_reconnect_max_ms), 0,
		"Longest wait between database reconnect attempts."},
	{"pg_reconnect_min_ms", CFG_INT, 1, 600000, "100",
		K(pg_reconnect_min_ms), 0,
		"First wait before a database reconnect attempt."},
	{"pg_user", CFG_STR, 0, 64, "postgres", K(pg_user), 0,
		"OS user the embedded cluster runs as when paced is started as root."},
	{"push_coalesce_ms", CFG_INT, 0, 60000, "50", K(push_coalesce_ms),
		0,
		"Changes to one scope within this window cost one recompute and one push."},
	{"pwhash_concurrency", CFG_INT, 1, 256, "2", K(pwhash_concurrency), 0,
		"Password hashes computed at once (each takes pwhash_mem_kib of memory)."},
	{"pwhash_mem_kib", CFG_INT, 8, 4194304, "65536", K(pwhash_mem_kib), 0,
		"Memory cost of a new argon2id password hash, in KiB."},
	{"pwhash_ops", CFG_INT, 1, 20, "2", K(pwhash_ops), 0,
		"Time cost (passes) of a new argon2id password hash."},
	{"pwhash_queue_limit", CFG_INT, 1, 100000, "64",
		K(pwhash_queue_limit), 0,
		"Password checks waiting for a hash slot; beyond, logins are refused for now."},
	{"rate_limit_burst", CFG_INT, 1, 1000000, "400", K(rate_limit_burst),
		CFG_RELOAD, "Requests a session may send in a burst."},
	{"rate_limit_rps", CFG_INT, 0, 1000000, "200", K(rate_limit_rps),
		CFG_RELOAD,
		"Requests per second a session may sustain (0: unlimited)."},
	{"session_ttl_hours", CFG_INT, 1, 87600, "720", K(session_ttl_hours),
		CFG_RELOAD, "Hours a session token stays valid."},
	{"shutdown_timeout_s", CFG_INT, 1, 3600, "30", K(shutdown_timeout_s),
		CFG_RELOAD,
		"On SIGTERM, seconds to wait for requests in progress."},
	{"test_clock", CFG_BOOL, 0, 1, "false", K(test_clock), 0,
		"Let an admin move the server's clock (ClockSet): for tests only."},
	{"tls_cert", CFG_STR, 0, 4096, NULL, K(tls_cert), 0,
		"PEM certificate chain; with tls_key, clients must use TLS."},
	{"tls_key", CFG_STR, 0, 4096, NULL, K(tls_key), 0,
		"PEM private key of tls_cert."},
};

const struct cfg_table config_table = {keys, sizeof(keys) / sizeof(keys[0])};

static int
flag_name(const char *arg, char *name, size_t len, const char **value)
{
	const char *eq;
	size_t n;

	if (strncmp(arg, "--", 2) != 0)
		return -1;
	arg += 2;
	eq = strchr(arg, '=');
	n = eq ? (size_t)(eq - arg) : strlen(arg);
	if (n == 0 || n >= len)
		return -1;
	memcpy(name, arg, n);
	name[n] = '\0';
	*value = eq ? eq + 1 : NULL;
	return 0;
}

/*
 * Is name one of the subcommand's own flags? Entries are "name" for a flag
 * with a value and "name!" for a switch. Returns 1 (value), 2 (switch), 0.
 */
static int
extra_flag(const char *const *extra, const char *name)
{
	for (; extra && *extra; extra++) {
		size_t n = strlen(*extra);
		int sw = n > 0 && (*extra)[n - 1] == '!';

		if (strncmp(*extra, name, n - (size_t)sw) == 0 &&
			name[n - (size_t)sw] == '\0')
			return sw ? 2 : 1;
	}
	return 0;
}

/* Print text as "# " comment lines of at most 78 columns. */
static void
print_wrapped(FILE *out, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strlen(p), cut = n;

		if (n > 76) {
			for (cut = 76; cut > 0 && p[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = strcspn(p, " ");
		}
		fprintf(out, "# %.*s\n", (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

/* Print the commented example file: every key, its help, bounds, default. */
static void
print_example(FILE *out)
{
	fputs("# paced configuration (/etc/pace/paced.conf in the packages)\n"
	      "#\n"
	      "# Generated from paced's option table by `paced --example-config`\n"
	      "# (deploy/paced.conf.example); every key is listed, commented out,\n"
	      "# with its default. Lines are `key = value`; '#' starts a comment;\n"
	      "# quote a value that holds '#'. PACE_<KEY> environment variables and\n"
	      "# --key flags override this file. Keys marked \"reload\" change on\n"
	      "# SIGHUP (systemctl reload paced); the others need a restart.\n",
		out);
	for (size_t i = 0; i < config_table.n; i++) {
		const struct cfg_key *k = &config_table.keys[i];
		const char *reload = k->flags & CFG_RELOAD ? "; reload" : "";

		fputc('\n', out);
		print_wrapped(out, k->help);
		switch (k->type) {
		case CFG_INT:
			fprintf(out, "# integer %lld..%lld%s%s\n", k->min,
				k->max,
				k->flags & CFG_BYTES ? ", k/m/g suffix allowed"
						     : "",
				reload);
			break;
		case CFG_BOOL:
			fprintf(out, "# true or false%s\n", reload);
			break;
		case CFG_STR:
			fprintf(out, "# text, at most %lld bytes%s%s\n", k->max,
				k->flags & CFG_SECRET ? ", never printed" : "",
				reload);
			break;
		}
		fprintf(out, "#%s =%s%s\n", k->name, k->def ? " " : "",
			k->def ? k->def : "");
	}
}

static int
hostport_ok(const char *s)
{
	char host[256];
	int port;

	return parse_hostport(s, host, sizeof(host), &port) == 0;
}

/*
 * Checks across keys and of values the table cannot bound. `deep` (for
 * --check-config) also looks at files the server would open.
 */
static int
validate(const struct config *cfg, int deep, char *err, size_t len)
{
	enum log_level lvl;

	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
		snprintf(err, len, "tls_cert and tls_key go together");
		return E_CONFIG;
	}
	if (cfg->log_format && strcmp(cfg->log_format, "text") != 0 &&
		strcmp(cfg->log_format, "json") != 0) {
		snprintf(err, len, "log_format: text or json");
		return E_CONFIG;
	}
	if (cfg->log_level && log_level_parse(cfg->log_level, &lvl) != 0) {
		snprintf(err, len,
			"log_level: error, warn, info, debug or trace");
		return E_CONFIG;
	}
	if (cfg->max_frame_bytes_preauth > cfg->max_frame_bytes) {
		snprintf(err, len,
			"max_frame_bytes_preauth exceeds max_frame_bytes");
		return E_CONFIG;
	}
	if (cfg->outbuf_soft_bytes > cfg->outbuf_hard_bytes) {
		snprintf(err, len, "outbuf_soft_bytes exceeds outbuf_hard_bytes");
		return E_CONFIG;
	}
	if (cfg->pg_reconnect_min_ms > cfg->pg_reconnect_max_ms) {
		snprintf(err, len,
			"pg_reconnect_min_ms exceeds pg_reconnect_max_ms");
		return E_CONFIG;
	}
	if (!hostport_ok(cfg->listen)) {
		snprintf(err, len, "listen: '%s' is not HOST:PORT", cfg->listen);
		return E_CONFIG;
	}
	if (cfg->metrics_listen && !hostport_ok(cfg->metrics_listen)) {
		snprintf(err, len, "metrics_listen: '%s' is not HOST:PORT",
			cfg->metrics_listen);
		return E_CONFIG;
	}
	if (cfg->listen_db && cfg->db == NULL) {
		snprintf(err, len, "listen_db needs db (the embedded "
				   "database has no pooler to bypass)");
		return E_CONFIG;
	}
	if (!deep)
		return 0;
	for (const char *const *f = (const char *const[]){cfg->tls_cert,
		     cfg->tls_key, NULL};
		*f; f++) {
		if (access(*f, R_OK) != 0) {
			snprintf(err, len, "%s: %s", *f, strerror(errno));
			return E_CONFIG;
		}
	}
	return 0;
}

int
config_load(struct config *cfg, int argc, char **argv, int first,
	const char *usage, const char *const *extra)
{
	char err[512], name[64];
	const char *file = NULL, *value;
	int dump = 0, check = 0, explicit_file = 0, rc;

	memset(cfg, 0, sizeof(*cfg));
	if ((rc = cfg_defaults(&config_table, cfg, err, sizeof(err))) != 0)
		goto fail;

	/* First pass: --help, --dump-config and where the file is. */
	for (int i = first; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			cfg_print_help(&config_table, stdout);
			return 1;
		}
		if (strcmp(argv[i], "--example-config") == 0) {
			print_example(stdout);
			return 1;
		}
		if (strcmp(argv[i], "--dump-config") == 0)
			dump = 1;
		if (strcmp(argv[i], "--check-config") == 0)
			dump = check = 1;
		if (flag_name(argv[i], name, sizeof(name), &value) == 0 &&
			strcmp(name, "config-file") == 0) {
			file = value ? value : (i + 1 < argc ? argv[i + 1] : NULL);
			explicit_file = 1;
		}
	}
	if (!explicit_file && (file = getenv("PACE_CONFIG_FILE")) != NULL)
		explicit_file = 1;
	if (!explicit_file && access(PACE_CONFIG_PATH, F_OK) == 0)
		file = PACE_CONFIG_PATH; /* read errors are errors from here */
	if (file && *file && (rc = cfg_load_file(&config_table, cfg, file, err,
				      sizeof(err))) != 0)
		goto fail;
	if ((rc = cfg_load_env(&config_table, cfg, "PACE_", err,
		     sizeof(err))) != 0)
		goto fail;
	for (int i = first; i < argc; i++) {
		int kind;

		if (strcmp(argv[i], "--dump-config") == 0 ||
			strcmp(argv[i], "--check-config") == 0)
			continue;
		if (flag_name(argv[i], name, sizeof(name), &value) != 0) {
			snprintf(err, sizeof(err), "unexpected argument '%s'",
				argv[i]);
			rc = E_CONFIG;
			goto fail;
		}
		if ((kind = extra_flag(extra, name)) != 0) {
			/* The subcommand's own flag: it parses it itself. */
			if (kind == 1 && value == NULL)
				i++;
			continue;
		}
		if (cfg_find(&config_table, name) == NULL) {
			snprintf(err, sizeof(err),
				"unknown option --%s (see --help)", name);
			rc = E_CONFIG;
			goto fail;
		}
		if (value == NULL) {
			if (i + 1 >= argc) {
				snprintf(err, sizeof(err), "--%s needs a value",
					name);
				rc = E_CONFIG;
				goto fail;
			}
			value = argv[++i];
		}
		if ((rc = cfg_set(&config_table, cfg, name, value, err,
			     sizeof(err))) != 0)
			goto fail;
	}
	/* config_file shows the file actually read (empty: none). */
	if ((rc = cfg_set(&config_table, cfg, "config_file", file ? file : "",
		     err, sizeof(err))) != 0)
		goto fail;
	if ((rc = validate(cfg, check, err, sizeof(err))) != 0)
		goto fail;
	if (dump) {
		cfg_dump(&config_table, cfg, stdout);
		if (check)
			fprintf(stderr, "paced: configuration OK (%s)\n",
				file && *file ? file : "no config file");
		return 1;
	}
	return 0;
fail:
	fprintf(stderr, "paced: %s\n", err);
	config_free(cfg);
	return E_CONFIG;
}

void
config_free(struct config *cfg)
{
	cfg_free(&config_table, cfg);
}
