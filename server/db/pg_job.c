/* Job and transaction lifecycle inside the database layer (see pg_job.h). */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "pg_job.h"
#include "xmalloc.h"

struct pg_job *
pg_job_new(const struct stmt *st, const char *const *params, db_cb cb,
	void *arg)
{
	struct pg_job *job = xcalloc(1, sizeof(*job));
	size_t total = 0;
	char *p;
	int i;

	job->stmt = st;
	job->cb = cb;
	job->arg = arg;
	/* One allocation: the pointer array, then the strings. */
	for (i = 0; i < st->nparams; i++)
		if (params[i])
			total += strlen(params[i]) + 1;
	job->params = xmalloc(sizeof(char *) * (size_t)(st->nparams + 1) + total);
	p = (char *)(job->params + st->nparams + 1);
	for (i = 0; i < st->nparams; i++) {
		if (params[i] == NULL) {
			job->params[i] = NULL;
			continue;
		}
		size_t n = strlen(params[i]) + 1;
		memcpy(p, params[i], n);
		job->params[i] = p;
		p += n;
	}
	job->params[st->nparams] = NULL;
	return job;
}

void
pg_job_set_error(struct pg_job *job, int err, const char *message,
	const char *field)
{
	if (job->err != 0)
		return; /* keep the first error */
	job->err = err;
	free(job->message);
	free(job->field);
	job->message = message ? xstrdup(message) : NULL;
	job->field = field && *field ? xstrdup(field) : NULL;
}

void
pg_job_set_result(struct pg_job *job, PGresult *res)
{
	if (job->res)
		PQclear(job->res);
	job->res = res;
}

/* SQLSTATEs in class PA are raised on purpose by Pace's own SQL. */
static int
pa_code(const char *state)
{
	static const struct {
		const char *state;
		int code;
	} map[] = {
		{"PA400", E_INVALID},
		{"PA401", E_UNAUTH},
		{"PA403", E_DENIED},
		{"PA404", E_NOTFOUND},
		{"PA4S4", E_NOTFOUND}, /* out of scope, shown as absent */
		{"PA409", E_CONFLICT},
		{"PA429", E_EXHAUSTED},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(state, map[i].state) == 0)
			return map[i].code;
	return 0;
}

void
pg_job_error_from_result(struct pg_job *job, const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	int code;

	if (state == NULL)
		state = "";
	if ((code = pa_code(state)) != 0) {
		if (job->err == 0 && strcmp(state, "PA4S4") == 0)
			job->out_of_scope = 1;
		pg_job_set_error(job, code, msg,
			PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
		return;
	}
	/*
	 * Class 08 (connection), 57 (shutdown), 53 (resources) and 40
	 * (serialization failure, deadlock): nothing wrong with the request,
	 * it may succeed when run again.
	 */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0 ||
		strncmp(state, "53", 2) == 0 || strncmp(state, "40", 2) == 0) {
		pg_job_set_error(job, E_UNAVAILABLE, "database unavailable",
			NULL);
		return;
	}
	if (strcmp(state, "23505") == 0) {
		pg_job_set_error(job, E_CONFLICT, "already exists", NULL);
		return;
	}
	pg_job_set_error(job, E_INTERNAL, msg ? msg : "database error", NULL);
}

void
pg_job_free(struct pg_job *job)
{
	if (job->res)
		PQclear(job->res);
	free(job->params);
	free(job->message);
	free(job->field);
	free(job);
}

void
pg_job_finish(struct pg_job *job)
{
	struct db_result r = {
		.err = job->err,
		.res = job->err ? NULL : job->res,
		.message = job->message ? job->message : err_str(job->err),
		.field = job->field,
		.out_of_scope = job->err ? job->out_of_scope : 0,
	};

	if (job->cb)
		job->cb(job->arg, &r);
	pg_job_free(job);
}

struct pg_txn *
pg_txn_new(int write)
{
	struct pg_txn *txn = xcalloc(1, sizeof(*txn));

	TAILQ_INIT(&txn->jobs);
	txn->write = write ? 1 : 0;
	txn->sent_us = clock_mono_us();
	return txn;
}

void
pg_txn_free(struct pg_txn *txn)
{
	struct pg_job *job;

	while ((job = TAILQ_FIRST(&txn->jobs)) != NULL) {
		TAILQ_REMOVE(&txn->jobs, job, entry);
		pg_job_free(job);
	}
	free(txn);
}
