/* The user's stored settings and session token (see pc.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pc.h"
#include "xmalloc.h"

char *
pc_store_dir(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg)
		return xasprintf("%s/pace", xdg);
	return xasprintf("%s/.config/pace", home && *home ? home : ".");
}

static char **
field(struct pc_store *s, const char *key)
{
	if (strcmp(key, "server") == 0)
		return &s->server;
	if (strcmp(key, "login") == 0)
		return &s->login;
	if (strcmp(key, "token") == 0)
		return &s->token;
	if (strcmp(key, "tls_ca") == 0)
		return &s->tls_ca;
	return NULL;
}

int
pc_store_load(struct pc_store *s)
{
	char *dir = pc_store_dir(), *path = xasprintf("%s/config", dir);
	char line[4096];
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(path, "r");
	free(path);
	free(dir);
	if (f == NULL)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '='), **dst;

		line[strcspn(line, "\r\n")] = '\0';
		if (eq == NULL || line[0] == '#')
			continue;
		*eq = '\0';
		if ((dst = field(s, line)) != NULL && eq[1] != '\0') {
			free(*dst);
			*dst = xstrdup(eq + 1);
		}
	}
	fclose(f);
	return 0;
}

char *
pc_data_dir(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg)
		return xasprintf("%s/pace", xdg);
	return xasprintf("%s/.local/share/pace", home && *home ? home : ".");
}

int
pc_mkdir_private(const char *dir)
{
	char *path = xstrdup(dir);
	int rc = 0;

	for (char *p = path + 1; *p && rc == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			rc = -errno;
		*p = '/';
	}
	if (rc == 0 && mkdir(path, 0700) != 0 && errno != EEXIST)
		rc = -errno;
	free(path);
	return rc;
}

int
pc_store_save(const struct pc_store *s)
{
	char *dir = pc_store_dir();
	char *path = xasprintf("%s/config", dir);
	char *tmp = xasprintf("%s/config.tmp.%d", dir, (int)getpid());
	FILE *f = NULL;
	int fd, rc;

	if ((rc = pc_mkdir_private(dir)) != 0)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		goto out;
	}
	fprintf(f, "# pace client settings; the token is a secret.\n");
	if (s->server)
		fprintf(f, "server=%s\n", s->server);
	if (s->login)
		fprintf(f, "login=%s\n", s->login);
	if (s->token)
		fprintf(f, "token=%s\n", s->token);
	if (s->tls_ca)
		fprintf(f, "tls_ca=%s\n", s->tls_ca);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		rc = -errno;
		fclose(f);
		unlink(tmp);
		goto out;
	}
	fclose(f);
	if (rename(tmp, path) != 0) {
		rc = -errno;
		unlink(tmp);
	}
out:
	free(tmp);
	free(path);
	free(dir);
	return rc;
}

void
pc_store_free(struct pc_store *s)
{
	free(s->server);
	free(s->login);
	free(s->token);
	free(s->tls_ca);
	memset(s, 0, sizeof(*s));
}
