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

/* Translate a string that may be empty (gettext("") is the catalogue's
 * header, not ""): for messages that come from the server or a file. */
static inline const char *
tr(const char *s)
{
	return s && *s ? gettext(s) : "";
}

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

/* What an option takes (struct opt.has_arg). */
enum {
	OPT_FLAG = 0,  /* --json */
	OPT_VALUE = 1, /* --amount X, given at most once */
	OPT_MULTI = 2, /* --installment X, repeatable: every value is kept */
};

#define MAX_OPTS 32 /* options per command (struct args arrays) */

struct opt {
	const char *name;  /* long name without dashes */
	int has_arg;       /* OPT_FLAG, OPT_VALUE or OPT_MULTI */
	const char *help;  /* translatable */
	char short_name;   /* 'o' for -o, or 0 */
};

/* Options that several commands share (entries of their opt tables). */
#define SCOPE_OPTS                                                      \
	{"team", OPT_VALUE, N_("a team"), 0},                           \
	{"office", OPT_VALUE, N_("an office"), 0},                      \
	{"org", OPT_FLAG, N_("the whole organisation"), 0}
#define METRIC_OPT                                                      \
	{"metric", OPT_VALUE,                                           \
		N_("revenue (default), new_leads, followups or collected"), 0}

/* Parsed arguments of one command. */
struct args {
	int npos;
	char **pos;                  /* positional arguments (borrowed from argv) */
	const char *val[MAX_OPTS];   /* option values, by index in the command's
				      * opts (the last one for OPT_MULTI) */
	int set[MAX_OPTS];           /* how many times each was given */
	const char **all[MAX_OPTS];  /* OPT_MULTI: every value in order (array
				      * owned, strings borrowed from argv) */
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
	int outbox_checked;  /* the outbox was replayed on this connection */
};

/* The option value by name, or NULL. */
const char *arg_get(const struct cli *cli, const struct args *a,
	const char *name);
int arg_has(const struct cli *cli, const struct args *a, const char *name);
/* Every value of a repeatable option (*n of them; NULL when none). */
const char *const *arg_all(const struct cli *cli, const struct args *a,
	const char *name, int *n);

/*
 * Typed option values (args.c). Each returns EXIT_OK with *out set when the
 * option is given and valid, EXIT_OK with *out untouched when it is absent,
 * or EXIT_USAGE after saying what is wrong with it.
 */
int arg_id(struct cli *cli, const struct args *a, const char *name,
	int64_t *out);
int arg_money(struct cli *cli, const struct args *a, const char *name,
	int64_t *out);
int arg_time(struct cli *cli, const struct args *a, const char *name,
	int64_t *out);
int arg_date(struct cli *cli, const struct args *a, const char *name,
	const char **out);
int arg_int(struct cli *cli, const struct args *a, const char *name,
	long min, long max, long *out);
/* A positional id (customer, deal): EXIT_OK or EXIT_USAGE. */
int pos_id(struct cli *cli, const char *s, const char *what, int64_t *out);

/*
 * Connect and resume the stored session. Returns an exit code (EXIT_OK on
 * success) after printing the reason on failure.
 */
int cli_session(struct cli *cli);
/*
 * The same, except that a server out of reach (or answering UNAVAILABLE)
 * returns EXIT_UNAVAILABLE without a message: for writes, which are then
 * queued offline (offline.h).
 */
int cli_session_or_offline(struct cli *cli);
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
extern const struct cmd cmds_org[];
extern const struct cmd cmds_customer[];
extern const struct cmd cmds_deal[];
extern const struct cmd cmds_log[];
extern const struct cmd cmds_payment[];
extern const struct cmd cmds_sync[];
extern const struct cmd cmds_import[];
extern const struct cmd cmds_export[];
extern const struct cmd cmds_kpi[];
extern const struct cmd cmds_target[];
extern const struct cmd cmds_alerts[];
extern const struct cmd cmds_watch[];
extern const struct cmd cmds_review[];
extern const struct cmd cmds_action[];

#endif
