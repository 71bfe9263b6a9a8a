/* Applying schema migrations at start (see migrate.h). */
#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "log.h"
#include "migrate.h"

/* Held while migrating, so concurrent paced starts apply each once. */
#define MIGRATE_LOCK 7420000

static int
exec_ok(PGconn *pg, const char *sql)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);

	PQclear(r);
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

int
migrate_apply(const char *conninfo)
{
	PGconn *pg = PQconnectdb(conninfo);
	PGresult *r = NULL;
	int rc = E_UNAVAILABLE, have = 0, applied = 0;
	int latest = nmigrations ? migrations[nmigrations - 1].version : 0;

	if (PQstatus(pg) != CONNECTION_OK) {
		log_error("database: %s", PQerrorMessage(pg));
		goto out;
	}
	if (!exec_ok(pg, "SET client_min_messages = warning") ||
		!exec_ok(pg, "SELECT pg_advisory_lock(7420000)") ||
		!exec_ok(pg, "CREATE SCHEMA IF NOT EXISTS pace") ||
		!exec_ok(pg,
			"CREATE TABLE IF NOT EXISTS pace.schema_migrations ("
			"version int PRIMARY KEY, name text NOT NULL, "
			"applied_at timestamptz NOT NULL DEFAULT now())")) {
		log_error("migrations: %s", PQerrorMessage(pg));
		goto out;
	}
	r = PQexec(pg, "SELECT coalesce(max(version), 0) FROM pace.schema_migrations");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		log_error("migrations: %s", PQerrorMessage(pg));
		goto out;
	}
	have = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	r = NULL;
	if (have > latest) {
		log_error("the database schema is at version %d, newer than this "
			  "paced knows (%d): upgrade paced, or use the matching "
			  "database",
			have, latest);
		rc = E_CONFIG;
		goto out;
	}
	/*
	 * Apply every version not recorded yet, in order: not only those
	 * above the highest, so a migration numbered below one that landed
	 * first (parallel branches) is still applied.
	 */
	for (int i = 0; i < nmigrations; i++) {
		const struct migration *m = &migrations[i];
		char ver[16];
		const char *params[2] = {ver, m->name};
		PGresult *q;
		int applied_before;

		snprintf(ver, sizeof(ver), "%d", m->version);
		q = PQexecParams(pg,
			"SELECT 1 FROM pace.schema_migrations WHERE version = $1",
			1, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(q) != PGRES_TUPLES_OK) {
			PQclear(q);
			goto fail;
		}
		applied_before = PQntuples(q) > 0;
		PQclear(q);
		if (applied_before)
			continue;
		if (!exec_ok(pg, "BEGIN"))
			goto fail;
		r = PQexec(pg, m->sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
			PQresultStatus(r) != PGRES_TUPLES_OK) {
			log_error("migration %s failed: %s", m->name,
				PQerrorMessage(pg));
			exec_ok(pg, "ROLLBACK");
			rc = E_CONFIG;
			goto out;
		}
		PQclear(r);
		r = PQexecParams(pg,
			"INSERT INTO pace.schema_migrations (version, name) "
			"VALUES ($1, $2)",
			2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			goto fail;
		PQclear(r);
		r = NULL;
		if (!exec_ok(pg, "COMMIT"))
			goto fail;
		log_info("migration %s applied", m->name);
		applied++;
	}
	log_info("database schema at version %d (%d applied now)",
		applied && latest > have ? latest : have, applied);
	rc = 0;
	goto out;
fail:
	log_error("migrations: %s", PQerrorMessage(pg));
	rc = E_UNAVAILABLE;
out:
	if (r)
		PQclear(r);
	if (PQstatus(pg) == CONNECTION_OK)
		exec_ok(pg, "SELECT pg_advisory_unlock(7420000)");
	PQfinish(pg);
	return rc;
}
