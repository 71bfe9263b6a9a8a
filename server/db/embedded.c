/* The embedded PostgreSQL cluster (see embedded.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "embedded.h"
#include "log.h"
#include "xmalloc.h"

static struct {
	char *bindir, *pgdata, *sockdir, *logfile;
	uid_t uid;
	gid_t gid;
	int drop;    /* run the cluster's programs as uid/gid */
	int started; /* we started it: stop it on exit */
} e;

char *
embedded_default_dir(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (geteuid() == 0)
		return xstrdup("/var/lib/pace");
	if (xdg && *xdg)
		return xasprintf("%s/pace/server", xdg);
	return xasprintf("%s/.local/share/pace/server", home ? home : ".");
}

/* The newest /usr/lib/postgresql/<major>/bin holding pg_ctl. */
static char *
find_bindir(void)
{
	DIR *d = opendir("/usr/lib/postgresql");
	struct dirent *de;
	int best = -1;

	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		char path[512];
		int v = atoi(de->d_name);

		snprintf(path, sizeof(path), "/usr/lib/postgresql/%s/bin/pg_ctl",
			de->d_name);
		if (v > best && access(path, X_OK) == 0)
			best = v;
	}
	closedir(d);
	return best < 0 ? NULL
			: xasprintf("/usr/lib/postgresql/%d/bin", best);
}

