-- Pace schema, part 14: importing deals.
-- Columns: title, customer, amount, stage, expected_close, source,
-- product_line, owner, at, closed_at, loss_reason (docs/import.md).
--
-- An open deal is created in its stage at `at`. A won or lost one is
-- created as a lead at `at` and closed at `closed_at` (two stage_change
-- rows); won creates its contract (the deal's amount, signed at
-- closed_at), lost needs a loss reason from the org's list. Rollups as
-- for DealAdd/DealWin/DealLose, aggregated per owner and day.

CREATE FUNCTION pace.import_deals(a pace.app_user, b pace.import_batch)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	o org;
	w record;
	v_seq regclass := pg_get_serial_sequence('pace.opportunity', 'id')::regclass;
	v_kseq regclass := pg_get_serial_sequence('pace.contract', 'id')::regclass;
	e record;
	v_applied bigint;
BEGIN
	SELECT * INTO o FROM org x WHERE x.id = a.org_id;
	SELECT * INTO w FROM at_window(a.org_id);
	IF to_regclass('pg_temp.imp_deal') IS NOT NULL THEN
		DROP TABLE pg_temp.imp_deal;
	END IF;
	CREATE TEMP TABLE imp_deal ON COMMIT DROP AS
	WITH s AS (
		SELECT x.line, x.op, x.hash, x.err AS op_err, x.existing,
			cardinality(x.cells) AS ncells,
			btrim(coalesce(x.cells[1], '')) AS c_title,
			btrim(coalesce(x.cells[2], '')) AS c_cust,
			to_int8(x.cells[2]) AS n_cust,
			btrim(coalesce(x.cells[3], '')) AS c_amount,
			to_int8(x.cells[3]) AS n_amount,
			coalesce(nullif(lower(btrim(coalesce(x.cells[4], ''))), ''), 'lead')
				AS c_stage,
			btrim(coalesce(x.cells[5], '')) AS c_close,
			btrim(coalesce(x.cells[6], '')) AS c_source,
			btrim(coalesce(x.cells[7], '')) AS c_line,
			lower(btrim(coalesce(x.cells[8], ''))) AS c_owner,
			btrim(coalesce(x.cells[9], '')) AS c_at,
			to_int8(x.cells[9]) AS n_at,
			btrim(coalesce(x.cells[10], '')) AS c_closed,
			to_int8(x.cells[10]) AS n_closed,
			btrim(coalesce(x.cells[11], '')) AS c_reason
		FROM imp_src x),
	vc AS (SELECT c.id, c.name, c.owner_id FROM customer c
		JOIN app_user ow ON ow.id = c.owner_id
		WHERE c.org_id = a.org_id
			AND sees_row(a, c.owner_id, ow.org_id, ow.team_id)),
	vn AS (SELECT vc.name, min(vc.id) AS id, count(*) AS n
		FROM vc GROUP BY vc.name),
	lr AS (SELECT DISTINCT ON (lower(x)) x AS reason FROM unnest(o.loss_reasons) x),
	j AS (
		SELECT s.*, u.id AS u_id, u.org_id AS u_org, u.team_id AS u_team,
			coalesce(ci.id, CASE WHEN cn.n = 1 THEN cn.id END) AS cust_id,
			coalesce(ci.owner_id, CASE WHEN cn.n = 1 THEN cno.owner_id END)
				AS cust_owner,
			cn.n AS name_hits, lr.reason,
			s.c_stage IN ('won', 'lost') AS closed,
			cell_at(s.c_at, s.n_at, w.lo, w.hi) AS t_at,
			cell_at(s.c_closed, s.n_closed, w.lo, w.hi) AS t_closed
		FROM s
		LEFT JOIN app_user u ON s.c_owner <> '' AND u.org_id = a.org_id
			AND u.login = s.c_owner AND u.active
		LEFT JOIN vc ci ON ci.id = s.n_cust
		LEFT JOIN vn cn ON s.n_cust IS NULL AND cn.name = s.c_cust
		LEFT JOIN vc cno ON cno.id = cn.id
		LEFT JOIN lr ON s.c_reason <> '' AND lower(lr.reason) = lower(s.c_reason))
	SELECT j.line, j.op, j.hash, j.existing, j.c_title AS title,
		j.cust_id AS customer_id,
		CASE WHEN j.c_owner = '' THEN j.cust_owner ELSE j.u_id END AS owner_id,
		CASE WHEN j.n_amount BETWEEN 0 AND 1000000000000000
			THEN j.n_amount ELSE 0 END AS amount,
		j.c_stage AS stage, parse_date(j.c_close) AS expected_close,
		j.c_source AS source, j.c_line AS product_line,
		j.t_at AS at, CASE WHEN j.closed THEN j.t_closed END AS closed_at,
		j.reason AS loss_reason,
		CASE WHEN j.op_err IS NOT NULL THEN j.op_err
		WHEN j.existing THEN NULL
		ELSE coalesce(
			CASE WHEN j.ncells > 11 THEN ARRAY['line', format('%s cells: deals '
				'have 11 (title, customer, amount, stage, expected_close, '
				'source, product_line, owner, at, closed_at, loss_reason)',
				j.ncells)] END,
			cell_text_err(j.c_title, 'title', 200, true),
			CASE WHEN j.c_cust = '' THEN ARRAY['customer', 'customer is required']
				WHEN j.cust_id IS NOT NULL THEN NULL
				WHEN j.n_cust IS NOT NULL THEN
					ARRAY['customer', format('no customer %s', j.c_cust)]
				WHEN j.name_hits > 1 THEN ARRAY['customer', format(
					'%s customers are named "%s": use the id', j.name_hits,
					left(j.c_cust, 100))]
				ELSE ARRAY['customer', format('no customer named "%s"',
					left(j.c_cust, 100))] END,
			cell_amount_err(j.c_amount, j.n_amount, 'amount', true),
			CASE WHEN stage_rank(j.c_stage) IS NULL THEN ARRAY['stage', format(
				'unknown stage "%s" (lead, qualified, proposal, quote, '
				'negotiation, won, lost)', left(j.c_stage, 40))]
				WHEN j.c_stage = 'won' AND coalesce(j.n_amount, 0) = 0
				THEN ARRAY['amount', 'a won deal needs an amount'] END,
			CASE WHEN j.c_close <> '' AND parse_date(j.c_close) IS NULL THEN
				ARRAY['expected_close', 'expected_close: a date as YYYY-MM-DD']
				END,
			cell_text_err(j.c_source, 'source', 100),
			cell_text_err(j.c_line, 'product_line', 100),
			CASE WHEN j.c_owner = '' THEN NULL
				WHEN j.u_id IS NULL THEN
					ARRAY['owner', format('no user %s', left(j.c_owner, 64))]
				WHEN NOT sees_row(a, j.u_id, j.u_org, j.u_team) THEN
					ARRAY['owner', format('not allowed to write for %s',
						j.c_owner)] END,
			cell_at_err(j.c_at, j.n_at, 'at', w.lo, w.hi, o.backfill_days),
			CASE WHEN NOT j.closed THEN
				CASE WHEN j.c_closed <> '' THEN ARRAY['closed_at',
					'closed_at is only for won or lost deals'] END
				ELSE coalesce(cell_at_err(j.c_closed, j.n_closed, 'closed_at',
						w.lo, w.hi, o.backfill_days),
					CASE WHEN j.t_closed < j.t_at THEN
						ARRAY['closed_at', 'closed_at is before at'] END) END,
			CASE WHEN j.c_stage <> 'lost' THEN
				CASE WHEN j.c_reason <> '' THEN ARRAY['loss_reason',
					'loss_reason is only for lost deals'] END
				WHEN j.c_reason = '' THEN ARRAY['loss_reason', format(
					'loss_reason is required for a lost deal (one of: %s)',
					array_to_string(o.loss_reasons, ', '))]
				WHEN j.reason IS NULL THEN ARRAY['loss_reason', format(
					'loss_reason "%s" is not one of: %s', left(j.c_reason, 100),
					array_to_string(o.loss_reasons, ', '))] END)
		END AS err
	FROM j;

	SELECT * INTO e FROM import_errors('pg_temp.imp_deal');
	IF e.n_bad > 0 AND NOT b.skip_bad THEN
		RETURN import_result(false, 0, e.n_existing, e.n_bad, e.errors);
	END IF;

	IF to_regclass('pg_temp.imp_deal_new') IS NOT NULL THEN
		DROP TABLE pg_temp.imp_deal_new;
	END IF;
	CREATE TEMP TABLE imp_deal_new ON COMMIT DROP AS
	SELECT nextval(v_seq) AS id,
		CASE WHEN x.stage = 'won' THEN nextval(v_kseq) END AS contract_id,
		x.*, (x.at AT TIME ZONE o.timezone)::date AS created_day,
		(x.closed_at AT TIME ZONE o.timezone)::date AS closed_day
	FROM imp_deal x WHERE x.err IS NULL AND NOT x.existing;
	SELECT count(*) INTO v_applied FROM imp_deal_new;

	INSERT INTO opportunity (id, org_id, owner_id, lead_owner_id, customer_id,
		title, amount, stage, reached, expected_close, source, product_line,
		loss_reason, created_at, stage_at, won_at, lost_at, lost_owner_id,
		updated_at)
	OVERRIDING SYSTEM VALUE
	SELECT n.id, a.org_id, n.owner_id, n.owner_id, n.customer_id, n.title,
		n.amount, n.stage,
		CASE WHEN n.stage = 'lost'
			THEN stage_reach_bits('lead') | stage_reach_bits('lost')
			ELSE stage_reach_bits(n.stage) END,
		n.expected_close, n.source, n.product_line, n.loss_reason, n.at,
		coalesce(n.closed_at, n.at),
		CASE WHEN n.stage = 'won' THEN n.closed_at END,
		CASE WHEN n.stage = 'lost' THEN n.closed_at END,
		CASE WHEN n.stage = 'lost' THEN n.owner_id END, now()
	FROM imp_deal_new n;
	INSERT INTO stage_change (org_id, opp_id, from_stage, to_stage, at, actor_id)
	SELECT a.org_id, n.id, NULL,
		CASE WHEN n.closed_at IS NULL THEN n.stage ELSE 'lead' END, n.at, a.id
	FROM imp_deal_new n
	UNION ALL
	SELECT a.org_id, n.id, 'lead', n.stage, n.closed_at, a.id
	FROM imp_deal_new n WHERE n.closed_at IS NOT NULL;
	INSERT INTO contract (id, org_id, opp_id, owner_id, amount, signed_at)
	OVERRIDING SYSTEM VALUE
	SELECT n.contract_id, a.org_id, n.id, n.owner_id, n.amount, n.closed_at
	FROM imp_deal_new n WHERE n.stage = 'won';
	INSERT INTO op_log (user_id, client_op_id, req_hash, result)
	SELECT a.id, n.op, n.hash, jsonb_build_object('id', n.id, 'line', n.line)
	FROM imp_deal_new n;
	INSERT INTO audit_log (org_id, actor_id, action, entity, entity_id, after)
	SELECT a.org_id, a.id, 'import', 'deal', n.id,
		jsonb_build_object('import_id', b.id, 'line', n.line,
			'title', n.title, 'customer_id', n.customer_id,
			'owner_id', n.owner_id, 'amount', n.amount::text,
			'stage', n.stage, 'expected_close', n.expected_close,
			'source', n.source, 'product_line', n.product_line,
			'created_at', us(n.at)::text,
			'closed_at', us(n.closed_at)::text, 'loss_reason', n.loss_reason)
	FROM imp_deal_new n;
	INSERT INTO rollup_day AS rd (org_id, user_id, day, new_leads, booked,
		contracts, won, lost)
	SELECT a.org_id, x.u, x.d, sum(x.nl), sum(x.bk), sum(x.ct), sum(x.wn),
		sum(x.ls)
	FROM (SELECT n.owner_id AS u, n.created_day AS d, 1 AS nl, 0::bigint AS bk,
			0 AS ct, 0 AS wn, 0 AS ls
		FROM imp_deal_new n
		UNION ALL
		SELECT n.owner_id, n.closed_day, 0, n.amount, 1, 1, 0
		FROM imp_deal_new n WHERE n.stage = 'won'
		UNION ALL
		SELECT n.owner_id, n.closed_day, 0, 0, 0, 0, 1
		FROM imp_deal_new n WHERE n.stage = 'lost') x
	GROUP BY x.u, x.d
	ON CONFLICT (user_id, day) DO UPDATE
	SET new_leads = rd.new_leads + EXCLUDED.new_leads,
		booked = rd.booked + EXCLUDED.booked,
		contracts = rd.contracts + EXCLUDED.contracts,
		won = rd.won + EXCLUDED.won, lost = rd.lost + EXCLUDED.lost;
	PERFORM changed(a.org_id, u.owner_id)
	FROM (SELECT DISTINCT n.owner_id FROM imp_deal_new n) u;
	RETURN import_result(true, v_applied, e.n_existing, e.n_bad, e.errors);
END $$;
