-- Pace schema: the KPI engine (DESIGN §5 is the definition of every number).
--
-- Everything summed over a period reads the rollups: rollup_month for the
-- whole months inside it and rollup_day for the days at either end (so a
-- year costs 12 rows per member, a week 7), and the customers touched the
-- same way (customer_touch_month, customer_touch). The per-deal numbers
-- (lead_to_opp, cycle_days, funnel, loss_reasons) read the deals created,
-- won or lost in the period through their indexes; pipeline and overdue
-- are "now" numbers over open deals and unpaid contracts. A ratio whose
-- denominator is zero is NULL.

-- The actual of a metric in a rollup row set.
CREATE FUNCTION pace.metric_value(p_metric text, p_basis text, booked bigint,
	received bigint, new_leads bigint, followups bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_metric
		WHEN 'revenue' THEN CASE p_basis WHEN 'booked' THEN booked ELSE received END
		WHEN 'collected' THEN received
		WHEN 'new_leads' THEN new_leads
		WHEN 'followups' THEN followups END
$$;

CREATE FUNCTION pace.pace_status(p_pace numeric, green numeric, yellow numeric)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_pace IS NULL THEN NULL
		WHEN p_pace >= green THEN 'green'
		WHEN p_pace >= yellow THEN 'yellow' ELSE 'red' END
$$;

-- Fraction of [start, end) elapsed at now, clamped to [0, 1].
CREATE FUNCTION pace.elapsed(p_start timestamptz, p_end timestamptz,
	p_now timestamptz) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
	SELECT greatest(0, least(1,
		extract(epoch FROM least(p_now, p_end) - p_start)
		/ extract(epoch FROM p_end - p_start)))
$$;

-- Month rollups: rollup_day summed by month, so that a quarter or a year
-- reads 3 or 12 rows per member instead of 90 or 365. Kept in step with
-- rollup_day by triggers (whoever writes it: rollup_add, the imports'
-- set-based upserts, rollup_rebuild), in the same transaction.
CREATE TABLE pace.rollup_month (
	org_id bigint NOT NULL,
	user_id bigint NOT NULL,
	month date NOT NULL,
	booked bigint NOT NULL DEFAULT 0,
	contracts int NOT NULL DEFAULT 0,
	received bigint NOT NULL DEFAULT 0,
	due bigint NOT NULL DEFAULT 0,
	new_leads int NOT NULL DEFAULT 0,
	won int NOT NULL DEFAULT 0,
	lost int NOT NULL DEFAULT 0,
	calls int NOT NULL DEFAULT 0,
	visits int NOT NULL DEFAULT 0,
	emails int NOT NULL DEFAULT 0,
	meetings int NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, month)
);
CREATE INDEX ON pace.rollup_month (org_id, month);

-- A day row inserted or updated: add the difference to its month. Row
-- level: each capture write changes one day row or two, and a row trigger
-- costs a third of a statement trigger with transition tables there.
CREATE FUNCTION pace.rollup_month_row() RETURNS trigger
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
BEGIN
	INSERT INTO rollup_month AS m (org_id, user_id, month, booked, contracts,
		received, due, new_leads, won, lost, calls, visits, emails, meetings)
	VALUES (NEW.org_id, NEW.user_id, month_floor(NEW.day),
		NEW.booked - coalesce(OLD.booked, 0),
		NEW.contracts - coalesce(OLD.contracts, 0),
		NEW.received - coalesce(OLD.received, 0),
		NEW.due - coalesce(OLD.due, 0),
		NEW.new_leads - coalesce(OLD.new_leads, 0),
		NEW.won - coalesce(OLD.won, 0), NEW.lost - coalesce(OLD.lost, 0),
		NEW.calls - coalesce(OLD.calls, 0),
		NEW.visits - coalesce(OLD.visits, 0),
		NEW.emails - coalesce(OLD.emails, 0),
		NEW.meetings - coalesce(OLD.meetings, 0))
	ON CONFLICT (user_id, month) DO UPDATE SET
		booked = m.booked + EXCLUDED.booked,
		contracts = m.contracts + EXCLUDED.contracts,
		received = m.received + EXCLUDED.received, due = m.due + EXCLUDED.due,
		new_leads = m.new_leads + EXCLUDED.new_leads,
		won = m.won + EXCLUDED.won, lost = m.lost + EXCLUDED.lost,
		calls = m.calls + EXCLUDED.calls, visits = m.visits + EXCLUDED.visits,
		emails = m.emails + EXCLUDED.emails,
		meetings = m.meetings + EXCLUDED.meetings;
	RETURN NULL;