static int
mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * Run a PostgreSQL program (as the cluster's user) with output to the log.
 * Returns its exit status, or -1.
 */
static int
run(const char *prog, char *const argv[])
{
	char path[512];
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s/%s", e.bindir, prog);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(e.logfile, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		if (e.drop && (setgid(e.gid) != 0 || setgroups(0, NULL) != 0 ||
				      setuid(e.uid) != 0))
			_exit(126);
		/*
		 * argv[0] must be the full path: initdb finds postgres next to
		 * itself from argv[0], and the bindir is rarely on PATH (never
		 * under systemd). The callers' arrays are writable; this is
		 * the child's copy.
		 */
		((char **)argv)[0] = path;
		/* PostgreSQL speaks sd_notify too: the READY=1 of the cluster
		 * must not pass for paced's (under systemd or not). */
		unsetenv("NOTIFY_SOCKET");
		execv(path, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Can the cluster's user reach path? (Its parents must be searchable.) */
static int
reachable(const char *path)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return 0;
	if (pid == 0) {
		if (setgid(e.gid) != 0 || setgroups(0, NULL) != 0 ||
			setuid(e.uid) != 0)
			_exit(1);
		_exit(access(path, R_OK | W_OK | X_OK) == 0 ? 0 : 1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int
ensure_database(const char *base)
{
	char *ci = xasprintf("%s dbname=postgres", base);
	PGconn *pg = PQconnectdb(ci);
	PGresult *r;
	int rc = 0;

	free(ci);
	if (PQstatus(pg) != CONNECTION_OK) {
		log_error("embedded database: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return E_UNAVAILABLE;
	}
	r = PQexec(pg, "SELECT 1 FROM pg_database WHERE datname = 'pace'");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 0) {
		PQclear(r);
		r = PQexec(pg, "CREATE DATABASE pace");
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			log_error("create database: %s", PQerrorMessage(pg));
			rc = E_UNAVAILABLE;
		}
	}
	PQclear(r);
	PQfinish(pg);
	return rc;
}

int
embedded_start(const char *data_dir, const char *bindir, const char *pg_user,
	char **conninfo)
{
	char ver[4096], opts[4200], *base;
	struct stat st;

	e.bindir = bindir ? xstrdup(bindir) : find_bindir();
	if (e.bindir == NULL) {
		log_error("embedded database: no PostgreSQL server found under "
			  "/usr/lib/postgresql (install the postgresql package, "
			  "or give --db)");
		return E_CONFIG;
	}
	e.pgdata = xasprintf("%s/pg", data_dir);
	e.sockdir = xasprintf("%s/sock", data_dir);
	e.logfile = xasprintf("%s/postgresql.log", data_dir);
	e.uid = geteuid();
	e.gid = getegid();
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam(pg_user ? pg_user : "postgres");
		if (pw == NULL || pw->pw_uid == 0) {
			log_error("embedded database: paced runs as root and "
				  "needs an unprivileged user for PostgreSQL; "
				  "user '%s' not found (set --pg-user)",
				pg_user ? pg_user : "postgres");
			return E_CONFIG;
		}
		e.uid = pw->pw_uid;
		e.gid = pw->pw_gid;
		e.drop = 1;
	}
	if (mkdir_p(data_dir, 0755) != 0 || mkdir_p(e.pgdata, 0700) != 0 ||
		mkdir_p(e.sockdir, 0700) != 0) {
		log_error("embedded database: cannot create %s: %s", data_dir,
			strerror(errno));
		return E_CONFIG;
	}
	if (e.drop) {
		if (chown(e.pgdata, e.uid, e.gid) != 0 ||
			chown(e.sockdir, e.uid, e.gid) != 0) {
			log_error("embedded database: chown: %s", strerror(errno));
			return E_CONFIG;
		}
		int fd = open(e.logfile, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			if (fchown(fd, e.uid, e.gid) != 0)
				log_warn("chown %s: %s", e.logfile, strerror(errno));
			close(fd);
		}
		if (!reachable(e.pgdata)) {
			log_error("embedded database: user %s cannot reach %s "
				  "(a parent directory is private); choose "
				  "another --data-dir",
				pg_user ? pg_user : "postgres", e.pgdata);
			return E_CONFIG;
		}
	}
	snprintf(ver, sizeof(ver), "%s/PG_VERSION", e.pgdata);
	if (stat(ver, &st) != 0) {
		char *argv[] = {"initdb", "-D", e.pgdata, "-U", "pace", "-A",
			"trust", "-E", "UTF8", "--locale=C.UTF-8", NULL};
		log_info("embedded database: initdb in %s", e.pgdata);
		if (run("initdb", argv) != 0) {
			log_error("embedded database: initdb failed (see %s)",
				e.logfile);
			return E_CONFIG;
		}
	}
	{
		char *argv[] = {"pg_ctl", "status", "-D", e.pgdata, NULL};
		if (run("pg_ctl", argv) == 0) {
			log_info("embedded database: already running in %s",
				e.pgdata);
			goto connect;
		}
	}
	snprintf(opts, sizeof(opts),
		"-c listen_addresses='' -k %s -c unix_socket_permissions=0700",
		e.sockdir);
	{
		char *argv[] = {"pg_ctl", "start", "-D", e.pgdata, "-w", "-t",
			"120", "-l", e.logfile, "-o", opts, NULL};
		if (run("pg_ctl", argv) != 0) {
			log_error("embedded database: start failed (see %s)",
				e.logfile);
			return E_UNAVAILABLE;
		}
	}
	e.started = 1;
	log_info("embedded database: started in %s", e.pgdata);
connect:
	base = xasprintf("host=%s user=pace", e.sockdir);
	if (ensure_database(base) != 0) {
		free(base);
		return E_UNAVAILABLE;
	}
	*conninfo = xasprintf("%s dbname=pace", base);
	free(base);
	return 0;
}

void
embedded_stop(void)
{
	if (e.started) {
		char *argv[] = {"pg_ctl", "stop", "-D", e.pgdata, "-m", "fast",
			"-w", NULL};
		if (run("pg_ctl", argv) != 0)
			log_warn("embedded database: stop failed");
		else
			log_info("embedded database: stopped");
		e.started = 0;
	}
	free(e.bindir);
	free(e.pgdata);
	free(e.sockdir);
	free(e.logfile);
	memset(&e, 0, sizeof(e));
}
