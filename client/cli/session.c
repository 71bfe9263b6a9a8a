/* Connecting, resuming the stored session, and reporting errors. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <fcntl.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "offline.h"
#include "xmalloc.h"

int
cli_exit_code(int rc)
{
	switch (rc) {
	case 0:
		return EXIT_OK;
	case E_UNAUTH:
		return EXIT_AUTH;
	case E_DENIED:
		return EXIT_DENIED;
	case E_NOTFOUND:
		return EXIT_NOTFOUND;
	case E_CONFLICT:
		return EXIT_CONFLICT;
	case E_INVALID:
		return EXIT_INVALID;
	case E_EXHAUSTED:
	case E_TOO_BIG:
		return EXIT_LIMIT;
	case E_UNAVAILABLE:
	case E_TIMEOUT:
	case E_CLOSED:
	case E_DB_BUSY:
		return EXIT_UNAVAILABLE;
	default:
		return EXIT_ERROR;
	}
}

int
cli_fail(struct cli *cli, int rc)
{
	const char *msg = cli->pc ? pc_conn_error(cli->pc) : "";
	const char *field = cli->pc ? pc_conn_error_field(cli->pc) : "";

	if (msg == NULL || *msg == '\0')
		msg = err_str(rc);
	/* Fixed server messages are in the catalogue (server_msgs.c). */
	msg = _(msg);
	if (cli->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "error", err_str(rc));
		cJSON_AddStringToObject(j, "message", msg);
		if (field && *field)
			cJSON_AddStringToObject(j, "field", field);
		char *s = cJSON_PrintUnformatted(j);
		fprintf(stderr, "%s\n", s);
		free(s);
		cJSON_Delete(j);
	} else if (field && *field) {
		fprintf(stderr, _("pace: %s (%s)\n"), msg, field);
	} else {
		fprintf(stderr, _("pace: %s\n"), msg);
	}
	if (rc == E_UNAUTH && !cli->json)
		fprintf(stderr, _("hint: log in with `pace login LOGIN`\n"));
	return cli_exit_code(rc);
}

int
cli_usage_error(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fputs("pace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cli->cmd)
		fprintf(stderr, _("usage: pace %s %s\n"), cli->cmd->path,
			cli->cmd->usage);
	fprintf(stderr, _("Try `pace %s --help`.\n"),
		cli->cmd ? cli->cmd->path : "");
	return EXIT_USAGE;
}

/* Connect and say Hello; rc, with cli->pc NULL on failure. */
static int
connect_rc(struct cli *cli)
{
	struct pc_opts o = {
		.server = cli->server,
		.tls_ca = cli->tls_ca,
		.tls = cli->tls,
		.client_name = "pace " PACE_VERSION,
	};
	int rc;

	if (cli->pc)
		return 0;
	rc = pc_connect(&o, &cli->pc);
	return rc == E_PROTO ? E_UNAVAILABLE : rc;
}

int
cli_connect(struct cli *cli)
{
	int rc = connect_rc(cli);

	if (rc != 0) {
		int code = cli_fail(cli, rc);
		pc_close(cli->pc);
		cli->pc = NULL;
		return code;
	}
	return EXIT_OK;
}

/*
 * Connect and resume the stored session; with offline_ok, a server out of
 * reach (or answering UNAVAILABLE) returns EXIT_UNAVAILABLE silently. The
 * first session of a run replays the offline outbox (offline.h).
 */
static int
session_open(struct cli *cli, int offline_ok)
{
	int code, rc;

	if (cli->me)
		return EXIT_OK;
	if (cli->store.token == NULL) {
		fprintf(stderr, _("pace: not logged in\n"));
		fprintf(stderr, _("hint: log in with `pace login LOGIN`\n"));
		return EXIT_AUTH;
	}
	rc = connect_rc(cli);
	if (rc == 0)
		rc = pc_resume(cli->pc, cli->store.token, &cli->me);
	if (rc != 0) {
		code = offline_ok && offline_is_unreachable(rc) ?
			EXIT_UNAVAILABLE :
			cli_fail(cli, rc);
		pc_close(cli->pc);
		cli->pc = NULL;
		return code;
	}
	if (!cli->outbox_checked) {
		cli->outbox_checked = 1;
		offline_replay_quiet(cli);
	}
	return EXIT_OK;
}

int
cli_session(struct cli *cli)
{
	return session_open(cli, 0);
}

int
cli_session_or_offline(struct cli *cli)
{
	return session_open(cli, 1);
}

int
cli_call(struct cli *cli, pace_frame_t *req, int want, pace_frame_t **resp)
{
	int rc = pc_call(cli->pc, req, resp);

	if (rc != 0)
		return cli_fail(cli, rc);
	if ((int)(*resp)->body_case != want) {
		msg_free(*resp);
		*resp = NULL;
		fprintf(stderr, _("pace: unexpected answer from the server\n"));
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

char *
cli_read_password(const char *prompt, int from_stdin)
{
	char buf[1100];
	struct termios old, quiet;
	int fd, restore = 0;
	FILE *in;
	size_t n;

	if (from_stdin) {
		if (fgets(buf, sizeof(buf), stdin) == NULL)
			return NULL;
		buf[strcspn(buf, "\r\n")] = '\0';
		return xstrdup(buf);
	}
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	in = fdopen(fd, "r+");
	if (in == NULL) {
		close(fd);
		return NULL;
	}
	fputs(prompt, in);
	fflush(in);
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~ECHO;
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	if (fgets(buf, sizeof(buf), in) == NULL)
		buf[0] = '\0';
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	fputc('\n', in);
	fclose(in);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return xstrdup(buf);
}
