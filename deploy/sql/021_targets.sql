-- Pace schema: targets (DESIGN §6).
--
-- A target is stored per scope, metric and month (target_month); quarters
-- and years are sums of months. Weeks and days follow from the months: a
-- month's amount is spread over its days (equal shares, the remainder fen
-- going to the first days), and a week's target is the sum of its days
-- taken from the leaves of the scope tree, so weeks also add up exactly.
-- When a plan is applied every level (org, offices, teams, users) gets its
-- rows and each level sums exactly to its parent, month by month.
-- Locks (target_lock) pin a scope's number for a period; setting a number
-- re-balances the unlocked siblings so the parent's number does not move.

-- Region factors for plans (org.region_factors, {"华北": 1.1, ...}; 1
-- when absent) are an org setting: 011_org.sql, OrgSet
-- "region_factor.<REGION>".

CREATE TABLE pace.target_month (
	org_id bigint NOT NULL,
	scope_kind text NOT NULL CHECK (scope_kind IN ('org', 'office', 'team', 'user')),
	scope_id bigint NOT NULL,
	metric text NOT NULL
		CHECK (metric IN ('revenue', 'new_leads', 'followups', 'collected')),
	month date NOT NULL CHECK (extract(day FROM month) = 1),
	amount bigint NOT NULL CHECK (amount >= 0),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, scope_kind, scope_id, metric, month)
);

CREATE TABLE pace.target_lock (
	org_id bigint NOT NULL,
	scope_kind text NOT NULL,
	scope_id bigint NOT NULL,
	metric text NOT NULL,
	period text NOT NULL,
	start_day date NOT NULL,
	end_day date NOT NULL,
	locked_by bigint NOT NULL,
	at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, scope_kind, scope_id, metric, period)
);

-- Largest-remainder split of `total` by non-negative weights: the parts
-- are integers that add up to total exactly; all-zero weights split evenly.
-- Ties in the remainders go to the earlier entries.
CREATE FUNCTION pace.lr_split(total bigint, weights numeric[])
RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	n int := coalesce(array_length(weights, 1), 0);
	w numeric[] := weights;
	s numeric := 0;
	parts bigint[] := '{}';
	fr numeric[] := '{}';
	used bigint := 0;
	left_over bigint;
	i int;
	best int;
BEGIN
	IF n = 0 THEN
		RETURN parts;
	END IF;
	FOR i IN 1..n LOOP
		s := s + greatest(coalesce(w[i], 0), 0);
	END LOOP;
	IF s = 0 THEN
		w := array_fill(1::numeric, ARRAY[n]);
		s := n;
	END IF;
	FOR i IN 1..n LOOP
		parts[i] := floor(total * greatest(coalesce(w[i], 0), 0) / s)::bigint;
		fr[i] := total * greatest(coalesce(w[i], 0), 0) / s - parts[i];
		used := used + parts[i];
	END LOOP;
	left_over := total - used;
	WHILE left_over > 0 LOOP
		best := 1;
		FOR i IN 2..n LOOP
			IF fr[i] > fr[best] THEN best := i; END IF;
		END LOOP;
		parts[best] := parts[best] + 1;
		fr[best] := -1;
		left_over := left_over - 1;
	END LOOP;
	RETURN parts;
END $$;

-- A scope's own amount for one org-local day of a month row.
CREATE FUNCTION pace.day_share(amount bigint, month date, d date)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	SELECT amount / n + CASE WHEN (d - month) < amount % n THEN 1 ELSE 0 END
	FROM (SELECT ((month + interval '1 month')::date - month) AS n) x
$$;

-- Does a scope have any target rows for a metric in [from, to)?
CREATE FUNCTION pace.has_target(p_org bigint, p_kind text, p_id bigint,
	p_metric text, p_from date, p_to date) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT EXISTS (SELECT 1 FROM target_month
		WHERE org_id = p_org AND scope_kind = p_kind AND scope_id = p_id
		AND metric = p_metric
		AND month >= date_trunc('month', p_from)::date AND month < p_to)
$$;

