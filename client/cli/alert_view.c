/* Alerts for people and scripts (see alert_view.h). */
#include <stdio.h>
#include <string.h>

#include "alert_view.h"
#include "cli.h"
#include "kpi_view.h"
#include "output.h"
#include "pc_time.h"

static const char *const kind_keys[] = {"", "status", "stale_deal",
	"stuck_deal", "close_passed", "payment_overdue", "action_due",
	"review_ready"};
static const char *const kind_names[] = {"", N_("status"), N_("stale deal"),
	N_("stuck deal"), N_("close date passed"), N_("payment overdue"),
	N_("action item due"), N_("review ready")};

const char *
alert_kind_name(Pace__V1__AlertKind k)
{
	return k >= 1 && k <= 7 ? _(kind_names[k]) : "?";
}

cJSON *
alert_json(const Pace__V1__Alert *al)
{
	cJSON *j = cJSON_CreateObject();

	json_add_i64(j, "id", (int64_t)al->id);
	cJSON_AddStringToObject(j, "kind",
		al->kind >= 1 && al->kind <= 7 ? kind_keys[al->kind] : "");
	json_add_time(j, "raised_at", al->raised_at);
	cJSON_AddStringToObject(j, "subject", al->subject ? al->subject->name : "");
	cJSON_AddStringToObject(j, "title", al->title);
	cJSON_AddStringToObject(j, "detail", al->detail);
	if (al->kind == PACE__V1__ALERT_KIND__ALERT_STATUS) {
		json_add_status(j, "from", al->from);
		json_add_status(j, "to", al->to);
		cJSON_AddStringToObject(j, "metric", al->metric);
		cJSON_AddStringToObject(j, "period", al->period);
	}
	if (al->deal_id)
		json_add_i64(j, "deal_id", al->deal_id);
	cJSON_AddBoolToObject(j, "acknowledged", al->acknowledged);
	return j;
}

void
alerts_print(Pace__V1__Alert **al, size_t n)
{
	const char *h[] = {_("ID"), _("RAISED"), _("KIND"), _("ALERT")};
	struct table *t = table_new(4, h);

	table_align_right(t, 0);
	for (size_t i = n; i-- > 0;) {
		char id[24], when[32], title[512];

		snprintf(id, sizeof(id), "%llu", (unsigned long long)al[i]->id);
		pc_time_format(al[i]->raised_at, when, sizeof(when));
		snprintf(title, sizeof(title), "%s%s%s%s",
			al[i]->kind == PACE__V1__ALERT_KIND__ALERT_STATUS
				? status_color(al[i]->to)
				: "",
			al[i]->title, col_reset(), al[i]->acknowledged ? " ✓" : "");
		const char *row[] = {id, when, alert_kind_name(al[i]->kind), title};
		table_row(t, row);
	}
	table_print(t);
	table_free(t);
}
