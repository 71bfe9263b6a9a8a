-- Pace schema, part 4: the captured facts (customers, deals and their stage
-- history, activities, contracts, installments, receipts), the rollups the
-- KPI engine reads, and the change log that wakes push.
--
-- Rollups are maintained in the same transaction as each write
-- (pace.rollup_add), at day granularity in the org's time zone, per user:
-- any KPI over a period and a scope reads (days in period x members) rows,
-- never the raw events. Facts are attributed to the user who owned them
-- when they happened (the contract's owner at signing, the activity's
-- author, ...); a later change of owner does not move history.

ALTER TABLE pace.org
	ADD COLUMN backfill_days int NOT NULL DEFAULT 90
		CHECK (backfill_days BETWEEN 0 AND 3660),
	ADD COLUMN future_skew_s int NOT NULL DEFAULT 300
		CHECK (future_skew_s BETWEEN 0 AND 86400),
	ADD COLUMN stale_days int NOT NULL DEFAULT 14 CHECK (stale_days > 0),
	ADD COLUMN stuck_days int NOT NULL DEFAULT 30 CHECK (stuck_days > 0),
	ADD COLUMN loss_reasons text[] NOT NULL DEFAULT ARRAY['price',
		'competitor', 'no budget', 'no decision', 'timing',
		'product fit', 'other'],
	ADD COLUMN stage_prob jsonb NOT NULL DEFAULT '{"lead": 0.1,
		"qualified": 0.2, "proposal": 0.4, "quote": 0.6,
		"negotiation": 0.8, "won": 1, "lost": 0}';

