/*
 * db_read() and db_write() of db.h on the connection pool (pg_pool.c).
 *
 * They live in a file of their own so that a program can link the server
 * core with a database of its own instead: tests/fuzz/fuzz_dispatch.c
 * defines both, and the linker then never pulls this object (nor a real
 * PostgreSQL connection) out of libpaced_core.a.
 */
#include "db.h"
#include "pg_job.h"
#include "pg_pool.h"

int
db_read(const struct stmt *st, const char *const *params, db_cb cb, void *arg)
{
	return pg_pool_submit(pg_job_new(st, params, cb, arg));
}

int
db_write_keyed(int64_t key, const struct stmt *st, const char *const *params,
	unsigned flags, db_cb cb, void *arg)
{
	struct pg_job *job = pg_job_new(st, params, cb, arg);

	job->write = 1;
	job->flags = flags;
	job->key = key;
	return pg_pool_submit(job);
}

int
db_write(const struct stmt *st, const char *const *params, unsigned flags,
	db_cb cb, void *arg)
{
	return db_write_keyed(0, st, params, flags, cb, arg);
}
