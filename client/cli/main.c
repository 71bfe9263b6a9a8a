/*
 * pace: the command-line client. Finds the command in the tables, parses its
 * options (global ones are accepted anywhere), runs it, and exits with a
 * code that says what happened (cli.h).
 */
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "output.h"
#include "xmalloc.h"

static const struct opt global_opts[] = {
	{"server", 1, N_("server as HOST:PORT (default: saved, $PACE_SERVER, 127.0.0.1:7420)")},
	{"tls-ca", 1, N_("use TLS, trusting this CA certificate file ($PACE_TLS_CA)")},
	{"tls", 0, N_("use TLS, trusting the system's CAs")},
	{"json", 0, N_("print JSON for scripts")},
	{"no-color", 0, N_("no colour (also when $NO_COLOR is set)")},
	{"help", 0, N_("show help")},
	{NULL, 0, NULL},
};

static const struct cmd *const tables[] = {cmds_session, cmds_customer,
	cmds_deal, cmds_log, cmds_payment, cmds_sync, cmds_import, cmds_export,
	cmds_admin, cmds_org, cmds_kpi, cmds_target, cmds_alerts, cmds_watch,
	cmds_review, cmds_action};

static int
words_match(const char *path, char **argv, int argc, int *used)
{
	int n = 0;
	const char *p = path;

	while (*p) {
		size_t len = strcspn(p, " ");
		if (n >= argc || strlen(argv[n]) != len ||
			strncmp(argv[n], p, len) != 0)
			return 0;
		n++;
		p += len;
		while (*p == ' ')
			p++;
	}
	*used = n;
	return 1;
}

static const struct opt *
find_opt(const struct opt *opts, const char *name, int *index)
{
	for (int i = 0; opts && opts[i].name && i < MAX_OPTS; i++)
		if (strcmp(opts[i].name, name) == 0) {
			if (index)
				*index = i;
			return &opts[i];
		}
	return NULL;
}

static const struct opt *
find_short(const struct opt *opts, char c, int *index)
{
	for (int i = 0; opts && opts[i].name && i < MAX_OPTS; i++)
		if (opts[i].short_name == c) {
			*index = i;
			return &opts[i];
		}
	return NULL;
}

/* "-o" (a letter): a short option; "-5" and "-" are positional. */
static int
is_short(const char *arg)
{
	return arg[0] == '-' && ((arg[1] >= 'a' && arg[1] <= 'z') ||
					(arg[1] >= 'A' && arg[1] <= 'Z')) &&
		arg[2] == '\0';
}

const char *
arg_get(const struct cli *cli, const struct args *a, const char *name)
{
	int i;

	if (find_opt(cli->cmd->opts, name, &i) && a->set[i])
		return a->val[i];
	return NULL;
}

int
arg_has(const struct cli *cli, const struct args *a, const char *name)
{
	int i;

	return find_opt(cli->cmd->opts, name, &i) && a->set[i];
}

const char *const *
arg_all(const struct cli *cli, const struct args *a, const char *name, int *n)
{
	int i;

	*n = 0;
	if (!find_opt(cli->cmd->opts, name, &i) || !a->set[i])
		return NULL;
	*n = a->set[i];
	return a->all[i];
}

/* Record one occurrence of option idx; EXIT_OK or a usage error. */
static int
arg_put(struct cli *cli, struct args *a, int idx, const char *val)
{
	const struct opt *o = &cli->cmd->opts[idx];

	if (o->has_arg != OPT_MULTI && a->set[idx])
		return cli_usage_error(cli, _("--%s given more than once"),
			o->name);
	if (o->has_arg == OPT_MULTI) {
		a->all[idx] = xrealloc(a->all[idx],
			(size_t)(a->set[idx] + 1) * sizeof(char *));
		a->all[idx][a->set[idx]] = val;
	}
	a->val[idx] = val;
	a->set[idx]++;
	return EXIT_OK;
}

static void
print_opts(const struct opt *opts)
{
	for (int i = 0; opts && opts[i].name; i++) {
		char flag[64], sh[8] = "";

		if (opts[i].short_name)
			snprintf(sh, sizeof(sh), "-%c, ", opts[i].short_name);
		snprintf(flag, sizeof(flag), "%s--%s%s", sh, opts[i].name,
			opts[i].has_arg == OPT_MULTI ? " X ..." :
			opts[i].has_arg		     ? " X" :
							"");
		printf("  %-22s %s\n", flag, _(opts[i].help));
	}
}

