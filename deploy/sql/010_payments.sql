-- Pace schema, part 10: payment plans and receipts of won deals'
-- contracts (PaymentPlan/Receive/List).
--
-- Rollups, by the contract's owner (the deal's owner at signing): `due`
-- on each installment's due date (a new plan subtracts the old one and
-- adds itself), `received` on each receipt's date.

CREATE FUNCTION pace.deal_contract(d pace.opportunity, p_field text)
RETURNS pace.contract LANGUAGE plpgsql STABLE
SET search_path = pace, pg_catalog AS $$
DECLARE k contract;
BEGIN
	SELECT * INTO k FROM contract x WHERE x.opp_id = d.id;
	IF NOT FOUND THEN
		PERFORM fail('PA409', format('deal %s is not won: it has no contract',
			d.id), p_field);
	END IF;
	RETURN k;
END $$;

-- Installment due dates: from a year before signing to ten years after.
CREATE FUNCTION pace.check_due_on(k pace.contract, p text, p_field text)
RETURNS date LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	v date := check_date(p, p_field, true);
	v_signed date := org_day(k.org_id, k.signed_at);
BEGIN
	IF v < v_signed - 366 OR v > v_signed + 3660 THEN
		PERFORM fail('PA400', format('%s must be within a year before and ten '
			'years after the signing (%s)', p_field, v_signed), p_field);
	END IF;
	RETURN v;
END $$;

-- A receipt date: not in the future, not older than the backfill window.
CREATE FUNCTION pace.check_received_on(p_org bigint, p text,
	p_field text DEFAULT 'received_on')
RETURNS date LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	o org;
	v_today date := org_day(p_org, now());
	v date := coalesce(check_date(p, p_field), v_today);
BEGIN
	SELECT * INTO o FROM org x WHERE x.id = p_org;
	IF v > v_today THEN
		PERFORM fail('PA400', format('%s is in the future', p_field), p_field);
	END IF;
	IF v < v_today - o.backfill_days THEN
		PERFORM fail('PA400', format('%s is older than %s days (the org''s '
			'backfill window)', p_field, o.backfill_days), p_field);
	END IF;
	RETURN v;
END $$;

