-- Pace schema, part 16: importing payment plans and receipts.
-- Columns: deal, kind, date, amount (docs/import.md); kind is
-- "installment" or "receipt". The deal must be won (it has a contract).
--
-- The new installment rows of a deal replace its plan and must add up to
-- the contract amount (checked per deal after the row checks; when they
-- do not, every one of them is refused). Receipts add, and must not take
-- what was received past the contract amount. Rollups as PaymentPlan and
-- PaymentReceive, aggregated per owner and day.

CREATE FUNCTION pace.import_payments(a pace.app_user, b pace.import_batch)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	o org;
	v_today date := org_day(a.org_id, now());
	v_iseq regclass := pg_get_serial_sequence('pace.installment', 'id')::regclass;
	v_rseq regclass := pg_get_serial_sequence('pace.receipt', 'id')::regclass;
	e record;
	v_applied bigint;
BEGIN
	SELECT * INTO o FROM org x WHERE x.id = a.org_id;
	IF to_regclass('pg_temp.imp_pay') IS NOT NULL THEN
		DROP TABLE pg_temp.imp_pay;
	END IF;
	CREATE TEMP TABLE imp_pay ON COMMIT DROP AS
	WITH s AS (
		SELECT x.line, x.op, x.hash, x.err AS op_err, x.existing,
			cardinality(x.cells) AS ncells,
			btrim(coalesce(x.cells[1], '')) AS c_deal,
			to_int8(x.cells[1]) AS n_deal,
			lower(btrim(coalesce(x.cells[2], ''))) AS c_kind,
			btrim(coalesce(x.cells[3], '')) AS c_date,
			btrim(coalesce(x.cells[4], '')) AS c_amount,
			to_int8(x.cells[4]) AS n_amount
		FROM imp_src x),
	vd AS (SELECT d.id, k.id AS contract_id, k.amount AS k_amount,
			k.owner_id AS k_owner,
			(k.signed_at AT TIME ZONE o.timezone)::date AS signed_day
		FROM opportunity d
		JOIN app_user ow ON ow.id = d.owner_id
		LEFT JOIN contract k ON k.opp_id = d.id
		WHERE d.org_id = a.org_id
			AND sees_row(a, d.owner_id, ow.org_id, ow.team_id)),
	j AS (SELECT s.*, vd.id AS deal_id, vd.contract_id, vd.k_amount,
			vd.k_owner, vd.signed_day, parse_date(s.c_date) AS t_date
		FROM s LEFT JOIN vd ON vd.id = s.n_deal)
	SELECT j.line, j.op, j.hash, j.existing, j.deal_id, j.contract_id,
		j.k_amount, j.k_owner, j.c_kind AS kind, j.t_date AS date,
		CASE WHEN j.n_amount BETWEEN 1 AND 1000000000000000
			THEN j.n_amount ELSE 0 END AS amount,
		CASE WHEN j.op_err IS NOT NULL THEN j.op_err
		WHEN j.existing THEN NULL
		ELSE coalesce(
			CASE WHEN j.ncells > 4 THEN ARRAY['line', format('%s cells: '
				'payments have 4 (deal, kind, date, amount)', j.ncells)] END,
			CASE WHEN j.c_deal = '' THEN ARRAY['deal', 'deal is required']
				WHEN j.n_deal IS NULL THEN
					ARRAY['deal', 'deal: a deal id (a number)']
				WHEN j.deal_id IS NULL THEN
					ARRAY['deal', format('no deal %s', j.c_deal)]
				WHEN j.contract_id IS NULL THEN ARRAY['deal', format(
					'deal %s is not won: it has no contract', j.deal_id)] END,
			CASE WHEN j.c_kind NOT IN ('installment', 'receipt') THEN
				ARRAY['kind', 'kind: installment or receipt'] END,
			CASE WHEN j.c_date = '' THEN ARRAY['date', 'date is required']
				WHEN j.t_date IS NULL THEN
					ARRAY['date', 'date: a date as YYYY-MM-DD']
				WHEN j.c_kind = 'installment' AND (j.t_date < j.signed_day - 366
					OR j.t_date > j.signed_day + 3660) THEN ARRAY['date', format(
					'date must be within a year before and ten years after the '
					'signing (%s)', j.signed_day)]
				WHEN j.c_kind = 'receipt' AND j.t_date > v_today THEN
					ARRAY['date', 'date is in the future']
				WHEN j.c_kind = 'receipt' AND j.t_date < v_today - o.backfill_days
				THEN ARRAY['date', format('date is older than %s days (the '
					'org''s backfill window)', o.backfill_days)] END,
			cell_amount_err(j.c_amount, j.n_amount, 'amount'))
		END AS err
	FROM j;

	-- A deal's new plan must add up to its contract (at most 120 rows).
	UPDATE imp_pay p SET err = ARRAY['amount', CASE WHEN g.n > 120
			THEN format('deal %s has %s installments: at most 120', g.deal_id,
				g.n)
			ELSE format('installments of deal %s add up to %s; the contract '
				'is %s', g.deal_id, g.total, g.k_amount) END]
	FROM (SELECT x.deal_id, sum(x.amount) AS total, count(*) AS n,
			max(x.k_amount) AS k_amount
		FROM imp_pay x
		WHERE x.err IS NULL AND NOT x.existing AND x.kind = 'installment'
		GROUP BY x.deal_id
		HAVING sum(x.amount) <> max(x.k_amount) OR count(*) > 120) g
	WHERE p.deal_id = g.deal_id AND p.kind = 'installment'
		AND p.err IS NULL AND NOT p.existing;
	-- Receipts must not exceed the contract, in file order.
	UPDATE imp_pay p SET err = ARRAY['amount', format('receipts of deal %s '
			'would exceed the contract amount %s', q.deal_id, q.k_amount)]
	FROM (SELECT x.line, x.deal_id, x.k_amount,
			sum(x.amount) OVER (PARTITION BY x.deal_id ORDER BY x.line)
			+ coalesce((SELECT sum(r.amount) FROM receipt r
				WHERE r.contract_id = x.contract_id), 0) AS run
		FROM imp_pay x
		WHERE x.err IS NULL AND NOT x.existing AND x.kind = 'receipt') q
	WHERE p.line = q.line AND q.run > q.k_amount;

	SELECT * INTO e FROM import_errors('pg_temp.imp_pay');
	IF e.n_bad > 0 AND NOT b.skip_bad THEN
		RETURN import_result(false, 0, e.n_existing, e.n_bad, e.errors);
	END IF;

	IF to_regclass('pg_temp.imp_pay_new') IS NOT NULL THEN
		DROP TABLE pg_temp.imp_pay_new;
	END IF;
	CREATE TEMP TABLE imp_pay_new ON COMMIT DROP AS
	SELECT CASE WHEN x.kind = 'installment' THEN nextval(v_iseq)
		ELSE nextval(v_rseq) END AS id, x.*
	FROM imp_pay x WHERE x.err IS NULL AND NOT x.existing;
	SELECT count(*) INTO v_applied FROM imp_pay_new;

	-- Rollup effects: the replaced plans out, the new rows in.
	IF to_regclass('pg_temp.imp_pay_fx') IS NOT NULL THEN
		DROP TABLE pg_temp.imp_pay_fx;
	END IF;
	CREATE TEMP TABLE imp_pay_fx ON COMMIT DROP AS
	SELECT i.owner_id AS u, i.due_on AS d, -i.amount_due AS due,
		0::bigint AS received
	FROM installment i
	WHERE i.contract_id IN (SELECT n.contract_id FROM imp_pay_new n
		WHERE n.kind = 'installment')
	UNION ALL
	SELECT n.k_owner, n.date, CASE WHEN n.kind = 'installment' THEN n.amount
			ELSE 0 END,
		CASE WHEN n.kind = 'receipt' THEN n.amount ELSE 0 END
	FROM imp_pay_new n;

	INSERT INTO audit_log (org_id, actor_id, action, entity, entity_id, before,
		after)
	SELECT a.org_id, a.id, 'plan', 'contract', k.id,
		(SELECT coalesce(jsonb_agg(jsonb_build_object('due_on', i.due_on,
			'amount_due', i.amount_due::text) ORDER BY i.due_on, i.id), '[]')
		 FROM installment i WHERE i.contract_id = k.id),
		jsonb_build_object('import_id', b.id)
	FROM contract k
	WHERE k.id IN (SELECT n.contract_id FROM imp_pay_new n
		WHERE n.kind = 'installment');
	DELETE FROM installment i
	WHERE i.contract_id IN (SELECT n.contract_id FROM imp_pay_new n
		WHERE n.kind = 'installment');
	INSERT INTO installment (id, org_id, contract_id, owner_id, due_on,
		amount_due)
	OVERRIDING SYSTEM VALUE
	SELECT n.id, a.org_id, n.contract_id, n.k_owner, n.date, n.amount
	FROM imp_pay_new n WHERE n.kind = 'installment';
	INSERT INTO receipt (id, org_id, contract_id, owner_id, received_on, amount,
		at)
	OVERRIDING SYSTEM VALUE
	SELECT n.id, a.org_id, n.contract_id, n.k_owner, n.date, n.amount, now()
	FROM imp_pay_new n WHERE n.kind = 'receipt';
	INSERT INTO op_log (user_id, client_op_id, req_hash, result)
	SELECT a.id, n.op, n.hash,
		jsonb_build_object('id', n.id, 'kind', n.kind, 'line', n.line)
	FROM imp_pay_new n;
	INSERT INTO audit_log (org_id, actor_id, action, entity, entity_id, after)
	SELECT a.org_id, a.id, 'import', n.kind, n.id,
		jsonb_build_object('import_id', b.id, 'line', n.line,
			'deal_id', n.deal_id, 'contract_id', n.contract_id,
			'date', n.date, 'amount', n.amount::text)
	FROM imp_pay_new n;
	INSERT INTO rollup_day AS rd (org_id, user_id, day, due, received)
	SELECT a.org_id, f.u, f.d, sum(f.due), sum(f.received)
	FROM imp_pay_fx f GROUP BY f.u, f.d
	ON CONFLICT (user_id, day) DO UPDATE
	SET due = rd.due + EXCLUDED.due, received = rd.received + EXCLUDED.received;
	PERFORM changed(a.org_id, u.u)
	FROM (SELECT DISTINCT f.u FROM imp_pay_fx f) u;
	RETURN import_result(true, v_applied, e.n_existing, e.n_bad, e.errors);
END $$;
