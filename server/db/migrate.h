/*
 * Schema migrations: deploy/sql/NNN_*.sql, compiled into paced, applied in
 * order at start under an advisory lock and recorded in
 * pace.schema_migrations. A database newer than this binary is refused.
 * Blocking: start-up only.
 */
#ifndef PACE_MIGRATE_H
#define PACE_MIGRATE_H

#include "err.h"

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const int nmigrations;

int migrate_apply(const char *conninfo) WARN_UNUSED;

#endif
