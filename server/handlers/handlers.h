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

/* customer.c, deal.c, activity.c, payment.c, org.c, import.c (capture) */
extern const struct handler handler_customer_add, handler_customer_update,
	handler_customer_get, handler_customer_list;
extern const struct handler handler_deal_add, handler_deal_move,
	handler_deal_win, handler_deal_lose, handler_deal_reopen,
	handler_deal_update, handler_deal_get, handler_deal_list;
extern const struct handler handler_activity_log, handler_activity_list;
extern const struct handler handler_payment_plan, handler_payment_receive,
	handler_payment_list;
extern const struct handler handler_org_get, handler_org_set;
extern const struct handler handler_import_begin, handler_import_rows,
	handler_import_commit;

/* kpi.c */
extern const struct handler handler_kpi_get, handler_board_get;

/* push.c */
extern const struct handler handler_subscribe, handler_unsubscribe,
	handler_alert_list, handler_alert_ack, handler_clock_set;

/* target.c */
extern const struct handler handler_target_plan, handler_target_set,
	handler_target_show;

/* review.c, action.c */
extern const struct handler handler_review_generate, handler_review_get,
	handler_review_list, handler_star_get;
extern const struct handler handler_action_add,
	handler_action_from_diagnosis, handler_action_list,
	handler_action_done, handler_action_reopen;

#endif
