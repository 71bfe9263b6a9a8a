-- Pace schema: scheduled reviews and the review settings (issue 7).
--
-- Settings (OrgSet keys, admins and directors): review_weekly on|off,
-- review_monthly on|off, review_hour 0-23. They extend OrgSet (011) without
-- touching it: org_set and org_json of 011 are renamed *_base and wrapped.
--
-- The leader paced calls pace.review_evaluate() on its alert timer (after
-- each time-driven alert evaluation, server/push/feed.c): overdue action
-- items raise their alerts, and at most one due review is generated per
-- call (the caller calls again while one was), so that no single
-- transaction grows with the number of teams. Due: from review_hour on
-- Monday (org time) the review of the ISO week just ended, from review_hour
-- on the 1st the review of the month just ended; of every team with an
-- active rep, then of the org. The stored review's uniqueness per (org,
-- scope, period), under review_lock, makes it happen once across every
-- instance, also when leadership moves mid-way; each raises one
-- review_ready alert (to the team's managers and the directors; for the
-- org, the directors).

ALTER FUNCTION pace.org_json(bigint) RENAME TO org_json_base;
ALTER FUNCTION pace.org_set(bigint, text, text, text, text)
	RENAME TO org_set_base;

CREATE FUNCTION pace.org_json(p_org bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT org_json_base(p_org) || jsonb_build_object(
		'review_weekly', o.review_weekly, 'review_monthly', o.review_monthly,
		'review_hour', o.review_hour)
	FROM org o WHERE o.id = p_org
$$;

CREATE FUNCTION pace.org_set(p_actor bigint, p_op text, p_hash text,
	p_key text, p_value text)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	v_key text := btrim(coalesce(p_key, ''));
	v_val text := lower(btrim(coalesce(p_value, '')));
	a app_user; r jsonb; v_before jsonb; v_on boolean;
BEGIN
	IF v_key NOT IN ('review_weekly', 'review_monthly', 'review_hour') THEN
		RETURN org_set_base(p_actor, p_op, p_hash, p_key, p_value);
	END IF;
	a := actor(p_actor);
	r := capture_op(a, p_op, p_hash);
	IF r IS NOT NULL THEN RETURN r; END IF;
	PERFORM require_role(a, 'admin', 'director');
	v_before := org_json(a.org_id);
	IF v_key = 'review_hour' THEN
		UPDATE org SET review_hour = setting_int(v_key, v_val, 0, 23)
		WHERE id = a.org_id;
	ELSE
		IF v_val IN ('on', 'true', 'yes', '1') THEN
			v_on := true;
		ELSIF v_val IN ('off', 'false', 'no', '0') THEN
			v_on := false;
		ELSE
			PERFORM fail('PA400', format('%s: on or off', v_key), 'value');
		END IF;
		IF v_key = 'review_weekly' THEN
			UPDATE org SET review_weekly = v_on WHERE id = a.org_id;
		ELSE
			UPDATE org SET review_monthly = v_on WHERE id = a.org_id;
		END IF;
	END IF;
	r := org_json(a.org_id);
	PERFORM audit(a.org_id, a.id, 'set', 'org', a.org_id,
		jsonb_build_object(v_key, v_before->v_key),
		jsonb_build_object(v_key, r->v_key));
	RETURN op_end(p_actor, p_op, r);
END $$;

-- The periods whose scheduled review is due at p_now for an org: the week
-- and/or month just ended, once review_hour has passed on its first day.
CREATE FUNCTION pace.review_due_periods(o pace.org, p_now timestamptz)
RETURNS TABLE (kind text, period text)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	WITH l AS (SELECT p_now AT TIME ZONE o.timezone AS t)
	SELECT 'week', period_of('week', (date_trunc('week', l.t) - interval '1 day')::date)
	FROM l WHERE o.review_weekly
		AND l.t >= date_trunc('week', l.t) + o.review_hour * interval '1 hour'
	UNION ALL
	SELECT 'month', period_of('month', (date_trunc('month', l.t) - interval '1 day')::date)
	FROM l WHERE o.review_monthly
		AND l.t >= date_trunc('month', l.t) + o.review_hour * interval '1 hour'
$$;

-- Generate the next due scheduled review, if any: its id, or NULL.
CREATE FUNCTION pace.review_schedule_next(p_now timestamptz) RETURNS bigint
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	o org; p record; sc record; v_id bigint;
BEGIN
	FOR o IN SELECT * FROM org WHERE review_weekly OR review_monthly ORDER BY id
	LOOP
		FOR p IN SELECT * FROM review_due_periods(o, p_now) LOOP
			FOR sc IN
				SELECT 'team' AS kind, t.id, t.name AS label, 1 AS ord
				FROM team t WHERE t.org_id = o.id AND EXISTS (SELECT 1
					FROM app_user u WHERE u.team_id = t.id AND u.active
					AND u.role = 'rep')
				UNION ALL
				SELECT 'org', o.id, o.name, 2
				ORDER BY ord, label, id
			LOOP
				IF EXISTS (SELECT 1 FROM review r WHERE r.org_id = o.id
					AND r.scope_kind = sc.kind AND r.scope_id = sc.id
					AND r.period = p.period) THEN
					CONTINUE;
				END IF;
				PERFORM review_lock(o.id, sc.kind, sc.id, p.period);
				IF EXISTS (SELECT 1 FROM review r WHERE r.org_id = o.id
					AND r.scope_kind = sc.kind AND r.scope_id = sc.id
					AND r.period = p.period) THEN
					CONTINUE; -- another instance made it meanwhile
				END IF;
				v_id := review_store(o.id, sc.kind, sc.id, p.period,
					review_build(o.id, sc.kind, sc.id, sc.label, p.period, p_now),
					p_now, NULL);
				PERFORM alert_raise(o.id, 'review_ready', sc.kind, sc.id,
					format('review_ready:%s', v_id), p_now,
					format('%s review of %s for %s is ready',
						CASE p.kind WHEN 'week' THEN 'Weekly' ELSE 'Monthly' END,
						sc.label, p.period),
					format('pace review show %s', v_id),
					NULL, NULL, NULL, p.period, NULL, v_id);
				PERFORM audit(o.id, NULL, 'create', 'review', v_id, NULL,
					jsonb_build_object('scope_kind', sc.kind, 'scope_id', sc.id,
						'period', p.period, 'scheduled', true));
				RETURN v_id;
			END LOOP;
		END LOOP;
	END LOOP;
	RETURN NULL;
END $$;

-- The leader's review work at p_now_us: overdue action alerts of every
-- org, then at most one scheduled review. alerts counts new alerts
-- (review_ready included); review is the generated review's id or NULL.
CREATE FUNCTION pace.review_evaluate(p_now_us bigint,
	OUT alerts int, OUT review bigint)
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	now_ts timestamptz := now_of(p_now_us);
	o record;
BEGIN
	alerts := 0;
	FOR o IN SELECT id FROM org ORDER BY id LOOP
		alerts := alerts + alerts_actions(o.id, now_ts);
	END LOOP;
	review := review_schedule_next(now_ts);
	alerts := alerts + (review IS NOT NULL)::int;
END $$;
