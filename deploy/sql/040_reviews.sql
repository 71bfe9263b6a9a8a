-- Pace schema: reviews (issue 7). A review of a scope (a team, an office or
-- the org) for a period is generated from the KPI engine (022) and stored
-- with the numbers as they were: the KPIs of the scope and of each member
-- against target and pace, the top three and what they did differently,
-- diagnoses of the members below pace by explicit rules (docs/review.md),
-- the previous review's action items and how they were closed, the trend
-- against the previous period and, for a month, the star of the month.
-- One stored review per (org, scope, period): that uniqueness is what makes
-- a scheduled review happen once across every paced.
--
-- The content is jsonb, documented in docs/review.md; money inside is JSON
-- strings of fen (as in pace.kpi_compute), ratios are numbers, null where
-- undefined.

-- Scheduled reviews (org settings, set with OrgSet; 043): the weekly review
-- of the week just ended every Monday, the monthly review of the month just
-- ended on the 1st, from review_hour o'clock in the org's time zone.
ALTER TABLE pace.org
	ADD COLUMN review_weekly boolean NOT NULL DEFAULT false,
	ADD COLUMN review_monthly boolean NOT NULL DEFAULT false,
	ADD COLUMN review_hour int NOT NULL DEFAULT 7
		CHECK (review_hour BETWEEN 0 AND 23);

CREATE TABLE pace.review (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES pace.org,
	scope_kind text NOT NULL CHECK (scope_kind IN ('team', 'office', 'org')),
	scope_id bigint NOT NULL,
	period text NOT NULL,               -- canonical (pace.period_parse)
	period_kind text NOT NULL,
	period_start date NOT NULL,
	generated_at timestamptz NOT NULL,
	generated_by bigint REFERENCES pace.app_user, -- NULL: the schedule
	version int NOT NULL DEFAULT 1,     -- +1 each time it is regenerated
	content jsonb NOT NULL,
	UNIQUE (org_id, scope_kind, scope_id, period)
);
CREATE INDEX ON pace.review (org_id, period_start);

CREATE TABLE pace.action_item (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES pace.org,
	owner_id bigint NOT NULL REFERENCES pace.app_user,
	text text NOT NULL,
	due_on date NOT NULL,
	status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
	review_id bigint REFERENCES pace.review,
	diagnosis int,                      -- its number in the review, if from one
	rule text,
	created_by bigint NOT NULL REFERENCES pace.app_user,
	created_at timestamptz NOT NULL,
	closed_at timestamptz,
	closed_by bigint REFERENCES pace.app_user,
	note text NOT NULL DEFAULT '',
	updated_at timestamptz NOT NULL,
	CHECK ((status = 'done') = (closed_at IS NOT NULL))
);
CREATE INDEX ON pace.action_item (org_id, owner_id, status);
CREATE INDEX ON pace.action_item (review_id);
CREATE INDEX ON pace.action_item (org_id, due_on) WHERE status = 'open';
-- A diagnosis becomes at most one action item.
CREATE UNIQUE INDEX ON pace.action_item (review_id, diagnosis)
	WHERE diagnosis IS NOT NULL;

-- The diagnosis rules' thresholds (docs/review.md explains each). Stored in
-- every review, so a review says which rules made it.
CREATE FUNCTION pace.review_rules() RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT '{
		"below_pace": 1.0,
		"conversion": {"followups_vs_team_mean": 1.0,
			"win_rate_vs_team": 0.7, "min_decided": 3},
		"stuck": {"cycle_vs_team_median": 1.5, "max_deals": 5},
		"prospecting": {"new_leads_vs_team_mean": 0.5},
		"collections": {"overdue_rate": 0.2},
		"pipeline": {"coverage": 1.0}
	}'::jsonb
$$;

-- The period before one, of the same kind, in canonical text.
CREATE FUNCTION pace.period_prev(p_kind text, p_start date) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pace, pg_catalog AS $$
	SELECT period_of(p_kind, (CASE p_kind
		WHEN 'year' THEN p_start - interval '1 year'
		WHEN 'quarter' THEN p_start - interval '3 months'
		WHEN 'month' THEN p_start - interval '1 month'
		WHEN 'week' THEN p_start - interval '7 days'
		ELSE p_start - interval '1 day' END)::date)
