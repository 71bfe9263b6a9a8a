/* `paced backup` (see backup.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "backup.h"
#include "xmalloc.h"

const char *const backup_flags[] = {"output", NULL};

static const char *
flag(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);

	for (int i = 2; i < argc; i++) {
		if (strncmp(argv[i], name, n) != 0)
			continue;
		if (argv[i][n] == '=')
			return argv[i] + n + 1;
		if (argv[i][n] == '\0' && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

/*
 * pg_dump must be at least as new as the server: take pg_bindir's, else the
 * newest /usr/lib/postgresql/<major>/bin/pg_dump, else pg_dump from PATH.
 */
static char *
find_pg_dump(const char *pg_bindir)
{
	DIR *d;
	struct dirent *de;
	int best = -1;

	if (pg_bindir) {
		char *p = xasprintf("%s/pg_dump", pg_bindir);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	if ((d = opendir("/usr/lib/postgresql")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			char path[512];
			int v = atoi(de->d_name);

			snprintf(path, sizeof(path),
			        "/usr/lib/postgresql/%s/bin/pg_dump",
			        de->d_name);
			if (v > best && access(path, X_OK) == 0)
				best = v;
		}
		closedir(d);
	}
	if (best >= 0)
		return xasprintf("/usr/lib/postgresql/%d/bin/pg_dump", best);
	return xstrdup("pg_dump");
}

/*
 * In the child: hand the connection settings to pg_dump as libpq's PG*
 * environment variables rather than on its command line, where any local
 * user could read a password in the process list.
 */
static int
conninfo_to_env(const char *conninfo)
{
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg), *o;

	if (opts == NULL) {
		fprintf(stderr, "paced backup: bad connection string: %s",
		        errmsg ? errmsg : "?\n");
		PQfreemem(errmsg);
		return -1;
	}
	for (o = opts; o->keyword; o++)
		if (o->val && *o->val && o->envvar)
			setenv(o->envvar, o->val, 1);
	PQconninfoFree(opts);
	return 0;
}

int
backup_cmd(const char *conninfo, const char *pg_bindir, int argc, char **argv)
{
	const char *out = flag(argc, argv, "--output");
	char *pg_dump = NULL, *tmp = NULL;
	struct stat st;
	int status, code = 3, fd;
	pid_t pid;

	if (out == NULL || *out == '\0') {
		fprintf(stderr,
		        "usage: paced backup --output FILE "
		        "[--db CONNINFO | --data-dir DIR]\n");
		return 2;
	}
	pg_dump = find_pg_dump(pg_bindir);
	tmp = xasprintf("%s.partial", out);
	/* Created here, mode 0600: a dump holds password hashes. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "paced backup: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	close(fd);
	fflush(NULL);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "paced backup: fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		char *args[] = {pg_dump, "--format=custom", "--no-password",
		        "--file", tmp, NULL};

		if (conninfo_to_env(conninfo) != 0)
			_exit(2);
		execvp(pg_dump, args);
		fprintf(stderr, "paced backup: %s: %s\n", pg_dump,
		        strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr,
		        "paced backup: pg_dump failed; nothing written "
		        "to %s\n",
		        out);
		goto out;
	}
	/* Durable before it takes the name, so FILE is always a whole dump. */
	if ((fd = open(tmp, O_RDONLY | O_CLOEXEC)) < 0 || fsync(fd) != 0 ||
	        rename(tmp, out) != 0 || stat(out, &st) != 0) {
		fprintf(stderr, "paced backup: %s: %s\n", out, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	printf("backup written to %s (%lld bytes, pg_dump custom format; "
	       "restore with pg_restore)\n",
	        out, (long long)st.st_size);
	code = 0;
out:
	if (code != 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(pg_dump);
	return code;
}
