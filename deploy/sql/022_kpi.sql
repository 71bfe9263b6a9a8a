-- Pace schema: the KPI engine (DESIGN §5 is the definition of every number).
--
-- Everything summed over a period reads rollup_day (days x members); the
-- per-deal numbers (lead_to_opp, cycle_days, funnel, loss_reasons) read the
-- deals created, won or lost in the period through their indexes; pipeline
-- and overdue are "now" numbers over open deals and unpaid contracts.
-- A ratio whose denominator is zero is NULL.

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
	FROM rollup_day r WHERE r.user_id = ANY (users)
		AND r.day >= p_from AND r.day < p_to;
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

-- Leaderboard rows for a set of scopes: ranks by attainment, ties share a
-- rank (1, 2, 2, 4); scopes without a target have no rank and come last.
CREATE FUNCTION pace.rank_scopes(p_org bigint, p_kinds text[], p_ids bigint[],
	p_labels text[], p_metric text, p_from date, p_to date, p_now timestamptz)
RETURNS TABLE (kind text, id bigint, label text, actual bigint, target bigint,
	attainment numeric, pace numeric, status text, rank bigint)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	WITH p AS (
		SELECT x.k, x.i, x.l, pr.*
		FROM unnest(p_kinds, p_ids, p_labels) AS x(k, i, l),
			LATERAL progress(p_org, x.k, x.i, p_metric, p_from, p_to, p_now) pr
	)
	SELECT k, i, l, actual, target, attainment, pace, status,
		CASE WHEN attainment IS NOT NULL THEN
			rank() OVER (ORDER BY attainment DESC NULLS LAST) END
	FROM p
	ORDER BY attainment DESC NULLS LAST, actual DESC, l
$$;

-- Every KPI of DESIGN §5 for scope (kind, id) over [p_from, p_to).
CREATE FUNCTION pace.kpi_compute(p_org bigint, p_kind text, p_id bigint,
	p_label text, p_period text, p_from date, p_to date, p_now timestamptz)
RETURNS jsonb LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	o org;
	users bigint[] := ARRAY(SELECT scope_users(p_org, p_kind, p_id));
	t0 timestamptz := org_day_start(p_org, p_from);
	t1 timestamptz := org_day_start(p_org, p_to);
	today date := (p_now AT TIME ZONE (SELECT timezone FROM org WHERE id = p_org))::date;
	ru record; pr record; cyc record; pipe record; fun record; od record;
	created bigint; qualified bigint; v_rank bigint;
	mix jsonb; losses jsonb; others jsonb := '[]';
	m text; mp record;
