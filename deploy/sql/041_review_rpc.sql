-- Pace schema: the review RPCs (ReviewGenerate, ReviewGet, ReviewList,
-- StarGet). Who may do what: managers review their own team, directors and
-- admins any team, office or the org; reps see no reviews (they hold every
-- member's numbers) but see the star like the leaderboard.

-- The scope of a review named on the wire. Empty kind: the org for
-- directors and admins, the own team for managers.
CREATE FUNCTION pace.review_scope(a pace.app_user, p_kind text, p_name text,
	OUT kind text, OUT id bigint, OUT label text)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE s record;
BEGIN
	IF a.role NOT IN ('director', 'admin', 'manager') THEN
		PERFORM fail('PA403', 'reviews are for managers and directors');
	END IF;
	IF coalesce(p_kind, '') = '' THEN
		p_kind := CASE WHEN a.role = 'manager' THEN 'team' ELSE 'org' END;
	END IF;
	IF p_kind NOT IN ('team', 'office', 'org') THEN
		PERFORM fail('PA400', 'a review is of a team, an office or the org',
			'scope');
	END IF;
	s := scope_resolve(a, p_kind, p_name);
	kind := s.kind; id := s.id; label := s.label;
END $$;

-- A stored review for the wire: its head, the content as stored (text),
-- and its action items as they are now.
CREATE FUNCTION pace.review_out(p_id bigint, p_existing boolean,
	p_now timestamptz)
RETURNS TABLE (id bigint, scope_kind text, scope_id bigint, scope_name text,
	period text, period_kind text, generated_at bigint, generated_by text,
	version int, existing boolean, content text, actions jsonb)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT r.id, r.scope_kind, r.scope_id, r.content->'scope'->>'name',
		r.period, r.period_kind, us(r.generated_at), coalesce(u.login, ''),
		r.version, p_existing, r.content::text,
		coalesce((SELECT jsonb_agg(action_json(ai, p_now) ORDER BY ai.id)
			FROM action_item ai WHERE ai.review_id = r.id), '[]')
	FROM review r LEFT JOIN app_user u ON u.id = r.generated_by
	WHERE r.id = p_id
$$;

-- Store a freshly built review (or replace it, regenerate): the caller
-- holds review_lock. Returns the id.
CREATE FUNCTION pace.review_store(p_org bigint, p_kind text, p_id bigint,
	p_period text, p_content jsonb, p_now timestamptz, p_by bigint)
RETURNS bigint LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE v_id bigint; per record := period_parse(p_period);
BEGIN
	INSERT INTO review (org_id, scope_kind, scope_id, period, period_kind,
		period_start, generated_at, generated_by, content)
	VALUES (p_org, p_kind, p_id, per.canon, per.kind, per.start_day, p_now,
		p_by, p_content)
	ON CONFLICT (org_id, scope_kind, scope_id, period) DO UPDATE
	SET content = EXCLUDED.content, generated_at = EXCLUDED.generated_at,
		generated_by = EXCLUDED.generated_by, version = review.version + 1
	RETURNING review.id INTO v_id;
	RETURN v_id;
END $$;

-- Serialise the generation of one (org, scope, period): the second of two
-- concurrent generators waits, then finds the review stored.
CREATE FUNCTION pace.review_lock(p_org bigint, p_kind text, p_id bigint,
	p_period text) RETURNS void
LANGUAGE sql AS $$
	SELECT pg_advisory_xact_lock(7420200,
		hashtext(format('%s:%s:%s:%s', p_org, p_kind, p_id, p_period)))
$$;

-- pace review generate: build and store the review of a scope for a period
-- (the stored one when it exists, unless p_regenerate).
CREATE FUNCTION pace.review_generate(p_actor bigint, p_op text, p_hash text,
	p_kind text, p_name text, p_period text, p_regenerate boolean,
	p_now_us bigint)
RETURNS TABLE (id bigint, scope_kind text, scope_id bigint, scope_name text,
	period text, period_kind text, generated_at bigint, generated_by text,
	version int, existing boolean, content text, actions jsonb)
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := op_begin(p_actor, p_op, p_hash);
	now_ts timestamptz := now_of(p_now_us);
	s record; per record;
	v_id bigint; v_existing boolean := false;
BEGIN
	IF r IS NULL THEN
		s := review_scope(a, p_kind, p_name);
		IF NOT can_read(a, s.kind, s.id, true) THEN
			PERFORM fail('PA403', format('not allowed to review %s %s',
				s.kind, s.label), 'scope');
		END IF;
		IF btrim(coalesce(p_period, '')) = '' THEN
			PERFORM fail('PA400', 'period is required (e.g. 2026-11 or 2026-W48)',
				'period');
		END IF;
		per := period_parse(p_period);
		IF per.start_day > (now_ts AT TIME ZONE
			(SELECT timezone FROM org WHERE org.id = a.org_id))::date THEN
			PERFORM fail('PA400', format('%s has not started yet', per.canon),
				'period');
		END IF;
		PERFORM review_lock(a.org_id, s.kind, s.id, per.canon);
		SELECT rv.id INTO v_id FROM review rv WHERE rv.org_id = a.org_id
			AND rv.scope_kind = s.kind AND rv.scope_id = s.id
			AND rv.period = per.canon;
		IF v_id IS NOT NULL AND NOT coalesce(p_regenerate, false) THEN
			v_existing := true;
		ELSE
			v_existing := v_id IS NOT NULL;
			v_id := review_store(a.org_id, s.kind, s.id, per.canon,
				review_build(a.org_id, s.kind, s.id, s.label, per.canon, now_ts),
				now_ts, a.id);
			PERFORM audit(a.org_id, a.id,
				CASE WHEN v_existing THEN 'regenerate' ELSE 'create' END,
				'review', v_id, NULL, jsonb_build_object('scope_kind', s.kind,
					'scope_id', s.id, 'period', per.canon));
			v_existing := false;
		END IF;
		r := op_end(p_actor, p_op, jsonb_build_object('id', v_id,
			'existing', v_existing));
	END IF;
	RETURN QUERY SELECT * FROM review_out((r->>'id')::bigint,
		(r->>'existing')::boolean, now_ts);
END $$;

-- A stored review the actor may read, by id or by scope and period; PA404
-- for one out of reach (as for one that does not exist).
CREATE FUNCTION pace.review_get(p_actor bigint, p_id bigint, p_kind text,
	p_name text, p_period text, p_now_us bigint)
RETURNS TABLE (id bigint, scope_kind text, scope_id bigint, scope_name text,
	period text, period_kind text, generated_at bigint, generated_by text,
	version int, existing boolean, content text, actions jsonb)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	now_ts timestamptz := now_of(p_now_us);
	rv review; s record; what text;
BEGIN
	IF coalesce(p_id, 0) > 0 THEN
		what := format('no review %s', p_id);
		IF a.role NOT IN ('director', 'admin', 'manager') THEN
			PERFORM fail('PA403', 'reviews are for managers and directors');
		END IF;
		SELECT * INTO rv FROM review x WHERE x.id = p_id AND x.org_id = a.org_id;
	ELSE
		s := review_scope(a, p_kind, p_name);
		IF btrim(coalesce(p_period, '')) = '' THEN
			PERFORM fail('PA400', 'give a review id, or a period', 'period');
		END IF;
		what := format('no review of %s %s for %s', s.kind, s.label,
			(period_parse(p_period)).canon);
		SELECT * INTO rv FROM review x WHERE x.org_id = a.org_id
			AND x.scope_kind = s.kind AND x.scope_id = s.id
			AND x.period = (period_parse(p_period)).canon;
	END IF;
	IF rv.id IS NULL OR NOT can_read(a, rv.scope_kind, rv.scope_id, true) THEN
		-- Out of reach: the same answer, audited (PA4S4, 005).
		PERFORM fail(CASE WHEN rv.id IS NULL THEN 'PA404' ELSE 'PA4S4' END,
			what, 'id');
	END IF;
	RETURN QUERY SELECT * FROM review_out(rv.id, true, now_ts);
END $$;

-- pace review list: the stored reviews the actor may read (newest period
-- first), and the org's review schedule.
CREATE FUNCTION pace.review_list(p_actor bigint, p_kind text, p_name text,
	p_period text, p_limit int) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	o org;
	s record; v_kind text; v_id bigint; canon text;
	lim int := greatest(1, least(coalesce(nullif(p_limit, 0), 50), 1000));
	rows jsonb;
BEGIN
	IF a.role NOT IN ('director', 'admin', 'manager') THEN
		PERFORM fail('PA403', 'reviews are for managers and directors');
	END IF;
	SELECT * INTO o FROM org WHERE org.id = a.org_id;
	IF coalesce(p_kind, '') <> '' THEN
		s := review_scope(a, p_kind, p_name);
		v_kind := s.kind;
		v_id := s.id;
	END IF;
	IF btrim(coalesce(p_period, '')) <> '' THEN
		canon := (period_parse(p_period)).canon;
	END IF;
	SELECT coalesce(jsonb_agg(x.j ORDER BY x.ps DESC, x.id DESC), '[]')
	INTO rows FROM (
		SELECT rv.id, rv.period_start AS ps, jsonb_build_object(
			'id', rv.id, 'scope_kind', rv.scope_kind, 'scope_id', rv.scope_id,
			'scope_name', rv.content->'scope'->>'name',
			'period', rv.period, 'period_kind', rv.period_kind,
			'generated_at', us(rv.generated_at)::text,
			'generated_by', coalesce(u.login, ''), 'version', rv.version,
			'status', rv.content->'summary'->'status',
			'attainment', rv.content->'summary'->'attainment',
			'members', jsonb_array_length(rv.content->'members'),
			'below_pace', (SELECT count(*) FROM jsonb_array_elements(
				rv.content->'members') m WHERE (m->>'below_pace')::boolean),
			'diagnoses', jsonb_array_length(rv.content->'diagnoses'),
			'actions_total', (SELECT count(*) FROM action_item ai
				WHERE ai.review_id = rv.id),
			'actions_open', (SELECT count(*) FROM action_item ai
				WHERE ai.review_id = rv.id AND ai.status = 'open')) AS j
		FROM review rv LEFT JOIN app_user u ON u.id = rv.generated_by
		WHERE rv.org_id = a.org_id
			AND can_read(a, rv.scope_kind, rv.scope_id, true)
			AND (v_kind IS NULL OR (rv.scope_kind = v_kind AND rv.scope_id = v_id))
			AND (canon IS NULL OR rv.period = canon)
		ORDER BY rv.period_start DESC, rv.id DESC LIMIT lim) x;
	RETURN jsonb_build_object('reviews', rows,
		'weekly', o.review_weekly, 'monthly', o.review_monthly,
		'hour', o.review_hour, 'timezone', o.timezone);
END $$;

-- pace board --star: the star of a period (default: this month) among the
-- reps of a scope the actor may see on the leaderboard.
CREATE FUNCTION pace.star(p_actor bigint, p_kind text, p_name text,
	p_period text, p_now_us bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	now_ts timestamptz := now_of(p_now_us);
	o org; s record; per record;
BEGIN
	SELECT * INTO o FROM org WHERE id = a.org_id;
	IF coalesce(p_kind, '') = '' THEN
		p_kind := CASE WHEN a.role IN ('director', 'admin') THEN 'org'
			ELSE 'team' END;
	END IF;
	IF p_kind NOT IN ('team', 'office', 'org') THEN
		PERFORM fail('PA400', 'the star is of a team, an office or the org',
			'scope');
	END IF;
	s := scope_resolve(a, p_kind, p_name);
	IF NOT can_read(a, s.kind, s.id, false) THEN
		PERFORM fail('PA403', format('not allowed to see the board of %s %s',
			s.kind, s.label), 'scope');
	END IF;
	per := period_parse(coalesce(nullif(btrim(coalesce(p_period, '')), ''),
		to_char((now_ts AT TIME ZONE o.timezone)::date, 'YYYY-MM')));
	RETURN star_compute(a.org_id, s.kind, s.id, per.start_day, per.end_day,
		now_ts) || jsonb_build_object('scope', jsonb_build_object('kind',
		s.kind, 'id', s.id, 'name', s.label), 'period', per.canon,
		'currency', o.currency);
END $$;
