-- Pace schema, part 15: importing activities.
-- Columns: user, kind, customer, deal, at, duration_min, note
-- (docs/import.md). The same rules as ActivityLog, except that the author
-- is the `user` column (empty = the importer), who must be in the
-- importer's scope.

CREATE FUNCTION pace.import_activities(a pace.app_user, b pace.import_batch)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	o org;
	w record;
	v_seq regclass := pg_get_serial_sequence('pace.activity', 'id')::regclass;
	e record;
	v_applied bigint;
BEGIN
	SELECT * INTO o FROM org x WHERE x.id = a.org_id;
	SELECT * INTO w FROM at_window(a.org_id);
	IF to_regclass('pg_temp.imp_act') IS NOT NULL THEN
		DROP TABLE pg_temp.imp_act;
	END IF;
	CREATE TEMP TABLE imp_act ON COMMIT DROP AS
	WITH s AS (
		SELECT x.line, x.op, x.hash, x.err AS op_err, x.existing,
			cardinality(x.cells) AS ncells,
			lower(btrim(coalesce(x.cells[1], ''))) AS c_user,
			lower(btrim(coalesce(x.cells[2], ''))) AS c_kind,
			btrim(coalesce(x.cells[3], '')) AS c_cust,
			to_int8(x.cells[3]) AS n_cust,
			btrim(coalesce(x.cells[4], '')) AS c_deal,
			to_int8(x.cells[4]) AS n_deal,
			btrim(coalesce(x.cells[5], '')) AS c_at,
			to_int8(x.cells[5]) AS n_at,
			btrim(coalesce(x.cells[6], '')) AS c_dur,
			to_int8(x.cells[6]) AS n_dur,
			btrim(coalesce(x.cells[7], ''), E' \t\r\n') AS c_note
		FROM imp_src x),
	vc AS (SELECT c.id, c.name FROM customer c
		JOIN app_user ow ON ow.id = c.owner_id
		WHERE c.org_id = a.org_id
			AND sees_row(a, c.owner_id, ow.org_id, ow.team_id)),
	vn AS (SELECT vc.name, min(vc.id) AS id, count(*) AS n
		FROM vc GROUP BY vc.name),
	vd AS (SELECT d.id, d.customer_id FROM opportunity d
		JOIN app_user ow ON ow.id = d.owner_id
		WHERE d.org_id = a.org_id
			AND sees_row(a, d.owner_id, ow.org_id, ow.team_id)),
	j AS (
		SELECT s.*, u.id AS u_id, u.org_id AS u_org, u.team_id AS u_team,
			coalesce(ci.id, CASE WHEN cn.n = 1 THEN cn.id END) AS cust_id,
			cn.n AS name_hits, vd.id AS deal_id, vd.customer_id AS deal_cust
		FROM s
		LEFT JOIN app_user u ON s.c_user <> '' AND u.org_id = a.org_id
			AND u.login = s.c_user AND u.active
		LEFT JOIN vc ci ON ci.id = s.n_cust
		LEFT JOIN vn cn ON s.n_cust IS NULL AND cn.name = s.c_cust
		LEFT JOIN vd ON vd.id = s.n_deal)
	SELECT q.*, CASE WHEN q.err IS NULL AND NOT q.existing
			THEN nextval(v_seq) END AS id,
		(q.at AT TIME ZONE o.timezone)::date AS day
	FROM (
		SELECT j.line, j.op, j.hash, j.existing,
			CASE WHEN j.c_user = '' THEN a.id ELSE j.u_id END AS user_id,
			j.c_kind AS kind, j.cust_id AS customer_id, j.deal_id,
			cell_at(j.c_at, j.n_at, w.lo, w.hi) AS at,
			CASE WHEN j.n_dur BETWEEN 0 AND 1440 THEN j.n_dur::int ELSE 0 END
				AS duration_min,
			j.c_note AS note,
			CASE WHEN j.op_err IS NOT NULL THEN j.op_err
			WHEN j.existing THEN NULL
			ELSE coalesce(
				CASE WHEN j.ncells > 7 THEN ARRAY['line', format('%s cells: '
					'activities have 7 (user, kind, customer, deal, at, '
					'duration_min, note)', j.ncells)] END,
				CASE WHEN j.c_user = '' THEN NULL
					WHEN j.u_id IS NULL THEN
						ARRAY['user', format('no user %s', left(j.c_user, 64))]
					WHEN NOT sees_row(a, j.u_id, j.u_org, j.u_team) THEN
						ARRAY['user', format('not allowed to log activities for %s',
							j.c_user)] END,
				CASE WHEN activity_kind_col(j.c_kind) IS NULL THEN
					ARRAY['kind', 'kind: call, visit, email or meeting'] END,
				CASE WHEN j.c_cust = '' THEN ARRAY['customer', 'customer is required']
					WHEN j.cust_id IS NOT NULL THEN NULL
					WHEN j.n_cust IS NOT NULL THEN
						ARRAY['customer', format('no customer %s', j.c_cust)]
					WHEN j.name_hits > 1 THEN ARRAY['customer', format(
						'%s customers are named "%s": use the id', j.name_hits,
						left(j.c_cust, 100))]
					ELSE ARRAY['customer', format('no customer named "%s"',
						left(j.c_cust, 100))] END,
				CASE WHEN j.c_deal = '' THEN NULL
					WHEN j.n_deal IS NULL THEN
						ARRAY['deal', 'deal: a deal id (a number)']
					WHEN j.deal_id IS NULL THEN
						ARRAY['deal', format('no deal %s', j.c_deal)]
					WHEN j.deal_cust <> j.cust_id THEN ARRAY['deal', format(
						'deal %s is not a deal of customer %s', j.deal_id,
						j.cust_id)] END,
				cell_at_err(j.c_at, j.n_at, 'at', w.lo, w.hi, o.backfill_days),
				CASE WHEN j.c_dur <> '' AND coalesce(j.n_dur
					NOT BETWEEN 0 AND 1440, true) THEN
					ARRAY['duration_min', 'duration_min: 0 to 1440 minutes'] END,
				CASE WHEN char_length(j.c_note) > 2000 THEN
						ARRAY['note', 'note is longer than 2000 characters']
					WHEN j.c_note ~ '[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]'
					THEN ARRAY['note', 'note contains control characters'] END)
			END AS err
		FROM j
		OFFSET 0) q; -- a fence: err is computed once, not per use

	SELECT * INTO e FROM import_errors('pg_temp.imp_act');
	IF e.n_bad > 0 AND NOT b.skip_bad THEN
		RETURN import_result(false, 0, e.n_existing, e.n_bad, e.errors);
	END IF;

	-- The rows to store (ids were drawn above; a refused import only
	-- leaves a gap in the sequence).
	IF to_regclass('pg_temp.imp_act_new') IS NOT NULL THEN
		DROP TABLE pg_temp.imp_act_new;
	END IF;
	CREATE TEMP TABLE imp_act_new ON COMMIT DROP AS
	SELECT * FROM imp_act x WHERE x.id IS NOT NULL;
	SELECT count(*) INTO v_applied FROM imp_act_new;

	INSERT INTO activity (id, org_id, user_id, customer_id, opp_id, kind, at,
		duration_min, note)
	OVERRIDING SYSTEM VALUE
	SELECT n.id, a.org_id, n.user_id, n.customer_id, n.deal_id, n.kind, n.at,
		n.duration_min, n.note
	FROM imp_act_new n;
	INSERT INTO op_log (user_id, client_op_id, req_hash, result)
	SELECT a.id, n.op, n.hash, jsonb_build_object('id', n.id, 'line', n.line)
	FROM imp_act_new n;
	INSERT INTO audit_log (org_id, actor_id, action, entity, entity_id, after)
	SELECT a.org_id, a.id, 'import', 'activity', n.id,
		jsonb_build_object('import_id', b.id, 'line', n.line,
			'user_id', n.user_id, 'kind', n.kind,
			'customer_id', n.customer_id, 'deal_id', n.deal_id,
			'at', us(n.at)::text, 'duration_min', n.duration_min,
			'note', n.note)
	FROM imp_act_new n;
	INSERT INTO rollup_day AS rd (org_id, user_id, day, calls, visits, emails,
		meetings)
	SELECT a.org_id, n.user_id, n.day,
		count(*) FILTER (WHERE n.kind = 'call'),
		count(*) FILTER (WHERE n.kind = 'visit'),
		count(*) FILTER (WHERE n.kind = 'email'),
		count(*) FILTER (WHERE n.kind = 'meeting')
	FROM imp_act_new n GROUP BY n.user_id, n.day
	ON CONFLICT (user_id, day) DO UPDATE
	SET calls = rd.calls + EXCLUDED.calls, visits = rd.visits + EXCLUDED.visits,
		emails = rd.emails + EXCLUDED.emails,
		meetings = rd.meetings + EXCLUDED.meetings;
	INSERT INTO customer_touch (org_id, user_id, day, customer_id)
	SELECT DISTINCT a.org_id, n.user_id, n.day, n.customer_id
	FROM imp_act_new n
	ON CONFLICT DO NOTHING;
	UPDATE opportunity d SET last_activity_at = greatest(d.last_activity_at, m.mx)
	FROM (SELECT n.deal_id, max(n.at) AS mx FROM imp_act_new n
		WHERE n.deal_id IS NOT NULL GROUP BY n.deal_id) m
	WHERE d.id = m.deal_id;
	PERFORM changed(a.org_id, u.user_id)
	FROM (SELECT DISTINCT n.user_id FROM imp_act_new n) u;
	RETURN import_result(true, v_applied, e.n_existing, e.n_bad, e.errors);
END $$;