BEGIN
	SELECT * INTO o FROM org WHERE id = p_org;
	SELECT coalesce(sum(booked), 0) AS booked, coalesce(sum(contracts), 0) AS contracts,
		coalesce(sum(received), 0) AS received, coalesce(sum(due), 0) AS due,
		coalesce(sum(new_leads), 0) AS new_leads, coalesce(sum(won), 0) AS won,
		coalesce(sum(lost), 0) AS lost, coalesce(sum(calls), 0) AS calls,
		coalesce(sum(visits), 0) AS visits, coalesce(sum(emails), 0) AS emails,
		coalesce(sum(meetings), 0) AS meetings
	INTO ru FROM rollup_day r
	WHERE r.user_id = ANY (users) AND r.day >= p_from AND r.day < p_to;
	pr := progress(p_org, p_kind, p_id, 'revenue', p_from, p_to, p_now);

	SELECT count(*) AS n, count(*) FILTER (WHERE reached & 2 <> 0) AS q,
		count(*) FILTER (WHERE reached & 1 <> 0) AS s_lead,
		count(*) FILTER (WHERE reached & 2 <> 0) AS s_qualified,
		count(*) FILTER (WHERE reached & 4 <> 0) AS s_proposal,
		count(*) FILTER (WHERE reached & 8 <> 0) AS s_quote,
		count(*) FILTER (WHERE reached & 16 <> 0) AS s_negotiation,
		count(*) FILTER (WHERE reached & 32 <> 0) AS s_won,
		count(*) FILTER (WHERE reached & 64 <> 0) AS s_lost
	INTO fun FROM opportunity
	WHERE org_id = p_org AND owner_id = ANY (users)
		AND created_at >= t0 AND created_at < t1;
	created := fun.n;
	qualified := fun.q;

	SELECT avg(extract(epoch FROM won_at - created_at) / 86400) AS mean,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY
			extract(epoch FROM won_at - created_at) / 86400) AS median
	INTO cyc FROM opportunity
	WHERE org_id = p_org AND owner_id = ANY (users)
		AND won_at >= t0 AND won_at < t1;

	SELECT count(*) AS n, coalesce(sum(amount), 0) AS amount,
		coalesce(round(sum(amount * coalesce((o.stage_prob ->> stage)::numeric, 0))), 0) AS weighted
	INTO pipe FROM opportunity
	WHERE owner_id = ANY (users) AND stage NOT IN ('won', 'lost');

	SELECT coalesce(sum(greatest(0, d.due_before - coalesce(rc.got, 0))), 0) AS unpaid,
		coalesce(sum(d.due_before), 0) AS due_before
	INTO od
	FROM (SELECT i.contract_id, sum(i.amount_due) AS due_before
		FROM installment i JOIN contract c ON c.id = i.contract_id
		WHERE c.owner_id = ANY (users) AND i.due_on < today
		GROUP BY i.contract_id) d
	LEFT JOIN (SELECT contract_id, sum(amount) AS got FROM receipt
		GROUP BY contract_id) rc ON rc.contract_id = d.contract_id;

	WITH touched AS (
		SELECT DISTINCT ct.customer_id FROM customer_touch ct
		WHERE ct.user_id = ANY (users) AND ct.day >= p_from AND ct.day < p_to),
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
		FROM opportunity WHERE org_id = p_org AND owner_id = ANY (users)
			AND lost_at >= t0 AND lost_at < t1 GROUP BY 1) x;

	IF pr.attainment IS NOT NULL AND p_kind <> 'org' THEN
		SELECT b.rank INTO v_rank FROM rank_scopes(p_org,
			ARRAY(SELECT kind FROM scope_peers(p_org, p_kind, p_id)),
			ARRAY(SELECT id FROM scope_peers(p_org, p_kind, p_id)),
			ARRAY(SELECT label FROM scope_peers(p_org, p_kind, p_id)),
			'revenue', p_from, p_to, p_now) b
		WHERE b.kind = p_kind AND b.id = p_id;
	END IF;

	-- Other metrics the scope is held to (activity and collection targets).
	FOREACH m IN ARRAY ARRAY['new_leads', 'followups', 'collected'] LOOP
		mp := progress(p_org, p_kind, p_id, m, p_from, p_to, p_now);
		IF mp.target IS NOT NULL THEN
			others := others || jsonb_build_object('metric', m,
				'actual', mp.actual::text, 'target', mp.target::text,
				'attainment', mp.attainment, 'pace', mp.pace, 'status', mp.status);
		END IF;
	END LOOP;

	RETURN jsonb_build_object(
		'scope', jsonb_build_object('kind', p_kind, 'id', p_id, 'name', p_label),
		'period', p_period,
		'period_start', us(t0)::text, 'period_end', us(t1)::text,
		'currency', o.currency,
		'revenue_basis', o.revenue_basis,
		'actual', pr.actual::text,
		'target', pr.target::text,
		'attainment', pr.attainment,
		'elapsed', pr.elapsed,
		'pace', pr.pace,
		'status', pr.status,
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
		'coverage', CASE WHEN pr.target IS NOT NULL AND pr.target - pr.actual > 0
			THEN round(pipe.amount::numeric / (pr.target - pr.actual), 4) END,
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
	now_ts timestamptz := CASE WHEN coalesce(p_now_us, 0) = 0 THEN now() ELSE ts(p_now_us) END;
	s record; per record;
BEGIN
	s := scope_resolve(a, p_kind, p_name);
	IF NOT can_read(a, s.kind, s.id, true) THEN
		PERFORM fail('PA403', format('not allowed to see the KPIs of %s %s',
			s.kind, s.label), 'scope');
	END IF;
	per := period_parse(coalesce(nullif(p_period, ''),
		to_char((now_ts AT TIME ZONE (SELECT timezone FROM org WHERE id = a.org_id))::date,
			'YYYY-MM')));
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
	now_ts timestamptz := CASE WHEN coalesce(p_now_us, 0) = 0 THEN now() ELSE ts(p_now_us) END;
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
		to_char((now_ts AT TIME ZONE (SELECT timezone FROM org WHERE id = a.org_id))::date,
			'YYYY-MM')));
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
