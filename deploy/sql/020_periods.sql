-- Pace schema: periods and scopes (DESIGN §5).
--
-- Periods: 2026 · 2026Q4 · 2026-11 · 2026-W48 (ISO week) · 2026-11-27, as
-- half-open ranges of org-local days [start_day, end_day). Scopes: a user,
-- a team, an office, the org.

CREATE FUNCTION pace.period_parse(p text, OUT kind text, OUT start_day date,
	OUT end_day date, OUT canon text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE y int; n int; d date;
BEGIN
	p := upper(btrim(coalesce(p, '')));
	IF p ~ '^\d{4}$' THEN
		kind := 'year';
		start_day := make_date(p::int, 1, 1);
		end_day := (start_day + interval '1 year')::date;
		canon := p;
	ELSIF p ~ '^\d{4}Q[1-4]$' THEN
		kind := 'quarter';
		y := left(p, 4)::int;
		n := right(p, 1)::int;
		start_day := make_date(y, (n - 1) * 3 + 1, 1);
		end_day := (start_day + interval '3 months')::date;
		canon := p;
	ELSIF p ~ '^\d{4}-\d{2}$' THEN
		kind := 'month';
		n := substr(p, 6, 2)::int;
		IF n NOT BETWEEN 1 AND 12 THEN
			PERFORM pace.fail('PA400', format('no month %s', p), 'period');
		END IF;
		start_day := make_date(left(p, 4)::int, n, 1);
		end_day := (start_day + interval '1 month')::date;
		canon := p;
	ELSIF p ~ '^\d{4}-W\d{2}$' THEN
		kind := 'week';
		y := left(p, 4)::int;
		n := substr(p, 7, 2)::int;
		d := to_date(format('%s-%s-1', y, n), 'IYYY-IW-ID');
		IF n < 1 OR extract(isoyear FROM d) <> y OR extract(week FROM d) <> n THEN
			PERFORM pace.fail('PA400', format('no ISO week %s', p), 'period');
		END IF;
		start_day := d;
		end_day := d + 7;
		canon := format('%s-W%s', y, lpad(n::text, 2, '0'));
	ELSIF p ~ '^\d{4}-\d{2}-\d{2}$' THEN
		kind := 'day';
		BEGIN
			start_day := to_date(p, 'YYYY-MM-DD');
			IF to_char(start_day, 'YYYY-MM-DD') <> p THEN
				RAISE invalid_datetime_format;
			END IF;
		EXCEPTION WHEN OTHERS THEN
			PERFORM pace.fail('PA400', format('no day %s', p), 'period');
		END;
		end_day := start_day + 1;
		canon := p;
	ELSE
		PERFORM pace.fail('PA400', format(
			'period "%s": use 2026, 2026Q4, 2026-11, 2026-W48 or 2026-11-27', p),
			'period');
	END IF;
END $$;

-- The period of a kind that contains a day, in canonical text.
CREATE FUNCTION pace.period_of(p_kind text, d date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_kind
		WHEN 'year' THEN to_char(d, 'YYYY')
		WHEN 'quarter' THEN to_char(d, 'YYYY"Q"Q')
		WHEN 'month' THEN to_char(d, 'YYYY-MM')
		WHEN 'week' THEN to_char(d, 'IYYY"-W"IW')
		ELSE to_char(d, 'YYYY-MM-DD') END
$$;

-- Today in the org's time zone.
CREATE FUNCTION pace.org_today(p_org bigint) RETURNS date
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT (now() AT TIME ZONE timezone)::date FROM org WHERE id = p_org
$$;

-- The start of an org-local day as a timestamp.
-- The "now" of a request: paced passes its clock (the test clock when one
-- is set) in microseconds; 0 means the database's now().
CREATE FUNCTION pace.now_of(p_now_us bigint) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT CASE WHEN coalesce(p_now_us, 0) = 0 THEN now() ELSE ts(p_now_us) END
$$;

CREATE FUNCTION pace.org_day_start(p_org bigint, d date) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT d::timestamp AT TIME ZONE timezone FROM org WHERE id = p_org
$$;

-- Resolve a scope named on the wire: kind user/team/office/org and a name
-- (login, team name, office name; empty for the org or for "me").
-- Unknown names answer PA404 naming the field `scope`.
CREATE FUNCTION pace.scope_resolve(a pace.app_user, p_kind text, p_name text,
	OUT kind text, OUT id bigint, OUT label text)
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
BEGIN
	kind := coalesce(nullif(p_kind, ''), 'user');
	p_name := btrim(coalesce(p_name, ''));
	IF kind = 'org' THEN
		SELECT o.id, o.name INTO id, label FROM org o WHERE o.id = a.org_id;
	ELSIF kind = 'user' THEN
		IF p_name = '' THEN
			id := a.id; label := a.name;
		ELSE
			SELECT u.id, u.name INTO id, label FROM app_user u
			WHERE u.org_id = a.org_id AND u.login = lower(p_name);
		END IF;
	ELSIF kind = 'team' THEN
		IF p_name = '' AND a.team_id IS NOT NULL THEN
			SELECT t.id, t.name INTO id, label FROM team t WHERE t.id = a.team_id;
		ELSE
			SELECT t.id, t.name INTO id, label FROM team t
			WHERE t.org_id = a.org_id AND t.name = p_name;
		END IF;
	ELSIF kind = 'office' THEN
		IF p_name = '' AND a.team_id IS NOT NULL THEN
			SELECT o.id, o.name INTO id, label FROM team t
			JOIN office o ON o.id = t.office_id WHERE t.id = a.team_id;
		ELSE
			SELECT o.id, o.name INTO id, label FROM office o
			WHERE o.org_id = a.org_id AND o.name = p_name;
		END IF;
	ELSE
		PERFORM fail('PA400', 'scope must be user, team, office or org', 'scope');
	END IF;
	IF id IS NULL THEN
		PERFORM fail('PA404', format('no %s named %s', kind, p_name), 'scope');
	END IF;
END $$;

-- The users whose facts make up a scope.
CREATE FUNCTION pace.scope_users(p_org bigint, p_kind text, p_id bigint)
RETURNS SETOF bigint LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT u.id FROM app_user u
	LEFT JOIN team t ON t.id = u.team_id
	WHERE u.org_id = p_org AND CASE p_kind
		WHEN 'user' THEN u.id = p_id
		WHEN 'team' THEN u.team_id = p_id
		WHEN 'office' THEN t.office_id = p_id
		ELSE true END
$$;

-- The scope one level up (user -> team -> office -> org).
CREATE FUNCTION pace.scope_parent(p_org bigint, p_kind text, p_id bigint,
	OUT kind text, OUT id bigint)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT CASE p_kind WHEN 'user' THEN 'team' WHEN 'team' THEN 'office'
		WHEN 'office' THEN 'org' END,
		CASE p_kind
		WHEN 'user' THEN (SELECT team_id FROM app_user WHERE app_user.id = p_id)
		WHEN 'team' THEN (SELECT office_id FROM team WHERE team.id = p_id)
		WHEN 'office' THEN p_org END
$$;

-- The scopes one level down (org -> offices -> teams -> users).
CREATE FUNCTION pace.scope_children(p_org bigint, p_kind text, p_id bigint)
RETURNS TABLE (kind text, id bigint, label text)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT 'office', o.id, o.name FROM office o
	WHERE p_kind = 'org' AND o.org_id = p_org
	UNION ALL
	SELECT 'team', t.id, t.name FROM team t
	WHERE p_kind = 'office' AND t.office_id = p_id
	UNION ALL
	SELECT 'user', u.id, u.name FROM app_user u
	WHERE p_kind = 'team' AND u.team_id = p_id AND u.active
		AND u.role IN ('rep', 'manager')
$$;

-- May actor `a` read this scope? full = KPIs in full; otherwise the
-- leaderboard (attainment of each member) only. Rep: own KPIs, own team's
-- board. Manager: own team and its members, board included. Director and
-- admin: everything in the org.
CREATE FUNCTION pace.can_read(a pace.app_user, p_kind text, p_id bigint,
	p_full boolean) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT CASE
		WHEN a.role IN ('director', 'admin') THEN true
		WHEN a.role = 'manager' THEN
			(p_kind = 'team' AND p_id = a.team_id) OR
			(p_kind = 'user' AND EXISTS (SELECT 1 FROM app_user u
				WHERE u.id = p_id AND u.team_id = a.team_id))
		ELSE
			(p_kind = 'user' AND p_id = a.id) OR
			(NOT p_full AND p_kind = 'team' AND p_id = a.team_id)
		END
$$;