END $$;

-- Day rows deleted (rollup_rebuild deletes an org's in one statement):
-- subtract them from their months, set-based.
CREATE FUNCTION pace.rollup_month_del() RETURNS trigger
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
BEGIN
	UPDATE rollup_month m SET booked = m.booked - x.booked,
		contracts = m.contracts - x.contracts,
		received = m.received - x.received, due = m.due - x.due,
		new_leads = m.new_leads - x.new_leads, won = m.won - x.won,
		lost = m.lost - x.lost, calls = m.calls - x.calls,
		visits = m.visits - x.visits, emails = m.emails - x.emails,
		meetings = m.meetings - x.meetings
	FROM (SELECT o.user_id, date_trunc('month', o.day)::date AS month,
			sum(o.booked) AS booked, sum(o.contracts) AS contracts,
			sum(o.received) AS received, sum(o.due) AS due,
			sum(o.new_leads) AS new_leads, sum(o.won) AS won,
			sum(o.lost) AS lost, sum(o.calls) AS calls,
			sum(o.visits) AS visits, sum(o.emails) AS emails,
			sum(o.meetings) AS meetings
		FROM rollup_old o GROUP BY 1, 2) x
	WHERE m.user_id = x.user_id AND m.month = x.month;
	RETURN NULL;
END $$;

CREATE TRIGGER rollup_month_row AFTER INSERT OR UPDATE ON pace.rollup_day
	FOR EACH ROW EXECUTE FUNCTION pace.rollup_month_row();
CREATE TRIGGER rollup_month_del AFTER DELETE ON pace.rollup_day
	REFERENCING OLD TABLE AS rollup_old
	FOR EACH STATEMENT EXECUTE FUNCTION pace.rollup_month_del();

INSERT INTO pace.rollup_month (org_id, user_id, month, booked, contracts,
	received, due, new_leads, won, lost, calls, visits, emails, meetings)
SELECT org_id, user_id, date_trunc('month', day)::date, sum(booked),
	sum(contracts), sum(received), sum(due), sum(new_leads), sum(won),
	sum(lost), sum(calls), sum(visits), sum(emails), sum(meetings)
FROM pace.rollup_day GROUP BY 1, 2, 3;

-- Months where rollup_month differs from the sums of rollup_day (none when
-- the triggers kept them in step).
CREATE FUNCTION pace.rollup_month_check(p_org bigint)
RETURNS TABLE (user_id bigint, month date, stored jsonb, expected jsonb)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	WITH d AS (SELECT r.user_id, date_trunc('month', r.day)::date AS month,
			jsonb_build_array(sum(r.booked), sum(r.contracts), sum(r.received),
				sum(r.due), sum(r.new_leads), sum(r.won), sum(r.lost),
				sum(r.calls), sum(r.visits), sum(r.emails), sum(r.meetings)) AS j
		FROM rollup_day r WHERE r.org_id = p_org GROUP BY 1, 2),
	m AS (SELECT r.user_id, r.month, jsonb_build_array(r.booked, r.contracts,
			r.received, r.due, r.new_leads, r.won, r.lost, r.calls, r.visits,
			r.emails, r.meetings) AS j
		FROM rollup_month r WHERE r.org_id = p_org),
	zero AS (SELECT '[0,0,0,0,0,0,0,0,0,0,0]'::jsonb AS j)
	SELECT coalesce(m.user_id, d.user_id), coalesce(m.month, d.month),
		coalesce(m.j, zero.j), coalesce(d.j, zero.j)
	FROM m FULL JOIN d ON d.user_id = m.user_id AND d.month = m.month, zero
	WHERE coalesce(m.j, zero.j) <> coalesce(d.j, zero.j)
$$;

-- The first day of the month of a day, and of the first whole month at
-- or after it (immutable: the planner folds them into index ranges).
CREATE FUNCTION pace.month_floor(d date) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
	SELECT date_trunc('month', d::timestamp)::date
$$;
CREATE FUNCTION pace.month_ceil(d date) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN extract(day FROM d) = 1 THEN d
		ELSE (date_trunc('month', d::timestamp) + interval '1 month')::date END
$$;

-- The rollup rows of some users that make up [p_from, p_to): the whole
-- months inside it from rollup_month, the days before the first of them
-- and after the last from rollup_day (for a week within a month: only
-- days). Summing them gives the period's sums. Plain SQL, inlined into
-- the queries that use it; each user's rows are index ranges.
CREATE FUNCTION pace.rollup_span(p_users bigint[], p_from date, p_to date)
RETURNS TABLE (user_id bigint, booked bigint, contracts bigint,
	received bigint, due bigint, new_leads bigint, won bigint, lost bigint,
	calls bigint, visits bigint, emails bigint, meetings bigint)
LANGUAGE sql STABLE AS $$
	SELECT x.* FROM (SELECT DISTINCT unnest(p_users)) AS u(id),
	LATERAL (
		SELECT m.user_id, m.booked, m.contracts::bigint, m.received, m.due,
			m.new_leads::bigint, m.won::bigint, m.lost::bigint,
			m.calls::bigint, m.visits::bigint, m.emails::bigint,
			m.meetings::bigint
		FROM pace.rollup_month m
		WHERE m.user_id = u.id AND m.month >= pace.month_ceil(p_from)
			AND m.month < pace.month_floor(p_to)
		UNION ALL
		SELECT d.user_id, d.booked, d.contracts::bigint, d.received, d.due,
			d.new_leads::bigint, d.won::bigint, d.lost::bigint,
			d.calls::bigint, d.visits::bigint, d.emails::bigint,
			d.meetings::bigint
		FROM pace.rollup_day d
		WHERE d.user_id = u.id AND d.day >= p_from
			AND d.day < least(pace.month_ceil(p_from), p_to)
		UNION ALL
		SELECT d.user_id, d.booked, d.contracts::bigint, d.received, d.due,
			d.new_leads::bigint, d.won::bigint, d.lost::bigint,
			d.calls::bigint, d.visits::bigint, d.emails::bigint,
			d.meetings::bigint
		FROM pace.rollup_day d
		WHERE d.user_id = u.id
			AND d.day >= greatest(pace.month_floor(p_to), pace.month_ceil(p_from))
			AND d.day < p_to) x
$$;

-- Progress of a scope on one metric: actual, target, attainment, pace,
-- status. The building block of KPIs, leaderboards and alerts.
CREATE FUNCTION pace.progress(p_org bigint, p_kind text, p_id bigint,
	p_metric text, p_from date, p_to date, p_now timestamptz,
	OUT actual bigint, OUT target bigint, OUT attainment numeric,
	OUT elapsed numeric, OUT pace numeric, OUT status text)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE o org; users bigint[];
BEGIN
	SELECT * INTO o FROM org WHERE id = p_org;
	users := ARRAY(SELECT scope_users(p_org, p_kind, p_id));
	SELECT coalesce(metric_value(p_metric, o.revenue_basis,
		sum(r.booked)::bigint, sum(r.received)::bigint,
		sum(r.new_leads)::bigint,
		sum(r.calls + r.visits + r.emails + r.meetings)::bigint), 0)
	INTO actual
	FROM rollup_span(users, p_from, p_to) r;
	target := target_of(p_org, p_kind, p_id, p_metric, p_from, p_to);
	attainment := CASE WHEN target > 0 THEN actual::numeric / target END;
	elapsed := pace.elapsed(org_day_start(p_org, p_from),
		org_day_start(p_org, p_to), p_now);
	pace := CASE WHEN elapsed > 0 THEN attainment / elapsed END;
	status := pace_status(pace, o.green_pace, o.yellow_pace);
END $$;

-- The peers a scope is ranked among (DESIGN §5 rank): a rep among the
-- team's reps, a team among the office's teams, an office among the org's.
CREATE FUNCTION pace.scope_peers(p_org bigint, p_kind text, p_id bigint)
RETURNS TABLE (kind text, id bigint, label text)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT k.kind, k.id, k.label
	FROM scope_parent(p_org, p_kind, p_id) p,
		LATERAL scope_children(p_org, p.kind, p.id) k
	WHERE p.id IS NOT NULL
$$;

-- Customers touched per user and month: "mix" over whole months reads
-- this (at most months x customers per member) instead of every day's
-- touches. Kept by statement triggers on customer_touch, whoever writes
-- it (ActivityLog, imports, rollup_rebuild).
CREATE TABLE pace.customer_touch_month (
	org_id bigint NOT NULL,
	user_id bigint NOT NULL,
	month date NOT NULL,
	customer_id bigint NOT NULL,
	PRIMARY KEY (user_id, month, customer_id)
);
CREATE INDEX ON pace.customer_touch_month (org_id, month);

CREATE FUNCTION pace.touch_month_add() RETURNS trigger
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
BEGIN
	INSERT INTO customer_touch_month (org_id, user_id, month, customer_id)
	SELECT DISTINCT n.org_id, n.user_id, date_trunc('month', n.day)::date,
		n.customer_id
	FROM touched_new n
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END $$;

CREATE FUNCTION pace.touch_month_drop() RETURNS trigger
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
BEGIN
	DELETE FROM customer_touch_month m
	USING (SELECT DISTINCT o.user_id, date_trunc('month', o.day)::date AS month,
			o.customer_id FROM touched_old o) g
	WHERE m.user_id = g.user_id AND m.month = g.month
		AND m.customer_id = g.customer_id
		AND NOT EXISTS (SELECT 1 FROM customer_touch t
			WHERE t.user_id = g.user_id AND t.customer_id = g.customer_id
				AND t.day >= g.month
				AND t.day < (g.month + interval '1 month')::date);
	RETURN NULL;
END $$;

CREATE TRIGGER customer_touch_month_add AFTER INSERT ON pace.customer_touch
	REFERENCING NEW TABLE AS touched_new
	FOR EACH STATEMENT EXECUTE FUNCTION pace.touch_month_add();
CREATE TRIGGER customer_touch_month_drop AFTER DELETE ON pace.customer_touch
	REFERENCING OLD TABLE AS touched_old
	FOR EACH STATEMENT EXECUTE FUNCTION pace.touch_month_drop();

INSERT INTO pace.customer_touch_month (org_id, user_id, month, customer_id)
SELECT DISTINCT org_id, user_id, date_trunc('month', day)::date, customer_id
FROM pace.customer_touch;

-- Leaderboard rows for a set of scopes: ranks by attainment, ties share a
-- rank (1, 2, 2, 4); scopes without a target have no rank and come last.
-- Set-based: one pass over the members' rollups (the same sums as
-- progress()), then each member's target.
CREATE FUNCTION pace.rank_scopes(p_org bigint, p_kinds text[], p_ids bigint[],
	p_labels text[], p_metric text, p_from date, p_to date, p_now timestamptz)
