/*
 * Named prepared statements. Every statement the server runs is declared as a
 * `const struct stmt` next to the code that uses it, and listed in one of the
 * family arrays that stmts.c gathers; each pg_conn prepares them all when it
 * connects, so a statement with a SQL error fails loudly at start.
 */
#ifndef PACE_STMTS_H
#define PACE_STMTS_H

struct stmt {
	const char *name; /* unique prepared-statement name */
	const char *sql;
	int nparams;
};

/* NULL-terminated list of every statement. */
const struct stmt *const *stmt_all(void);
int stmt_count(void);

/* Family lists (each NULL-terminated), defined next to their handlers. */
extern const struct stmt *const session_stmts[];
extern const struct stmt *const admin_stmts[];
extern const struct stmt *const audit_stmts[];
extern const struct stmt *const customer_stmts[];
extern const struct stmt *const deal_stmts[];
extern const struct stmt *const activity_stmts[];
extern const struct stmt *const payment_stmts[];
extern const struct stmt *const org_stmts[];
extern const struct stmt *const import_stmts[];
extern const struct stmt *const kpi_stmts[];
extern const struct stmt *const target_stmts[];
extern const struct stmt *const topics_stmts[];
extern const struct stmt *const feed_stmts[];
extern const struct stmt *const push_stmts[];
extern const struct stmt *const metrics_stmts[];
extern const struct stmt *const review_stmts[];
extern const struct stmt *const action_stmts[];

#endif
