-- Pace schema, part 5: what every capture function (006-012) shares:
-- op ids, row locks for read-check-write, role scopes, value checks, safe parsers and the
-- JSON shapes of the replies.
--
-- Scopes (DESIGN §4): a rep sees and writes what they own; a manager what
-- the members of their team own (their own included); directors and admins
-- the whole org. Something out of scope answers PA404, exactly like
-- something that does not exist, so existence never leaks.
--
-- Money and microsecond times inside returned jsonb are JSON strings: the
-- C side reads JSON numbers as doubles (server/jsonutil.c).

-- Who owned a deal when it was created and when it was lost, so that a
-- later change of owner neither moves history nor breaks a reversal
-- (rollup attribution, 004). The contract keeps its owner at signing.
ALTER TABLE pace.opportunity
	ADD COLUMN lead_owner_id bigint REFERENCES pace.app_user,
	ADD COLUMN lost_owner_id bigint REFERENCES pace.app_user;
-- NULL means "the current owner" (rows written by other means).

CREATE INDEX ON pace.customer (org_id, name);
CREATE INDEX ON pace.customer_touch (customer_id);

-- Every capture write claims its op id first (op_begin): NULL for a new
-- request, else the stored answer.
CREATE FUNCTION pace.capture_op(a pace.app_user, p_op text, p_hash text)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
BEGIN
	-- No wider lock: paced sends a user's writes on one connection
	-- (db_write_keyed), so they never contend with each other; a rare
	-- cross-user cycle (a manager writing for reps) ends in a deadlock
	-- error, which paced re-runs.
	RETURN op_begin(a.id, p_op, p_hash);
END $$;

