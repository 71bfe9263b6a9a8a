-- Pace schema, part 8: deals (opportunities) and their stage moves.
--
-- Stages (DESIGN §5): lead < qualified < proposal < quote < negotiation,
-- then won or lost. A deal starts in an open stage and moves forward
-- (skipping allowed); DealWin and DealLose close it; only DealReopen, by a
-- manager, director or admin, takes a closed deal back to an open stage.
-- Every move appends a stage_change row and keeps opportunity.reached.
--
-- Rollups (by the deal's owner at the time): new_leads on the creation
-- day; booked, contracts and won on the day of signing; lost on the day it
-- was lost. DealReopen reverses them.
--
-- Errors: PA400 for a bad argument (unknown stage, a move backwards, a
-- time before the last move); PA409 when the deal's state forbids the
-- request (it is closed, or open for a reopen, or has receipts).

CREATE FUNCTION pace.deal_json(p_id bigint, p_detail boolean DEFAULT true)
RETURNS jsonb LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT jsonb_build_object('id', d.id, 'title', d.title,
		'customer_id', d.customer_id, 'customer', c.name,
		'owner_id', d.owner_id, 'owner', u.login,
		'amount', j_money(d.amount), 'stage', d.stage,
		'expected_close', coalesce(to_char(d.expected_close, 'YYYY-MM-DD'), ''),
		'source', d.source, 'product_line', d.product_line,
		'loss_reason', coalesce(d.loss_reason, ''),
		'created_at', j_us(d.created_at),
		'closed_at', j_us(coalesce(d.won_at, d.lost_at)),
		'updated_at', j_us(d.updated_at))
		|| CASE WHEN p_detail THEN jsonb_build_object(
			'history', coalesce((SELECT jsonb_agg(jsonb_build_object(
					'from', coalesce(s.from_stage, ''), 'to', s.to_stage,
					'at', j_us(s.at), 'actor', au.login) ORDER BY s.at, s.id)
				FROM stage_change s JOIN app_user au ON au.id = s.actor_id
				WHERE s.opp_id = d.id), '[]'),
			'contract', (SELECT contract_json(k.id) FROM contract k
				WHERE k.opp_id = d.id))
		ELSE '{}' END
	FROM opportunity d
	JOIN customer c ON c.id = d.customer_id
	JOIN app_user u ON u.id = d.owner_id
	WHERE d.id = p_id
$$;

-- A move's time must not precede the deal's current stage.
CREATE FUNCTION pace.check_move_at(d pace.opportunity, p_at timestamptz,
	p_field text DEFAULT 'at')
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_at < d.stage_at THEN
		PERFORM pace.fail('PA400', format('%s is before the deal''s last stage '
			'change (%s)', p_field, to_char(d.stage_at AT TIME ZONE 'UTC',
			'YYYY-MM-DD HH24:MI:SS "UTC"')), p_field);
	END IF;
END $$;

CREATE FUNCTION pace.check_open(d pace.opportunity)
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF NOT pace.is_open_stage(d.stage) THEN
		PERFORM pace.fail('PA409', format('deal %s is %s: a manager can reopen it',
			d.id, d.stage), 'id');
	END IF;
END $$;

CREATE FUNCTION pace.deal_add(p_actor bigint, p_op text, p_hash text,
	p_title text, p_customer bigint, p_amount bigint, p_stage text,
	p_expected_close text, p_source text, p_product_line text,
	p_owner text, p_at bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	v_title text := check_text(p_title, 'title', 200);
	c customer;
	v_amount bigint := check_amount(coalesce(p_amount, 0), 'amount', true);
	v_stage text := 'lead';
	v_close date := check_date(p_expected_close, 'expected_close');
	v_source text := check_text(p_source, 'source', 100, false);
	v_line text := check_text(p_product_line, 'product_line', 100, false);
	v_owner bigint;
	v_at timestamptz;
	v_id bigint;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	c := find_customer(a, p_customer, 'customer_id');
	IF btrim(coalesce(p_stage, '')) <> '' THEN
		v_stage := check_stage(p_stage);
		IF NOT is_open_stage(v_stage) THEN
			PERFORM fail('PA400', format('a new deal starts in an open stage, '
				'not %s (win or lose it afterwards)', v_stage), 'stage');
		END IF;
	END IF;
	v_owner := write_owner(a, p_owner, 'owner', c.owner_id);
	v_at := check_at_us(a.org_id, p_at);
	INSERT INTO opportunity (org_id, owner_id, lead_owner_id, customer_id,
		title, amount, stage, reached, expected_close, source, product_line,
		created_at, stage_at, updated_at)
	VALUES (a.org_id, v_owner, v_owner, c.id, v_title, v_amount, v_stage,
		stage_reach_bits(v_stage), v_close, v_source, v_line, v_at, v_at, v_at)
	RETURNING opportunity.id INTO v_id;
	INSERT INTO stage_change (org_id, opp_id, from_stage, to_stage, at, actor_id)
	VALUES (a.org_id, v_id, NULL, v_stage, v_at, a.id);
	PERFORM rollup_add(a.org_id, v_owner, org_day(a.org_id, v_at),
		'new_leads', 1);
	PERFORM changed(a.org_id, v_owner);
	r := deal_json(v_id);
	PERFORM audit(a.org_id, a.id, 'create', 'deal', v_id, NULL, r);
	RETURN op_end(p_actor, p_op, r);
END $$;

CREATE FUNCTION pace.deal_move(p_actor bigint, p_op text, p_hash text,
	p_id bigint, p_stage text, p_at bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	d opportunity;
	v_stage text;
	v_at timestamptz;
	v_before jsonb;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	d := lock_deal(a, p_id, 'id');
	v_stage := check_stage(p_stage);
	IF NOT is_open_stage(v_stage) THEN
		PERFORM fail('PA400', format('to close a deal, win or lose it (not a '
			'move to %s)', v_stage), 'stage');
	END IF;
	PERFORM check_open(d);
	IF stage_rank(v_stage) = stage_rank(d.stage) THEN
		PERFORM fail('PA400', format('deal %s is already in %s', d.id, v_stage),
			'stage');
	END IF;
	IF stage_rank(v_stage) < stage_rank(d.stage) THEN
		PERFORM fail('PA400', format('a deal moves forward only: %s to %s is '
			'backwards', d.stage, v_stage), 'stage');
	END IF;
	v_at := check_at_us(a.org_id, p_at);
	PERFORM check_move_at(d, v_at);
	v_before := deal_json(d.id, false);
	UPDATE opportunity x SET stage = v_stage, stage_at = v_at,
		reached = x.reached | stage_reach_bits(v_stage), updated_at = now()
	WHERE x.id = d.id;
	INSERT INTO stage_change (org_id, opp_id, from_stage, to_stage, at, actor_id)
	VALUES (a.org_id, d.id, d.stage, v_stage, v_at, a.id);
	PERFORM changed(a.org_id, d.owner_id);
	r := deal_json(d.id);
	PERFORM audit(a.org_id, a.id, 'move', 'deal', d.id, v_before,
		r - 'history' - 'contract');
	RETURN op_end(p_actor, p_op, r);
END $$;

CREATE FUNCTION pace.deal_win(p_actor bigint, p_op text, p_hash text,
	p_id bigint, p_amount bigint, p_signed_at bigint, p_at bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	d opportunity;
	v_amount bigint;
	v_at timestamptz;
	v_signed timestamptz;
	v_before jsonb;
	v_day date;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	d := lock_deal(a, p_id, 'id');
	PERFORM check_open(d);
	IF coalesce(p_amount, 0) = 0 THEN
		IF d.amount = 0 THEN
			PERFORM fail('PA400', 'amount is required: the deal has no amount',
				'amount');
		END IF;
		v_amount := d.amount;
	ELSE
		v_amount := check_amount(p_amount, 'amount');
	END IF;
	v_at := check_at_us(a.org_id, p_at);
	PERFORM check_move_at(d, v_at);
	IF coalesce(p_signed_at, 0) = 0 THEN
		v_signed := v_at;
	ELSE
		v_signed := check_at_us(a.org_id, p_signed_at, 'signed_at');
		IF v_signed < d.created_at THEN
			PERFORM fail('PA400', 'signed_at is before the deal was created',
				'signed_at');
		END IF;
	END IF;
	v_before := deal_json(d.id, false);
	INSERT INTO contract (org_id, opp_id, owner_id, amount, signed_at)
	VALUES (a.org_id, d.id, d.owner_id, v_amount, v_signed);
	UPDATE opportunity x SET stage = 'won', stage_at = v_at, won_at = v_signed,
		reached = x.reached | stage_reach_bits('won'), updated_at = now()
	WHERE x.id = d.id;
	INSERT INTO stage_change (org_id, opp_id, from_stage, to_stage, at, actor_id)
	VALUES (a.org_id, d.id, d.stage, 'won', v_at, a.id);
	v_day := org_day(a.org_id, v_signed);
	PERFORM rollup_add(a.org_id, d.owner_id, v_day, 'booked', v_amount);
	PERFORM rollup_add(a.org_id, d.owner_id, v_day, 'contracts', 1);
	PERFORM rollup_add(a.org_id, d.owner_id, v_day, 'won', 1);
	PERFORM changed(a.org_id, d.owner_id);
	r := deal_json(d.id);
	PERFORM audit(a.org_id, a.id, 'win', 'deal', d.id, v_before,
		r - 'history');
	RETURN op_end(p_actor, p_op, r);
END $$;

CREATE FUNCTION pace.deal_lose(p_actor bigint, p_op text, p_hash text,
	p_id bigint, p_reason text, p_at bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	d opportunity;
	v_reason text;
	v_at timestamptz;
	v_before jsonb;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	d := lock_deal(a, p_id, 'id');
	PERFORM check_open(d);
	v_reason := check_loss_reason(a.org_id, p_reason);
	v_at := check_at_us(a.org_id, p_at);
	PERFORM check_move_at(d, v_at);
	v_before := deal_json(d.id, false);
	UPDATE opportunity x SET stage = 'lost', stage_at = v_at, lost_at = v_at,
		loss_reason = v_reason, lost_owner_id = x.owner_id,
		reached = x.reached | stage_reach_bits('lost'), updated_at = now()
	WHERE x.id = d.id;
	INSERT INTO stage_change (org_id, opp_id, from_stage, to_stage, at, actor_id)
	VALUES (a.org_id, d.id, d.stage, 'lost', v_at, a.id);
	PERFORM rollup_add(a.org_id, d.owner_id, org_day(a.org_id, v_at), 'lost', 1);
	PERFORM changed(a.org_id, d.owner_id);
	r := deal_json(d.id);
	PERFORM audit(a.org_id, a.id, 'lose', 'deal', d.id, v_before,
		r - 'history' - 'contract');
	RETURN op_end(p_actor, p_op, r);
END $$;

-- Take a won or lost deal back to an open stage (default negotiation):
-- the contract and its plan go (refused once money was received), and the
-- won/lost rollups are reversed.
CREATE FUNCTION pace.deal_reopen(p_actor bigint, p_op text, p_hash text,
	p_id bigint, p_stage text, p_at bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	d opportunity;
	k contract;
	v_stage text := 'negotiation';
	v_at timestamptz;
	v_before jsonb;
	v_day date;
	v_inst record;
	v_reached int;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	PERFORM require_role(a, 'admin', 'director', 'manager');
	d := lock_deal(a, p_id, 'id');
	IF is_open_stage(d.stage) THEN
		PERFORM fail('PA409', format('deal %s is open (%s): nothing to reopen',
			d.id, d.stage), 'id');
	END IF;
	IF btrim(coalesce(p_stage, '')) <> '' THEN
		v_stage := check_stage(p_stage);
		IF NOT is_open_stage(v_stage) THEN
			PERFORM fail('PA400', format('reopen to an open stage, not %s',
				v_stage), 'stage');
		END IF;
	END IF;
	v_at := check_at_us(a.org_id, p_at);
	PERFORM check_move_at(d, v_at);
	v_before := deal_json(d.id);
	IF d.stage = 'won' THEN
		SELECT * INTO k FROM contract x WHERE x.opp_id = d.id;
		IF FOUND THEN
			IF EXISTS (SELECT 1 FROM receipt x WHERE x.contract_id = k.id) THEN
				PERFORM fail('PA409', format('deal %s has payments received: '
					'it cannot be reopened', d.id), 'id');
			END IF;
			FOR v_inst IN SELECT i.owner_id, i.due_on, sum(i.amount_due)::bigint AS amt
				FROM installment i WHERE i.contract_id = k.id
				GROUP BY i.owner_id, i.due_on LOOP
				PERFORM rollup_add(a.org_id, v_inst.owner_id, v_inst.due_on, 'due',
					-v_inst.amt);
				PERFORM changed(a.org_id, v_inst.owner_id);
			END LOOP;
			DELETE FROM installment x WHERE x.contract_id = k.id;
			DELETE FROM contract x WHERE x.id = k.id;
			v_day := org_day(a.org_id, k.signed_at);
			PERFORM rollup_add(a.org_id, k.owner_id, v_day, 'booked', -k.amount);
			PERFORM rollup_add(a.org_id, k.owner_id, v_day, 'contracts', -1);
			PERFORM rollup_add(a.org_id, k.owner_id, v_day, 'won', -1);
			PERFORM changed(a.org_id, k.owner_id);
		END IF;
	ELSE
		PERFORM rollup_add(a.org_id, coalesce(d.lost_owner_id, d.owner_id),
			org_day(a.org_id, d.lost_at), 'lost', -1);
		PERFORM changed(a.org_id, coalesce(d.lost_owner_id, d.owner_id));
	END IF;
	-- Reached: every open stage it was ever in, and the new one.
	SELECT coalesce(bit_or(stage_reach_bits(s.to_stage)), 0) INTO v_reached
	FROM stage_change s WHERE s.opp_id = d.id AND is_open_stage(s.to_stage);
	UPDATE opportunity x SET stage = v_stage, stage_at = v_at, won_at = NULL,
		lost_at = NULL, loss_reason = NULL, lost_owner_id = NULL,
		reached = v_reached | stage_reach_bits(v_stage), updated_at = now()
	WHERE x.id = d.id;
	INSERT INTO stage_change (org_id, opp_id, from_stage, to_stage, at, actor_id)
	VALUES (a.org_id, d.id, d.stage, v_stage, v_at, a.id);
	PERFORM changed(a.org_id, d.owner_id);
	r := deal_json(d.id);
	PERFORM audit(a.org_id, a.id, 'reopen', 'deal', d.id, v_before - 'history',
		r - 'history');
	RETURN op_end(p_actor, p_op, r);
END $$;

CREATE FUNCTION pace.deal_update(p_actor bigint, p_op text, p_hash text,
	p_id bigint, p_fields text[], p_title text, p_amount bigint,
	p_expected_close text, p_source text, p_product_line text, p_owner text,
	p_at bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	v_fields text[];
	d opportunity;
	v_old_owner bigint;
	v_before jsonb;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	v_fields := check_fields(p_fields, ARRAY['title', 'amount',
		'expected_close', 'source', 'product_line', 'owner']);
	d := lock_deal(a, p_id, 'id');
	PERFORM check_at_us(a.org_id, p_at);
	v_old_owner := d.owner_id;
	v_before := deal_json(d.id, false);
	IF 'title' = ANY (v_fields) THEN
		d.title := check_text(p_title, 'title', 200);
	END IF;
	IF 'amount' = ANY (v_fields) THEN
		d.amount := check_amount(coalesce(p_amount, 0), 'amount', true);
	END IF;
	IF 'expected_close' = ANY (v_fields) THEN
		d.expected_close := check_date(p_expected_close, 'expected_close');
	END IF;
	IF 'source' = ANY (v_fields) THEN
		d.source := check_text(p_source, 'source', 100, false);
	END IF;
	IF 'product_line' = ANY (v_fields) THEN
		d.product_line := check_text(p_product_line, 'product_line', 100, false);
	END IF;
	IF 'owner' = ANY (v_fields) THEN
		IF btrim(coalesce(p_owner, '')) = '' THEN
			PERFORM fail('PA400', 'owner is required', 'owner');
		END IF;
		d.owner_id := write_owner(a, p_owner, 'owner', NULL);
	END IF;
	UPDATE opportunity x SET title = d.title, amount = d.amount,
		expected_close = d.expected_close, source = d.source,
		product_line = d.product_line, owner_id = d.owner_id,
		updated_at = now()
	WHERE x.id = d.id;
	-- Pipeline (open amount, weighted) belongs to the current owner.
	PERFORM changed(a.org_id, v_old_owner);
	IF d.owner_id <> v_old_owner THEN
		PERFORM changed(a.org_id, d.owner_id);
	END IF;
	r := deal_json(d.id);
	PERFORM audit(a.org_id, a.id, 'update', 'deal', d.id, v_before,
		r - 'history' - 'contract');
	RETURN op_end(p_actor, p_op, r);
END $$;

CREATE FUNCTION pace.deal_get(p_actor bigint, p_id bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	d opportunity := find_deal(a, p_id, 'id');
BEGIN
	RETURN deal_json(d.id);
END $$;

-- A page of deals in a's scope, by id, as a JSON array (no history).
CREATE FUNCTION pace.deal_list(p_actor bigint, p_owner text, p_team text,
	p_stage text, p_open_only boolean, p_customer bigint, p_limit int,
	p_after bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	v_limit int := list_limit(p_limit);
	v_owner bigint := filter_user(a, p_owner);
	v_team bigint := filter_team(a, p_team);
	v_stage text;
BEGIN
	IF btrim(coalesce(p_stage, '')) <> '' THEN
		v_stage := check_stage(p_stage);
	END IF;
	RETURN (SELECT coalesce(jsonb_agg(x.j ORDER BY x.id), '[]')
	FROM (SELECT d.id, deal_json(d.id, false) AS j
		FROM opportunity d JOIN app_user u ON u.id = d.owner_id
		WHERE d.org_id = a.org_id
			AND sees_row(a, d.owner_id, u.org_id, u.team_id)
			AND d.id > coalesce(p_after, 0)
			AND (v_owner IS NULL OR d.owner_id = v_owner)
			AND (v_team IS NULL OR u.team_id = v_team)
			AND (v_stage IS NULL OR d.stage = v_stage)
			AND (NOT coalesce(p_open_only, false) OR is_open_stage(d.stage))
			AND (coalesce(p_customer, 0) = 0 OR d.customer_id = p_customer)
		ORDER BY d.id LIMIT v_limit) x);
END $$;
