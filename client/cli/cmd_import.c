/*
 * pace import customers|deals|activities|payments FILE.csv [--skip-bad].
 *
 * The file is read and checked here first (import_file.c): rows
 * with a bad amount or time or the wrong number of cells are reported with
 * their line numbers and refuse the import unless --skip-bad. The good rows
 * are then staged on the server in frames of at most ROWS_PER_FRAME rows
 * (ImportBegin, ImportRows...) and applied in one transaction
 * (ImportCommit), each row under its deterministic op id (rowid.c), so a
 * file imported twice applies nothing the second time.
 */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "import_file.h"
#include "output.h"
#include "progress.h"
#include "xmalloc.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

#define ROWS_PER_FRAME 2000          /* the protocol's limit per ImportRows */
#define BYTES_PER_FRAME (512 * 1024) /* well under the 1 MiB frame limit */
#define MAX_ERRORS_SHOWN 200         /* people; --json has them all */

static int
bad_cmp(const void *a, const void *b)
{
	const struct import_bad *x = a, *y = b;

	return x->line < y->line ? -1 : x->line > y->line;
}

/* Report every bad row (sorted by line) on stderr, or as JSON. */
static void
report(struct cli *cli, struct import *im, const Pace__V1__ImportResult *res)
{
	size_t shown = 0;

	if (im->nbad > 1)
		qsort(im->bad, im->nbad, sizeof(*im->bad), bad_cmp);
	if (cli->json) {
		cJSON *j = cJSON_CreateObject(), *arr;
		cJSON_AddStringToObject(j, "kind", im->kind->name);
		cJSON_AddBoolToObject(j, "committed", res && res->committed);
		json_add_i64(j, "applied", res ? res->applied : 0);
		json_add_i64(j, "existing", res ? res->existing : 0);
		json_add_i64(j, "bad", (int64_t)im->nbad + im->unlisted);
		arr = cJSON_AddArrayToObject(j, "errors");
		for (size_t i = 0; i < im->nbad; i++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "line", im->bad[i].line);
			cJSON_AddStringToObject(e, "field", im->bad[i].field);
			cJSON_AddStringToObject(e, "message", im->bad[i].message);
			cJSON_AddItemToArray(arr, e);
		}
		json_print(j);
		return;
	}
	for (size_t i = 0; i < im->nbad && shown < MAX_ERRORS_SHOWN; i++, shown++)
		if (*im->bad[i].field)
			fprintf(stderr, _("line %u: %s: %s\n"), im->bad[i].line,
				im->bad[i].field, im->bad[i].message);
		else
			fprintf(stderr, _("line %u: %s\n"), im->bad[i].line,
				im->bad[i].message);
	if (im->nbad > shown)
		fprintf(stderr, _("... and %zu more bad rows (--json lists them "
				  "all)\n"),
			im->nbad - shown);
	if (im->unlisted > 0)
		fprintf(stderr, _("... and %lld more bad rows the server did not "
				  "list\n"),
			(long long)im->unlisted);
}

/* A line refused here (among the first nlocal bad rows)? */
static int
is_local_bad(const struct import *im, size_t nlocal, unsigned line)
{
	for (size_t i = 0; i < nlocal; i++)
		if (im->bad[i].line == line)
			return 1;
	return 0;
}

/*
 * Take the server's row errors into im->bad (ours say it better), and the
 * count of those it did not list (it lists the first 1,000).
 */
static void
take_errors(struct import *im, const Pace__V1__ImportResult *res)
{
	size_t nlocal = im->nbad;

	if (res->rejected > (int64_t)res->n_errors)
		im->unlisted = res->rejected - (int64_t)res->n_errors;

	for (size_t i = 0; i < res->n_errors; i++)
		if (!is_local_bad(im, nlocal, res->errors[i]->line))
			import_add_bad(im, res->errors[i]->line, res->errors[i]->field,
				tr(res->errors[i]->message));
}

/*
 * Rows this side refused, sent in a check (see upload()) as placeholders
 * the server is sure to refuse too: an op id that is not a UUID.
 */
#define PLACEHOLDER_OP "-"

/* ImportRows for rows [from, to) of the good rows then the placeholders. */
static int
send_rows(struct cli *cli, struct import *im, int64_t import_id, size_t from,
	size_t to)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__ImportRows m = PACE__V1__IMPORT_ROWS__INIT;
	Pace__V1__ImportRow *rows = xcalloc(to - from, sizeof(*rows));
	Pace__V1__ImportRow **ptrs = xcalloc(to - from, sizeof(*ptrs));
	int code;

	for (size_t i = from; i < to; i++) {
		Pace__V1__ImportRow *r = &rows[i - from];
		pace__v1__import_row__init(r);
		if (i < im->nrows) {
			r->line = im->rows[i].line;
			r->op_id = im->rows[i].op;
			r->n_cells = (size_t)im->kind->ncols;
			r->cells = im->rows[i].cells;
		} else {
			r->line = im->bad[i - im->nrows].line;
			r->op_id = PLACEHOLDER_OP;
		}
		ptrs[i - from] = r;
	}
	m.import_id = import_id;
	m.n_rows = to - from;
	m.rows = ptrs;
	req.body_case = BODY(IMPORT_ROWS);
	req.import_rows = &m;
	code = cli_call(cli, &req, BODY(OK), &resp);
	msg_free(resp);
	free(ptrs);
	free(rows);
	return code;
}

