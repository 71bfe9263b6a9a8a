/*
 * Messages the server sends that do not vary: listed here so that xgettext
 * puts them in the catalogue and the CLI shows them translated. Messages
 * that name things (a team, a login) stay as the server wrote them.
 */
#include "cli.h"

const char *const server_msgs[] = {
	N_("wrong login or password"),
	N_("database unavailable"),
	N_("session expired or revoked; log in again"),
	N_("client_op_id was already used for a different request"),
	N_("server is shutting down; retry shortly"),
	N_("too many logins in progress; retry shortly"),
	N_("the server closed the connection"),
	N_("the server did not answer in time"),
	/* Installment states (capture: Installment.status). */
	N_("paid"),
	N_("partial"),
	N_("due"),
	N_("overdue"),
	/* Metrics, revenue bases and plan options, shown as the server names
	 * them (KPI views, boards, target plans, reviews). */
	N_("revenue"),
	N_("new_leads"),
	N_("followups"),
	N_("collected"),
	N_("booked"),
	N_("history"),
	N_("even"),
	NULL,
};