-- The target of a scope over org-local days [p_from, p_to), or NULL when
-- neither it nor anything under it has one (DESIGN §5: a scope without its
-- own target takes the sum of its children's). Whole months come from the
-- scope's own rows; partial months (weeks, days) from the leaves.
CREATE FUNCTION pace.target_of(p_org bigint, p_kind text, p_id bigint,
	p_metric text, p_from date, p_to date) RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	whole boolean := extract(day FROM p_from) = 1 AND extract(day FROM p_to) = 1;
	own boolean := has_target(p_org, p_kind, p_id, p_metric, p_from, p_to);
	total bigint;
	c record;
	sub bigint;
	any_child boolean := false;
BEGIN
	IF own AND whole THEN
		SELECT sum(amount) INTO total FROM target_month
		WHERE org_id = p_org AND scope_kind = p_kind AND scope_id = p_id
			AND metric = p_metric AND month >= p_from AND month < p_to;
		RETURN total;
	END IF;
	IF p_kind <> 'user' THEN
		total := 0;
		FOR c IN SELECT * FROM scope_children(p_org, p_kind, p_id) LOOP
			sub := target_of(p_org, c.kind, c.id, p_metric, p_from, p_to);
			IF sub IS NOT NULL THEN
				any_child := true;
				total := total + sub;
			END IF;
		END LOOP;
		IF any_child THEN
			RETURN total;
		END IF;
	END IF;
	IF NOT own THEN
		RETURN NULL;
	END IF;
	SELECT sum(day_share(t.amount, t.month, d::date)) INTO total
	FROM generate_series(p_from, p_to - 1, interval '1 day') d
	JOIN target_month t ON t.month = date_trunc('month', d)::date
	WHERE t.org_id = p_org AND t.scope_kind = p_kind AND t.scope_id = p_id
		AND t.metric = p_metric;
	RETURN coalesce(total, 0);
END $$;

-- A target amount as people read it in messages: money in yuan with
-- fen (revenue, collected), a plain count otherwise.
CREATE FUNCTION pace.target_text(p_metric text, p_amount bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_metric IN ('revenue', 'collected')
		THEN to_char(p_amount / 100.0, 'FM999,999,999,999,990.00')
		ELSE p_amount::text END
$$;

-- The name of a scope (for messages).
CREATE FUNCTION pace.scope_label(p_org bigint, p_kind text, p_id bigint)
RETURNS text LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT CASE p_kind
		WHEN 'user' THEN (SELECT name FROM app_user WHERE id = p_id)
		WHEN 'team' THEN (SELECT name FROM team WHERE id = p_id)
		WHEN 'office' THEN (SELECT name FROM office WHERE id = p_id)
		ELSE (SELECT name FROM org WHERE id = p_org) END
$$;

-- Is a scope's month pinned by a lock?
CREATE FUNCTION pace.is_locked(p_org bigint, p_kind text, p_id bigint,
	p_metric text, p_month date) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT EXISTS (SELECT 1 FROM target_lock
		WHERE org_id = p_org AND scope_kind = p_kind AND scope_id = p_id
		AND metric = p_metric AND start_day < (p_month + interval '1 month')
		AND end_day > p_month)
$$;

CREATE FUNCTION pace.month_amount(p_org bigint, p_kind text, p_id bigint,
	p_metric text, p_month date) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT amount FROM target_month WHERE org_id = p_org AND scope_kind = p_kind
		AND scope_id = p_id AND metric = p_metric AND month = p_month
$$;

CREATE FUNCTION pace.month_put(p_org bigint, p_kind text, p_id bigint,
	p_metric text, p_month date, p_amount bigint) RETURNS void
LANGUAGE sql SET search_path = pace, pg_catalog AS $$
	INSERT INTO target_month (org_id, scope_kind, scope_id, metric, month, amount)
	VALUES (p_org, p_kind, p_id, p_metric, p_month, p_amount)
	ON CONFLICT (org_id, scope_kind, scope_id, metric, month)
	DO UPDATE SET amount = EXCLUDED.amount, updated_at = now()
$$;

-- Spread a scope's (new) month amount over its children that have rows
-- for that month, keeping locked children as they are and the others in
-- proportion to what they had; then recurse. Raises PA409 when the locked
-- children alone exceed the amount.
CREATE FUNCTION pace.push_down(p_org bigint, p_kind text, p_id bigint,
	p_metric text, p_month date, p_amount bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	kids text[] := '{}'; kid_ids bigint[] := '{}'; w numeric[] := '{}';
	fixed bigint := 0; parts bigint[]; c record; i int := 0;
	label text;
BEGIN
	FOR c IN SELECT k.kind, k.id, k.label, t.amount FROM scope_children(p_org, p_kind, p_id) k
		JOIN target_month t ON t.org_id = p_org AND t.scope_kind = k.kind
			AND t.scope_id = k.id AND t.metric = p_metric AND t.month = p_month
	LOOP
		IF is_locked(p_org, c.kind, c.id, p_metric, p_month) THEN
			fixed := fixed + c.amount;
		ELSE
			kids := kids || c.kind; kid_ids := kid_ids || c.id;
			w := w || c.amount::numeric;
		END IF;
	END LOOP;
	IF fixed = 0 AND array_length(kids, 1) IS NULL THEN
		RETURN; -- nothing below has a target for this month
	END IF;
	IF fixed > p_amount OR (array_length(kids, 1) IS NULL AND fixed <> p_amount) THEN
		label := scope_label(p_org, p_kind, p_id);
		PERFORM fail('PA409', format(
			'%s cannot have %s for %s: the targets locked under it add up to %s '
			'(unlock one of them first)', label, target_text(p_metric, p_amount),
			to_char(p_month, 'YYYY-MM'), target_text(p_metric, fixed)), 'amount');
	END IF;
	IF array_length(kids, 1) IS NULL THEN
		RETURN;
	END IF;
	parts := lr_split(p_amount - fixed, w);
	FOR i IN 1..array_length(kids, 1) LOOP
		PERFORM month_put(p_org, kids[i], kid_ids[i], p_metric, p_month, parts[i]);
		PERFORM push_down(p_org, kids[i], kid_ids[i], p_metric, p_month, parts[i]);
	END LOOP;
END $$;

-- pace target set: give a scope a number for a year, quarter or month.
-- The number is spread over the period's months in proportion to what the
-- scope had (by days when it had nothing). In each month the parent keeps
-- its number: unlocked siblings absorb the difference in proportion; the
-- scope's own children are re-spread. With p_lock the number is pinned.
CREATE FUNCTION pace.target_set(p_actor bigint, p_op text, p_hash text,
	p_kind text, p_name text, p_period text, p_metric text, p_amount bigint,
	p_lock boolean)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := op_begin(p_actor, p_op, p_hash);
	s record; per record; par record;
	months date[] := '{}'; w numeric[] := '{}'; parts bigint[];
	m date; i int; cur bigint; pm bigint; fixed bigint;
	sib_kind text[]; sib_id bigint[]; sib_w numeric[]; sp bigint[]; c record;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	-- Setting one number re-balances its siblings: the target writes of
	-- an org take turns, or two at once could each balance against the
	-- other's old numbers and break "every level sums to its parent".
	PERFORM pg_advisory_xact_lock(7420101, a.org_id::int);
	IF p_metric NOT IN ('revenue', 'new_leads', 'followups', 'collected') THEN
		PERFORM fail('PA400', 'metric: revenue, new_leads, followups or collected', 'metric');
	END IF;
	IF p_amount IS NULL OR p_amount < 0 OR p_amount > 1000000000000000 THEN
		PERFORM fail('PA400', 'amount must be between 0 and 10^15', 'amount');
	END IF;
	s := scope_resolve(a, p_kind, p_name);
	per := period_parse(p_period);
	IF per.kind NOT IN ('year', 'quarter', 'month') THEN
		PERFORM fail('PA400',
			'targets are set for a year, a quarter or a month; weeks and days follow from the month',
			'period');
	END IF;
	-- Who may set what: directors and admins anything; a manager only the
	-- reps of their own team (within the team's allocation).
	IF a.role = 'manager' THEN
		IF s.kind <> 'user' OR NOT EXISTS (SELECT 1 FROM app_user u
			WHERE u.id = s.id AND u.team_id = a.team_id AND u.id <> a.id) THEN
			PERFORM fail('PA403', 'a manager sets targets for the reps of their own team', 'scope');
		END IF;
	ELSIF a.role NOT IN ('director', 'admin') THEN
		PERFORM fail('PA403', 'only managers and directors set targets');
	END IF;
	FOR m IN SELECT d::date FROM generate_series(per.start_day, per.end_day - 1,
		interval '1 month') d LOOP
		months := months || m;
		cur := month_amount(a.org_id, s.kind, s.id, p_metric, m);
		w := w || coalesce(cur, 0)::numeric;
	END LOOP;
	IF (SELECT sum(x) FROM unnest(w) x) = 0 THEN
		w := '{}';
		FOREACH m IN ARRAY months LOOP
			w := w || ((m + interval '1 month')::date - m)::numeric;
		END LOOP;
	END IF;
	parts := lr_split(p_amount, w);
	par := scope_parent(a.org_id, s.kind, s.id);
	FOR i IN 1..array_length(months, 1) LOOP
		m := months[i];
		PERFORM month_put(a.org_id, s.kind, s.id, p_metric, m, parts[i]);
		-- Keep the parent's number: re-balance the unlocked siblings.
		pm := CASE WHEN par.kind IS NULL THEN NULL
			ELSE month_amount(a.org_id, par.kind, par.id, p_metric, m) END;
		IF pm IS NOT NULL THEN
			fixed := parts[i];
			sib_kind := '{}'; sib_id := '{}'; sib_w := '{}';
			FOR c IN SELECT k.kind, k.id, t.amount
				FROM scope_children(a.org_id, par.kind, par.id) k
				JOIN target_month t ON t.org_id = a.org_id AND t.scope_kind = k.kind
					AND t.scope_id = k.id AND t.metric = p_metric AND t.month = m
				WHERE NOT (k.kind = s.kind AND k.id = s.id)
			LOOP
				IF is_locked(a.org_id, c.kind, c.id, p_metric, m) THEN
					fixed := fixed + c.amount;
				ELSE
					sib_kind := sib_kind || c.kind; sib_id := sib_id || c.id;
					sib_w := sib_w || c.amount::numeric;
				END IF;
			END LOOP;
			IF fixed > pm OR (array_length(sib_id, 1) IS NULL AND fixed <> pm) THEN
				PERFORM fail('PA409', format(
					'cannot set %s to %s for %s: its %s %s has %s, of which %s is '
					'locked for the others, so %s %s (unlock one of them, or '
					'change the %s''s target first)',
					s.label, target_text(p_metric, parts[i]), to_char(m, 'YYYY-MM'),
					par.kind, scope_label(a.org_id, par.kind, par.id),
					target_text(p_metric, pm), target_text(p_metric, fixed - parts[i]),
					CASE WHEN array_length(sib_id, 1) IS NULL THEN 'it must be exactly'
						ELSE 'it can be at most' END,
					target_text(p_metric, greatest(0, pm - (fixed - parts[i]))),
					par.kind),
					'amount');
			END IF;
			IF array_length(sib_id, 1) IS NOT NULL THEN
				sp := lr_split(pm - fixed, sib_w);
				FOR c IN SELECT generate_subscripts(sib_id, 1) AS j LOOP
					PERFORM month_put(a.org_id, sib_kind[c.j], sib_id[c.j], p_metric, m, sp[c.j]);
					PERFORM push_down(a.org_id, sib_kind[c.j], sib_id[c.j], p_metric, m, sp[c.j]);
				END LOOP;
			END IF;
		END IF;
		PERFORM push_down(a.org_id, s.kind, s.id, p_metric, m, parts[i]);
	END LOOP;
	IF p_lock THEN
		INSERT INTO target_lock (org_id, scope_kind, scope_id, metric, period,
			start_day, end_day, locked_by)
		VALUES (a.org_id, s.kind, s.id, p_metric, per.canon, per.start_day,
			per.end_day, a.id)
		ON CONFLICT (org_id, scope_kind, scope_id, metric, period)
		DO UPDATE SET locked_by = EXCLUDED.locked_by, at = now();
	ELSE
		DELETE FROM target_lock WHERE org_id = a.org_id AND scope_kind = s.kind
			AND scope_id = s.id AND metric = p_metric AND period = per.canon;
	END IF;
	r := jsonb_build_object('scope_kind', s.kind, 'scope_id', s.id,
		'label', s.label, 'period', per.canon, 'metric', p_metric,
		'amount', p_amount::text, 'locked', p_lock);
	PERFORM audit(a.org_id, a.id, 'set', 'target', s.id, NULL, r);
	PERFORM changed(a.org_id, NULL);
	RETURN op_end(p_actor, p_op, r);
END $$;

-- pace target show: the scope and its children, the period and its parts.
CREATE FUNCTION pace.target_show(p_actor bigint, p_kind text, p_name text,
	p_period text, p_metric text)
RETURNS TABLE (scope_kind text, scope_id bigint, label text, period text,
	amount bigint, locked boolean, depth int)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
#variable_conflict use_column
DECLARE
	a app_user := actor(p_actor);
	s record; per record; pk text; sub text;
BEGIN
	s := scope_resolve(a, p_kind, p_name);
	IF NOT can_read(a, s.kind, s.id, true) THEN
		PERFORM fail('PA403', 'not allowed to see this scope', 'scope');
	END IF;
	per := period_parse(coalesce(nullif(p_period, ''),
		to_char(org_today(a.org_id), 'YYYY')));
	pk := per.kind;
	sub := CASE pk WHEN 'year' THEN 'quarter' WHEN 'quarter' THEN 'month'
		WHEN 'month' THEN 'week' ELSE NULL END;
	-- The scope for the whole period, then each of its children.
	RETURN QUERY
	SELECT s.kind, s.id, s.label, per.canon,
		target_of(a.org_id, s.kind, s.id, p_metric, per.start_day, per.end_day),
		EXISTS (SELECT 1 FROM target_lock l WHERE l.org_id = a.org_id
			AND l.scope_kind = s.kind AND l.scope_id = s.id
			AND l.metric = p_metric AND l.period = per.canon), 0;
	RETURN QUERY
	SELECT k.kind, k.id, k.label, per.canon,
		target_of(a.org_id, k.kind, k.id, p_metric, per.start_day, per.end_day),
		EXISTS (SELECT 1 FROM target_lock l WHERE l.org_id = a.org_id
			AND l.scope_kind = k.kind AND l.scope_id = k.id
			AND l.metric = p_metric AND l.period = per.canon), 1
	FROM scope_children(a.org_id, s.kind, s.id) k
	WHERE can_read(a, k.kind, k.id, true)
	ORDER BY 3;
	-- The scope's parts of the period (quarters, months or weeks).
	IF sub IS NOT NULL THEN
		RETURN QUERY
		SELECT s.kind, s.id, s.label, pp.canon,
			target_of(a.org_id, s.kind, s.id, p_metric,
				greatest(pp.start_day, per.start_day), least(pp.end_day, per.end_day)),
			false, 2
		FROM (SELECT DISTINCT period_of(sub, d::date) AS p
			FROM generate_series(per.start_day, per.end_day - 1, interval '1 day') d) x,
			LATERAL period_parse(x.p) pp
		ORDER BY pp.start_day;
	END IF;
END $$;

-- Inputs of a plan for `year`: every active rep and manager with their
-- office, team, region, hire date, last year's actual of the metric
-- (history) and the open weighted pipeline (reserve, revenue only).
CREATE FUNCTION pace.plan_inputs(p_actor bigint, p_year int, p_metric text)
RETURNS TABLE (user_id bigint, login text, name text, team_id bigint,
	team text, office_id bigint, office text, region text, hired_on text,
	history bigint, reserve bigint, region_factor numeric)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
#variable_conflict use_column
DECLARE a app_user := actor(p_actor); basis text; f date; t date; sp jsonb; rf jsonb;
BEGIN
	IF a.role NOT IN ('director', 'admin') THEN
		PERFORM fail('PA403', 'only directors plan targets');
	END IF;
	SELECT revenue_basis, stage_prob, region_factors INTO basis, sp, rf
	FROM org WHERE id = a.org_id;
	f := make_date(p_year - 1, 1, 1);
	t := make_date(p_year, 1, 1);
	RETURN QUERY
	SELECT u.id, u.login, u.name, t2.id, t2.name, o.id, o.name, u.region,
		coalesce(to_char(u.hired_on, 'YYYY-MM-DD'), ''),
		coalesce((SELECT sum(CASE p_metric
			WHEN 'revenue' THEN CASE basis WHEN 'booked' THEN r.booked ELSE r.received END
			WHEN 'collected' THEN r.received
			WHEN 'new_leads' THEN r.new_leads
			ELSE r.calls + r.visits + r.emails + r.meetings END)
			FROM rollup_day r WHERE r.user_id = u.id AND r.day >= f AND r.day < t), 0)::bigint,
		CASE WHEN p_metric = 'revenue' THEN
			coalesce((SELECT sum(op.amount * coalesce((sp ->> op.stage)::numeric, 0))
			FROM opportunity op WHERE op.owner_id = u.id
				AND op.stage NOT IN ('won', 'lost')), 0)::bigint
		ELSE 0 END,
		coalesce((rf ->> u.region)::numeric, 1)
	FROM app_user u JOIN team t2 ON t2.id = u.team_id
	JOIN office o ON o.id = t2.office_id
	WHERE u.org_id = a.org_id AND u.active AND u.role = 'rep'
	ORDER BY o.name, t2.name, u.login;
END $$;

-- Last year's monthly totals of the metric for the org (seasonality).
CREATE FUNCTION pace.plan_seasonality(p_actor bigint, p_year int, p_metric text)
RETURNS TABLE (month int, total bigint)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
#variable_conflict use_column
DECLARE a app_user := actor(p_actor); basis text;
BEGIN
	SELECT revenue_basis INTO basis FROM org WHERE id = a.org_id;
	RETURN QUERY
	SELECT m, coalesce((SELECT sum(CASE p_metric
			WHEN 'revenue' THEN CASE basis WHEN 'booked' THEN r.booked ELSE r.received END
			WHEN 'collected' THEN r.received
			WHEN 'new_leads' THEN r.new_leads
			ELSE r.calls + r.visits + r.emails + r.meetings END)
		FROM rollup_day r WHERE r.org_id = a.org_id
			AND r.day >= make_date(p_year - 1, m, 1)
			AND r.day < (make_date(p_year - 1, m, 1) + interval '1 month')::date), 0)::bigint
	FROM generate_series(1, 12) m;
END $$;

-- Store a computed plan: rows (kind, id, month 1..12, amount) for every
-- level, replacing the year's earlier plan of this metric and its locks.
CREATE FUNCTION pace.plan_apply(p_actor bigint, p_op text, p_hash text,
	p_year int, p_metric text, p_kinds text[], p_ids bigint[],
	p_months int[], p_amounts bigint[])
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := op_begin(p_actor, p_op, p_hash);
	n int;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	IF a.role NOT IN ('director', 'admin') THEN
		PERFORM fail('PA403', 'only directors plan targets');
	END IF;
	PERFORM pg_advisory_xact_lock(7420101, a.org_id::int); -- as target_set
	DELETE FROM target_month WHERE org_id = a.org_id AND metric = p_metric
		AND month >= make_date(p_year, 1, 1) AND month < make_date(p_year + 1, 1, 1);
	DELETE FROM target_lock WHERE org_id = a.org_id AND metric = p_metric
		AND start_day >= make_date(p_year, 1, 1) AND start_day < make_date(p_year + 1, 1, 1);
	INSERT INTO target_month (org_id, scope_kind, scope_id, metric, month, amount)
	SELECT a.org_id, k, CASE WHEN k = 'org' THEN a.org_id ELSE i END,
		p_metric, make_date(p_year, m, 1), amt
	FROM unnest(p_kinds, p_ids, p_months, p_amounts) AS x(k, i, m, amt);
	GET DIAGNOSTICS n = ROW_COUNT;
	r := jsonb_build_object('year', p_year, 'metric', p_metric, 'rows', n);
	PERFORM audit(a.org_id, a.id, 'plan', 'target', NULL, NULL, r);
	PERFORM changed(a.org_id, NULL);
	RETURN op_end(p_actor, p_op, r);
END $$;