RETURNS TABLE (kind text, id bigint, label text, actual bigint, target bigint,
	attainment numeric, pace numeric, status text, rank bigint)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE o org; el numeric; mem_n bigint[]; mem_u bigint[];
	whole boolean := extract(day FROM p_from) = 1 AND extract(day FROM p_to) = 1;
BEGIN
	SELECT * INTO o FROM org x WHERE x.id = p_org;
	el := elapsed(org_day_start(p_org, p_from), org_day_start(p_org, p_to),
		p_now);
	-- Each member's users (member n: the n-th of the arrays).
	SELECT array_agg(x.n), array_agg(u.id) INTO mem_n, mem_u
	FROM unnest(p_kinds, p_ids) WITH ORDINALITY AS x(mk, mi, n)
	JOIN app_user u ON u.org_id = p_org
	LEFT JOIN team t ON t.id = u.team_id
	WHERE (x.mk = 'user' AND u.id = x.mi)
		OR (x.mk = 'team' AND u.team_id = x.mi)
		OR (x.mk = 'office' AND t.office_id = x.mi)
		OR x.mk = 'org';
	RETURN QUERY
	WITH m AS (
		SELECT x.mk, x.mi, x.ml, x.n
		FROM unnest(p_kinds, p_ids, p_labels) WITH ORDINALITY AS x(mk, mi, ml, n)),
	mu AS (
		SELECT y.n, y.uid FROM unnest(mem_n, mem_u) AS y(n, uid)),
	a AS (
		SELECT mu.n, metric_value(p_metric, o.revenue_basis,
			sum(r.booked)::bigint, sum(r.received)::bigint,
			sum(r.new_leads)::bigint,
			sum(r.calls + r.visits + r.emails + r.meetings)::bigint) AS v
		FROM mu JOIN rollup_span(mem_u, p_from, p_to) r
			ON r.user_id = mu.uid
		GROUP BY mu.n),
	-- Members' own targets over whole months, in one pass (what
	-- target_of returns for them); target_of only for the others (no own
	-- target: the sum of their children's; weeks and days: day shares).
	ot AS (
		SELECT m.n, sum(t.amount)::bigint AS amount
		FROM m JOIN target_month t ON t.org_id = p_org
			AND t.scope_kind = m.mk AND t.scope_id = m.mi
			AND t.metric = p_metric AND t.month >= p_from AND t.month < p_to
		WHERE whole
		GROUP BY m.n),
	q AS (
		SELECT m.mk, m.mi, m.ml, coalesce(a.v, 0) AS xa,
			CASE WHEN ot.amount IS NOT NULL THEN ot.amount
				ELSE target_of(p_org, m.mk, m.mi, p_metric, p_from, p_to)
			END AS xt
		FROM m LEFT JOIN a ON a.n = m.n LEFT JOIN ot ON ot.n = m.n),
	r AS (
		SELECT q.*, CASE WHEN q.xt > 0 THEN q.xa::numeric / q.xt END AS xatt
		FROM q)
	SELECT r.mk, r.mi, r.ml, r.xa, r.xt, r.xatt,
		CASE WHEN el > 0 THEN r.xatt / el END,
		pace_status(CASE WHEN el > 0 THEN r.xatt / el END, o.green_pace,
			o.yellow_pace),
		CASE WHEN r.xatt IS NOT NULL THEN
			rank() OVER (ORDER BY r.xatt DESC NULLS LAST) END
	FROM r
	ORDER BY r.xatt DESC NULLS LAST, r.xa DESC, r.ml;
END $$;

-- Every KPI of DESIGN §5 for scope (kind, id) over [p_from, p_to).
-- The period's rollups are summed once; every metric's actual comes from
-- that sum (the same numbers as progress()).
CREATE FUNCTION pace.kpi_compute(p_org bigint, p_kind text, p_id bigint,
	p_label text, p_period text, p_from date, p_to date, p_now timestamptz)
RETURNS jsonb LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	o org;
	users bigint[] := ARRAY(SELECT scope_users(p_org, p_kind, p_id));
	is_org boolean := p_kind = 'org';
	t0 timestamptz := org_day_start(p_org, p_from);
	t1 timestamptz := org_day_start(p_org, p_to);
	today date := (p_now AT TIME ZONE (SELECT timezone FROM org WHERE id = p_org))::date;
	-- Whole months inside the period: [mf, mt) (empty for a week in a
	-- month); the days before and after them (as in rollup_span).
	mf date := month_ceil(p_from);
	mt date := month_floor(p_to);
	ru record; cyc record; pipe record; fun record; od record;
	actual bigint; target bigint; att numeric; el numeric; pc numeric;
	created bigint; qualified bigint; v_rank bigint;
	mix jsonb; losses jsonb; others jsonb := '[]';
	m text; ma bigint; mt_target bigint; m_att numeric; m_pace numeric;
BEGIN
	SELECT * INTO o FROM org WHERE id = p_org;
	SELECT coalesce(sum(booked), 0)::bigint AS booked,
		coalesce(sum(contracts), 0)::bigint AS contracts,
		coalesce(sum(received), 0)::bigint AS received,
		coalesce(sum(due), 0)::bigint AS due,
		coalesce(sum(new_leads), 0)::bigint AS new_leads,
		coalesce(sum(won), 0)::bigint AS won,
		coalesce(sum(lost), 0)::bigint AS lost,
		coalesce(sum(calls), 0)::bigint AS calls,
		coalesce(sum(visits), 0)::bigint AS visits,
		coalesce(sum(emails), 0)::bigint AS emails,
		coalesce(sum(meetings), 0)::bigint AS meetings
	INTO ru FROM rollup_span(users, p_from, p_to) r;

	-- Revenue progress (as progress() computes it, from the sums above).
	actual := metric_value('revenue', o.revenue_basis, ru.booked, ru.received,
		ru.new_leads, ru.calls + ru.visits + ru.emails + ru.meetings);
	target := target_of(p_org, p_kind, p_id, 'revenue', p_from, p_to);
	att := CASE WHEN target > 0 THEN actual::numeric / target END;
	el := elapsed(t0, t1, p_now);
	pc := CASE WHEN el > 0 THEN att / el END;

	SELECT count(*) AS n, count(*) FILTER (WHERE reached & 2 <> 0) AS q,
		count(*) FILTER (WHERE reached & 1 <> 0) AS s_lead,
		count(*) FILTER (WHERE reached & 2 <> 0) AS s_qualified,
		count(*) FILTER (WHERE reached & 4 <> 0) AS s_proposal,
		count(*) FILTER (WHERE reached & 8 <> 0) AS s_quote,
		count(*) FILTER (WHERE reached & 16 <> 0) AS s_negotiation,
		count(*) FILTER (WHERE reached & 32 <> 0) AS s_won,
		count(*) FILTER (WHERE reached & 64 <> 0) AS s_lost
	INTO fun FROM opportunity
	WHERE org_id = p_org AND (is_org OR owner_id = ANY (users))
		AND created_at >= t0 AND created_at < t1;
	created := fun.n;
	qualified := fun.q;

	SELECT avg(extract(epoch FROM won_at - created_at) / 86400) AS mean,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY
			extract(epoch FROM won_at - created_at) / 86400) AS median
	INTO cyc FROM opportunity
	WHERE org_id = p_org AND (is_org OR owner_id = ANY (users))
		AND won_at >= t0 AND won_at < t1;

	SELECT count(*) AS n, coalesce(sum(amount), 0) AS amount,
		coalesce(round(sum(amount * coalesce((o.stage_prob ->> stage)::numeric, 0))), 0) AS weighted
	INTO pipe FROM opportunity
	WHERE owner_id = ANY (users) AND stage NOT IN ('won', 'lost');

	-- Receipts are allocated oldest-due first, so what a contract has not
	-- paid of what fell due before today is max(0, due before - received).
	SELECT coalesce(sum(greatest(0, d.due_before - coalesce(rc.got, 0))), 0) AS unpaid,
		coalesce(sum(d.due_before), 0) AS due_before
	INTO od
	FROM (SELECT i.contract_id, sum(i.amount_due) AS due_before
		FROM installment i
		WHERE i.org_id = p_org AND (is_org OR i.owner_id = ANY (users))
			AND i.due_on < today
		GROUP BY i.contract_id) d
	LEFT JOIN (SELECT x.contract_id, sum(x.amount) AS got FROM receipt x
		WHERE x.org_id = p_org AND (is_org OR x.owner_id = ANY (users))
		GROUP BY x.contract_id) rc ON rc.contract_id = d.contract_id;

	-- Customers touched in the period: whole months from the monthly
	-- table, the days at either end from the daily one.
	WITH touched AS (
		SELECT x.customer_id FROM unnest(users) AS u(id),
			LATERAL (SELECT ct.customer_id FROM customer_touch_month ct
				WHERE ct.user_id = u.id AND ct.month >= mf AND ct.month < mt
				UNION ALL
				SELECT ct.customer_id FROM customer_touch ct
				WHERE ct.user_id = u.id AND ct.day >= p_from
					AND ct.day < least(mf, p_to)
				UNION ALL
				SELECT ct.customer_id FROM customer_touch ct
				WHERE ct.user_id = u.id AND ct.day >= greatest(mt, mf)
					AND ct.day < p_to) x
		GROUP BY x.customer_id),
	c AS (SELECT cu.* FROM customer cu JOIN touched t ON t.customer_id = cu.id)
	SELECT jsonb_build_object(
		'industry', coalesce((SELECT jsonb_object_agg(k, n) FROM (SELECT
			coalesce(nullif(industry, ''), '—') AS k, count(*) AS n FROM c GROUP BY 1) x), '{}'),
		'size', coalesce((SELECT jsonb_object_agg(k, n) FROM (SELECT
			coalesce(nullif(size_band, ''), '—') AS k, count(*) AS n FROM c GROUP BY 1) x), '{}'),
		'region', coalesce((SELECT jsonb_object_agg(k, n) FROM (SELECT
			coalesce(nullif(region, ''), '—') AS k, count(*) AS n FROM c GROUP BY 1) x), '{}'))
	INTO mix;

	SELECT coalesce(jsonb_object_agg(reason, n), '{}') INTO losses
	FROM (SELECT coalesce(loss_reason, '—') AS reason, count(*) AS n
		FROM opportunity WHERE org_id = p_org AND (is_org OR owner_id = ANY (users))
			AND lost_at >= t0 AND lost_at < t1 GROUP BY 1) x;

	IF att IS NOT NULL AND NOT is_org THEN
		SELECT b.rank INTO v_rank FROM rank_scopes(p_org,
			ARRAY(SELECT kind FROM scope_peers(p_org, p_kind, p_id)),
			ARRAY(SELECT id FROM scope_peers(p_org, p_kind, p_id)),
			ARRAY(SELECT label FROM scope_peers(p_org, p_kind, p_id)),
			'revenue', p_from, p_to, p_now) b
		WHERE b.kind = p_kind AND b.id = p_id;
	END IF;

	-- Other metrics the scope is held to (activity and collection
	-- targets): only those with a target row in the org for the period.
	FOREACH m IN ARRAY ARRAY['new_leads', 'followups', 'collected'] LOOP
		CONTINUE WHEN NOT EXISTS (SELECT 1 FROM target_month t
			WHERE t.org_id = p_org AND t.metric = m
				AND t.month >= date_trunc('month', p_from)::date
				AND t.month < p_to);
		mt_target := target_of(p_org, p_kind, p_id, m, p_from, p_to);
		CONTINUE WHEN mt_target IS NULL;
		ma := metric_value(m, o.revenue_basis, ru.booked, ru.received,
			ru.new_leads, ru.calls + ru.visits + ru.emails + ru.meetings);
		m_att := CASE WHEN mt_target > 0 THEN ma::numeric / mt_target END;
		m_pace := CASE WHEN el > 0 THEN m_att / el END;
		others := others || jsonb_build_object('metric', m,
			'actual', ma::text, 'target', mt_target::text,
			'attainment', m_att, 'pace', m_pace,
			'status', pace_status(m_pace, o.green_pace, o.yellow_pace));
	END LOOP;

	RETURN jsonb_build_object(
		'scope', jsonb_build_object('kind', p_kind, 'id', p_id, 'name', p_label),
		'period', p_period,
		'period_start', us(t0)::text, 'period_end', us(t1)::text,
		'currency', o.currency,
		'revenue_basis', o.revenue_basis,
		'actual', actual::text,
		'target', target::text,
		'attainment', att,
		'elapsed', el,
		'pace', pc,
		'status', pace_status(pc, o.green_pace, o.yellow_pace),
		'new_leads', ru.new_leads,
		'followups', jsonb_build_object('total',
			ru.calls + ru.visits + ru.emails + ru.meetings, 'call', ru.calls,
			'visit', ru.visits, 'email', ru.emails, 'meeting', ru.meetings),
		'lead_to_opp', CASE WHEN created > 0 THEN qualified::numeric / created END,
		'win_rate', CASE WHEN ru.won + ru.lost > 0
			THEN ru.won::numeric / (ru.won + ru.lost) END,
		'cycle_days', jsonb_build_object('mean', round(cyc.mean::numeric, 2),
			'median', round(cyc.median::numeric, 2)),
		'avg_deal', CASE WHEN ru.contracts > 0
			THEN round(ru.booked::numeric / ru.contracts)::bigint::text END,
		'pipeline', jsonb_build_object('count', pipe.n,
			'amount', pipe.amount::text, 'weighted', pipe.weighted::bigint::text),
		'coverage', CASE WHEN target IS NOT NULL AND target - actual > 0
			THEN round(pipe.amount::numeric / (target - actual), 4) END,
		'collection_rate', CASE WHEN ru.due > 0
			THEN ru.received::numeric / ru.due END,
		'overdue_rate', CASE WHEN od.due_before > 0
			THEN od.unpaid::numeric / od.due_before END,
		'funnel', jsonb_build_object('lead', fun.s_lead, 'qualified', fun.s_qualified,
			'proposal', fun.s_proposal, 'quote', fun.s_quote,
			'negotiation', fun.s_negotiation, 'won', fun.s_won, 'lost', fun.s_lost),
		'mix', mix,
		'loss_reasons', losses,
		'rank', v_rank,
		'metrics', others);
