/* Security events (denials, throttling, revocations) to the audit log. */
#ifndef PACE_AUDIT_H
#define PACE_AUDIT_H

#include "conn.h"

/* Fire-and-forget: written with the connection's user and address. */
void audit_security(struct conn *c, const char *action, const char *detail);

#endif
