-- Pace schema: alerts (DESIGN §7). Alerts are stored; each has a unique
-- dedup key per org so that a condition raises its alert once. They are
-- raised by exactly one paced at a time (the holder of the leader lock),
-- one evaluation at a time, so alert ids also give their order.
-- Recipients: the subject rep, the managers of the rep's team, and the
-- org's directors (for a team: its managers and the directors; for an
-- office or the org: the directors).

CREATE TABLE pace.alert (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES pace.org,
	kind text NOT NULL CHECK (kind IN ('status', 'stale_deal', 'stuck_deal',
		'close_passed', 'payment_overdue', 'action_due', 'review_ready')),
	subject_kind text NOT NULL,
	subject_id bigint NOT NULL,
	dedup_key text NOT NULL,
	raised_at timestamptz NOT NULL,
	title text NOT NULL,
	detail text NOT NULL DEFAULT '',
	from_status text,
	to_status text,
	metric text,
	period text,
	deal_id bigint,
	entity_id bigint,
	UNIQUE (org_id, dedup_key)
);
CREATE INDEX ON pace.alert (org_id, id);

CREATE TABLE pace.alert_ack (
	alert_id bigint NOT NULL REFERENCES pace.alert,
	user_id bigint NOT NULL REFERENCES pace.app_user,
	at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (alert_id, user_id)
);

-- The last status seen of each (scope, metric, period).
CREATE TABLE pace.alert_state (
	org_id bigint NOT NULL,
	scope_kind text NOT NULL,
	scope_id bigint NOT NULL,
	metric text NOT NULL,
	period text NOT NULL,
	status text,
	at timestamptz NOT NULL,
	PRIMARY KEY (org_id, scope_kind, scope_id, metric, period)
);

CREATE FUNCTION pace.alert_recipients(p_org bigint, p_kind text, p_id bigint)
RETURNS SETOF bigint LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT u.id FROM app_user u WHERE u.org_id = p_org AND u.active AND (
		u.role = 'director'
		OR (p_kind = 'user' AND u.id = p_id)
		OR (u.role = 'manager' AND u.team_id IS NOT NULL AND (
			(p_kind = 'user' AND u.team_id =
				(SELECT team_id FROM app_user WHERE id = p_id))
			OR (p_kind = 'team' AND u.team_id = p_id))))
$$;