static void
help_command(const struct cmd *c)
{
	printf(_("usage: pace %s %s\n\n%s\n"), c->path, c->usage, _(c->summary));
	if (c->opts && c->opts[0].name) {
		printf(_("\noptions:\n"));
		print_opts(c->opts);
	}
	printf(_("\nglobal options:\n"));
	print_opts(global_opts);
}

/* Help for a group ("pace admin --help") or everything (prefix ""). */
static void
help_group(const char *prefix)
{
	size_t plen = strlen(prefix);

	printf(_("usage: pace [global options] COMMAND [options]\n\n"));
	printf(_("commands:\n"));
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct cmd *c = tables[t]; c->path; c++) {
			if (plen && (strncmp(c->path, prefix, plen) != 0 ||
					    (c->path[plen] != ' ' &&
						    c->path[plen] != '\0')))
				continue;
			printf("  %-26s %s\n", c->path, _(c->summary));
		}
	printf(_("\nglobal options:\n"));
	print_opts(global_opts);
	printf(_("\nexit codes: 0 ok, 1 error, 2 usage, 3 not logged in or bad "
		 "credentials,\n4 permission denied, 5 not found, 6 conflict, 7 "
		 "server unavailable,\n8 input refused by the server, 9 limit "
		 "reached (retry later).\n"));
}

static const struct cmd *
find_cmd(int argc, char **argv, int *used)
{
	const struct cmd *best = NULL;
	int best_used = 0;

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct cmd *c = tables[t]; c->path; c++) {
			int u;
			if (words_match(c->path, argv, argc, &u) && u > best_used) {
				best = c;
				best_used = u;
			}
		}
	*used = best_used;
	return best;
}

