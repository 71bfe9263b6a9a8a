/*
 * paced: the Pace server. Reads the configuration, prepares the database
 * (embedded cluster, migrations), then runs the libuv loop until SIGTERM:
 * stop accepting, let requests in progress finish, close, exit 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "backup.h"
#include "clock.h"
#include "conn.h"
#include "db/embedded.h"
#include "db/migrate.h"
#include "db/pg_pool.h"
#include "push/feed.h"
#include "push/topics.h"
#include "init_cmd.h"
#include "listener.h"
#include "log.h"
#include "metrics_http.h"
#include "sdnotify.h"
#include "server.h"
#include "tls.h"
#include "xmalloc.h"

struct server srv;

static uv_timer_t cron_timer;
static uv_timer_t stop_timer;
static uv_prepare_t flush_prep;
static uv_signal_t sig_term, sig_int, sig_hup;
static int64_t stop_deadline;
static int saved_argc;
static char **saved_argv;
static int exit_code;

static const char usage[] =
	"usage: paced [options]           run the server\n"
	"       paced init --org NAME --admin LOGIN --password-stdin [options]\n"
	"                                 create the organisation and its admin\n"
	"       paced backup --output FILE\n"
	"                                 pg_dump the database (custom format)\n"
	"       paced --dump-config       print the effective configuration\n"
	"       paced --check-config      validate it too (exit 2 on errors)\n"
	"       paced --example-config    print the commented example config file\n"
	"       paced --version\n"
	"\n"
	"Every option is also a PACE_<KEY> environment variable and a\n"
	"`key = value` line of the config file (" PACE_CONFIG_PATH "\n"
	"unless --config-file or PACE_CONFIG_FILE says otherwise). With no --db,\n"
	"paced runs its own PostgreSQL cluster in --data-dir.\n\noptions:\n";

static const char *const init_flags[] = {"org", "admin", "password-stdin!",
	NULL};

static void
flush_cb(uv_prepare_t *h)
{
	conn_flush_all();
}

static void
cron_cb(uv_timer_t *t)
{
	conn_cron(clock_mono_us());
}

static void
announce_ready(void)
{
	if (!srv.db_ready || !srv.listening)
		return;
	/* Tests and scripts wait for this line. */
	log_info("ready port=%d", srv.port);
	sdnotify("READY=1");
}

static void
db_first_ready(void *arg)
{
	srv.db_ready = 1;
	announce_ready();
}

