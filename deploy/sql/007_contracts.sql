-- Pace schema, part 7: the state of contracts' payment plans.
--
-- A contract's receipts are allocated to its installments oldest-due
-- first; an installment is "paid" when fully covered, else "overdue" once
-- its due date is past (org-local), else "partial" or "due".

CREATE VIEW pace.installment_state AS
SELECT i.id, i.org_id, i.contract_id, i.owner_id, i.due_on, i.amount_due,
	least(i.amount_due, greatest(0, coalesce(rc.total, 0)
		- (sum(i.amount_due) OVER w - i.amount_due)))::bigint
		AS amount_received
FROM pace.installment i
LEFT JOIN (SELECT r.contract_id, sum(r.amount) AS total
	FROM pace.receipt r GROUP BY r.contract_id) rc
	ON rc.contract_id = i.contract_id
WINDOW w AS (PARTITION BY i.contract_id ORDER BY i.due_on, i.id);

CREATE FUNCTION pace.installment_status(p_due_on date, p_due bigint,
	p_got bigint, p_today date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_got >= p_due THEN 'paid'
		WHEN p_due_on < p_today THEN 'overdue'
		WHEN p_got > 0 THEN 'partial'
		ELSE 'due' END
$$;

CREATE FUNCTION pace.installment_json(p_id bigint, p_due_on date,
	p_due bigint, p_got bigint, p_today date) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('id', p_id,
		'due_on', to_char(p_due_on, 'YYYY-MM-DD'),
		'amount_due', pace.j_money(p_due),
		'amount_received', pace.j_money(p_got),
		'status', pace.installment_status(p_due_on, p_due, p_got, p_today))
$$;

CREATE FUNCTION pace.contract_json(p_contract bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT jsonb_build_object('id', k.id, 'deal_id', k.opp_id,
		'amount', j_money(k.amount), 'signed_at', j_us(k.signed_at),
		'installments', coalesce((SELECT jsonb_agg(installment_json(s.id,
				s.due_on, s.amount_due, s.amount_received,
				org_day(k.org_id, now())) ORDER BY s.due_on, s.id)
			FROM installment_state s WHERE s.contract_id = k.id), '[]'),
		'receipts', coalesce((SELECT jsonb_agg(jsonb_build_object(
				'id', r.id,
				'received_on', to_char(r.received_on, 'YYYY-MM-DD'),
				'amount', j_money(r.amount)) ORDER BY r.received_on, r.id)
			FROM receipt r WHERE r.contract_id = k.id), '[]'),
		'received', j_money((SELECT coalesce(sum(r.amount), 0)::bigint
			FROM receipt r WHERE r.contract_id = k.id)))
	FROM contract k WHERE k.id = p_contract
$$;
