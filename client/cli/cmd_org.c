/* pace admin org show|set: the organisation's settings. */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "offline.h"
#include "output.h"
#include "xmalloc.h"

#define BODY(name) PACE__V1__FRAME__BODY_##name

static cJSON *
org_json(const Pace__V1__OrgSettings *o)
{
	cJSON *j = cJSON_CreateObject(), *arr, *probs, *facs;

	cJSON_AddStringToObject(j, "name", o->name);
	cJSON_AddStringToObject(j, "currency", o->currency);
	cJSON_AddStringToObject(j, "timezone", o->timezone);
	cJSON_AddStringToObject(j, "revenue_basis", o->revenue_basis);
	cJSON_AddNumberToObject(j, "green_pace", o->green_pace);
	cJSON_AddNumberToObject(j, "yellow_pace", o->yellow_pace);
	arr = cJSON_AddArrayToObject(j, "loss_reasons");
	for (size_t i = 0; i < o->n_loss_reasons; i++)
		cJSON_AddItemToArray(arr,
			cJSON_CreateString(o->loss_reasons[i]));
	cJSON_AddNumberToObject(j, "backfill_days", o->backfill_days);
	cJSON_AddNumberToObject(j, "future_skew_s", o->future_skew_s);
	cJSON_AddNumberToObject(j, "stale_days", o->stale_days);
	cJSON_AddNumberToObject(j, "stuck_days", o->stuck_days);
	probs = cJSON_AddObjectToObject(j, "stage_probabilities");
	for (size_t i = 0; i < o->n_stage_probabilities; i++)
		cJSON_AddNumberToObject(probs,
			stage_name(o->stage_probabilities[i]->stage),
			o->stage_probabilities[i]->probability);
	facs = cJSON_AddObjectToObject(j, "region_factors");
	for (size_t i = 0; i < o->n_region_factors; i++)
		cJSON_AddNumberToObject(facs, o->region_factors[i]->region,
			o->region_factors[i]->factor);
	return j;
}

/* "华北 1.1, 华南 1.2" (xmalloc'd; empty when none is set). */
static char *
region_factors_text(const Pace__V1__OrgSettings *o)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < o->n_region_factors; i++)
		len += strlen(o->region_factors[i]->region) + 32;
	s = xcalloc(1, len);
	for (size_t i = 0; i < o->n_region_factors; i++)
		snprintf(s + strlen(s), len - strlen(s), "%s%s %g",
			i ? ", " : "", o->region_factors[i]->region,
			o->region_factors[i]->factor);
	return s;
}

static void
print_org(const Pace__V1__OrgSettings *o)
{
	char green[32], yellow[32], backfill[32], skew[32], stale[32],
		stuck[32], *reasons, *probs, *facs = region_factors_text(o);
	size_t rlen = 1, plen = 1;

	for (size_t i = 0; i < o->n_loss_reasons; i++)
		rlen += strlen(o->loss_reasons[i]) + 2;
	reasons = xcalloc(1, rlen);
	for (size_t i = 0; i < o->n_loss_reasons; i++) {
		if (i)
			strcat(reasons, ", ");
		strcat(reasons, o->loss_reasons[i]);
	}
	plen += o->n_stage_probabilities * 32;
	probs = xcalloc(1, plen);
	for (size_t i = 0; i < o->n_stage_probabilities; i++)
		snprintf(probs + strlen(probs), plen - strlen(probs), "%s%s %g",
			i ? ", " : "",
			stage_name(o->stage_probabilities[i]->stage),
			o->stage_probabilities[i]->probability);
	snprintf(green, sizeof(green), "%g", o->green_pace);
	snprintf(yellow, sizeof(yellow), "%g", o->yellow_pace);
	snprintf(backfill, sizeof(backfill), "%d", o->backfill_days);
	snprintf(skew, sizeof(skew), "%d", o->future_skew_s);
	snprintf(stale, sizeof(stale), "%d", o->stale_days);
	snprintf(stuck, sizeof(stuck), "%d", o->stuck_days);
	{
		const char *kv[] = {
			"name", o->name,
			"currency", o->currency,
			"timezone", o->timezone,
			"revenue_basis", o->revenue_basis,
			"green_pace", green,
			"yellow_pace", yellow,
			"loss_reasons", reasons,
			"backfill_days", backfill,
			"future_skew_s", skew,
			"stale_days", stale,
			"stuck_days", stuck,
			"stage_probability", probs,
			"region_factor", facs,
		};
		kv_print(kv, 13);
	}
	free(reasons);
	free(probs);
	free(facs);
}

static int
run_show(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__OrgGet m = PACE__V1__ORG_GET__INIT;
	int code;

	if ((code = cli_session(cli)) != EXIT_OK)
		return code;
	req.body_case = BODY(ORG_GET);
	req.org_get = &m;
	if ((code = cli_call(cli, &req, BODY(ORG_SETTINGS), &resp)) != EXIT_OK)
		return code;
	if (cli->json)
		json_print(org_json(resp->org_settings));
	else
		print_org(resp->org_settings);
	msg_free(resp);
	return EXIT_OK;
}

static int
run_set(struct cli *cli, struct args *a)
{
	pace_frame_t req = PACE__V1__FRAME__INIT, *resp = NULL;
	Pace__V1__OrgSet m = PACE__V1__ORG_SET__INIT;
	char op[37], summary[256];
	int code;

	pc_uuid(op);
	m.client_op_id = op;
	m.key = a->pos[0];
	m.value = a->pos[1];
	req.body_case = BODY(ORG_SET);
	req.org_set = &m;
	snprintf(summary, sizeof(summary), "%s = %s", m.key, m.value);
	code = cli_write(cli, &req, op, BODY(ORG_SETTINGS), &resp, summary);
	if (code != EXIT_OK || resp == NULL)
		return code;
	if (cli->json) {
		json_print(org_json(resp->org_settings));
	} else {
		printf(_("Set %s.\n"), m.key);
		print_org(resp->org_settings);
	}
	msg_free(resp);
	return EXIT_OK;
}

static const struct opt no_opts[] = {{NULL, 0, NULL}};

const struct cmd cmds_org[] = {
	{"admin org show", "", N_("Show the organisation's settings"), no_opts,
		0, 0, run_show},
	{"admin org set", "KEY VALUE",
		N_("Change one organisation setting (a key of `pace admin org "
		   "show`)"),
		no_opts, 2, 2, run_set},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};
