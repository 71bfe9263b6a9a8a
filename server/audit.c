/* Security events to the audit log (see audit.h). */
#include <stdio.h>

#include "audit.h"
#include "db/db.h"
#include "log.h"

static const struct stmt st_security = {"security_event",
	"SELECT * FROM pace.security_event($1, $2, $3, $4)", 4};
const struct stmt *const audit_stmts[] = {&st_security, NULL};

static void
done_cb(void *arg, const struct db_result *r)
{
	if (r->err != 0)
		log_warn("audit: %s", r->message ? r->message : err_str(r->err));
}

void
audit_security(struct conn *c, const char *action, const char *detail)
{
	char uid[24];
	const char *params[4];

	snprintf(uid, sizeof(uid), "%lld",
		c->ident ? (long long)c->ident->user_id : 0LL);
	params[0] = c->ident ? uid : NULL;
	params[1] = action;
	params[2] = detail;
	params[3] = c->addr;
	if (db_write(&st_security, params, 0, done_cb, NULL) != 0)
		log_warn("audit: queue full, event '%s' not recorded", action);
}