static const char *
locale_dir(void)
{
	static char path[4096];
	char exe[4000];
	ssize_t n;
	const char *env = getenv("PACE_LOCALEDIR");

	if (env && *env)
		return env;
	/* Running from the build tree: <build>/client/cli/pace. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/../../locale", exe);
			if (access(path, R_OK) == 0)
				return path;
		}
	}
	return PACE_LOCALEDIR;
}

static void
setup_locale(void)
{
	if (setlocale(LC_ALL, "") == NULL)
		setlocale(LC_ALL, "C.UTF-8");
	/* Widths of Chinese text need a UTF-8 character type. */
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
	bindtextdomain("pace", locale_dir());
	bind_textdomain_codeset("pace", "UTF-8");
	textdomain("pace");
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct args a;
	const char *no_color = getenv("NO_COLOR");
	int used = 0, code, want_help = 0;
	char **rest;
	int nrest;

	setup_locale();
	if (sodium_init() < 0)
		return EXIT_ERROR;
	memset(&cli, 0, sizeof(cli));
	memset(&a, 0, sizeof(a));
	if (pc_store_load(&cli.store) != 0)
		fprintf(stderr, _("pace: warning: cannot read the saved settings\n"));
	cli.color = isatty(STDOUT_FILENO) && !(no_color && *no_color) &&
		!(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);

	/*
	 * Global options may stand anywhere: take them out first, so that
	 * the command words can be found in what is left.
	 */
	rest = xcalloc((size_t)argc, sizeof(char *));
	nrest = 0;
	for (int i = 1; i < argc; i++) {
		char name[64], *eq;
		const struct opt *o;
		const char *val = NULL;

		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				rest[nrest++] = argv[i++];
			break;
		}
		if (strncmp(argv[i], "--", 2) != 0) {
			rest[nrest++] = argv[i];
			continue;
		}
		snprintf(name, sizeof(name), "%s", argv[i] + 2);
		if ((eq = strchr(name, '=')) != NULL)
			*eq = '\0';
		if ((o = find_opt(global_opts, name, NULL)) == NULL) {
			rest[nrest++] = argv[i];
			continue;
		}
		if (o->has_arg) {
			if (strchr(argv[i], '='))
				val = strchr(argv[i], '=') + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				fprintf(stderr, _("pace: --%s needs a value\n"), name);
				code = EXIT_USAGE;
				goto out;
			}
		}
		if (strcmp(name, "server") == 0)
			cli.server = val;
		else if (strcmp(name, "tls-ca") == 0)
			cli.tls_ca = val;
		else if (strcmp(name, "tls") == 0)
			cli.tls = 1;
		else if (strcmp(name, "json") == 0)
			cli.json = 1;
		else if (strcmp(name, "no-color") == 0)
			cli.color = 0;
		else if (strcmp(name, "help") == 0)
			want_help = 1;
	}
	cli.cmd = find_cmd(nrest, rest, &used);
	if (cli.cmd == NULL) {
		int i;
		if (nrest == 0 || strcmp(rest[0], "help") == 0) {
			help_group("");
			code = nrest == 0 && !want_help ? EXIT_USAGE : EXIT_OK;
			goto out;
		}
		if (strcmp(rest[0], "--version") == 0) {
			printf("pace %s (protocol %d)\n", PACE_VERSION, PROTO_VERSION);
			code = EXIT_OK;
			goto out;
		}
		/* A group name alone, e.g. "pace admin --help". */
		char prefix[256] = "";
		for (i = 0; i < nrest && rest[i][0] != '-'; i++) {
			if (i)
				strncat(prefix, " ", sizeof(prefix) - strlen(prefix) - 1);
			strncat(prefix, rest[i], sizeof(prefix) - strlen(prefix) - 1);
		}
		for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
			for (const struct cmd *c = tables[t]; c->path; c++)
				if (*prefix && strncmp(c->path, prefix, strlen(prefix)) == 0 &&
					c->path[strlen(prefix)] == ' ') {
					help_group(prefix);
					code = want_help ? EXIT_OK : EXIT_USAGE;
					goto out;
				}
		fprintf(stderr, _("pace: unknown command '%s'\n"), prefix[0] ? prefix : rest[0]);
		fprintf(stderr, _("Try `pace --help`.\n"));
		code = EXIT_USAGE;
		goto out;
	}
	a.pos = xcalloc((size_t)argc, sizeof(char *));
	for (int i = used; i < nrest; i++) {
		char *arg = rest[i], name[64], *eq;
		const struct opt *o;
		int idx = -1;

		if (strcmp(arg, "--") == 0) {
			for (i++; i < nrest; i++)
				a.pos[a.npos++] = rest[i];
			break;
		}
		if (is_short(arg)) {
			o = find_short(cli.cmd->opts, arg[1], &idx);
			if (o == NULL) {
				code = cli_usage_error(&cli,
					_("unknown option %s"), arg);
				goto out;
			}
			snprintf(name, sizeof(name), "%s", o->name);
		} else if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			a.pos[a.npos++] = arg;
			continue;
		} else {
			snprintf(name, sizeof(name), "%s", arg + 2);
			if ((eq = strchr(name, '=')) != NULL)
				*eq = '\0';
			o = find_opt(cli.cmd->opts, name, &idx);
			if (o == NULL) {
				code = cli_usage_error(&cli,
					_("unknown option --%s"), name);
				goto out;
			}
		}
		const char *val = NULL;
		if (o->has_arg) {
			if (arg[1] == '-' && strchr(arg, '='))
				val = strchr(arg, '=') + 1;
			else if (i + 1 < nrest)
				val = rest[++i];
			else {
				code = cli_usage_error(&cli, _("--%s needs a value"), name);
				goto out;
			}
		}
		if ((code = arg_put(&cli, &a, idx, val)) != EXIT_OK)
			goto out;
	}
	if (want_help) {
		help_command(cli.cmd);
		code = EXIT_OK;
		goto out;
	}
	if (a.npos < cli.cmd->min_pos || a.npos > cli.cmd->max_pos) {
		code = cli_usage_error(&cli, _("wrong number of arguments"));
		goto out;
	}
	if (cli.server == NULL)
		cli.server = getenv("PACE_SERVER");
	if (cli.server == NULL || *cli.server == '\0')
		cli.server = cli.store.server;
	if (cli.server == NULL)
		cli.server = PC_DEFAULT_SERVER;
	if (cli.tls_ca == NULL)
		cli.tls_ca = getenv("PACE_TLS_CA");
	if (cli.tls_ca == NULL || *cli.tls_ca == '\0')
		cli.tls_ca = cli.store.tls_ca;
	output_set_color(cli.color && !cli.json);
	code = cli.cmd->run(&cli, &a);
out:
	if (cli.me)
		pace__v1__identity__free_unpacked(cli.me, NULL);
	pc_close(cli.pc);
	pc_store_free(&cli.store);
	for (int i = 0; i < MAX_OPTS; i++)
		free(a.all[i]);
	free(a.pos);
	free(rest);
	return code;
}
