/*
 * The pace command-line client: a table of commands (tmux cmd_entry style),
 * each with its options; shared state for one invocation; exit codes.
 */
#ifndef PACE_CLI_H
#define PACE_CLI_H

#include <libintl.h>
#include <stdio.h>

#include "pc.h"

#define _(s) gettext(s)
#define N_(s) (s)

/* Exit codes: documented in `pace --help` and docs/cli.md. */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,       /* internal or unexpected error */
	EXIT_USAGE = 2,       /* bad command line */
	EXIT_AUTH = 3,        /* not logged in, wrong password, session expired */
	EXIT_DENIED = 4,      /* the role may not do this */
	EXIT_NOTFOUND = 5,
	EXIT_CONFLICT = 6,
	EXIT_UNAVAILABLE = 7, /* server unreachable or its database down */
	EXIT_INVALID = 8,     /* the server refused the input */
	EXIT_LIMIT = 9,       /* rate or size limit; retry later */
};

struct opt {
	const char *name;  /* long name without dashes */
	int has_arg;
	const char *help;  /* translatable */
};

/* Parsed arguments of one command. */
struct args {
	int npos;
	char **pos;           /* positional arguments (borrowed from argv) */
	const char *val[32];  /* option values, by index in the command's opts */
	int set[32];
};

struct cli;

struct cmd {
	const char *path;     /* "admin user add" */
	const char *usage;    /* "LOGIN --name NAME --role ROLE ..." */
	const char *summary;  /* translatable one-liner */
	const struct opt *opts;
	int min_pos, max_pos;
	int (*run)(struct cli *cli, struct args *a);
};

struct cli {
	const char *server;  /* --server, PACE_SERVER, stored, default */
	const char *tls_ca;  /* --tls-ca, PACE_TLS_CA, stored */
	int tls;             /* --tls */
	int json;            /* --json */
	int color;           /* stdout is a terminal and NO_COLOR unset */
	struct pc_store store;
	struct pc_conn *pc;  /* open connection, or NULL */
	Pace__V1__Identity *me;
	const struct cmd *cmd;
};

/* The option value by name, or NULL. */
const char *arg_get(const struct cli *cli, const struct args *a,
	const char *name);
int arg_has(const struct cli *cli, const struct args *a, const char *name);

/*
 * Connect and resume the stored session. Returns an exit code (EXIT_OK on
 * success) after printing the reason on failure.
 */
int cli_session(struct cli *cli);
/* Connect without a session (login). */
int cli_connect(struct cli *cli);

/* Print a failed call's error and return the exit code for it. */
int cli_fail(struct cli *cli, int rc);
/* The exit code for an error code. */
int cli_exit_code(int rc);
/* Print a usage error for the current command; returns EXIT_USAGE. */
int cli_usage_error(struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Call and check that the answer is `want`; prints errors. */
int cli_call(struct cli *cli, pace_frame_t *req, int want,
	pace_frame_t **resp);

/* Read a secret: from stdin when from_stdin, else from the terminal. */
char *cli_read_password(const char *prompt, int from_stdin);

/* Command tables, one per family. */
extern const struct cmd cmds_session[];
extern const struct cmd cmds_admin[];

#endif
