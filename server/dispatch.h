/*
 * The dispatcher: one table indexed by the Frame body case, the generic
 * gates (Hello first, login, role, request rate) applied once, then the
 * handler.
 */
#ifndef PACE_DISPATCH_H
#define PACE_DISPATCH_H

#include "conn.h"
#include "msg.h"

void dispatch_frame(struct conn *c, const pace_frame_t *f);

/* A connection is closing: drop what other modules keep for it. */
void dispatch_conn_closed(struct conn *c);

#endif