/* The end of the next frame's rows starting at from (of total). */
static size_t
frame_end(struct import *im, size_t from, size_t total)
{
	size_t bytes = 0, to = from;

	while (to < total && to - from < ROWS_PER_FRAME) {
		size_t b = 16 + 37;
		for (int c = 0; to < im->nrows && c < im->kind->ncols; c++)
			b += 4 + strlen(im->rows[to].cells[c]);
		if (to > from && bytes + b > BYTES_PER_FRAME)
			break;
		bytes += b;
		to++;
	}
	return to;
}

/*
 * Stage and commit the good rows; *result is the server's answer. With
 * check, the rows refused here are staged too, as placeholders: the import
 * is then sure to be refused as a whole, and the answer lists what the
 * server finds wrong with the other rows, so that one run reports every
 * bad row. (The protocol has no validate-only commit.)
 */
static int
upload(struct cli *cli, struct import *im, int skip_bad, int check,
	pace_frame_t **result)
{
	size_t total = im->nrows + (check ? im->nbad : 0);
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__ImportBegin begin = PACE__V1__IMPORT_BEGIN__INIT;
	Pace__V1__ImportCommit commit = PACE__V1__IMPORT_COMMIT__INIT;
	struct progress bar;
	char op[37], op2[37];
	int64_t import_id;
	int code;

	pc_uuid(op);
	begin.client_op_id = op;
	begin.kind = (char *)im->kind->name;
	begin.skip_bad = skip_bad && !check;
	req.body_case = BODY(IMPORT_BEGIN);
	req.import_begin = &begin;
	if ((code = cli_call(cli, &req, BODY(IMPORT_STARTED), &resp)) != EXIT_OK)
		return code;
	import_id = resp->import_started->import_id;
	msg_free(resp);
	progress_start(&bar, _("rows"), (long)total);
	for (size_t from = 0; from < total;) {
		size_t to = frame_end(im, from, total);
		if ((code = send_rows(cli, im, import_id, from, to)) != EXIT_OK) {
			progress_end(&bar);
			return code;
		}
		from = to;
		progress_update(&bar, (long)from);
	}
	progress_end(&bar);
	pc_uuid(op2);
	commit.client_op_id = op2;
	commit.import_id = import_id;
	req.body_case = BODY(IMPORT_COMMIT);
	req.import_commit = &commit;
	return cli_call(cli, &req, BODY(IMPORT_RESULT), result);
}

static const struct opt import_opts[] = {
	{"skip-bad", OPT_FLAG, N_("import the good rows and report the bad ones (default: all or nothing)")},
	{NULL, 0, NULL},
};

static void
say_nothing_imported(struct cli *cli, const struct import *im)
{
	if (!cli->json)
		fprintf(stderr, _("pace: nothing imported: %lld bad rows (fix "
				  "them, or use --skip-bad to import the "
				  "others)\n"),
			(long long)im->nbad + (long long)im->unlisted);
}

static int
run_import(struct cli *cli, struct args *a)
{
	struct import im;
	pace_frame_t *resp = NULL;
	const Pace__V1__ImportResult *res = NULL;
	int skip_bad = arg_has(cli, a, "skip-bad"), check, code;

	import_init(&im, csv_kind_find(strrchr(cli->cmd->path, ' ') + 1));
	if ((code = import_read(&im, a->pos[0])) != EXIT_OK)
		goto out;
	/* Bad rows here and all or nothing: have the server check the rest. */
	check = im.nbad > 0 && !skip_bad;
	if (im.nrows > 0) {
		if ((code = cli_session(cli)) != EXIT_OK) {
			if (check) {
				report(cli, &im, NULL);
				say_nothing_imported(cli, &im);
				code = EXIT_INVALID;
			}
			goto out;
		}
		if ((code = upload(cli, &im, skip_bad, check, &resp)) != EXIT_OK)
			goto out;
		res = resp->import_result;
		take_errors(&im, res);
	}
	report(cli, &im, res);
	if (check || (res && !res->committed)) {
		if (res && res->committed && res->applied > 0)
			fprintf(stderr, _("pace: the server applied rows although "
					  "some were refused here\n"));
		say_nothing_imported(cli, &im);
		code = EXIT_INVALID;
		goto out;
	}
	if (!cli->json) {
		printf(_("Imported %lld new rows (%lld were already there).\n"),
			(long long)(res ? res->applied : 0),
			(long long)(res ? res->existing : 0));
		if (im.nbad > 0 || im.unlisted > 0)
			printf(_("Skipped %lld bad rows.\n"),
				(long long)im.nbad + (long long)im.unlisted);
	}
	code = EXIT_OK;
out:
	msg_free(resp);
	import_fini(&im);
	return code;
}

#define IMPORT_USAGE "FILE.csv [--skip-bad]"

const struct cmd cmds_import[] = {
	{"import customers", IMPORT_USAGE,
		N_("Import customers from a CSV file (see docs/import.md)"),
		import_opts, 1, 1, run_import},
	{"import deals", IMPORT_USAGE,
		N_("Import deals from a CSV file (see docs/import.md)"),
		import_opts, 1, 1, run_import},
	{"import activities", IMPORT_USAGE,
		N_("Import activities from a CSV file (see docs/import.md)"),
		import_opts, 1, 1, run_import},
	{"import payments", IMPORT_USAGE,
		N_("Import installments and receipts from a CSV file (see "
		   "docs/import.md)"),
		import_opts, 1, 1, run_import},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
