-- Pace schema: push (DESIGN §7). The change log is read by transaction
-- visibility: a reader keeps the snapshot of its last read and asks for
-- the rows committed since, i.e. visible now but not in that snapshot.
-- Sequence values commit out of order, snapshots do not miss them.

-- Scopes whose numbers changed since snapshot p_snap (empty: start now),
-- and the snapshot to give next time. kind '*' means every scope of the
-- org (a change of targets or settings).
CREATE FUNCTION pace.changes_since(p_snap text)
RETURNS TABLE (snap text, org_id bigint, kind text, id bigint)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
#variable_conflict use_column
DECLARE
	cur pg_snapshot := pg_current_snapshot();
	prev pg_snapshot;
BEGIN
	IF coalesce(p_snap, '') = '' THEN
		RETURN QUERY SELECT cur::text, NULL::bigint, NULL::text, NULL::bigint;
		RETURN;
	END IF;
	prev := p_snap::pg_snapshot;
	RETURN QUERY
	WITH c AS (
		SELECT DISTINCT l.org_id, l.user_id FROM change_log l
		WHERE l.xid >= pg_snapshot_xmin(prev)
			AND NOT pg_visible_in_snapshot(l.xid, prev)
			AND pg_visible_in_snapshot(l.xid, cur)
	), s AS (
		SELECT c.org_id, '*'::text AS kind, NULL::bigint AS id FROM c
		WHERE c.user_id IS NULL
		UNION
		SELECT c.org_id, 'user', c.user_id FROM c WHERE c.user_id IS NOT NULL
		UNION
		SELECT c.org_id, 'team', u.team_id FROM c JOIN app_user u ON u.id = c.user_id
		WHERE u.team_id IS NOT NULL
		UNION
		SELECT c.org_id, 'office', t.office_id FROM c
		JOIN app_user u ON u.id = c.user_id JOIN team t ON t.id = u.team_id
		UNION
		SELECT c.org_id, 'org', c.org_id FROM c
	)
	SELECT cur::text, s.org_id, s.kind, s.id FROM s
	UNION ALL
	SELECT cur::text, NULL, NULL, NULL; -- always one row with the snapshot
END $$;

-- The KPI object of a scope for push: no actor (the subscription was
-- authorised when it was made). Period empty: the current month.
CREATE FUNCTION pace.kpi_scope(p_org bigint, p_kind text, p_id bigint,
	p_period text, p_now_us bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	now_ts timestamptz := now_of(p_now_us);
	per record; label text;
BEGIN
	per := period_parse(coalesce(nullif(p_period, ''),
		to_char((now_ts AT TIME ZONE (SELECT timezone FROM org WHERE id = p_org))::date,
			'YYYY-MM')));
	label := CASE p_kind
		WHEN 'user' THEN (SELECT name FROM app_user WHERE id = p_id)
		WHEN 'team' THEN (SELECT name FROM team WHERE id = p_id)
		WHEN 'office' THEN (SELECT name FROM office WHERE id = p_id)
		ELSE (SELECT name FROM org WHERE id = p_org) END;
	RETURN kpi_compute(p_org, p_kind, p_id, label, per.canon, per.start_day,
		per.end_day, now_ts);
END $$;

-- Authorise and resolve a subscription: the scope the actor may see in
-- full, and the org, kind and id of its topic.
CREATE FUNCTION pace.subscribe_check(p_actor bigint, p_kind text,
	p_name text, p_period text)
RETURNS TABLE (org_id bigint, kind text, id bigint, label text, period text)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
#variable_conflict use_column
DECLARE a app_user := actor(p_actor); s record; canon text := '';
BEGIN
	s := scope_resolve(a, p_kind, p_name);
	IF NOT can_read(a, s.kind, s.id, true) THEN
		PERFORM fail('PA403', format('not allowed to follow %s %s', s.kind, s.label),
			'scope');
	END IF;
	IF coalesce(p_period, '') <> '' THEN
		canon := (period_parse(p_period)).canon;
	END IF;
	RETURN QUERY SELECT a.org_id, s.kind, s.id, s.label, canon;
END $$;
