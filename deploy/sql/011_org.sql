-- Pace schema, part 11: organisation settings (OrgGet/OrgSet) and the
-- rollups as they should be, recomputed from the facts.

-- Region factors for target plans (021's plan_inputs, by the rep's own
-- region, app_user.region): {"华北": 1.1, ...}; 1 when absent. Set with
-- OrgSet "region_factor.<REGION>".
ALTER TABLE pace.org ADD COLUMN region_factors jsonb NOT NULL DEFAULT '{}'
	CHECK (jsonb_typeof(region_factors) = 'object');

CREATE FUNCTION pace.org_json(p_org bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT jsonb_build_object('name', o.name, 'currency', o.currency,
		'timezone', o.timezone, 'revenue_basis', o.revenue_basis,
		'green_pace', o.green_pace, 'yellow_pace', o.yellow_pace,
		'loss_reasons', to_jsonb(o.loss_reasons),
		'backfill_days', o.backfill_days, 'future_skew_s', o.future_skew_s,
		'stale_days', o.stale_days, 'stuck_days', o.stuck_days,
		'stage_probabilities', (SELECT jsonb_agg(jsonb_build_object(
				'stage', s.stage, 'probability', (o.stage_prob->>s.stage)::numeric)
				ORDER BY s.rank)
			FROM (SELECT x AS stage, stage_rank(x) AS rank
				FROM unnest(ARRAY['lead', 'qualified', 'proposal', 'quote',
					'negotiation', 'won', 'lost']) x) s),
		'region_factors', coalesce((SELECT jsonb_agg(jsonb_build_object(
				'region', f.region, 'factor', f.factor::numeric)
				ORDER BY f.region COLLATE "C")
			FROM jsonb_each_text(o.region_factors) f(region, factor)), '[]'))
	FROM org o WHERE o.id = p_org
$$;

-- Per user and day, what rollup_day must hold given the facts (004's
-- attribution rules). rollup_check compares; rollup_rebuild replaces.
CREATE FUNCTION pace.rollup_expected(p_org bigint)
RETURNS TABLE (user_id bigint, day date, booked bigint, contracts int,
	received bigint, due bigint, new_leads int, won int, lost int, calls int,
	visits int, emails int, meetings int)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	WITH tz AS (SELECT o.timezone FROM org o WHERE o.id = p_org),
	e AS (
		SELECT k.owner_id AS u, (k.signed_at AT TIME ZONE tz.timezone)::date AS d,
			k.amount AS booked, 1 AS contracts, 0::bigint AS received,
			0::bigint AS due, 0 AS new_leads, 1 AS won, 0 AS lost,
			0 AS calls, 0 AS visits, 0 AS emails, 0 AS meetings
		FROM contract k, tz WHERE k.org_id = p_org
		UNION ALL
		SELECT r.owner_id, r.received_on, 0, 0, r.amount, 0, 0, 0, 0, 0, 0, 0, 0
		FROM receipt r WHERE r.org_id = p_org
		UNION ALL
		SELECT i.owner_id, i.due_on, 0, 0, 0, i.amount_due, 0, 0, 0, 0, 0, 0, 0
		FROM installment i WHERE i.org_id = p_org
		UNION ALL
		SELECT coalesce(d.lead_owner_id, d.owner_id),
			(d.created_at AT TIME ZONE tz.timezone)::date,
			0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0
		FROM opportunity d, tz WHERE d.org_id = p_org
		UNION ALL
		SELECT coalesce(d.lost_owner_id, d.owner_id),
			(d.lost_at AT TIME ZONE tz.timezone)::date,
			0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0
		FROM opportunity d, tz WHERE d.org_id = p_org AND d.stage = 'lost'
		UNION ALL
		SELECT t.user_id, (t.at AT TIME ZONE tz.timezone)::date, 0, 0, 0, 0, 0,
			0, 0, (t.kind = 'call')::int, (t.kind = 'visit')::int,
			(t.kind = 'email')::int, (t.kind = 'meeting')::int
		FROM activity t, tz WHERE t.org_id = p_org)
	SELECT e.u, e.d, sum(e.booked)::bigint, sum(e.contracts)::int,
		sum(e.received)::bigint, sum(e.due)::bigint, sum(e.new_leads)::int,
		sum(e.won)::int, sum(e.lost)::int, sum(e.calls)::int,
		sum(e.visits)::int, sum(e.emails)::int, sum(e.meetings)::int
	FROM e GROUP BY e.u, e.d
$$;

-- Rows where rollup_day differs from the facts (none when consistent).
CREATE FUNCTION pace.rollup_check(p_org bigint)
RETURNS TABLE (user_id bigint, day date, stored jsonb, expected jsonb)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	WITH s AS (SELECT r.user_id, r.day, jsonb_build_object('booked', r.booked,
			'contracts', r.contracts, 'received', r.received, 'due', r.due,
			'new_leads', r.new_leads, 'won', r.won, 'lost', r.lost,
			'calls', r.calls, 'visits', r.visits, 'emails', r.emails,
			'meetings', r.meetings) AS j
		FROM rollup_day r WHERE r.org_id = p_org),
	x AS (SELECT e.user_id, e.day, to_jsonb(e) - 'user_id' - 'day' AS j
		FROM rollup_expected(p_org) e),
	zero AS (SELECT jsonb_build_object('booked', 0, 'contracts', 0,
		'received', 0, 'due', 0, 'new_leads', 0, 'won', 0, 'lost', 0,
		'calls', 0, 'visits', 0, 'emails', 0, 'meetings', 0) AS j)
	SELECT coalesce(s.user_id, x.user_id), coalesce(s.day, x.day),
		coalesce(s.j, zero.j), coalesce(x.j, zero.j)
	FROM s FULL JOIN x ON x.user_id = s.user_id AND x.day = s.day, zero
	WHERE coalesce(s.j, zero.j) <> coalesce(x.j, zero.j)
$$;

-- Recompute the org's rollups and customer touches from the facts (after
-- a time zone change moves day boundaries).
CREATE FUNCTION pace.rollup_rebuild(p_org bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE v_tz text := (SELECT o.timezone FROM org o WHERE o.id = p_org);
BEGIN
	DELETE FROM rollup_day r WHERE r.org_id = p_org;
	INSERT INTO rollup_day (org_id, user_id, day, booked, contracts, received,
		due, new_leads, won, lost, calls, visits, emails, meetings)
	SELECT p_org, e.* FROM rollup_expected(p_org) e;
	DELETE FROM customer_touch t WHERE t.org_id = p_org;
	INSERT INTO customer_touch (org_id, user_id, day, customer_id)
	SELECT DISTINCT p_org, t.user_id, (t.at AT TIME ZONE v_tz)::date,
		t.customer_id
	FROM activity t WHERE t.org_id = p_org;
END $$;

CREATE FUNCTION pace.org_get(p_actor bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT org_json((actor(p_actor)).org_id)
$$;

-- Parse a setting value: an integer in [lo, hi] or a number in [lo, hi].
CREATE FUNCTION pace.setting_int(p_key text, p text, lo int, hi int)
RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE v bigint := pace.to_int8(p);
BEGIN
	IF v IS NULL OR v < lo OR v > hi THEN
		PERFORM pace.fail('PA400', format('%s: a whole number from %s to %s',
			p_key, lo, hi), 'value');
	END IF;
	RETURN v;
END $$;

CREATE FUNCTION pace.setting_num(p_key text, p text, lo numeric, hi numeric)
RETURNS numeric LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE v numeric;
BEGIN
	IF btrim(coalesce(p, '')) !~ '^[0-9]{1,6}(\.[0-9]{1,6})?$' THEN
		PERFORM pace.fail('PA400', format('%s: a number from %s to %s', p_key,
			lo, hi), 'value');
	END IF;
	v := btrim(p)::numeric;
	IF v < lo OR v > hi THEN
		PERFORM pace.fail('PA400', format('%s: a number from %s to %s', p_key,
			lo, hi), 'value');
	END IF;
	RETURN v;
END $$;

-- region_factor.<REGION> = VALUE: the factors with REGION's set to VALUE
-- (a number from 0.1 to 10), or without it when VALUE is empty. REGION is
-- a region as stored on users (trimmed, 1 to 100 characters, no control
-- characters): a rep's plan weight is scaled by their region's factor.
CREATE FUNCTION pace.region_factor_put(p_factors jsonb, p_key text,
	p_value text)
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE v_region text := btrim(substr(p_key, length('region_factor.') + 1));
BEGIN
	IF v_region = '' OR char_length(v_region) > 100
		OR v_region ~ '[[:cntrl:]]' THEN
		PERFORM pace.fail('PA400', 'region_factor.REGION: REGION is a region '
			'of 1 to 100 characters, as on the users (e.g. region_factor.华南)',
			'key');
	END IF;
	IF btrim(coalesce(p_value, '')) = '' THEN
		RETURN p_factors - v_region;
	END IF;
	RETURN p_factors || jsonb_build_object(v_region,
		pace.setting_num('region_factor.' || v_region, p_value, 0.1, 10));
END $$;

-- What org_json shows for a setting key (the audit log's before/after).
CREATE FUNCTION pace.org_setting_of(p_settings jsonb, p_key text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN p_key LIKE 'stage\_probability.%' THEN
			p_settings->'stage_probabilities'
		WHEN p_key LIKE 'region\_factor.%' THEN
			(SELECT f->'factor'
			FROM jsonb_array_elements(p_settings->'region_factors') f
			WHERE f->>'region' =
				btrim(substr(p_key, length('region_factor.') + 1)))
		ELSE p_settings->p_key END
$$;

-- Set one setting (admins and directors). Keys: see OrgSet in
-- proto/capture.proto.
CREATE FUNCTION pace.org_set(p_actor bigint, p_op text, p_hash text,
	p_key text, p_value text)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	o org;
	v_key text := btrim(coalesce(p_key, ''));
	v_val text := btrim(coalesce(p_value, ''));
	v_before jsonb;
	v_list text[];
	v_stage text;
	v_kpi boolean := true;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	PERFORM require_role(a, 'admin', 'director');
	-- Locked: the whole row is written back, so two settings changed at
	-- once must not undo each other.
	SELECT * INTO o FROM org x WHERE x.id = a.org_id FOR UPDATE;
	v_before := org_json(o.id);
	IF char_length(v_val) > 4000 THEN
		PERFORM fail('PA400', 'value is longer than 4000 characters', 'value');
	END IF;
	CASE
	WHEN v_key = 'timezone' THEN
		IF NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE z.name = v_val) THEN
			PERFORM fail('PA400', format('timezone: unknown time zone "%s" '
				'(e.g. Asia/Shanghai)', left(v_val, 64)), 'value');
		END IF;
		o.timezone := v_val;
	WHEN v_key = 'revenue_basis' THEN
		IF v_val NOT IN ('booked', 'collected') THEN
			PERFORM fail('PA400', 'revenue_basis: booked or collected', 'value');
		END IF;
		o.revenue_basis := v_val;
	WHEN v_key = 'green_pace' THEN
		o.green_pace := setting_num(v_key, v_val, 0, 10);
	WHEN v_key = 'yellow_pace' THEN
		o.yellow_pace := setting_num(v_key, v_val, 0, 10);
	WHEN v_key = 'loss_reasons' THEN
		SELECT array_agg(x ORDER BY n) INTO v_list FROM (
			SELECT DISTINCT ON (lower(btrim(x))) btrim(x) AS x, n
			FROM unnest(string_to_array(v_val, ',')) WITH ORDINALITY u(x, n)
			WHERE btrim(x) <> '' ORDER BY lower(btrim(x)), n) y;
		IF coalesce(cardinality(v_list), 0) = 0 OR cardinality(v_list) > 50 THEN
			PERFORM fail('PA400', 'loss_reasons: 1 to 50 reasons, comma-separated',
				'value');
		END IF;
		FOREACH v_stage IN ARRAY v_list LOOP
			PERFORM check_text(v_stage, 'value', 100);
		END LOOP;
		o.loss_reasons := v_list;
		v_kpi := false;
	WHEN v_key = 'backfill_days' THEN
		o.backfill_days := setting_int(v_key, v_val, 0, 3660);
		v_kpi := false;
	WHEN v_key = 'future_skew_s' THEN
		o.future_skew_s := setting_int(v_key, v_val, 0, 86400);
		v_kpi := false;
	WHEN v_key = 'stale_days' THEN
		o.stale_days := setting_int(v_key, v_val, 1, 3650);
	WHEN v_key = 'stuck_days' THEN
		o.stuck_days := setting_int(v_key, v_val, 1, 3650);
	WHEN v_key = 'currency' THEN
		IF v_val !~ '^[A-Z]{3}$' THEN
			PERFORM fail('PA400', 'currency: an ISO 4217 code such as CNY',
				'value');
		END IF;
		o.currency := v_val;
	WHEN v_key LIKE 'stage_probability.%' THEN
		v_stage := substr(v_key, length('stage_probability.') + 1);
		IF stage_rank(v_stage) IS NULL THEN
			PERFORM fail('PA400', format('unknown stage "%s"', left(v_stage, 40)),
				'key');
		END IF;
		o.stage_prob := o.stage_prob || jsonb_build_object(v_stage,
			setting_num(v_key, v_val, 0, 1));
	WHEN v_key LIKE 'region\_factor.%' THEN
		-- Only future plans use it: no KPI changes.
		o.region_factors := region_factor_put(o.region_factors, v_key, v_val);
		v_kpi := false;
	ELSE
		PERFORM fail('PA400', format('unknown setting "%s"', left(v_key, 64)),
			'key');
	END CASE;
	IF o.yellow_pace > o.green_pace THEN
		PERFORM fail('PA400', format('yellow_pace (%s) must not be above '
			'green_pace (%s)', o.yellow_pace, o.green_pace), 'value');
	END IF;
	UPDATE org x SET timezone = o.timezone, revenue_basis = o.revenue_basis,
		green_pace = o.green_pace, yellow_pace = o.yellow_pace,
		loss_reasons = o.loss_reasons, backfill_days = o.backfill_days,
		future_skew_s = o.future_skew_s, stale_days = o.stale_days,
		stuck_days = o.stuck_days, currency = o.currency,
		stage_prob = o.stage_prob, region_factors = o.region_factors
	WHERE x.id = o.id;
	IF v_key = 'timezone' AND o.timezone <> (v_before->>'timezone') THEN
		PERFORM rollup_rebuild(o.id);
	END IF;
	IF v_kpi THEN
		PERFORM changed(o.id, NULL);
	END IF;
	r := org_json(o.id);
	PERFORM audit(a.org_id, a.id, 'set', 'org', o.id,
		jsonb_build_object(v_key, org_setting_of(v_before, v_key)),
		jsonb_build_object(v_key, org_setting_of(r, v_key)));
	RETURN op_end(p_actor, p_op, r);
END $$;
