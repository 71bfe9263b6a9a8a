/*
 * Organisation settings: OrgGet (everyone) and OrgSet (admins and
 * directors; deploy/sql/011_org.sql validates each key).
 */
#include "capture.h"
#include "jsonutil.h"
#include "xmalloc.h"

static const struct stmt st_org_get = {
        "org_get", "SELECT pace.org_get($1) AS r", 1};
static const struct stmt st_org_set = {
        "org_set", "SELECT pace.org_set($1, $2, $3, $4, $5) AS r", 5};

const struct stmt *const org_stmts[] = {&st_org_get, &st_org_set, NULL};

static void
fill_reasons(struct arena *a, Pace__V1__OrgSettings *m, const cJSON *j)
{
	const cJSON *reasons =
	        cJSON_GetObjectItemCaseSensitive(j, "loss_reasons");
	size_t nr = (size_t)cJSON_GetArraySize(reasons), i = 0;
	const cJSON *e;

	m->loss_reasons = cap_alloc(a, nr, sizeof(*m->loss_reasons));
	cJSON_ArrayForEach(e, reasons)
	{
		if (cJSON_IsString(e) && i < nr)
			m->loss_reasons[i++] = e->valuestring;
	}
	m->n_loss_reasons = i;
}

static void
fill_probabilities(struct arena *a, Pace__V1__OrgSettings *m, const cJSON *j)
{
	const cJSON *probs =
	        cJSON_GetObjectItemCaseSensitive(j, "stage_probabilities");
	size_t np = (size_t)cJSON_GetArraySize(probs), i = 0;
	Pace__V1__StageProbability *sp = cap_alloc(a, np, sizeof(*sp));
	const cJSON *e;

	m->stage_probabilities =
	        cap_alloc(a, np, sizeof(*m->stage_probabilities));
	cJSON_ArrayForEach(e, probs)
	{
		if (i >= np)
			break;
		pace__v1__stage_probability__init(&sp[i]);
		sp[i].stage =
		        (Pace__V1__Stage)stage_value(json_str(e, "stage"));
		sp[i].probability = json_num(e, "probability");
		m->stage_probabilities[i] = &sp[i];
		i++;
	}
	m->n_stage_probabilities = i;
}

/* Region factors, as org_json orders them (by region). */
static void
fill_region_factors(struct arena *a, Pace__V1__OrgSettings *m, const cJSON *j)
{
	const cJSON *facs =
	        cJSON_GetObjectItemCaseSensitive(j, "region_factors");
	size_t nf = (size_t)cJSON_GetArraySize(facs), i = 0;
	Pace__V1__RegionFactor *rf = cap_alloc(a, nf, sizeof(*rf));
	const cJSON *e;

	m->region_factors = cap_alloc(a, nf, sizeof(*m->region_factors));
	cJSON_ArrayForEach(e, facs)
	{
		if (i >= nf)
			break;
		pace__v1__region_factor__init(&rf[i]);
		rf[i].region = (char *)json_str(e, "region");
		rf[i].factor = json_num(e, "factor");
		m->region_factors[i] = &rf[i];
		i++;
	}
	m->n_region_factors = i;
}

static void
build_settings(struct arena *a, Pace__V1__Frame *f, const cJSON *j)
{
	Pace__V1__OrgSettings *m = cap_alloc(a, 1, sizeof(*m));

	pace__v1__org_settings__init(m);
	m->name = (char *)json_str(j, "name");
	m->currency = (char *)json_str(j, "currency");
	m->timezone = (char *)json_str(j, "timezone");
	m->revenue_basis = (char *)json_str(j, "revenue_basis");
	m->green_pace = json_num(j, "green_pace");
	m->yellow_pace = json_num(j, "yellow_pace");
	m->backfill_days = (int32_t)json_int(j, "backfill_days");
	m->future_skew_s = (int32_t)json_int(j, "future_skew_s");
	m->stale_days = (int32_t)json_int(j, "stale_days");
	m->stuck_days = (int32_t)json_int(j, "stuck_days");
	fill_reasons(a, m, j);
	fill_probabilities(a, m, j);
	fill_region_factors(a, m, j);
	f->org_settings = m;
	f->body_case = BODY(ORG_SETTINGS);
}

static void
settings_done(struct req *r, const struct db_result *res)
{
	cap_reply_json(r, res, build_settings);
}

static void
exec_org_get(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	struct params p = {0};

	par_actor(&p, c);
	req_read(c, id, BODY(ORG_GET), &st_org_get, p.v, settings_done);
}

static void
exec_org_set(struct conn *c, uint32_t id, const pace_frame_t *f)
{
	const Pace__V1__OrgSet *m = f->org_set;
	struct params p = {0};

	/* A key is a name or "region_factor." and a region (up to 100). */
	if (cap_check_op(c, id, m->client_op_id) ||
	        cap_check_str(c, id, m->key, "key", 128) ||
	        cap_check_str(c, id, m->value, "value", 4000))
		return;
	par_write(&p, c, m->client_op_id, &m->base);
	par_str(&p, m->key);
	par_str(&p, m->value);
	/* Thresholds, basis, time zone and probabilities change KPIs (the
	 * SQL notifies only for those). */
	req_write(c, id, BODY(ORG_SET), &st_org_set, p.v, DB_NOTIFY,
	        settings_done);
}

const struct handler handler_org_get = {"org get", 0, ROLES_ANY, exec_org_get};
const struct handler handler_org_set = {
        "org set", 0, ROLES_ADMINS, exec_org_set};