-- Stage order: lead < qualified < proposal < quote < negotiation < won|lost.
CREATE FUNCTION pace.stage_rank(s text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE s WHEN 'lead' THEN 1 WHEN 'qualified' THEN 2
		WHEN 'proposal' THEN 3 WHEN 'quote' THEN 4
		WHEN 'negotiation' THEN 5 WHEN 'won' THEN 6 WHEN 'lost' THEN 7 END
$$;

-- The "reached" bits a deal gains by being in stage s (DESIGN §5 funnel):
-- an open stage implies every earlier open stage; won implies every stage
-- up to won; lost only itself. Bit (rank - 1) per stage.
CREATE FUNCTION pace.stage_reach_bits(s text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN s = 'lost' THEN 64
		WHEN s = 'won' THEN 63
		ELSE (1 << pace.stage_rank(s)) - 1 END
$$;

CREATE TABLE pace.customer (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES pace.org,
	owner_id bigint NOT NULL REFERENCES pace.app_user,
	name text NOT NULL,
	industry text NOT NULL DEFAULT '',
	size_band text NOT NULL DEFAULT '',
	region text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL
);
CREATE INDEX ON pace.customer (org_id, owner_id);

CREATE TABLE pace.opportunity (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES pace.org,
	owner_id bigint NOT NULL REFERENCES pace.app_user,
	customer_id bigint NOT NULL REFERENCES pace.customer,
	title text NOT NULL,
	amount bigint NOT NULL CHECK (amount >= 0),
	stage text NOT NULL CHECK (pace.stage_rank(stage) IS NOT NULL),
	reached int NOT NULL,              -- stage_reach_bits of every stage it was in
	expected_close date,
	source text NOT NULL DEFAULT '',
	product_line text NOT NULL DEFAULT '',
	loss_reason text,
	created_at timestamptz NOT NULL,
	stage_at timestamptz NOT NULL,     -- entered the current stage
	won_at timestamptz,
	lost_at timestamptz,
	last_activity_at timestamptz,
	updated_at timestamptz NOT NULL
);
CREATE INDEX ON pace.opportunity (org_id, owner_id, created_at);
CREATE INDEX ON pace.opportunity (owner_id) WHERE stage NOT IN ('won', 'lost');
CREATE INDEX ON pace.opportunity (org_id, owner_id, won_at) WHERE won_at IS NOT NULL;
CREATE INDEX ON pace.opportunity (org_id, owner_id, lost_at) WHERE lost_at IS NOT NULL;
CREATE INDEX ON pace.opportunity (customer_id);

CREATE TABLE pace.stage_change (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL,
	opp_id bigint NOT NULL REFERENCES pace.opportunity,
	from_stage text,                   -- NULL for the creation
	to_stage text NOT NULL,
	at timestamptz NOT NULL,
	actor_id bigint NOT NULL REFERENCES pace.app_user
);
CREATE INDEX ON pace.stage_change (opp_id, at);

CREATE TABLE pace.activity (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL,
	user_id bigint NOT NULL REFERENCES pace.app_user,
	customer_id bigint NOT NULL REFERENCES pace.customer,
	opp_id bigint REFERENCES pace.opportunity,
	kind text NOT NULL CHECK (kind IN ('call', 'visit', 'email', 'meeting')),
	at timestamptz NOT NULL,
	duration_min int NOT NULL DEFAULT 0 CHECK (duration_min BETWEEN 0 AND 1440),
	note text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON pace.activity (org_id, user_id, at);
CREATE INDEX ON pace.activity (opp_id, at) WHERE opp_id IS NOT NULL;
CREATE INDEX ON pace.activity (customer_id, at);

CREATE TABLE pace.contract (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL,
	opp_id bigint NOT NULL UNIQUE REFERENCES pace.opportunity,
	owner_id bigint NOT NULL REFERENCES pace.app_user,
	amount bigint NOT NULL CHECK (amount > 0),
	signed_at timestamptz NOT NULL
);
CREATE INDEX ON pace.contract (org_id, owner_id, signed_at);

CREATE TABLE pace.installment (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL,
	contract_id bigint NOT NULL REFERENCES pace.contract,
	owner_id bigint NOT NULL REFERENCES pace.app_user,
	due_on date NOT NULL,
	amount_due bigint NOT NULL CHECK (amount_due > 0)
);
CREATE INDEX ON pace.installment (contract_id, due_on);
CREATE INDEX ON pace.installment (org_id, owner_id, due_on);

CREATE TABLE pace.receipt (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL,
	contract_id bigint NOT NULL REFERENCES pace.contract,
	owner_id bigint NOT NULL REFERENCES pace.app_user,
	received_on date NOT NULL,
	amount bigint NOT NULL CHECK (amount > 0),
	at timestamptz NOT NULL
);
CREATE INDEX ON pace.receipt (contract_id);
CREATE INDEX ON pace.receipt (org_id, owner_id, received_on);

-- Per user and org-local day: everything the KPIs sum.
CREATE TABLE pace.rollup_day (
	org_id bigint NOT NULL,
	user_id bigint NOT NULL,
	day date NOT NULL,
	booked bigint NOT NULL DEFAULT 0,    -- contract amount signed
	contracts int NOT NULL DEFAULT 0,    -- contracts signed
	received bigint NOT NULL DEFAULT 0,  -- payments received
	due bigint NOT NULL DEFAULT 0,       -- installments falling due
	new_leads int NOT NULL DEFAULT 0,    -- deals created
	won int NOT NULL DEFAULT 0,
	lost int NOT NULL DEFAULT 0,
	calls int NOT NULL DEFAULT 0,
	visits int NOT NULL DEFAULT 0,
	emails int NOT NULL DEFAULT 0,
	meetings int NOT NULL DEFAULT 0,
	PRIMARY KEY (user_id, day)
);
CREATE INDEX ON pace.rollup_day (org_id, day);

-- Customers touched by an activity, per user and day (for the "mix" KPI).
CREATE TABLE pace.customer_touch (
	org_id bigint NOT NULL,
	user_id bigint NOT NULL,
	day date NOT NULL,
	customer_id bigint NOT NULL,
	PRIMARY KEY (user_id, day, customer_id)
);

-- Every committed write that changes a user's KPIs appends a row here in
-- its own transaction; push reads past its last position. Rows are read by
-- transaction visibility (xid), not by seq order, because sequence values
-- commit out of order (server/push/).
CREATE TABLE pace.change_log (
	seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL,
	user_id bigint,                  -- NULL: an org-wide change (settings, targets)
	xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
	at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON pace.change_log (xid);

-- The org-local day of a time.
CREATE FUNCTION pace.org_day(p_org bigint, t timestamptz) RETURNS date
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT (t AT TIME ZONE (SELECT timezone FROM org WHERE id = p_org))::date
$$;

-- Add to a user's day rollup: rollup_add(org, user, day, 'calls', 1).
CREATE FUNCTION pace.rollup_add(p_org bigint, p_user bigint, p_day date,
	p_col text, p_delta bigint)
RETURNS void LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
BEGIN
	IF p_col NOT IN ('booked', 'contracts', 'received', 'due', 'new_leads',
		'won', 'lost', 'calls', 'visits', 'emails', 'meetings') THEN
		RAISE EXCEPTION 'rollup_add: unknown column %', p_col;
	END IF;
	-- One static statement (its plan is cached), not EXECUTE format() of
	-- the column: the dynamic form was planned on every call, a third of
	-- an activity's cost. Adding zero to the other columns is free.
	INSERT INTO rollup_day AS r (org_id, user_id, day, booked, contracts,
		received, due, new_leads, won, lost, calls, visits, emails, meetings)
	VALUES (p_org, p_user, p_day,
		CASE WHEN p_col = 'booked' THEN p_delta ELSE 0 END,
		CASE WHEN p_col = 'contracts' THEN p_delta ELSE 0 END,
		CASE WHEN p_col = 'received' THEN p_delta ELSE 0 END,
		CASE WHEN p_col = 'due' THEN p_delta ELSE 0 END,
		CASE WHEN p_col = 'new_leads' THEN p_delta ELSE 0 END,
		CASE WHEN p_col = 'won' THEN p_delta ELSE 0 END,
		CASE WHEN p_col = 'lost' THEN p_delta ELSE 0 END,
		CASE WHEN p_col = 'calls' THEN p_delta ELSE 0 END,
		CASE WHEN p_col = 'visits' THEN p_delta ELSE 0 END,
		CASE WHEN p_col = 'emails' THEN p_delta ELSE 0 END,
		CASE WHEN p_col = 'meetings' THEN p_delta ELSE 0 END)
	ON CONFLICT (user_id, day) DO UPDATE SET
		booked = r.booked + EXCLUDED.booked,
		contracts = r.contracts + EXCLUDED.contracts,
		received = r.received + EXCLUDED.received, due = r.due + EXCLUDED.due,
		new_leads = r.new_leads + EXCLUDED.new_leads,
		won = r.won + EXCLUDED.won, lost = r.lost + EXCLUDED.lost,
		calls = r.calls + EXCLUDED.calls, visits = r.visits + EXCLUDED.visits,
		emails = r.emails + EXCLUDED.emails,
		meetings = r.meetings + EXCLUDED.meetings;
END $$;

-- Record that a user's (or, with NULL, the whole org's) numbers changed.
CREATE FUNCTION pace.changed(p_org bigint, p_user bigint)
RETURNS void LANGUAGE sql SET search_path = pace, pg_catalog AS $$
	INSERT INTO change_log (org_id, user_id) VALUES (p_org, p_user);
$$;

-- Check an event time: not more than future_skew_s ahead of now, not more
-- than backfill_days behind. NULL/0 means now. Returns the time to store.
CREATE FUNCTION pace.check_at(p_org bigint, p_at bigint, field text DEFAULT 'at')
RETURNS timestamptz LANGUAGE plpgsql STABLE
SET search_path = pace, pg_catalog AS $$
DECLARE o org; t timestamptz;
BEGIN
	IF p_at IS NULL OR p_at = 0 THEN
		RETURN now();
	END IF;
	SELECT * INTO o FROM org WHERE id = p_org;
	t := ts(p_at);
	IF t > now() + o.future_skew_s * interval '1 second' THEN
		PERFORM fail('PA400', format('%s is in the future', field), field);
	END IF;
	IF t < now() - o.backfill_days * interval '1 day' THEN
		PERFORM fail('PA400', format('%s is older than %s days (the org''s backfill window)',
			field, o.backfill_days), field);
	END IF;
	RETURN t;
END $$;