-- May actor a see, and write for, data owned by user p_owner?
CREATE FUNCTION pace.sees(a pace.app_user, p_owner bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT p_owner = a.id OR (a.role IN ('admin', 'director', 'manager')
		AND EXISTS (SELECT 1 FROM app_user o
			WHERE o.id = p_owner AND o.org_id = a.org_id
			AND (a.role <> 'manager'
				OR (a.team_id IS NOT NULL AND o.team_id = a.team_id))))
$$;

-- The same test on a row already joined to its owner (for lists).
CREATE FUNCTION pace.sees_row(a pace.app_user, p_owner bigint,
	p_owner_org bigint, p_owner_team bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT p_owner_org = a.org_id AND (p_owner = a.id
		OR a.role IN ('admin', 'director')
		OR (a.role = 'manager' AND p_owner_team = a.team_id))
$$;

-- The user a write is for: p_default when the login is empty, else that
-- user, who must be in a's scope (PA404 unknown, PA403 out of scope).
CREATE FUNCTION pace.write_owner(a pace.app_user, p_login text, p_field text,
	p_default bigint)
RETURNS bigint LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	v_login text := lower(btrim(coalesce(p_login, '')));
	v_id bigint;
BEGIN
	IF v_login = '' THEN
		RETURN p_default;
	END IF;
	IF char_length(v_login) > 64 THEN
		PERFORM fail('PA400', format('%s is longer than 64 characters',
			p_field), p_field);
	END IF;
	SELECT u.id INTO v_id FROM app_user u
	WHERE u.org_id = a.org_id AND u.login = v_login AND u.active;
	IF NOT FOUND THEN
		PERFORM fail('PA404', format('no user %s', v_login), p_field);
	END IF;
	IF NOT sees(a, v_id) THEN
		PERFORM fail('PA403', format('not allowed to write for %s', v_login),
			p_field);
	END IF;
	RETURN v_id;
END $$;

-- A user filter of a list (login), or NULL for none; an unknown login
-- matches nothing (-1).
CREATE FUNCTION pace.filter_user(a pace.app_user, p_login text)
RETURNS bigint LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT CASE WHEN btrim(coalesce(p_login, '')) = '' THEN NULL
		ELSE coalesce((SELECT u.id FROM app_user u WHERE u.org_id = a.org_id
			AND u.login = lower(btrim(p_login))), -1) END
$$;

CREATE FUNCTION pace.filter_team(a pace.app_user, p_team text)
RETURNS bigint LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT CASE WHEN btrim(coalesce(p_team, '')) = '' THEN NULL
		ELSE coalesce((SELECT t.id FROM team t WHERE t.org_id = a.org_id
			AND t.name = btrim(p_team)), -1) END
$$;

-- List paging: 1..1000 rows, 0 = 100.
CREATE FUNCTION pace.list_limit(p_limit int) RETURNS int
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_limit IS NULL OR p_limit = 0 THEN
		RETURN 100;
	END IF;
	IF p_limit < 0 OR p_limit > 1000 THEN
		PERFORM pace.fail('PA400', 'limit: 1 to 1000 (0 = 100)', 'limit');
	END IF;
	RETURN p_limit;
END $$;

-- Money: 0 < v <= 10^15 fen (0 allowed with p_zero_ok).
CREATE FUNCTION pace.check_amount(p_v bigint, p_field text,
	p_zero_ok boolean DEFAULT false)
RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_v IS NULL OR p_v < 0 THEN
		PERFORM pace.fail('PA400', format('%s must not be negative', p_field),
			p_field);
	END IF;
	IF p_v = 0 AND NOT p_zero_ok THEN
		PERFORM pace.fail('PA400', format('%s must be more than 0', p_field),
			p_field);
	END IF;
	IF p_v > 1000000000000000 THEN
		PERFORM pace.fail('PA400',
			format('%s is too large (at most 10^15 fen)', p_field), p_field);
	END IF;
	RETURN p_v;
END $$;

-- Free text that may span lines (notes): like check_text, but newlines and
-- tabs are allowed.
CREATE FUNCTION pace.check_note(val text, field text, maxlen int)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE v text := btrim(coalesce(val, ''), E' \t\r\n');
BEGIN
	IF char_length(v) > maxlen THEN
		PERFORM pace.fail('PA400',
			format('%s is longer than %s characters', field, maxlen), field);
	END IF;
	IF v ~ '[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]' THEN
		PERFORM pace.fail('PA400',
			format('%s contains control characters', field), field);
	END IF;
	RETURN v;
END $$;

-- Parsers that answer NULL instead of raising, for set-based validation
-- (imports). Each CASE arm is only reached when the arms before it were
-- false, so no cast ever sees text it cannot convert. (Bounded regex
-- repetitions such as {1,18} cost PostgreSQL's regex engine several
-- times more than a length test: these run once per imported cell.)
CREATE FUNCTION pace.to_int8(p text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN length(p) <= 24 AND p ~ '^ *-?[0-9]+ *$'
		AND length(btrim(p, ' -')) <= 18 THEN btrim(p)::bigint END
$$;

CREATE FUNCTION pace.to_uuid(p text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
		THEN p::uuid END
$$;

-- "YYYY-MM-DD" (years 1900-2199) or NULL.
CREATE FUNCTION pace.parse_date(p text) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN p !~ '^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$' THEN NULL
		WHEN substr(p, 6, 2)::int NOT BETWEEN 1 AND 12 THEN NULL
		WHEN substr(p, 9, 2)::int NOT BETWEEN 1 AND
			CASE WHEN substr(p, 6, 2)::int IN (4, 6, 9, 11) THEN 30
			WHEN substr(p, 6, 2)::int <> 2 THEN 31
			WHEN substr(p, 1, 4)::int % 4 = 0
				AND (substr(p, 1, 4)::int % 100 <> 0
					OR substr(p, 1, 4)::int % 400 = 0) THEN 29
			ELSE 28 END THEN NULL
		ELSE make_date(substr(p, 1, 4)::int, substr(p, 6, 2)::int,
			substr(p, 9, 2)::int) END
$$;

-- A date field: NULL when empty and not required.
CREATE FUNCTION pace.check_date(p text, p_field text,
	p_required boolean DEFAULT false)
RETURNS date LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE v text := btrim(coalesce(p, ''));
BEGIN
	IF v = '' THEN
		IF p_required THEN
			PERFORM pace.fail('PA400', format('%s is required', p_field),
				p_field);
		END IF;
		RETURN NULL;
	END IF;
	IF pace.parse_date(v) IS NULL THEN
		PERFORM pace.fail('PA400',
			format('%s: a date as YYYY-MM-DD, got "%s"', p_field, left(v, 40)),
			p_field);
	END IF;
	RETURN pace.parse_date(v);
END $$;

-- check_at (004) for any bigint: values beyond what a timestamp can hold
-- are refused with the same messages instead of an interval overflow.
CREATE FUNCTION pace.check_at_us(p_org bigint, p_at bigint,
	field text DEFAULT 'at')
RETURNS timestamptz LANGUAGE plpgsql STABLE
SET search_path = pace, pg_catalog AS $$
BEGIN
	IF p_at < 0 THEN
		PERFORM fail('PA400', format('%s is older than the org''s backfill window',
			field), field);
	END IF;
	IF p_at > 4102444800000000 THEN -- 2100-01-01
		PERFORM fail('PA400', format('%s is in the future', field), field);
	END IF;
	RETURN check_at(p_org, p_at, field);
END $$;

-- The bounds check_at applies, in microseconds (for set-based checks).
CREATE FUNCTION pace.at_window(p_org bigint, OUT lo bigint, OUT hi bigint)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT us(now() - o.backfill_days * interval '1 day'),
		us(now() + o.future_skew_s * interval '1 second')
	FROM org o WHERE o.id = p_org
$$;

CREATE FUNCTION pace.is_open_stage(s text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(pace.stage_rank(s) BETWEEN 1 AND 5, false)
$$;

-- A stage name from the wire (lower case), or PA400.
CREATE FUNCTION pace.check_stage(p text, p_field text DEFAULT 'stage')
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE v text := lower(btrim(coalesce(p, '')));
BEGIN
	IF pace.stage_rank(v) IS NULL THEN
		PERFORM pace.fail('PA400', format('unknown stage "%s" (lead, '
			'qualified, proposal, quote, negotiation, won, lost)', left(v, 40)),
			p_field);
	END IF;
	RETURN v;
END $$;

-- A loss reason from the org's list (case-insensitive), in its spelling.
CREATE FUNCTION pace.check_loss_reason(p_org bigint, p text,
	p_field text DEFAULT 'reason')
RETURNS text LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	v text := btrim(coalesce(p, ''));
	v_list text[] := (SELECT o.loss_reasons FROM org o WHERE o.id = p_org);
	v_hit text;
BEGIN
	IF v = '' THEN
		PERFORM fail('PA400', format('%s is required for a lost deal (one of: %s)',
			p_field, array_to_string(v_list, ', ')), p_field);
	END IF;
	SELECT x INTO v_hit FROM unnest(v_list) x WHERE lower(x) = lower(v) LIMIT 1;
	IF v_hit IS NULL THEN
		PERFORM fail('PA400', format('%s "%s" is not one of: %s', p_field,
			left(v, 100), array_to_string(v_list, ', ')), p_field);
	END IF;
	RETURN v_hit;
END $$;

-- A customer or deal by id in a's scope, or PA404 naming p_field. One
-- that exists out of a's scope raises PA4S4 with the very same message:
-- paced answers it as PA404 and audits the probe (server/db/pg_job.c).
CREATE FUNCTION pace.find_customer(a pace.app_user, p_id bigint, p_field text)
RETURNS pace.customer LANGUAGE plpgsql STABLE
SET search_path = pace, pg_catalog AS $$
DECLARE c customer;
BEGIN
	SELECT * INTO c FROM customer x WHERE x.id = p_id AND x.org_id = a.org_id;
	IF NOT FOUND OR NOT sees(a, c.owner_id) THEN
		PERFORM fail(CASE WHEN FOUND THEN 'PA4S4' ELSE 'PA404' END,
			format('no customer %s', coalesce(p_id, 0)), p_field);
	END IF;
	RETURN c;
END $$;

CREATE FUNCTION pace.find_deal(a pace.app_user, p_id bigint, p_field text)
RETURNS pace.opportunity LANGUAGE plpgsql STABLE
SET search_path = pace, pg_catalog AS $$
DECLARE d opportunity;
BEGIN
	SELECT * INTO d FROM opportunity x WHERE x.id = p_id AND x.org_id = a.org_id;
	IF NOT FOUND OR NOT sees(a, d.owner_id) THEN
		PERFORM fail(CASE WHEN FOUND THEN 'PA4S4' ELSE 'PA404' END,
			format('no deal %s', coalesce(p_id, 0)), p_field);
	END IF;
	RETURN d;
END $$;

-- The same for a write that reads, checks and changes the row: it is
-- locked until the commit, so two writers of one deal or customer (a rep
-- and their manager, on two connections or two paced) take turns instead
-- of both passing a check against the same old row.
CREATE FUNCTION pace.lock_customer(a pace.app_user, p_id bigint, p_field text)
RETURNS pace.customer LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
BEGIN
	PERFORM 1 FROM customer x WHERE x.id = p_id AND x.org_id = a.org_id
	FOR UPDATE;
	RETURN find_customer(a, p_id, p_field);
END $$;

CREATE FUNCTION pace.lock_deal(a pace.app_user, p_id bigint, p_field text)
RETURNS pace.opportunity LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
BEGIN
	PERFORM 1 FROM opportunity x WHERE x.id = p_id AND x.org_id = a.org_id
	FOR UPDATE;
	RETURN find_deal(a, p_id, p_field);
END $$;

-- Only the listed fields of an update may change; returns them.
CREATE FUNCTION pace.check_fields(p_fields text[], p_allowed text[])
RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE f text;
BEGIN
	IF coalesce(cardinality(p_fields), 0) = 0 THEN
		PERFORM pace.fail('PA400', format('fields: name what to change (%s)',
			array_to_string(p_allowed, ', ')), 'fields');
	END IF;
	FOREACH f IN ARRAY p_fields LOOP
		IF NOT f = ANY (p_allowed) THEN
			PERFORM pace.fail('PA400', format('fields: "%s" cannot be changed (%s)',
				left(f, 40), array_to_string(p_allowed, ', ')), 'fields');
		END IF;
	END LOOP;
	RETURN p_fields;
END $$;

-- JSON pieces: money and microsecond times as strings.
CREATE FUNCTION pace.j_us(t timestamptz) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT to_jsonb(coalesce(pace.us(t), 0)::text)
$$;

CREATE FUNCTION pace.j_money(v bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT to_jsonb(coalesce(v, 0)::text)
$$;