-- p_plan: [{"due_on": "YYYY-MM-DD", "amount": "fen"}, ...]
CREATE FUNCTION pace.payment_plan(p_actor bigint, p_op text, p_hash text,
	p_deal bigint, p_plan jsonb, p_at bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	d opportunity;
	k contract;
	v_n int := jsonb_array_length(coalesce(p_plan, '[]'));
	v_due date[] := '{}';
	v_amt bigint[] := '{}';
	v_sum numeric := 0;
	v_before jsonb;
	v_old record;
	v_i int;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	d := lock_deal(a, p_deal, 'deal_id');
	k := deal_contract(d, 'deal_id');
	PERFORM check_at_us(a.org_id, p_at);
	IF v_n = 0 OR v_n > 120 THEN
		PERFORM fail('PA400', 'installments: 1 to 120 of them', 'installments');
	END IF;
	FOR v_i IN 0 .. v_n - 1 LOOP
		v_due := v_due || check_due_on(k, p_plan->v_i->>'due_on',
			format('installments[%s].due_on', v_i));
		v_amt := v_amt || check_amount(to_int8(p_plan->v_i->>'amount'),
			format('installments[%s].amount', v_i));
		v_sum := v_sum + v_amt[v_i + 1];
	END LOOP;
	IF v_sum <> k.amount THEN
		PERFORM fail('PA400', format('installments add up to %s, the contract '
			'is %s', v_sum, k.amount), 'installments');
	END IF;
	v_before := contract_json(k.id);
	FOR v_old IN SELECT i.owner_id, i.due_on, sum(i.amount_due)::bigint AS amt
		FROM installment i WHERE i.contract_id = k.id
		GROUP BY i.owner_id, i.due_on LOOP
		PERFORM rollup_add(a.org_id, v_old.owner_id, v_old.due_on, 'due',
			-v_old.amt);
		IF v_old.owner_id <> k.owner_id THEN
			PERFORM changed(a.org_id, v_old.owner_id);
		END IF;
	END LOOP;
	DELETE FROM installment x WHERE x.contract_id = k.id;
	INSERT INTO installment (org_id, contract_id, owner_id, due_on, amount_due)
	SELECT a.org_id, k.id, k.owner_id, u.due, u.amt
	FROM unnest(v_due, v_amt) AS u(due, amt);
	FOR v_old IN SELECT u.due, sum(u.amt)::bigint AS amt
		FROM unnest(v_due, v_amt) AS u(due, amt) GROUP BY u.due LOOP
		PERFORM rollup_add(a.org_id, k.owner_id, v_old.due, 'due', v_old.amt);
	END LOOP;
	PERFORM changed(a.org_id, k.owner_id);
	r := contract_json(k.id);
	PERFORM audit(a.org_id, a.id, 'plan', 'contract', k.id, v_before, r);
	RETURN op_end(p_actor, p_op, r);
END $$;

CREATE FUNCTION pace.payment_receive(p_actor bigint, p_op text, p_hash text,
	p_deal bigint, p_amount bigint, p_received_on text, p_at bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	d opportunity;
	k contract;
	v_amount bigint;
	v_on date;
	v_at timestamptz;
	v_got bigint;
	v_id bigint;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	d := lock_deal(a, p_deal, 'deal_id');
	k := deal_contract(d, 'deal_id');
	v_amount := check_amount(p_amount, 'amount');
	v_on := check_received_on(a.org_id, p_received_on);
	v_at := check_at_us(a.org_id, p_at);
	SELECT coalesce(sum(x.amount), 0) INTO v_got FROM receipt x
	WHERE x.contract_id = k.id;
	IF v_got + v_amount > k.amount THEN
		PERFORM fail('PA400', format('amount is more than the %s still open on '
			'the contract', k.amount - v_got), 'amount');
	END IF;
	INSERT INTO receipt (org_id, contract_id, owner_id, received_on, amount, at)
	VALUES (a.org_id, k.id, k.owner_id, v_on, v_amount, v_at)
	RETURNING receipt.id INTO v_id;
	PERFORM rollup_add(a.org_id, k.owner_id, v_on, 'received', v_amount);
	PERFORM changed(a.org_id, k.owner_id);
	r := contract_json(k.id);
	PERFORM audit(a.org_id, a.id, 'receive', 'receipt', v_id, NULL,
		jsonb_build_object('contract_id', k.id, 'deal_id', d.id,
			'received_on', v_on, 'amount', v_amount::text));
	RETURN op_end(p_actor, p_op, r);
END $$;

-- Installments of contracts in a's scope (by the deal's owner), by due
-- date, as a JSON array of PaymentRow.
CREATE FUNCTION pace.payment_list(p_actor bigint, p_owner text, p_team text,
	p_deal bigint, p_overdue_only boolean, p_limit int)
RETURNS jsonb LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	v_limit int := list_limit(p_limit);
	v_owner bigint := filter_user(a, p_owner);
	v_team bigint := filter_team(a, p_team);
	v_today date := org_day(a.org_id, now());
BEGIN
	RETURN (SELECT coalesce(jsonb_agg(x.j ORDER BY x.due_on, x.id), '[]')
	FROM (SELECT s.id, s.due_on, jsonb_build_object('deal_id', d.id,
			'deal', d.title, 'customer', c.name, 'owner', u.login,
			'installment', installment_json(s.id, s.due_on, s.amount_due,
				s.amount_received, v_today)) AS j
		FROM installment_state s
		JOIN contract k ON k.id = s.contract_id
		JOIN opportunity d ON d.id = k.opp_id
		JOIN customer c ON c.id = d.customer_id
		JOIN app_user u ON u.id = d.owner_id
		WHERE s.org_id = a.org_id
			AND sees_row(a, d.owner_id, u.org_id, u.team_id)
			AND (v_owner IS NULL OR d.owner_id = v_owner)
			AND (v_team IS NULL OR u.team_id = v_team)
			AND (coalesce(p_deal, 0) = 0 OR d.id = p_deal)
			AND (NOT coalesce(p_overdue_only, false)
				OR (s.due_on < v_today AND s.amount_received < s.amount_due))
		ORDER BY s.due_on, s.id LIMIT v_limit) x);
END $$;