END $$;

-- pace kpi: the KPIs of a scope the actor may read, for a period (default:
-- the current month in the org's time zone).
CREATE FUNCTION pace.kpi(p_actor bigint, p_kind text, p_name text,
	p_period text, p_now_us bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	now_ts timestamptz := now_of(p_now_us);
	s record; per record;
BEGIN
	s := scope_resolve(a, p_kind, p_name);
	IF NOT can_read(a, s.kind, s.id, true) THEN
		PERFORM fail('PA403', format('not allowed to see the KPIs of %s %s',
			s.kind, s.label), 'scope');
	END IF;
	per := period_parse(coalesce(nullif(p_period, ''),
		to_char(org_day(a.org_id, now_ts), 'YYYY-MM')));
	RETURN kpi_compute(a.org_id, s.kind, s.id, s.label, per.canon,
		per.start_day, per.end_day, now_ts);
END $$;

-- pace board: the leaderboard of a scope's members at a level (user by
-- default; team or office), for a metric and a period.
CREATE FUNCTION pace.board(p_actor bigint, p_kind text, p_name text,
	p_period text, p_metric text, p_level text, p_now_us bigint)
RETURNS TABLE (kind text, id bigint, label text, actual bigint, target bigint,
	attainment numeric, pace numeric, status text, rank bigint, period text)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
#variable_conflict use_column
DECLARE
	a app_user := actor(p_actor);
	now_ts timestamptz := now_of(p_now_us);
	s record; per record; lvl text := coalesce(nullif(p_level, ''), 'user');
	metric text := coalesce(nullif(p_metric, ''), 'revenue');
	ks text[]; ids bigint[]; ls text[];
BEGIN
	IF p_kind IS NULL OR p_kind = '' THEN
		p_kind := CASE WHEN a.role IN ('director', 'admin') THEN 'org' ELSE 'team' END;
	END IF;
	s := scope_resolve(a, p_kind, p_name);
	IF NOT can_read(a, s.kind, s.id, false) THEN
		PERFORM fail('PA403', format('not allowed to see the board of %s %s',
			s.kind, s.label), 'scope');
	END IF;
	IF metric NOT IN ('revenue', 'new_leads', 'followups', 'collected') THEN
		PERFORM fail('PA400', 'metric: revenue, new_leads, followups or collected', 'metric');
	END IF;
	IF lvl NOT IN ('user', 'team', 'office') THEN
		PERFORM fail('PA400', 'level: user, team or office', 'level');
	END IF;
	per := period_parse(coalesce(nullif(p_period, ''),
		to_char(org_day(a.org_id, now_ts), 'YYYY-MM')));
	IF lvl = 'user' THEN
		SELECT array_agg('user'::text), array_agg(u.id), array_agg(u.name)
		INTO ks, ids, ls FROM app_user u
		WHERE u.id IN (SELECT scope_users(a.org_id, s.kind, s.id))
			AND u.active AND u.role = 'rep';
	ELSIF lvl = 'team' THEN
		SELECT array_agg('team'::text), array_agg(t.id), array_agg(t.name)
		INTO ks, ids, ls FROM team t JOIN office o ON o.id = t.office_id
		WHERE t.org_id = a.org_id AND (s.kind = 'org'
			OR (s.kind = 'office' AND o.id = s.id) OR (s.kind = 'team' AND t.id = s.id));
	ELSE
		SELECT array_agg('office'::text), array_agg(o.id), array_agg(o.name)
		INTO ks, ids, ls FROM office o
		WHERE o.org_id = a.org_id AND (s.kind = 'org' OR (s.kind = 'office' AND o.id = s.id));
	END IF;
	RETURN QUERY SELECT b.*, per.canon FROM rank_scopes(a.org_id,
		coalesce(ks, '{}'), coalesce(ids, '{}'), coalesce(ls, '{}'),
		metric, per.start_day, per.end_day, now_ts) b;
END $$;
