/*
 * paced's configuration: one table (config.c) with every key, its bounds,
 * default and help. Sources, later ones winning: defaults, the config file,
 * PACE_* environment variables, command-line flags.
 */
#ifndef PACE_CONFIG_H
#define PACE_CONFIG_H

#include "cfgtab.h"

struct config {
	char *config_file;
	char *data_dir;
	char *db;
	long long group_commit_max;
	long long handshake_timeout_s;
	long long idle_timeout_s;
	char *listen;
	char *listen_db;
	char *log_format;
	char *log_level;
	long long login_backoff_max_s;
	long long login_max_failures;
	long long max_clients;
	long long max_conns_per_addr;
	long long max_frame_bytes;
	long long max_frame_bytes_preauth;
	long long max_inflight_per_conn;
	long long max_subscriptions_per_client;
	char *metrics_listen;
	long long outbuf_hard_bytes;
	long long outbuf_soft_bytes;
	long long outbuf_soft_seconds;
	char *pg_bindir;
	long long pg_connect_timeout_ms;
	long long pg_pipeline_depth;
	long long pg_pool_size;
	long long pg_queue_limit;
	long long pg_reconnect_max_ms;
	long long pg_reconnect_min_ms;
	char *pg_user;
	long long pwhash_concurrency;
	long long pwhash_mem_kib;
	long long pwhash_ops;
	long long pwhash_queue_limit;
	long long push_coalesce_ms;
	long long alert_interval_s;
	long long change_poll_ms;
	long long change_log_keep_s;
	long long client_sndbuf_bytes;
	int test_clock;
	long long rate_limit_burst;
	long long rate_limit_rps;
	long long session_ttl_hours;
	long long shutdown_timeout_s;
	char *tls_cert;
	char *tls_key;
};

extern const struct cfg_table config_table;

/* The config file read when neither --config-file nor PACE_CONFIG_FILE
 * names one; a missing default file is not an error. */
#ifndef PACE_CONFIG_PATH
#define PACE_CONFIG_PATH "/etc/pace/paced.conf"
#endif

/*
 * Build the configuration from argv (flags start at argv[first]), the
 * environment and the config file. `extra` lists the subcommand's own flags
 * ("name" takes a value, "name!" is a switch), which are skipped here; any
 * other unknown flag is an error. Returns 0, 1 when --help or --dump-config
 * printed and the caller should exit 0, or E_CONFIG with the reason printed
 * to stderr.
 *
 * The file is --config-file FILE, else $PACE_CONFIG_FILE, else
 * PACE_CONFIG_PATH if it exists; an empty name means no file. A file named
 * explicitly must exist. --check-config also validates what the other
 * options can only find out at start (readable TLS files, addresses) and
 * prints the effective configuration; --example-config prints the
 * commented example file generated from the table (deploy/paced.conf.example).
 */
int config_load(struct config *cfg, int argc, char **argv, int first,
	const char *usage, const char *const *extra) WARN_UNUSED;
void config_free(struct config *cfg);

#endif