static void
close_walk_cb(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void
pool_stopped(void *arg)
{
	/* The signal handles close now: a late SIGTERM must not kill us. */
	signal(SIGTERM, SIG_IGN);
	uv_walk(srv.loop, close_walk_cb, NULL);
}

/* Everything in progress is done (or the deadline passed): close up. */
static void
stop_timer_cb(uv_timer_t *t)
{
	struct conn *c;
	int busy = 0;

	TAILQ_FOREACH(c, &srv.clients, all_entry)
		busy += c->inflight;
	busy += auth_busy();
	if (busy > 0 && clock_mono_us() < stop_deadline)
		return;
	if (busy > 0)
		log_warn("shutdown: %d requests still in progress, closing anyway",
			busy);
	uv_timer_stop(t);
	conn_flush_all();
	conn_close_all("server shutting down");
	feed_stop();
	topics_fini();
	pg_pool_stop(pool_stopped, NULL);
}

static void
begin_shutdown(const char *why)
{
	if (srv.stopping)
		return;
	srv.stopping = 1;
	log_info("shutting down (%s): no new connections, finishing requests",
		why);
	sdnotify("STOPPING=1");
	listener_stop();
	metrics_http_stop();
	conn_stop_reading_all();
	stop_deadline = clock_mono_us() + srv.cfg.shutdown_timeout_s * 1000000LL;
	uv_timer_start(&stop_timer, stop_timer_cb, 0, 20);
}

static void
apply_logging(const struct config *cfg)
{
	enum log_level lvl;

	if (cfg->log_level && log_level_parse(cfg->log_level, &lvl) == 0)
		log_set_level(lvl);
	log_set_json(cfg->log_format && strcmp(cfg->log_format, "json") == 0);
}

/* SIGHUP: re-read file and environment; take what may change live. */
static void
reload(void)
{
	struct config fresh;
	char was[1024], now[1024];

	sdnotify("RELOADING=1");
	if (config_load(&fresh, saved_argc, saved_argv, 1, usage, init_flags) != 0) {
		log_error("reload failed: configuration kept as it was");
		sdnotify("READY=1");
		return;
	}
	for (size_t i = 0; i < config_table.n; i++) {
		const struct cfg_key *k = &config_table.keys[i];
		char *dst = (char *)&srv.cfg + k->offset;
		char *src = (char *)&fresh + k->offset;

		if (!(k->flags & CFG_RELOAD)) {
			cfg_format(k, &srv.cfg, was, sizeof(was));
			cfg_format(k, &fresh, now, sizeof(now));
			if (strcmp(was, now) != 0)
				log_warn("reload: %s changed; it takes effect "
					 "on restart",
					k->name);
			continue;
		}
		if (k->type == CFG_STR) {
			char **d = (char **)dst, **s = (char **)src;
			free(*d);
			*d = *s;
			*s = NULL;
		} else if (k->type == CFG_INT) {
			*(long long *)dst = *(long long *)src;
		} else {
			*(int *)dst = *(int *)src;
		}
	}
	config_free(&fresh);
	apply_logging(&srv.cfg);
	log_info("configuration reloaded");
	sdnotify("READY=1");
}

static void
signal_cb(uv_signal_t *h, int signum)
{
	if (signum == SIGHUP)
		reload();
	else
		begin_shutdown(signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static int
run_server(const char *conninfo)
{
	char err[256];
	int rc;

	srv.loop = uv_default_loop();
	TAILQ_INIT(&srv.clients);
	srv.started_us = clock_now_us();
	if ((rc = auth_init(srv.loop, srv.cfg.pwhash_ops, srv.cfg.pwhash_mem_kib,
		     (int)srv.cfg.pwhash_concurrency,
		     (int)srv.cfg.pwhash_queue_limit)) != 0) {
		log_error("password hashing unavailable");
		return 1;
	}
	if (srv.cfg.tls_cert) {
		srv.tls = tls_ctx_new(srv.cfg.tls_cert, srv.cfg.tls_key, err,
			sizeof(err));
		if (srv.tls == NULL) {
			log_error("TLS: %s", err);
			return 1;
		}
	}
	uv_prepare_init(srv.loop, &flush_prep);
	uv_prepare_start(&flush_prep, flush_cb);
	uv_timer_init(srv.loop, &cron_timer);
	uv_timer_start(&cron_timer, cron_cb, 1000, 1000);
	uv_timer_init(srv.loop, &stop_timer);
	uv_signal_init(srv.loop, &sig_term);
	uv_signal_start(&sig_term, signal_cb, SIGTERM);
	uv_signal_init(srv.loop, &sig_int);
	uv_signal_start(&sig_int, signal_cb, SIGINT);
	uv_signal_init(srv.loop, &sig_hup);
	uv_signal_start(&sig_hup, signal_cb, SIGHUP);

	struct pg_pool_opts po = {
		.conninfo = conninfo,
		.size = (int)srv.cfg.pg_pool_size,
		.pipeline_depth = (int)srv.cfg.pg_pipeline_depth,
		.queue_limit = (int)srv.cfg.pg_queue_limit,
		.batch_max = (int)srv.cfg.group_commit_max,
		.reconnect_min_ms = (int)srv.cfg.pg_reconnect_min_ms,
		.reconnect_max_ms = (int)srv.cfg.pg_reconnect_max_ms,
		.connect_timeout_ms = (int)srv.cfg.pg_connect_timeout_ms,
		.on_first_ready = db_first_ready,
		.on_commit_notify = feed_notify,
	};
	pg_pool_start(srv.loop, &po);
	topics_init(srv.loop, (int)srv.cfg.push_coalesce_ms);
	feed_start(srv.loop, srv.cfg.listen_db ? srv.cfg.listen_db : conninfo);
	if (srv.cfg.metrics_listen &&
		metrics_http_start(srv.loop, srv.cfg.metrics_listen) != 0) {
		exit_code = 1;
		begin_shutdown("cannot serve metrics");
	} else if (listener_start(srv.cfg.listen) != 0) {
		exit_code = 1;
		begin_shutdown("cannot listen");
	} else {
		srv.listening = 1;
		log_info("listening on %s (port %d)%s", srv.cfg.listen, srv.port,
			srv.tls ? " with TLS" : "");
		announce_ready();
	}
	uv_run(srv.loop, UV_RUN_DEFAULT);
	rc = uv_loop_close(srv.loop);
	if (rc != 0)
		log_warn("loop closed with handles open: %s", uv_strerror(rc));
	tls_ctx_free(srv.tls);
	log_info("stopped");
	return exit_code;
}

int
main(int argc, char **argv)
{
	char *conninfo = NULL, *data_dir = NULL;
	int is_init = argc > 1 && strcmp(argv[1], "init") == 0;
	int is_backup = argc > 1 && strcmp(argv[1], "backup") == 0;
	int rc, code = 1;

	signal(SIGPIPE, SIG_IGN);
	log_set_ident("paced");
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("paced %s (protocol %d)\n", PACE_VERSION, PROTO_VERSION);
		return 0;
	}
	saved_argc = argc;
	saved_argv = argv;
	rc = config_load(&srv.cfg, argc, argv, is_init || is_backup ? 2 : 1,
		usage, is_init ? init_flags : is_backup ? backup_flags : NULL);
	if (rc == 1)
		return 0;
	if (rc != 0)
		return 2;
	apply_logging(&srv.cfg);
	srandom((unsigned)clock_mono_us() ^ (unsigned)getpid());

	if (srv.cfg.db) {
		conninfo = xstrdup(srv.cfg.db);
	} else {
		data_dir = srv.cfg.data_dir ? xstrdup(srv.cfg.data_dir)
					    : embedded_default_dir();
		if (embedded_start(data_dir, srv.cfg.pg_bindir, srv.cfg.pg_user,
			    &conninfo) != 0)
			goto out;
	}
	if (is_backup) {
		/* Before any migration: back up what is there, as it is. */
		code = backup_cmd(conninfo, srv.cfg.pg_bindir, argc, argv);
		goto out;
	}
	if (migrate_apply(conninfo) != 0)
		goto out;
	if (is_init) {
		if (auth_init(NULL, srv.cfg.pwhash_ops, srv.cfg.pwhash_mem_kib, 1,
			    1) != 0)
			goto out;
		code = init_cmd(conninfo, argc, argv);
		goto out;
	}
	code = run_server(conninfo);
out:
	embedded_stop();
	free(conninfo);
	free(data_dir);
	config_free(&srv.cfg);
	return code;
}
