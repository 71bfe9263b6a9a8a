-- Pace schema: action items (issue 7). Who sees and changes an item is who
-- sees its owner's data (pace.sees, 005): a rep their own items, a manager
-- the items of their team, directors and admins the org's. Out of reach
-- answers PA404, like something that does not exist.
-- An open item past its due day raises one action_due alert (to the owner,
-- the owner's managers and the directors: pace.alert_recipients).

-- A date parameter: 'YYYY-MM-DD' or PA400 naming the field.
CREATE FUNCTION pace.parse_day(p text, field text) RETURNS date
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE d date;
BEGIN
	BEGIN
		d := to_date(btrim(p), 'YYYY-MM-DD');
		IF to_char(d, 'YYYY-MM-DD') <> btrim(p) THEN
			RAISE invalid_datetime_format;
		END IF;
	EXCEPTION WHEN OTHERS THEN
		PERFORM pace.fail('PA400', format('%s: a date as YYYY-MM-DD', field),
			field);
	END;
	RETURN d;
END $$;

-- A due day for a new item: given, or p_default; not in the past, not
-- more than ten years ahead.
CREATE FUNCTION pace.action_due(p text, p_today date, p_default date)
RETURNS date LANGUAGE plpgsql IMMUTABLE SET search_path = pace, pg_catalog AS $$
DECLARE d date;
BEGIN
	IF btrim(coalesce(p, '')) = '' THEN
		IF p_default IS NULL THEN
			PERFORM fail('PA400', 'due is required (YYYY-MM-DD)', 'due_on');
		END IF;
		RETURN p_default;
	END IF;
	d := parse_day(p, 'due_on');
	IF d < p_today THEN
		PERFORM fail('PA400', format('due %s is in the past', d), 'due_on');
	END IF;
	IF d > p_today + 3660 THEN
		PERFORM fail('PA400', 'due is more than ten years ahead', 'due_on');
	END IF;
	RETURN d;
END $$;

-- A review the actor may read, for linking an item to it; PA404 otherwise.
CREATE FUNCTION pace.review_for(a pace.app_user, p_id bigint)
RETURNS pace.review LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE rv review;
BEGIN
	SELECT * INTO rv FROM review WHERE id = p_id AND org_id = a.org_id;
	IF NOT FOUND OR a.role NOT IN ('director', 'admin', 'manager')
		OR NOT can_read(a, rv.scope_kind, rv.scope_id, true) THEN
		-- Out of reach: the same answer, audited (PA4S4, 005).
		PERFORM fail(CASE WHEN FOUND THEN 'PA4S4' ELSE 'PA404' END,
			format('no review %s', p_id), 'review_id');
	END IF;
	RETURN rv;
END $$;

-- pace action add: an item for a user the actor may write for (default:
-- the actor), optionally tied to a review.
CREATE FUNCTION pace.action_add(p_actor bigint, p_op text, p_hash text,
	p_owner text, p_due text, p_text text, p_review bigint, p_now_us bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := op_begin(p_actor, p_op, p_hash);
	now_ts timestamptz := now_of(p_now_us);
	today date := org_day(a.org_id, now_ts);
	v_owner bigint; v_text text; v_due date; rv review; ai action_item;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	v_owner := write_owner(a, p_owner, 'owner', a.id);
	v_text := check_text(p_text, 'text', 500);
	v_due := action_due(p_due, today, NULL);
	IF coalesce(p_review, 0) > 0 THEN
		rv := review_for(a, p_review);
	END IF;
	INSERT INTO action_item (org_id, owner_id, text, due_on, review_id,
		created_by, created_at, updated_at)
	VALUES (a.org_id, v_owner, v_text, v_due, rv.id, a.id, now_ts, now_ts)
	RETURNING * INTO ai;
	r := action_json(ai, now_ts);
	PERFORM audit(a.org_id, a.id, 'create', 'action_item', ai.id, NULL, r);
	RETURN op_end(p_actor, p_op, r);
END $$;

-- pace action from-diagnosis REVIEW N: diagnosis N of a review becomes an
-- item for the diagnosed member (or p_owner), with the diagnosis's
-- suggestion as text unless one is given, due in a week unless given.
CREATE FUNCTION pace.action_from_diagnosis(p_actor bigint, p_op text,
	p_hash text, p_review bigint, p_n int, p_due text, p_owner text,
	p_text text, p_now_us bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := op_begin(p_actor, p_op, p_hash);
	now_ts timestamptz := now_of(p_now_us);
	today date := org_day(a.org_id, now_ts);
	rv review; d jsonb; v_owner bigint; v_text text; v_due date;
	ai action_item; other bigint;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	rv := review_for(a, p_review);
	SELECT x INTO d FROM jsonb_array_elements(rv.content->'diagnoses') x
	WHERE (x->>'n')::int = p_n;
	IF d IS NULL THEN
		PERFORM fail('PA404', format('review %s has no diagnosis %s',
			p_review, p_n), 'diagnosis');
	END IF;
	SELECT id INTO other FROM action_item
	WHERE review_id = rv.id AND diagnosis = p_n;
	IF FOUND THEN
		PERFORM fail('PA409', format('diagnosis %s of review %s is already '
			'action item %s', p_n, p_review, other), 'diagnosis');
	END IF;
	IF btrim(coalesce(p_owner, '')) = '' THEN
		v_owner := (d->'user'->>'id')::bigint;
		IF NOT EXISTS (SELECT 1 FROM app_user WHERE id = v_owner AND active)
			OR NOT sees(a, v_owner) THEN
			PERFORM fail('PA403', format('not allowed to write for %s',
				d->'user'->>'login'), 'owner');
		END IF;
	ELSE
		v_owner := write_owner(a, p_owner, 'owner', a.id);
	END IF;
	v_text := check_text(coalesce(nullif(btrim(coalesce(p_text, '')), ''),
		d->>'suggestion'), 'text', 500);
	v_due := action_due(p_due, today, today + 7);
	INSERT INTO action_item (org_id, owner_id, text, due_on, review_id,
		diagnosis, rule, created_by, created_at, updated_at)
	VALUES (a.org_id, v_owner, v_text, v_due, rv.id, p_n, d->>'rule', a.id,
		now_ts, now_ts)
	RETURNING * INTO ai;
	r := action_json(ai, now_ts);
	PERFORM audit(a.org_id, a.id, 'create', 'action_item', ai.id, NULL, r);
	RETURN op_end(p_actor, p_op, r);
END $$;

-- pace action list: a rep's own items; a manager's team's (or --mine);
-- a director's or admin's whole org (or --mine, --team T). Open first,
-- then by due day.
CREATE FUNCTION pace.action_list(p_actor bigint, p_mine boolean,
	p_team text, p_open boolean, p_review bigint, p_limit int,
	p_now_us bigint)
RETURNS TABLE (j jsonb)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	now_ts timestamptz := now_of(p_now_us);
	lim int := greatest(1, least(coalesce(nullif(p_limit, 0), 100), 1000));
	v_team bigint;
BEGIN
	IF btrim(coalesce(p_team, '')) <> '' THEN
		SELECT t.id INTO v_team FROM team t
		WHERE t.org_id = a.org_id AND t.name = btrim(p_team);
		IF NOT FOUND THEN
			PERFORM fail('PA404', format('no team named %s', p_team), 'team');
		END IF;
		IF a.role = 'rep' OR (a.role = 'manager'
			AND v_team IS DISTINCT FROM a.team_id) THEN
			PERFORM fail('PA403', format('not allowed to see the action items '
				'of team %s', p_team), 'team');
		END IF;
	END IF;
	RETURN QUERY
	SELECT action_json(ai, now_ts) FROM action_item ai
	JOIN app_user o ON o.id = ai.owner_id
	WHERE ai.org_id = a.org_id
		AND sees_row(a, o.id, o.org_id, o.team_id)
		AND (NOT coalesce(p_mine, false) OR ai.owner_id = a.id)
		AND (v_team IS NULL OR o.team_id = v_team)
		AND (NOT coalesce(p_open, false) OR ai.status = 'open')
		AND (coalesce(p_review, 0) = 0 OR ai.review_id = p_review)
	ORDER BY ai.status = 'done', ai.due_on, ai.id
	LIMIT lim;
END $$;

-- An item the actor may change, locked; PA404 otherwise.
CREATE FUNCTION pace.action_for(a pace.app_user, p_id bigint)
RETURNS pace.action_item LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE ai action_item;
BEGIN
	SELECT * INTO ai FROM action_item WHERE id = p_id AND org_id = a.org_id
	FOR UPDATE;
	IF NOT FOUND OR NOT sees(a, ai.owner_id) THEN
		-- Out of scope: the same answer, audited (PA4S4, 005).
		PERFORM fail(CASE WHEN FOUND THEN 'PA4S4' ELSE 'PA404' END,
			format('no action item %s', p_id), 'id');
	END IF;
	RETURN ai;
END $$;

-- pace action done ID [--note]: close an open item.
CREATE FUNCTION pace.action_done(p_actor bigint, p_op text, p_hash text,
	p_id bigint, p_note text, p_now_us bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := op_begin(p_actor, p_op, p_hash);
	now_ts timestamptz := now_of(p_now_us);
	ai action_item; v_note text := check_text(p_note, 'note', 1000, false);
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	ai := action_for(a, p_id);
	IF ai.status = 'done' THEN
		PERFORM fail('PA409', format('action item %s is already done', p_id),
			'id');
	END IF;
	UPDATE action_item SET status = 'done', closed_at = now_ts,
		closed_by = a.id, note = CASE WHEN v_note = '' THEN note ELSE v_note END,
		updated_at = now_ts
	WHERE id = p_id RETURNING * INTO ai;
	r := action_json(ai, now_ts);
	PERFORM audit(a.org_id, a.id, 'done', 'action_item', ai.id, NULL, r);
	RETURN op_end(p_actor, p_op, r);
END $$;

-- pace action reopen ID: a closed item is open again (its due day stays).
CREATE FUNCTION pace.action_reopen(p_actor bigint, p_op text, p_hash text,
	p_id bigint, p_now_us bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := op_begin(p_actor, p_op, p_hash);
	now_ts timestamptz := now_of(p_now_us);
	ai action_item;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	ai := action_for(a, p_id);
	IF ai.status = 'open' THEN
		PERFORM fail('PA409', format('action item %s is open', p_id), 'id');
	END IF;
	UPDATE action_item SET status = 'open', closed_at = NULL,
		closed_by = NULL, updated_at = now_ts
	WHERE id = p_id RETURNING * INTO ai;
	r := action_json(ai, now_ts);
	PERFORM audit(a.org_id, a.id, 'reopen', 'action_item', ai.id, NULL, r);
	RETURN op_end(p_actor, p_op, r);
END $$;

-- Overdue items: one action_due alert per item and due day, ever.
CREATE FUNCTION pace.alerts_actions(p_org bigint, p_now timestamptz)
RETURNS int LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	today date := (p_now AT TIME ZONE (SELECT timezone FROM org WHERE id = p_org))::date;
	ai record; n int := 0; v_id bigint;
BEGIN
	-- Items alerted before are skipped here, not only by the dedup key:
	-- an attempt that conflicts still takes an alert id.
	FOR ai IN SELECT * FROM action_item i
		WHERE i.org_id = p_org AND i.status = 'open' AND i.due_on < today
			AND NOT EXISTS (SELECT 1 FROM alert x WHERE x.org_id = p_org
				AND x.dedup_key = format('action_due:%s:%s', i.id, i.due_on))
		ORDER BY i.id
	LOOP
		v_id := alert_raise(p_org, 'action_due', 'user', ai.owner_id,
			format('action_due:%s:%s', ai.id, ai.due_on), p_now,
			format('Action item #%s is overdue (due %s)', ai.id, ai.due_on),
			ai.text, NULL, NULL, NULL, NULL, NULL, ai.id);
		n := n + (v_id IS NOT NULL)::int;
	END LOOP;
	RETURN n;
END $$;