-- Raise an alert unless its dedup key was raised before; returns its id
-- or NULL.
CREATE FUNCTION pace.alert_raise(p_org bigint, p_kind text, p_subject_kind text,
	p_subject_id bigint, p_key text, p_at timestamptz, p_title text,
	p_detail text, p_from text DEFAULT NULL, p_to text DEFAULT NULL,
	p_metric text DEFAULT NULL, p_period text DEFAULT NULL,
	p_deal bigint DEFAULT NULL, p_entity bigint DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE v_id bigint;
BEGIN
	INSERT INTO alert (org_id, kind, subject_kind, subject_id, dedup_key,
		raised_at, title, detail, from_status, to_status, metric, period,
		deal_id, entity_id)
	VALUES (p_org, p_kind, p_subject_kind, p_subject_id, p_key, p_at, p_title,
		p_detail, p_from, p_to, p_metric, p_period, p_deal, p_entity)
	ON CONFLICT (org_id, dedup_key) DO NOTHING
	RETURNING id INTO v_id;
	RETURN v_id;
END $$;

-- Status alerts: every scope with a target this month, for each metric it
-- is held to; an alert when the status differs from the last one seen
-- (the first time only if it is yellow or red). p_users limits the check
-- to the scopes these users belong to (after writes); NULL checks all.
CREATE FUNCTION pace.alerts_status(p_org bigint, p_now timestamptz,
	p_users bigint[]) RETURNS int
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	o org; today date; per record; sc record; pr record; st alert_state;
	n int := 0; v_id bigint; label text; seq int;
BEGIN
	SELECT * INTO o FROM org WHERE id = p_org;
	today := (p_now AT TIME ZONE o.timezone)::date;
	per := period_parse(to_char(today, 'YYYY-MM'));
	FOR sc IN
		SELECT DISTINCT t.scope_kind AS kind, t.scope_id AS id, t.metric
		FROM target_month t
		WHERE t.org_id = p_org AND t.month = per.start_day
			AND (p_users IS NULL OR t.scope_kind = 'org'
				OR (t.scope_kind = 'user' AND t.scope_id = ANY (p_users))
				OR (t.scope_kind = 'team' AND t.scope_id IN
					(SELECT team_id FROM app_user WHERE id = ANY (p_users)))
				OR (t.scope_kind = 'office' AND t.scope_id IN
					(SELECT tm.office_id FROM app_user u JOIN team tm ON tm.id = u.team_id
					 WHERE u.id = ANY (p_users))))
	LOOP
		pr := progress(p_org, sc.kind, sc.id, sc.metric, per.start_day,
			per.end_day, p_now);
		SELECT * INTO st FROM alert_state WHERE org_id = p_org
			AND scope_kind = sc.kind AND scope_id = sc.id
			AND metric = sc.metric AND period = per.canon;
		IF FOUND AND st.status IS NOT DISTINCT FROM pr.status THEN
			CONTINUE;
		END IF;
		IF pr.status IS NOT NULL AND (FOUND OR pr.status <> 'green') THEN
			label := CASE sc.kind
				WHEN 'user' THEN (SELECT name FROM app_user WHERE id = sc.id)
				WHEN 'team' THEN (SELECT name FROM team WHERE id = sc.id)
				WHEN 'office' THEN (SELECT name FROM office WHERE id = sc.id)
				ELSE o.name END;
			-- The key counts transitions, so green->yellow->green->yellow
			-- raises each change once.
			SELECT count(*) + 1 INTO seq FROM alert
			WHERE org_id = p_org AND kind = 'status' AND subject_kind = sc.kind
				AND subject_id = sc.id AND metric = sc.metric AND period = per.canon;
			v_id := alert_raise(p_org, 'status', sc.kind, sc.id,
				format('status:%s:%s:%s:%s:%s', sc.kind, sc.id, sc.metric,
					per.canon, seq),
				p_now,
				format('%s: %s is %s (pace %s)', per.canon, label, pr.status,
					round(pr.pace, 2)),
				format('%s: attainment %s%% with %s%% of the period gone',
					sc.metric, round(coalesce(pr.attainment, 0) * 100, 1),
					round(pr.elapsed * 100, 1)),
				coalesce(st.status, ''), pr.status, sc.metric, per.canon);
			IF v_id IS NOT NULL THEN
				n := n + 1;
			END IF;
		END IF;
		INSERT INTO alert_state (org_id, scope_kind, scope_id, metric, period,
			status, at)
		VALUES (p_org, sc.kind, sc.id, sc.metric, per.canon, pr.status, p_now)
		ON CONFLICT (org_id, scope_kind, scope_id, metric, period)
		DO UPDATE SET status = EXCLUDED.status, at = EXCLUDED.at;
	END LOOP;
	RETURN n;
END $$;

-- Key-node alerts: stale deals, deals stuck in a stage, expected close
-- passed, payments overdue. Each condition raises once (its dedup key
-- names the fact it is about: new activity makes a new staleness).
CREATE FUNCTION pace.alerts_nodes(p_org bigint, p_now timestamptz) RETURNS int
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	o org; today date; d record; n int := 0; v_id bigint;
BEGIN
	SELECT * INTO o FROM org WHERE id = p_org;
	today := (p_now AT TIME ZONE o.timezone)::date;
	FOR d IN SELECT op.*, c.name AS customer FROM opportunity op
		JOIN customer c ON c.id = op.customer_id
		WHERE op.org_id = p_org AND op.stage NOT IN ('won', 'lost')
			AND coalesce(op.last_activity_at, op.created_at)
				< p_now - o.stale_days * interval '1 day'
	LOOP
		v_id := alert_raise(p_org, 'stale_deal', 'user', d.owner_id,
			format('stale:%s:%s', d.id, us(coalesce(d.last_activity_at, d.created_at))),
			p_now, format('No activity on "%s" (%s) for %s days', d.title,
				d.customer, o.stale_days),
			'', NULL, NULL, NULL, NULL, d.id);
		n := n + (v_id IS NOT NULL)::int;
	END LOOP;
	FOR d IN SELECT op.*, c.name AS customer FROM opportunity op
		JOIN customer c ON c.id = op.customer_id
		WHERE op.org_id = p_org AND op.stage NOT IN ('won', 'lost')
			AND op.stage_at < p_now - o.stuck_days * interval '1 day'
	LOOP
		v_id := alert_raise(p_org, 'stuck_deal', 'user', d.owner_id,
			format('stuck:%s:%s:%s', d.id, d.stage, us(d.stage_at)),
			p_now, format('"%s" (%s) has been in %s for more than %s days',
				d.title, d.customer, d.stage, o.stuck_days),
			'', NULL, NULL, NULL, NULL, d.id);
		n := n + (v_id IS NOT NULL)::int;
	END LOOP;
	FOR d IN SELECT op.*, c.name AS customer FROM opportunity op
		JOIN customer c ON c.id = op.customer_id
		WHERE op.org_id = p_org AND op.stage NOT IN ('won', 'lost')
			AND op.expected_close < today
	LOOP
		v_id := alert_raise(p_org, 'close_passed', 'user', d.owner_id,
			format('close:%s:%s', d.id, d.expected_close),
			p_now, format('"%s" (%s) was expected to close on %s', d.title,
				d.customer, d.expected_close),
			'', NULL, NULL, NULL, NULL, d.id);
		n := n + (v_id IS NOT NULL)::int;
	END LOOP;
	-- Receipts paid oldest-due first: an installment is overdue when what
	-- was received does not reach the sum due up to and including it.
	FOR d IN
		WITH i AS (
			SELECT ins.*, sum(ins.amount_due) OVER (PARTITION BY ins.contract_id
				ORDER BY ins.due_on, ins.id) AS due_to_here
			FROM installment ins WHERE ins.org_id = p_org AND ins.due_on < today),
		r AS (SELECT contract_id, sum(amount) AS got FROM receipt
			WHERE org_id = p_org GROUP BY contract_id)
		SELECT i.*, op.title, op.id AS deal, c.name AS customer
		FROM i LEFT JOIN r ON r.contract_id = i.contract_id
		JOIN contract ct ON ct.id = i.contract_id
		JOIN opportunity op ON op.id = ct.opp_id
		JOIN customer c ON c.id = op.customer_id
		WHERE coalesce(r.got, 0) < i.due_to_here
	LOOP
		v_id := alert_raise(p_org, 'payment_overdue', 'user', d.owner_id,
			format('overdue:%s', d.id), p_now,
			format('Payment of %s due %s on "%s" (%s) is overdue',
				(d.amount_due / 100.0)::numeric(20, 2), d.due_on, d.title,
				d.customer),
			'', NULL, NULL, NULL, NULL, d.deal, d.id);
		n := n + (v_id IS NOT NULL)::int;
	END LOOP;
	RETURN n;
END $$;

-- The leader's evaluation: every org, status (for p_users, or all) and,
-- when p_nodes, the key-node checks. Returns the number of alerts raised.
CREATE FUNCTION pace.alerts_evaluate(p_now_us bigint, p_users bigint[],
	p_nodes boolean) RETURNS int
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	now_ts timestamptz := now_of(p_now_us);
	o record; n int := 0;
BEGIN
	FOR o IN SELECT id FROM org LOOP
		n := n + alerts_status(o.id, now_ts, p_users);
		IF p_nodes THEN
			n := n + alerts_nodes(o.id, now_ts);
		END IF;
	END LOOP;
	RETURN n;
END $$;

-- Alerts raised after id p_after, with their recipients (for delivery).
CREATE FUNCTION pace.alerts_after(p_after bigint)
RETURNS TABLE (id bigint, org_id bigint, kind text, subject_kind text,
	subject_id bigint, subject text, raised_at bigint, title text,
	detail text, from_status text, to_status text, metric text,
	period text, deal_id bigint, entity_id bigint, recipients bigint[])
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT a.id, a.org_id, a.kind, a.subject_kind, a.subject_id,
		coalesce(CASE a.subject_kind
			WHEN 'user' THEN (SELECT name FROM app_user WHERE app_user.id = a.subject_id)
			WHEN 'team' THEN (SELECT name FROM team WHERE team.id = a.subject_id)
			WHEN 'office' THEN (SELECT name FROM office WHERE office.id = a.subject_id)
			ELSE (SELECT name FROM org WHERE org.id = a.org_id) END, ''),
		us(a.raised_at), a.title, a.detail, a.from_status, a.to_status,
		a.metric, a.period, a.deal_id, a.entity_id,
		ARRAY(SELECT alert_recipients(a.org_id, a.subject_kind, a.subject_id))
	FROM alert a WHERE a.id > p_after ORDER BY a.id LIMIT 1000
$$;

-- The alerts of a user: the first p_limit after an id (resume, oldest
-- first, so that a long absence is read page by page), or the latest
-- (listing). Either way in id order.
CREATE FUNCTION pace.alerts_for(p_actor bigint, p_after bigint, p_all boolean,
	p_limit int)
RETURNS TABLE (id bigint, kind text, subject_kind text, subject_id bigint,
	subject text, raised_at bigint, title text, detail text,
	from_status text, to_status text, metric text, period text,
	deal_id bigint, entity_id bigint, acknowledged boolean)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT * FROM (
		SELECT a.id, a.kind, a.subject_kind, a.subject_id,
			coalesce(CASE a.subject_kind
				WHEN 'user' THEN (SELECT name FROM app_user WHERE app_user.id = a.subject_id)
				WHEN 'team' THEN (SELECT name FROM team WHERE team.id = a.subject_id)
				WHEN 'office' THEN (SELECT name FROM office WHERE office.id = a.subject_id)
				ELSE (SELECT name FROM org WHERE org.id = a.org_id) END, ''),
			us(a.raised_at), a.title, a.detail, a.from_status, a.to_status,
			a.metric, a.period, a.deal_id, a.entity_id,
			EXISTS (SELECT 1 FROM alert_ack k WHERE k.alert_id = a.id
				AND k.user_id = p_actor)
		FROM alert a
		WHERE a.org_id = (actor(p_actor)).org_id
			AND (p_after IS NULL OR a.id > p_after)
			AND p_actor IN (SELECT alert_recipients(a.org_id, a.subject_kind, a.subject_id))
			AND (p_all OR p_after IS NOT NULL OR NOT EXISTS (SELECT 1 FROM alert_ack k
				WHERE k.alert_id = a.id AND k.user_id = p_actor))
		ORDER BY CASE WHEN p_after IS NULL THEN -a.id ELSE a.id END
		LIMIT greatest(1, least(coalesce(nullif(p_limit, 0), 50), 1000))) x
	ORDER BY id
$$;

CREATE FUNCTION pace.alert_ack_set(p_actor bigint, p_op text, p_hash text,
	p_id bigint) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := op_begin(p_actor, p_op, p_hash);
	al alert;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	SELECT * INTO al FROM alert WHERE id = p_id AND org_id = a.org_id;
	IF NOT FOUND OR NOT a.id IN (SELECT alert_recipients(al.org_id,
		al.subject_kind, al.subject_id)) THEN
		-- Someone else's alert: the same answer, audited (PA4S4, 005).
		PERFORM fail(CASE WHEN FOUND THEN 'PA4S4' ELSE 'PA404' END,
			format('no alert %s', p_id), 'id');
	END IF;
	INSERT INTO alert_ack (alert_id, user_id) VALUES (p_id, a.id)
	ON CONFLICT DO NOTHING;
	r := jsonb_build_object('id', p_id);
	PERFORM audit(a.org_id, a.id, 'ack', 'alert', p_id, NULL, NULL);
	RETURN op_end(p_actor, p_op, r);
END $$;

-- The highest alert id (a new paced starts its sequence there).
CREATE FUNCTION pace.alert_seq() RETURNS bigint
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT coalesce(max(id), 0) FROM alert
$$;

-- Drop change-log rows nobody needs any more (the leader, periodically).
CREATE FUNCTION pace.change_log_prune(p_keep_s int) RETURNS int
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE n int;
BEGIN
	-- Real time on both sides: change_log.at is recorded by the column
	-- default (pg_catalog.now()), whatever the test clock says (032).
	DELETE FROM change_log WHERE at < pg_catalog.now() - p_keep_s * interval '1 second';
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;
