/* The registry of every prepared statement (see stmts.h). */
#include <stddef.h>

#include "stmts.h"
#include "xmalloc.h"

/* Add a family's list here when a handler family gains statements. */
static const struct stmt *const *const families[] = {
	session_stmts,
	admin_stmts,
	audit_stmts,
	customer_stmts,
	deal_stmts,
	activity_stmts,
	payment_stmts,
	org_stmts,
	import_stmts,
	kpi_stmts,
	target_stmts,
	topics_stmts,
	feed_stmts,
	push_stmts,
	metrics_stmts,
	review_stmts,
	action_stmts,
};

static const struct stmt **all;
static int nall;

static void
stmt_build(void)
{
	size_t nf = sizeof(families) / sizeof(families[0]);
	int n = 0;

	for (size_t f = 0; f < nf; f++)
		for (const struct stmt *const *s = families[f]; *s; s++)
			n++;
	all = xcalloc((size_t)n + 1, sizeof(*all));
	for (size_t f = 0; f < nf; f++)
		for (const struct stmt *const *s = families[f]; *s; s++)
			all[nall++] = *s;
}

const struct stmt *const *
stmt_all(void)
{
	if (all == NULL)
		stmt_build();
	return all;
}

int
stmt_count(void)
{
	if (all == NULL)
		stmt_build();
	return nall;
}