$$;

-- A member's KPIs in a review: the KPI object without what only the scope
-- shows (mix, funnel, loss reasons, other metrics).
CREATE FUNCTION pace.kpi_compact(k jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT k - ARRAY['mix', 'funnel', 'loss_reasons', 'metrics', 'scope',
		'period', 'period_start', 'period_end', 'currency', 'revenue_basis']
$$;

-- A ratio as a JSON number (null when undefined), rounded for storage.
CREATE FUNCTION pace.jnum(v numeric, places int DEFAULT 4) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v IS NULL THEN 'null'::jsonb
		ELSE to_jsonb(round(v, places)) END
$$;

-- Star of the period among entries {user {id, login, name}, team, actual,
-- target, attainment, pace, status} (money as text): the highest revenue
-- attainment. Ties on attainment are broken by the larger actual; a tie
-- that remains is shared. The answer says how it was decided
-- ('attainment', 'actual', 'shared'; null when no one has a target), who
-- tied, and the runner-up.
CREATE FUNCTION pace.star_of(p_entries jsonb[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	WITH m AS (
		SELECT j, (j->>'attainment')::numeric AS attainment,
			(j->>'actual')::bigint AS actual, j->'user'->>'name' AS name,
			(j->'user'->>'id')::bigint AS id
		FROM unnest(p_entries) j WHERE j->>'attainment' IS NOT NULL
	), e AS (
		SELECT m.*, m.attainment = max(m.attainment) OVER () AS top FROM m
	), tied AS (
		SELECT e.*, e.actual = max(e.actual) OVER () AS best FROM e WHERE e.top
	)
	SELECT jsonb_build_object(
		'stars', coalesce((SELECT jsonb_agg(j ORDER BY name, id) FROM tied
			WHERE best), '[]'),
		'tied', coalesce((SELECT jsonb_agg(j ORDER BY actual DESC, name, id)
			FROM tied WHERE NOT best), '[]'),
		'runner_up', (SELECT j FROM e WHERE NOT top
			ORDER BY attainment DESC, actual DESC, name, id LIMIT 1),
		'decided_by', CASE
			WHEN (SELECT count(*) FROM tied) = 0 THEN NULL
			WHEN (SELECT count(*) FROM tied) = 1 THEN 'attainment'
			WHEN (SELECT count(*) FROM tied WHERE best) = 1 THEN 'actual'
			ELSE 'shared' END)
$$;

-- The star of a scope's active reps for [p_from, p_to) (pace board --star).
CREATE FUNCTION pace.star_compute(p_org bigint, p_kind text, p_id bigint,
	p_from date, p_to date, p_now timestamptz) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT star_of(ARRAY(
		SELECT jsonb_build_object(
			'user', jsonb_build_object('id', u.id, 'login', u.login,
				'name', u.name),
			'team', coalesce(t.name, ''), 'actual', pr.actual::text,
			'target', pr.target::text, 'attainment', jnum(pr.attainment),
			'pace', jnum(pr.pace), 'status', pr.status)
		FROM app_user u LEFT JOIN team t ON t.id = u.team_id,
			LATERAL progress(p_org, 'user', u.id, 'revenue', p_from, p_to,
				p_now) pr
		WHERE u.org_id = p_org AND u.active AND u.role = 'rep'
			AND u.id IN (SELECT scope_users(p_org, p_kind, p_id))))
$$;

-- What happened to an action item, seen on org-local day p_today: closed
-- on time (on or before its due day), closed late, overdue, or open.
CREATE FUNCTION pace.action_outcome(p_status text, p_due date,
	p_closed_on date, p_today date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN p_status = 'done' AND p_closed_on <= p_due THEN 'on_time'
		WHEN p_status = 'done' THEN 'late'
		WHEN p_due < p_today THEN 'overdue'
		ELSE 'open' END
$$;

-- An action item as JSON (the wire's ActionItem, pace action list).
CREATE FUNCTION pace.action_json(ai pace.action_item, p_now timestamptz)
RETURNS jsonb LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT jsonb_build_object('id', ai.id, 'owner', o.login,
		'owner_name', o.name, 'team', coalesce(t.name, ''),
		'text', ai.text, 'due_on', to_char(ai.due_on, 'YYYY-MM-DD'),
		'status', ai.status, 'created_at', us(ai.created_at)::text,
		'created_by', coalesce(c.login, ''),
		'closed_at', coalesce(us(ai.closed_at), 0)::text,
		'closed_by', coalesce(x.login, ''), 'note', ai.note,
		'review_id', coalesce(ai.review_id, 0),
		'diagnosis', coalesce(ai.diagnosis, 0), 'rule', coalesce(ai.rule, ''),
		'outcome', action_outcome(ai.status, ai.due_on,
			(ai.closed_at AT TIME ZONE g.timezone)::date,
			(p_now AT TIME ZONE g.timezone)::date))
	FROM app_user o JOIN org g ON g.id = o.org_id
	LEFT JOIN team t ON t.id = o.team_id
	LEFT JOIN app_user c ON c.id = ai.created_by
	LEFT JOIN app_user x ON x.id = ai.closed_by
	WHERE o.id = ai.owner_id
$$;

-- The open deals of a user older than p_days (oldest first): the deals a
-- "stuck" diagnosis names.
CREATE FUNCTION pace.review_stuck_deals(p_user bigint, p_days numeric,
	p_now timestamptz, p_limit int) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT coalesce(jsonb_agg(d.j ORDER BY d.created_at, d.id), '[]')
	FROM (SELECT op.id, op.created_at, jsonb_build_object('id', op.id,
			'title', op.title, 'customer', c.name, 'stage', op.stage,
			'amount', op.amount::text,
			'age_days', floor(extract(epoch FROM p_now - op.created_at) / 86400)::int,
			'days_in_stage', floor(extract(epoch FROM p_now - op.stage_at) / 86400)::int) AS j
		FROM opportunity op JOIN customer c ON c.id = op.customer_id
		WHERE op.owner_id = p_user AND op.stage NOT IN ('won', 'lost')
			AND op.created_at < p_now - p_days * interval '1 day'
		ORDER BY op.created_at, op.id LIMIT p_limit) d
$$;

-- The diagnoses of one member below pace, against the member's team
-- baseline b (see review_build). Each is {rule, evidence, suggestion,
-- deals?}; the rules and thresholds are in review_rules() and
-- docs/review.md. A rule whose numbers are undefined does not apply.
CREATE FUNCTION pace.review_diagnose(m jsonb, b jsonb, rules jsonb,
	p_now timestamptz) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	k jsonb := m->'kpi';
	out jsonb := '[]';
	who text := m->'user'->>'name';
	fol numeric := (k->'followups'->>'total')::numeric;
	fol_mean numeric := (b->>'followups_mean')::numeric;
	win numeric := (k->>'win_rate')::numeric;
	team_win numeric := (b->>'win_rate')::numeric;
	decided int := (m->>'won')::int + (m->>'lost')::int;
	cyc numeric := (k->'cycle_days'->>'median')::numeric;
	team_cyc numeric := (b->>'cycle_median')::numeric;
	leads numeric := (k->>'new_leads')::numeric;
	leads_mean numeric := (b->>'new_leads_mean')::numeric;
	od numeric := (k->>'overdue_rate')::numeric;
	cov numeric := (k->>'coverage')::numeric;
	r jsonb;
	deals jsonb;
BEGIN
	-- Many follow-ups but a win rate well under the team's.
	r := rules->'conversion';
	IF win IS NOT NULL AND team_win IS NOT NULL AND fol_mean IS NOT NULL
		AND decided >= (r->>'min_decided')::int
		AND fol >= fol_mean * (r->>'followups_vs_team_mean')::numeric
		AND win < team_win * (r->>'win_rate_vs_team')::numeric
	THEN
		out := out || jsonb_build_object('rule', 'conversion',
			'evidence', jsonb_build_object('followups', fol,
				'team_followups_mean', jnum(fol_mean, 2),
				'win_rate', jnum(win), 'team_win_rate', jnum(team_win),
				'won', (m->>'won')::int, 'lost', (m->>'lost')::int),
			'suggestion', format('Conversion coaching for %s: win rate %s%% '
				'against the team''s %s%% on %s follow-ups', who,
				round(win * 100, 1), round(team_win * 100, 1), fol));
	END IF;
	-- A cycle much longer than the team's median: name the old open deals.
	r := rules->'stuck';
	IF cyc IS NOT NULL AND team_cyc IS NOT NULL AND team_cyc > 0
		AND cyc > team_cyc * (r->>'cycle_vs_team_median')::numeric
	THEN
		deals := review_stuck_deals((m->'user'->>'id')::bigint, team_cyc,
			p_now, (r->>'max_deals')::int);
		out := out || jsonb_build_object('rule', 'stuck',
			'evidence', jsonb_build_object('cycle_median', jnum(cyc, 2),
				'team_cycle_median', jnum(team_cyc, 2)),
			'deals', deals,
			'suggestion', format('Unstick the deals of %s: median cycle %s '
				'days against the team''s %s%s', who, round(cyc, 1),
				round(team_cyc, 1), CASE WHEN jsonb_array_length(deals) > 0
				THEN ' (' || (SELECT string_agg(format('#%s %s', d->>'id',
					d->>'title'), ', ') FROM jsonb_array_elements(deals) d)
					|| ')' ELSE '' END));
	END IF;
	-- Few new leads.
	r := rules->'prospecting';
	IF leads_mean IS NOT NULL AND leads_mean > 0
		AND leads < leads_mean * (r->>'new_leads_vs_team_mean')::numeric
	THEN
		out := out || jsonb_build_object('rule', 'prospecting',
			'evidence', jsonb_build_object('new_leads', leads,
				'team_new_leads_mean', jnum(leads_mean, 2)),
			'suggestion', format('Prospecting for %s: new leads %s, against '
				'a team average of %s', who, leads, round(leads_mean, 1)));
	END IF;
	-- A high overdue rate.
	r := rules->'collections';
	IF od IS NOT NULL AND od > (r->>'overdue_rate')::numeric THEN
		out := out || jsonb_build_object('rule', 'collections',
			'evidence', jsonb_build_object('overdue_rate', jnum(od)),
			'suggestion', format('Collections for %s: %s%% of the amount '
				'due is unpaid', who, round(od * 100, 1)));
	END IF;
	-- Pipeline coverage under 1.
	r := rules->'pipeline';
	IF cov IS NOT NULL AND cov < (r->>'coverage')::numeric THEN
		out := out || jsonb_build_object('rule', 'pipeline',
			'evidence', jsonb_build_object('coverage', jnum(cov),
				'pipeline', k->'pipeline'->'amount',
				'gap', ((k->>'target')::bigint - (k->>'actual')::bigint)::text),
			'suggestion', format('Pipeline gap for %s: open pipeline covers '
				'%s of what is still to win', who, round(cov, 2)));
	END IF;
	RETURN out;
END $$;

-- The follow-up mix as shares of the total: {"call": 0.5, ...}; null
-- shares when there were none.
CREATE FUNCTION pace.mix_shares(f jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pace, pg_catalog AS $$
	SELECT jsonb_object_agg(k, CASE WHEN (f->>'total')::numeric > 0
		THEN jnum((f->>k)::numeric / (f->>'total')::numeric) ELSE 'null' END)
	FROM unnest(ARRAY['call', 'visit', 'email', 'meeting']) k
$$;

-- The KPIs of many scopes of one kind at once (the members and the teams
-- of a review): for each, the keys of kpi_compact(kpi_compute(...)), by the
-- same definitions (DESIGN §5, 022) but computed set-wise, so that a
-- review of 200 reps and 20 teams runs one query per KPI rather than 220
-- kpi_compute calls. actual, target, attainment, elapsed, pace and status
-- come from pace.progress itself; rank is among pace.scope_peers (a rep
-- among the team's reps and managers, a team among the office's teams).
-- tests/integration/test_70 checks members and teams against KpiGet.
CREATE FUNCTION pace.scope_kpis(p_org bigint, p_kind text, p_ids bigint[],
	p_from date, p_to date, p_now timestamptz)
RETURNS TABLE (id bigint, k jsonb, won bigint, lost bigint)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	WITH o AS (SELECT * FROM org WHERE org.id = p_org),
	b AS (SELECT org_day_start(p_org, p_from) AS t0,
		org_day_start(p_org, p_to) AS t1,
		(p_now AT TIME ZONE (SELECT timezone FROM o))::date AS today),
	-- scope -> its users (pace.scope_users)
	m AS (
		SELECT g.id AS gid, u.id AS uid
		FROM unnest(p_ids) g(id)
		JOIN app_user u ON u.org_id = p_org AND CASE p_kind
			WHEN 'user' THEN u.id = g.id
			WHEN 'team' THEN u.team_id = g.id
			ELSE u.team_id IN (SELECT t.id FROM team t WHERE t.office_id = g.id)
			END),
	users AS (SELECT array_agg(DISTINCT uid) AS a FROM m),
	-- Progress of the scopes and of their peers (for the rank), once each.
	peers AS (
		SELECT DISTINCT par.id AS parent, pe.id
		FROM unnest(p_ids) g(id),
			LATERAL scope_parent(p_org, p_kind, g.id) par,
			LATERAL scope_children(p_org, par.kind, par.id) pe
		WHERE par.id IS NOT NULL),
	ids AS (SELECT p.id FROM peers p UNION SELECT unnest(p_ids)),
	prog AS (
		SELECT i.id, g.* FROM ids i,
			LATERAL progress(p_org, p_kind, i.id, 'revenue', p_from, p_to,
				p_now) g),
	ranked AS (
		SELECT p.id, CASE WHEN g.attainment IS NOT NULL THEN rank() OVER (
			PARTITION BY p.parent ORDER BY g.attainment DESC NULLS LAST) END AS rnk
		FROM peers p JOIN prog g ON g.id = p.id),
	pr AS (
		SELECT g.*, (SELECT min(r.rnk) FROM ranked r WHERE r.id = g.id) AS rnk
		FROM prog g WHERE g.id = ANY (p_ids)),
	ru AS (
		SELECT m.gid, sum(r.booked) AS booked, sum(r.contracts) AS contracts,
			sum(r.received) AS received, sum(r.due) AS due,
			sum(r.new_leads) AS new_leads, sum(r.won) AS won,
			sum(r.lost) AS lost, sum(r.calls) AS calls, sum(r.visits) AS visits,
			sum(r.emails) AS emails, sum(r.meetings) AS meetings
		FROM m JOIN rollup_day r ON r.user_id = m.uid
			AND r.day >= p_from AND r.day < p_to
		GROUP BY m.gid),
	fun AS (
		SELECT m.gid, count(*) AS n,
			count(*) FILTER (WHERE op.reached & 2 <> 0) AS q
		FROM m JOIN opportunity op ON op.owner_id = m.uid, b
		WHERE op.org_id = p_org
			AND op.created_at >= b.t0 AND op.created_at < b.t1
		GROUP BY m.gid),
	cyc AS (
		SELECT m.gid,
			avg(extract(epoch FROM op.won_at - op.created_at) / 86400) AS mean,
			percentile_cont(0.5) WITHIN GROUP (ORDER BY
				extract(epoch FROM op.won_at - op.created_at) / 86400) AS median
		FROM m JOIN opportunity op ON op.owner_id = m.uid, b
		WHERE op.org_id = p_org AND op.won_at >= b.t0 AND op.won_at < b.t1
		GROUP BY m.gid),
	pipe AS (
		SELECT m.gid, count(*) AS n, coalesce(sum(op.amount), 0) AS amount,
			coalesce(round(sum(op.amount * coalesce((o.stage_prob ->> op.stage)::numeric,
				0))), 0) AS weighted
		FROM m JOIN opportunity op ON op.owner_id = m.uid, o
		WHERE op.stage NOT IN ('won', 'lost')
		GROUP BY m.gid),
	od AS (
		SELECT m.gid,
			sum(greatest(0, d.due_before - coalesce(rc.got, 0))) AS unpaid,
			sum(d.due_before) AS due_before
		FROM (SELECT c.owner_id, i.contract_id, sum(i.amount_due) AS due_before
			FROM installment i JOIN contract c ON c.id = i.contract_id, b, users
			WHERE c.owner_id = ANY (users.a) AND i.due_on < b.today
			GROUP BY c.owner_id, i.contract_id) d
		JOIN m ON m.uid = d.owner_id
		LEFT JOIN LATERAL (SELECT sum(rc.amount) AS got FROM receipt rc
			WHERE rc.contract_id = d.contract_id) rc ON true
		GROUP BY m.gid)
	SELECT pr.id, jsonb_build_object(
		'actual', pr.actual::text,
		'target', pr.target::text,
		'attainment', pr.attainment,
		'elapsed', pr.elapsed,
		'pace', pr.pace,
		'status', pr.status,
		'new_leads', coalesce(ru.new_leads, 0),
		'followups', jsonb_build_object('total', coalesce(ru.calls + ru.visits
			+ ru.emails + ru.meetings, 0), 'call', coalesce(ru.calls, 0),
			'visit', coalesce(ru.visits, 0), 'email', coalesce(ru.emails, 0),
			'meeting', coalesce(ru.meetings, 0)),
		'lead_to_opp', CASE WHEN fun.n > 0 THEN fun.q::numeric / fun.n END,
		'win_rate', CASE WHEN ru.won + ru.lost > 0
			THEN ru.won::numeric / (ru.won + ru.lost) END,
		'cycle_days', jsonb_build_object('mean', round(cyc.mean::numeric, 2),
			'median', round(cyc.median::numeric, 2)),
		'avg_deal', CASE WHEN ru.contracts > 0
			THEN round(ru.booked::numeric / ru.contracts)::bigint::text END,
		'pipeline', jsonb_build_object('count', coalesce(pipe.n, 0),
			'amount', coalesce(pipe.amount, 0)::text,
			'weighted', coalesce(pipe.weighted, 0)::bigint::text),
		'coverage', CASE WHEN pr.target IS NOT NULL AND pr.target - pr.actual > 0
			THEN round(coalesce(pipe.amount, 0)::numeric
				/ (pr.target - pr.actual), 4) END,
		'collection_rate', CASE WHEN ru.due > 0
			THEN ru.received::numeric / ru.due END,
		'overdue_rate', CASE WHEN od.due_before > 0
			THEN od.unpaid::numeric / od.due_before END,
		'rank', pr.rnk),
		coalesce(ru.won, 0), coalesce(ru.lost, 0)
	FROM pr
	LEFT JOIN ru ON ru.gid = pr.id
	LEFT JOIN fun ON fun.gid = pr.id
	LEFT JOIN cyc ON cyc.gid = pr.id
	LEFT JOIN pipe ON pipe.gid = pr.id
	LEFT JOIN od ON od.gid = pr.id
$$;

-- Build the review of scope (kind, id) for a period as of p_now.
CREATE FUNCTION pace.review_build(p_org bigint, p_kind text, p_id bigint,
	p_label text, p_period text, p_now timestamptz) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	o org;
	per record; pper record;
	rules jsonb := review_rules();
	summary jsonb; prev_summary jsonb;
	members jsonb; teams jsonb := '[]'; base jsonb := '{}';
	top jsonb; diags jsonb := '[]'; star jsonb;
	prev review; prev_actions jsonb := '[]';
	m jsonb; d jsonb; n int := 0; users bigint[]; tkpis jsonb;
	trend jsonb;
BEGIN
	SELECT * INTO o FROM org WHERE id = p_org;
	per := period_parse(p_period);
	pper := period_parse(period_prev(per.kind, per.start_day));
	summary := kpi_compute(p_org, p_kind, p_id, p_label, per.canon,
		per.start_day, per.end_day, p_now);
	prev_summary := kpi_compute(p_org, p_kind, p_id, p_label, pper.canon,
		pper.start_day, pper.end_day, p_now);

	-- Members: the scope's active reps, best attainment first.
	users := ARRAY(SELECT u.id FROM app_user u WHERE u.org_id = p_org
		AND u.active AND u.role = 'rep'
		AND u.id IN (SELECT scope_users(p_org, p_kind, p_id)));
	SELECT coalesce(jsonb_agg(x.j ORDER BY x.att DESC NULLS LAST,
		x.actual DESC, x.name, x.id), '[]')
	INTO members FROM (
		SELECT u.id, u.name, (mk.k->>'attainment')::numeric AS att,
			(mk.k->>'actual')::bigint AS actual,
			jsonb_build_object(
				'user', jsonb_build_object('id', u.id, 'login', u.login,
					'name', u.name),
				'team', jsonb_build_object('id', t.id, 'name', t.name),
				'kpi', mk.k,
				'won', mk.won, 'lost', mk.lost,
				'prev', jsonb_build_object('actual', pp.actual::text,
					'target', pp.target::text,
					'attainment', jnum(pp.attainment)),
				'below_pace', coalesce((mk.k->>'pace')::numeric
					< (rules->>'below_pace')::numeric, false)) AS j
		FROM scope_kpis(p_org, 'user', users, per.start_day, per.end_day,
			p_now) mk
		JOIN app_user u ON u.id = mk.id
		LEFT JOIN team t ON t.id = u.team_id,
			LATERAL progress(p_org, 'user', u.id, 'revenue',
				pper.start_day, pper.end_day, p_now) pp) x;

	-- Team baselines (a member is compared with their own team): the
	-- team's win rate, lead-to-opportunity and median cycle, and the mean
	-- follow-ups and new leads of its reps. An office or org review also
	-- lists its teams, with their KPIs and last period's attainment.
	IF p_kind = 'team' THEN
		tkpis := jsonb_build_object(p_id::text, kpi_compact(summary));
	ELSE
		SELECT coalesce(jsonb_object_agg(tk.id::text, tk.k), '{}')
		INTO tkpis FROM scope_kpis(p_org, 'team', ARRAY(SELECT DISTINCT
			(e->'team'->>'id')::bigint FROM jsonb_array_elements(members) e
			WHERE e->'team'->>'id' IS NOT NULL), per.start_day, per.end_day,
			p_now) tk;
		SELECT coalesce(jsonb_agg(jsonb_build_object(
			'team', jsonb_build_object('id', t.id, 'name', t.name),
			'kpi', tkpis->(t.id::text),
			'prev', jsonb_build_object('actual', pp.actual::text,
				'target', pp.target::text, 'attainment', jnum(pp.attainment)))
			ORDER BY t.name, t.id), '[]')
		INTO teams FROM team t,
			LATERAL progress(p_org, 'team', t.id, 'revenue', pper.start_day,
				pper.end_day, p_now) pp
		WHERE tkpis ? (t.id::text);
	END IF;
	SELECT coalesce(jsonb_object_agg(x.tid, jsonb_build_object(
		'team', x.tname, 'reps', x.reps,
		'win_rate', tkpis->x.tid->'win_rate',
		'lead_to_opp', tkpis->x.tid->'lead_to_opp',
		'cycle_median', tkpis->x.tid->'cycle_days'->'median',
		'followups_mean', jnum(x.fol, 2),
		'new_leads_mean', jnum(x.leads, 2),
		'mix', mix_shares(tkpis->x.tid->'followups'))), '{}')
	INTO base FROM (
		SELECT e->'team'->>'id' AS tid, min(e->'team'->>'name') AS tname,
			avg((e->'kpi'->'followups'->>'total')::numeric) AS fol,
			avg((e->'kpi'->>'new_leads')::numeric) AS leads, count(*) AS reps
		FROM jsonb_array_elements(members) e
		WHERE e->'team'->>'id' IS NOT NULL
		GROUP BY e->'team'->>'id') x;

	-- The top three by attainment (ties: the larger actual first) and what
	-- they did differently from their team.
	SELECT coalesce(jsonb_agg(jsonb_build_object(
		'rank', x.n, 'user', x.e->'user', 'team', x.e->'team',
		'attainment', x.e->'kpi'->'attainment', 'actual', x.e->'kpi'->'actual',
		'target', x.e->'kpi'->'target',
		'followups', jsonb_build_object('member',
			x.e->'kpi'->'followups'->'total', 'team_mean', x.b->'followups_mean'),
		'mix', jsonb_build_object('member', mix_shares(x.e->'kpi'->'followups'),
			'team', x.b->'mix'),
		'win_rate', jsonb_build_object('member', x.e->'kpi'->'win_rate',
			'team', x.b->'win_rate'),
		'lead_to_opp', jsonb_build_object('member', x.e->'kpi'->'lead_to_opp',
			'team', x.b->'lead_to_opp'),
		'cycle_median', jsonb_build_object('member',
			x.e->'kpi'->'cycle_days'->'median', 'team', x.b->'cycle_median'),
		'avg_deal', x.e->'kpi'->'avg_deal')
		ORDER BY x.n), '[]')
	INTO top FROM (
		SELECT e, ord AS n, base->(e->'team'->>'id') AS b
		FROM jsonb_array_elements(members) WITH ORDINALITY AS a(e, ord)
		WHERE e->'kpi'->>'attainment' IS NOT NULL AND ord <= 3) x;
	-- Add the activity the member leans on most compared with the team.
	SELECT coalesce(jsonb_agg(t || jsonb_build_object('mix_standout', (
		SELECT k FROM unnest(ARRAY['call', 'visit', 'email', 'meeting']) k
		WHERE (t->'mix'->'member'->>k) IS NOT NULL
		ORDER BY (t->'mix'->'member'->>k)::numeric
			- coalesce((t->'mix'->'team'->>k)::numeric, 0) DESC, k LIMIT 1))
		ORDER BY (t->>'rank')::int), '[]')
	INTO top FROM jsonb_array_elements(top) t;

	-- Diagnoses of the members below pace, numbered across the review.
	FOR m IN SELECT e FROM jsonb_array_elements(members) e
		WHERE (e->>'below_pace')::boolean
	LOOP
		FOR d IN SELECT x FROM jsonb_array_elements(review_diagnose(m,
			coalesce(base->(m->'team'->>'id'), '{}'), rules, p_now)) x
		LOOP
			n := n + 1;
			diags := diags || (jsonb_build_object('n', n, 'user', m->'user',
				'team', m->'team', 'attainment', m->'kpi'->'attainment',
				'pace', m->'kpi'->'pace', 'status', m->'kpi'->'status') || d);
		END LOOP;
	END LOOP;

	-- The previous review of this scope and what became of its actions.
	SELECT * INTO prev FROM review WHERE org_id = p_org
		AND scope_kind = p_kind AND scope_id = p_id AND period = pper.canon;
	IF FOUND THEN
		SELECT coalesce(jsonb_agg(action_json(ai, p_now) ORDER BY ai.id), '[]')
		INTO prev_actions FROM action_item ai WHERE ai.review_id = prev.id;
	END IF;

	IF per.kind = 'month' THEN
		star := star_of(ARRAY(SELECT jsonb_build_object(
			'user', e->'user', 'team', e->'team'->>'name',
			'actual', e->'kpi'->'actual', 'target', e->'kpi'->'target',
			'attainment', jnum((e->'kpi'->>'attainment')::numeric),
			'pace', jnum((e->'kpi'->>'pace')::numeric),
			'status', e->'kpi'->'status')
			FROM jsonb_array_elements(members) e));
	END IF;

	SELECT jsonb_agg(jsonb_build_object('metric', x.metric,
		'now', summary #> x.path, 'prev', prev_summary #> x.path) ORDER BY x.ord)
	INTO trend FROM (VALUES
		(1, 'actual', '{actual}'::text[]), (2, 'target', '{target}'),
		(3, 'attainment', '{attainment}'), (4, 'new_leads', '{new_leads}'),
		(5, 'followups', '{followups,total}'), (6, 'lead_to_opp', '{lead_to_opp}'),
		(7, 'win_rate', '{win_rate}'), (8, 'cycle_median', '{cycle_days,median}'),
		(9, 'avg_deal', '{avg_deal}'), (10, 'collection_rate', '{collection_rate}'))
		AS x(ord, metric, path);

	RETURN jsonb_build_object(
		'format', 1,
		'scope', jsonb_build_object('kind', p_kind, 'id', p_id, 'name', p_label),
		'period', per.canon, 'period_kind', per.kind,
		'period_start', summary->'period_start', 'period_end', summary->'period_end',
		'previous_period', pper.canon,
		'as_of', us(p_now)::text,
		'currency', o.currency, 'revenue_basis', o.revenue_basis,
		'green_pace', o.green_pace, 'yellow_pace', o.yellow_pace,
		'rules', rules,
		'summary', summary,
		'previous', kpi_compact(prev_summary),
		'trend', trend,
		'teams', teams,
		'baselines', base,
		'members', members,
		'top', top,
		'diagnoses', diags,
		'star', star,
		'previous_review', CASE WHEN prev.id IS NOT NULL THEN
			jsonb_build_object('id', prev.id, 'period', prev.period,
				'generated_at', us(prev.generated_at)::text) END,
		'previous_actions', prev_actions);
END $$;
