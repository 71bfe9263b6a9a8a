-- Pace schema, part 9: activities (ActivityLog/List).
--
-- An activity is logged by the acting user, for a customer in their scope
-- and optionally one of that customer's deals. It rolls up calls, visits,
-- emails or meetings on its org-local day, marks the customer touched that
-- day (the "mix" KPI), and moves the deal's last_activity_at (stale-deal
-- alerts).

CREATE FUNCTION pace.activity_kind_col(p_kind text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_kind WHEN 'call' THEN 'calls' WHEN 'visit' THEN 'visits'
		WHEN 'email' THEN 'emails' WHEN 'meeting' THEN 'meetings' END
$$;

CREATE FUNCTION pace.activity_json(p_id bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT jsonb_build_object('id', x.id, 'user_id', x.user_id,
		'user', u.login, 'kind', x.kind, 'customer_id', x.customer_id,
		'customer', c.name, 'deal_id', coalesce(x.opp_id, 0),
		'at', j_us(x.at), 'duration_min', x.duration_min, 'note', x.note)
	FROM activity x
	JOIN app_user u ON u.id = x.user_id
	JOIN customer c ON c.id = x.customer_id
	WHERE x.id = p_id
$$;

CREATE FUNCTION pace.activity_log(p_actor bigint, p_op text, p_hash text,
	p_kind text, p_customer bigint, p_deal bigint, p_at bigint,
	p_duration int, p_note text)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	c customer;
	d opportunity;
	v_at timestamptz;
	v_note text;
	v_day date;
	v_id bigint;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	IF activity_kind_col(p_kind) IS NULL THEN
		PERFORM fail('PA400', 'kind: call, visit, email or meeting', 'kind');
	END IF;
	c := find_customer(a, p_customer, 'customer_id');
	IF coalesce(p_deal, 0) <> 0 THEN
		d := find_deal(a, p_deal, 'deal_id');
		IF d.customer_id <> c.id THEN
			PERFORM fail('PA400', format('deal %s is not a deal of customer %s',
				d.id, c.id), 'deal_id');
		END IF;
	END IF;
	v_at := check_at_us(a.org_id, p_at);
	IF coalesce(p_duration, 0) NOT BETWEEN 0 AND 1440 THEN
		PERFORM fail('PA400', 'duration_min: 0 to 1440 minutes', 'duration_min');
	END IF;
	v_note := check_note(p_note, 'note', 2000);
	INSERT INTO activity (org_id, user_id, customer_id, opp_id, kind, at,
		duration_min, note)
	VALUES (a.org_id, a.id, c.id, d.id, p_kind, v_at, coalesce(p_duration, 0),
		v_note)
	RETURNING activity.id INTO v_id;
	v_day := org_day(a.org_id, v_at);
	PERFORM rollup_add(a.org_id, a.id, v_day, activity_kind_col(p_kind), 1);
	INSERT INTO customer_touch (org_id, user_id, day, customer_id)
	VALUES (a.org_id, a.id, v_day, c.id) ON CONFLICT DO NOTHING;
	IF d.id IS NOT NULL THEN
		UPDATE opportunity x
		SET last_activity_at = greatest(x.last_activity_at, v_at)
		WHERE x.id = d.id;
	END IF;
	PERFORM changed(a.org_id, a.id);
	-- activity_json(v_id) from what is in hand (the hot path: no re-read).
	r := jsonb_build_object('id', v_id, 'user_id', a.id, 'user', a.login,
		'kind', p_kind, 'customer_id', c.id, 'customer', c.name,
		'deal_id', coalesce(d.id, 0), 'at', j_us(v_at),
		'duration_min', coalesce(p_duration, 0), 'note', v_note);
	PERFORM audit(a.org_id, a.id, 'create', 'activity', v_id, NULL, r);
	RETURN op_end(p_actor, p_op, r);
END $$;

-- A page of activities in a's scope (by their author), by id.
CREATE FUNCTION pace.activity_list(p_actor bigint, p_user text, p_team text,
	p_customer bigint, p_deal bigint, p_from bigint, p_to bigint,
	p_limit int, p_after bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	v_limit int := list_limit(p_limit);
	v_user bigint := filter_user(a, p_user);
	v_team bigint := filter_team(a, p_team);
	v_from timestamptz;
	v_to timestamptz;
BEGIN
	IF coalesce(p_from, 0) <> 0 THEN
		IF p_from NOT BETWEEN 0 AND 4102444800000000 THEN
			PERFORM fail('PA400', 'from is out of range', 'from');
		END IF;
		v_from := ts(p_from);
	END IF;
	IF coalesce(p_to, 0) <> 0 THEN
		IF p_to NOT BETWEEN 0 AND 4102444800000000 THEN
			PERFORM fail('PA400', 'to is out of range', 'to');
		END IF;
		v_to := ts(p_to);
	END IF;
	RETURN (SELECT coalesce(jsonb_agg(x.j ORDER BY x.id), '[]')
	FROM (SELECT t.id, jsonb_build_object('id', t.id, 'user_id', t.user_id,
			'user', u.login, 'kind', t.kind, 'customer_id', t.customer_id,
			'customer', c.name, 'deal_id', coalesce(t.opp_id, 0),
			'at', j_us(t.at), 'duration_min', t.duration_min,
			'note', t.note) AS j
		FROM activity t
		JOIN app_user u ON u.id = t.user_id
		JOIN customer c ON c.id = t.customer_id
		WHERE t.org_id = a.org_id
			AND sees_row(a, t.user_id, u.org_id, u.team_id)
			AND t.id > coalesce(p_after, 0)
			AND (v_user IS NULL OR t.user_id = v_user)
			AND (v_team IS NULL OR u.team_id = v_team)
			AND (coalesce(p_customer, 0) = 0 OR t.customer_id = p_customer)
			AND (coalesce(p_deal, 0) = 0 OR t.opp_id = p_deal)
			AND (v_from IS NULL OR t.at >= v_from)
			AND (v_to IS NULL OR t.at < v_to)
		ORDER BY t.id LIMIT v_limit) x);
END $$;
