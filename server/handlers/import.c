/*
 * Bulk import: ImportBegin, ImportRows (stage up to IMPORT_ROWS_MAX rows a
 * frame), ImportCommit (validate everything, then store all or, with
 * skip_bad, every good row). See deploy/sql/012-016 and docs/import.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "jsonutil.h"
#include "xmalloc.h"

#define IMPORT_ROWS_MAX 5000
#define IMPORT_CELLS_MAX 32
#define IMPORT_CELL_BYTES 4096
#define IMPORT_OP_BYTES 64
#define IMPORT_ERRORS_MAX 1000

static const struct stmt st_import_begin = {
        "import_begin", "SELECT pace.import_begin($1, $2, $3, $4, $5) AS r", 5};
static const struct stmt st_import_rows = {
        "import_rows", "SELECT pace.import_rows($1, $2, $3::jsonb) AS r", 3};
static const struct stmt st_import_commit = {
        "import_commit", "SELECT pace.import_commit($1, $2, $3, $4) AS r", 4};

const struct stmt *const import_stmts[] = {
        &st_import_begin, &st_import_rows, &st_import_commit, NULL};

static void
build_started(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	f->import_started = cap_alloc(a, 1, sizeof(*f->import_started));
	pace__v1__import_started__init(f->import_started);
	f->import_started->import_id = json_int(j, "import_id");
	f->body_case = BODY(IMPORT_STARTED);
}

static void
started_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_started);
}

static void
exec_import_begin(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ImportBegin *m = f->import_begin;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id) ||
	        cap_check_str(c, id, m->kind, "kind", 16))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_str(&p, m->kind);
	par_bool(&p, m->skip_bad);
	req_write(c, id, BODY(IMPORT_BEGIN), &st_import_begin, p.v, 0,
	        started_done);
}

/* 0, or -1 after answering INVALID_ARGUMENT about row i. */
static int
check_row(struct conn *c, uint32_t id, size_t i, const Pace__V1__ImportRow *row)
{
	char field[96];

	if (row->line == 0 || row->line > INT32_MAX) {
		snprintf(field, sizeof(field), "rows[%zu].line", i);
		conn_send_error(c, id, E_INVALID, field,
		        "%s: a line number from 1 to %d", field, INT32_MAX);
		return -1;
	}
	if (row->op_id == NULL || strlen(row->op_id) > IMPORT_OP_BYTES ||
	        !utf8_valid(row->op_id, NULL)) {
		snprintf(field, sizeof(field), "rows[%zu].op_id", i);
		conn_send_error(c, id, E_INVALID, field,
		        "%s: at most %d bytes of UTF-8", field,
		        IMPORT_OP_BYTES);
		return -1;
	}
	if (row->n_cells > IMPORT_CELLS_MAX) {
		snprintf(field, sizeof(field), "rows[%zu].cells", i);
		conn_send_error(c, id, E_INVALID, field,
		        "line %u: at most %d cells", row->line,
		        IMPORT_CELLS_MAX);
		return -1;
	}
	for (size_t k = 0; k < row->n_cells; k++) {
		const char *cell = row->cells[k];

		if (cell && strlen(cell) <= IMPORT_CELL_BYTES &&
		        utf8_valid(cell, NULL))
			continue;
		snprintf(field, sizeof(field), "rows[%zu].cells[%zu]", i, k);
		conn_send_error(c, id, E_INVALID, field,
		        "line %u, cell %zu: at most %d bytes of UTF-8",
		        row->line, k + 1, IMPORT_CELL_BYTES);
		return -1;
	}
	return 0;
}

static void
staged_done(struct req *r, const struct db_result *res)
{
	req_ok(r, db_int(res->res, 0, "r"));
}

static void
exec_import_rows(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ImportRows *m = f->import_rows;
	struct params p = {0};
	cJSON *rows;
	char *text;

	if (m->n_rows > IMPORT_ROWS_MAX) {
		conn_send_error(c, id, E_INVALID, "rows",
		        "at most %d rows a frame", IMPORT_ROWS_MAX);
		return;
	}
	for (size_t i = 0; i < m->n_rows; i++)
		if (check_row(c, id, i, m->rows[i]) != 0)
			return;
	rows = cJSON_CreateArray();
	for (size_t i = 0; i < m->n_rows; i++) {
		const Pace__V1__ImportRow *row = m->rows[i];
		cJSON *e = cJSON_CreateArray(), *cells = cJSON_CreateArray();

		cJSON_AddItemToArray(e, cJSON_CreateNumber((double)row->line));
		/* Not a UUID: staged as NULL, refused with the row's line. */
		cJSON_AddItemToArray(e,
		        cJSON_CreateString(
		                valid_op_id(row->op_id) ? row->op_id : ""));
		for (size_t k = 0; k < row->n_cells; k++)
			cJSON_AddItemToArray(
			        cells, cJSON_CreateString(row->cells[k]));
		cJSON_AddItemToArray(e, cells);
		cJSON_AddItemToArray(rows, e);
	}
	text = cJSON_PrintUnformatted(rows);
	cJSON_Delete(rows);
	par_actor(&p, c);
	par_int(&p, m->import_id);
	par_str(&p, text);
	req_write(
	        c, id, BODY(IMPORT_ROWS), &st_import_rows, p.v, 0, staged_done);
	free(text); /* the job copied its parameters */
}

static void
build_result(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	Pace__V1__ImportResult *m = cap_alloc(a, 1, sizeof(*m));
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(j, "errors");
	size_t n = (size_t)cJSON_GetArraySize(errs), i = 0;
	Pace__V1__ImportError *items;
	const cJSON *e;

	if (n > IMPORT_ERRORS_MAX)
		n = IMPORT_ERRORS_MAX;
	items = cap_alloc(a, n, sizeof(*items));
	pace__v1__import_result__init(m);
	m->committed =
	        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "committed"));
	m->applied = json_int(j, "applied");
	m->existing = json_int(j, "existing");
	m->rejected = json_int(j, "rejected");
	m->errors = cap_alloc(a, n, sizeof(*m->errors));
	cJSON_ArrayForEach(e, errs)
	{
		if (i >= n)
			break;
		pace__v1__import_error__init(&items[i]);
		items[i].line = (uint32_t)json_int(e, "line");
		items[i].field = (char *)json_str(e, "field");
		items[i].message = (char *)json_str(e, "message");
		m->errors[i] = &items[i];
		i++;
	}
	m->n_errors = i;
	f->import_result = m;
	f->body_case = BODY(IMPORT_RESULT);
}

static void
result_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_result);
}

static void
exec_import_commit(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__ImportCommit *m = f->import_commit;
	struct params p = {0};

	if (cap_check_op(c, id, m->client_op_id))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_int(&p, m->import_id);
	req_write(c, id, BODY(IMPORT_COMMIT), &st_import_commit, p.v, DB_NOTIFY,
	        result_done);
}

const struct handler handler_import_begin = {
        "import begin", 0, ROLES_ANY, exec_import_begin};
const struct handler handler_import_rows = {
        "import rows", 0, ROLES_ANY, exec_import_rows};
const struct handler handler_import_commit = {
        "import commit", 0, ROLES_ANY, exec_import_commit};
