/* Every handler entry, by family. The dispatcher's table lists them. */
#ifndef PACE_HANDLERS_H
#define PACE_HANDLERS_H

#include "handler.h"

/* session.c */
extern const struct handler handler_hello, handler_login, handler_resume,
	handler_logout, handler_ping, handler_whoami;

/* admin.c */
extern const struct handler handler_office_add, handler_office_list,
	handler_team_add, handler_team_list, handler_user_add,
	handler_user_list;

/* kpi.c */
extern const struct handler handler_kpi_get, handler_board_get;

/* target.c */
extern const struct handler handler_target_plan, handler_target_set,
	handler_target_show;

#endif
