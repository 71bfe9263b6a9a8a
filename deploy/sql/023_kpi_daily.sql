-- Pace schema: the daily revenue series of a scope and period (Kpi.daily,
-- for the cumulative-actual-against-pace chart of pace-desk).
--
-- One value per org-local day from the period's first day to today (to its
-- last day for a past period; empty for a future one): the revenue actual
-- of that day on the org's basis (booked: contracts signed; collected:
-- payments received), summed over the scope's users from rollup_day.
-- Authorised and resolved exactly like pace.kpi().
CREATE FUNCTION pace.kpi_daily(p_actor bigint, p_kind text, p_name text,
	p_period text, p_now_us bigint) RETURNS bigint[]
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	now_ts timestamptz := now_of(p_now_us);
	o org;
	s record; per record; today date; last_day date;
	users bigint[];
BEGIN
	SELECT * INTO o FROM org WHERE id = a.org_id;
	s := scope_resolve(a, p_kind, p_name);
	IF NOT can_read(a, s.kind, s.id, true) THEN
		PERFORM fail('PA403', format('not allowed to see the KPIs of %s %s',
			s.kind, s.label), 'scope');
	END IF;
	today := (now_ts AT TIME ZONE o.timezone)::date;
	per := period_parse(coalesce(nullif(p_period, ''), to_char(today, 'YYYY-MM')));
	last_day := least(per.end_day - 1, today);
	IF last_day < per.start_day THEN
		RETURN '{}';
	END IF;
	users := ARRAY(SELECT scope_users(a.org_id, s.kind, s.id));
	RETURN ARRAY(
		SELECT coalesce(metric_value('revenue', o.revenue_basis, r.booked,
			r.received, 0, 0), 0)
		FROM generate_series(per.start_day, last_day, interval '1 day') AS d(day)
		LEFT JOIN (SELECT x.day, sum(x.booked)::bigint AS booked,
				sum(x.received)::bigint AS received
			FROM rollup_day x
			WHERE x.user_id = ANY (users) AND x.day >= per.start_day
				AND x.day <= last_day
			GROUP BY x.day) r ON r.day = d.day::date
		ORDER BY d.day);
END $$;
