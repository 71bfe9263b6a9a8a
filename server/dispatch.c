/* Request dispatch and the generic gates (see dispatch.h). */
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "dispatch.h"
#include "handlers/handlers.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "topics.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

/* Indexed by Frame body case; responses and pushes have no entry. */
static const struct handler *const table[] = {
	[BODY(HELLO)] = &handler_hello,
	[BODY(LOGIN)] = &handler_login,
	[BODY(RESUME)] = &handler_resume,
	[BODY(LOGOUT)] = &handler_logout,
	[BODY(PING)] = &handler_ping,
	[BODY(WHOAMI)] = &handler_whoami,
	[BODY(OFFICE_ADD)] = &handler_office_add,
	[BODY(OFFICE_LIST)] = &handler_office_list,
	[BODY(TEAM_ADD)] = &handler_team_add,
	[BODY(TEAM_LIST)] = &handler_team_list,
	[BODY(USER_ADD)] = &handler_user_add,
	[BODY(USER_LIST)] = &handler_user_list,
	[BODY(CUSTOMER_ADD)] = &handler_customer_add,
	[BODY(CUSTOMER_UPDATE)] = &handler_customer_update,
	[BODY(CUSTOMER_GET)] = &handler_customer_get,
	[BODY(CUSTOMER_LIST)] = &handler_customer_list,
	[BODY(DEAL_ADD)] = &handler_deal_add,
	[BODY(DEAL_MOVE)] = &handler_deal_move,
	[BODY(DEAL_WIN)] = &handler_deal_win,
	[BODY(DEAL_LOSE)] = &handler_deal_lose,
	[BODY(DEAL_REOPEN)] = &handler_deal_reopen,
	[BODY(DEAL_UPDATE)] = &handler_deal_update,
	[BODY(DEAL_GET)] = &handler_deal_get,
	[BODY(DEAL_LIST)] = &handler_deal_list,
	[BODY(ACTIVITY_LOG)] = &handler_activity_log,
	[BODY(ACTIVITY_LIST)] = &handler_activity_list,
	[BODY(PAYMENT_PLAN)] = &handler_payment_plan,
	[BODY(PAYMENT_RECEIVE)] = &handler_payment_receive,
	[BODY(PAYMENT_LIST)] = &handler_payment_list,
	[BODY(ORG_GET)] = &handler_org_get,
	[BODY(ORG_SET)] = &handler_org_set,
	[BODY(IMPORT_BEGIN)] = &handler_import_begin,
	[BODY(IMPORT_ROWS)] = &handler_import_rows,
	[BODY(IMPORT_COMMIT)] = &handler_import_commit,
	[BODY(KPI_GET)] = &handler_kpi_get,
	[BODY(BOARD_GET)] = &handler_board_get,
	[BODY(TARGET_PLAN)] = &handler_target_plan,
	[BODY(TARGET_SET)] = &handler_target_set,
	[BODY(TARGET_SHOW)] = &handler_target_show,
	[BODY(SUBSCRIBE)] = &handler_subscribe,
	[BODY(UNSUBSCRIBE)] = &handler_unsubscribe,
	[BODY(ALERT_LIST)] = &handler_alert_list,
	[BODY(ALERT_ACK)] = &handler_alert_ack,
	[BODY(CLOCK_SET)] = &handler_clock_set,
	[BODY(REVIEW_GENERATE)] = &handler_review_generate,
	[BODY(REVIEW_GET)] = &handler_review_get,
	[BODY(REVIEW_LIST)] = &handler_review_list,
	[BODY(STAR_GET)] = &handler_star_get,
	[BODY(ACTION_ADD)] = &handler_action_add,
	[BODY(ACTION_FROM_DIAGNOSIS)] = &handler_action_from_diagnosis,
	[BODY(ACTION_LIST)] = &handler_action_list,
	[BODY(ACTION_DONE)] = &handler_action_done,
	[BODY(ACTION_REOPEN)] = &handler_action_reopen,
};
#define NTABLE ((int)(sizeof(table) / sizeof(table[0])))

/* Token bucket per connection; returns 0 when the request may go ahead. */
static int
rate_take(struct conn *c)
{
	int64_t now;
	double rate = (double)srv.cfg.rate_limit_rps;

	if (rate <= 0)
		return 0;
	now = clock_mono_us();
	c->tokens += rate * (double)(now - c->tokens_at_us) / 1e6;
	if (c->tokens > (double)srv.cfg.rate_limit_burst)
		c->tokens = (double)srv.cfg.rate_limit_burst;
	c->tokens_at_us = now;
	if (c->tokens < 1.0)
		return -1;
	c->tokens -= 1.0;
	return 0;
}

void
dispatch_frame(struct conn *c, const pace_frame_t *f)
{
	int k = (int)f->body_case;
	const struct handler *h = k > 0 && k < NTABLE ? table[k] : NULL;

	if (h == NULL) {
		conn_send_error(c, f->id, E_INVALID, NULL,
			"not a request: %s", msg_body_name(k));
		return;
	}
	metrics_received(k);
	{
		const char *bad = NULL;

		if (msg_check_utf8(&f->base, &bad) != 0) {
			conn_send_error(c, f->id, E_INVALID, bad,
				"%s is not valid UTF-8", bad);
			return;
		}
	}
	/* Heartbeats are cheap and bounded by the output limit: not rated. */
	if (!(h->flags & H_PREHELLO) && rate_take(c) != 0) {
		conn_send_error(c, f->id, E_EXHAUSTED, NULL,
			"too many requests: at most %lld per second",
			(long long)srv.cfg.rate_limit_rps);
		/* One audit row per episode, not one per refused request. */
		if (!(c->flags & CONN_THROTTLED)) {
			c->flags |= CONN_THROTTLED;
			conn_log(c, LOG_INFO, "throttled: over %lld requests/s",
				(long long)srv.cfg.rate_limit_rps);
			audit_security(c, "rate_limited", h->name);
		}
		return;
	}
	/* Calm again once half the burst has come back. */
	if (c->tokens >= (double)srv.cfg.rate_limit_burst / 2)
		c->flags &= ~CONN_THROTTLED;
	if (c->state == CONN_NEW && !(h->flags & H_PREHELLO) &&
		(h->flags & H_PREAUTH)) {
		conn_send_error(c, f->id, E_INVALID, NULL,
			"send Hello before %s", h->name);
		return;
	}
	if (c->ident == NULL && !(h->flags & (H_PREHELLO | H_PREAUTH))) {
		conn_send_error(c, f->id, E_UNAUTH, NULL,
			"log in before %s", h->name);
		return;
	}
	if (c->ident && h->roles != ROLES_ANY &&
		!(h->roles & ROLE_BIT(c->ident->role))) {
		conn_send_error(c, f->id, E_DENIED, NULL,
			"%s is not allowed for role %s", h->name,
			role_name(c->ident->role));
		audit_security(c, "denied", h->name);
		return;
	}
	conn_log(c, LOG_TRACE, "request #%u %s", f->id, h->name);
	h->exec(c, f->id, f);
}

void
dispatch_conn_closed(struct conn *c)
{
	topics_conn_closed(c);
}
