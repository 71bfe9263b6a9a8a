-- Pace schema, part 1: the organisation, its people, sessions, idempotency
-- and the audit log. Every object lives in schema `pace`; functions pin
-- their search_path so that nothing in `public` can shadow them.
--
-- Conventions
--   * Money is bigint fen; time on the wire is bigint microseconds (UTC);
--     stored times are timestamptz; dates are in the org's timezone.
--   * Functions report bad requests with SQLSTATE class PA (server/db/db.h):
--     PA400 invalid (DETAIL = the field), PA401 unauthenticated, PA403
--     denied, PA404 not found, PA409 conflict, PA429 limit.
--   * Every write takes (actor, client_op_id, request hash) and goes through
--     op_begin/op_end, so a replay returns the first result and writes nothing.

CREATE SCHEMA IF NOT EXISTS pace;

CREATE TABLE pace.org (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text NOT NULL UNIQUE,
	currency text NOT NULL DEFAULT 'CNY',
	timezone text NOT NULL DEFAULT 'Asia/Shanghai',
	revenue_basis text NOT NULL DEFAULT 'booked'
		CHECK (revenue_basis IN ('booked', 'collected')),
	green_pace numeric NOT NULL DEFAULT 0.8,
	yellow_pace numeric NOT NULL DEFAULT 0.6,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pace.office (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES pace.org,
	name text NOT NULL,
	region text NOT NULL DEFAULT '',
	UNIQUE (org_id, name)
);

CREATE TABLE pace.team (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES pace.org,
	office_id bigint NOT NULL REFERENCES pace.office,
	name text NOT NULL,
	manager_id bigint,
	UNIQUE (org_id, name)
);

CREATE TABLE pace.app_user (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES pace.org,
	team_id bigint REFERENCES pace.team,
	login text NOT NULL UNIQUE,
	name text NOT NULL,
	role text NOT NULL CHECK (role IN ('admin', 'director', 'manager', 'rep')),
	pw_hash text NOT NULL,
	hired_on date,
	region text NOT NULL DEFAULT '',
	active boolean NOT NULL DEFAULT true,
	failed_logins int NOT NULL DEFAULT 0,
	last_failed_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON pace.app_user (team_id);
ALTER TABLE pace.team ADD FOREIGN KEY (manager_id) REFERENCES pace.app_user;

CREATE TABLE pace.session (
	token_hash text PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES pace.app_user,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	revoked_at timestamptz,
	addr text NOT NULL DEFAULT ''
);
CREATE INDEX ON pace.session (user_id);

CREATE TABLE pace.op_log (
	user_id bigint NOT NULL,
	client_op_id uuid NOT NULL,
	req_hash text NOT NULL,
	result jsonb,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, client_op_id)
);

CREATE TABLE pace.audit_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint,
	at timestamptz NOT NULL DEFAULT now(),
	actor_id bigint,
	action text NOT NULL,
	entity text NOT NULL DEFAULT '',
	entity_id bigint,
	before jsonb,
	after jsonb,
	addr text NOT NULL DEFAULT ''
);
CREATE INDEX ON pace.audit_log (org_id, at);

-- Raise a Pace error: code is a PA SQLSTATE, field goes to DETAIL.
CREATE FUNCTION pace.fail(code text, msg text, field text DEFAULT '')
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = code, MESSAGE = msg, DETAIL = field;
END $$;

-- Microseconds since the epoch <-> timestamptz, exactly.
CREATE FUNCTION pace.us(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT (extract(epoch FROM t) * 1000000)::bigint
$$;
CREATE FUNCTION pace.ts(us bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
	SELECT timestamptz 'epoch' + us * interval '1 microsecond'
$$;

-- The acting user, or PA401 if unknown or deactivated.
CREATE FUNCTION pace.actor(p_user bigint) RETURNS pace.app_user
LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE u app_user;
BEGIN
	SELECT * INTO u FROM app_user WHERE id = p_user AND active;
	IF NOT FOUND THEN
		PERFORM fail('PA401', 'session user no longer exists');
	END IF;
	RETURN u;
END $$;

CREATE FUNCTION pace.require_role(u pace.app_user, VARIADIC roles text[])
RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF NOT u.role = ANY (roles) THEN
		PERFORM pace.fail('PA403', format('not allowed for role %s', u.role));
	END IF;
END $$;

-- Validate a free-text field: trimmed, non-empty if required, bounded.
CREATE FUNCTION pace.check_text(val text, field text, maxlen int,
	required boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE v text := btrim(coalesce(val, ''));
BEGIN
	IF required AND v = '' THEN
		PERFORM pace.fail('PA400', format('%s is required', field), field);
	END IF;
	IF char_length(v) > maxlen THEN
		PERFORM pace.fail('PA400',
			format('%s is longer than %s characters', field, maxlen), field);
	END IF;
	IF v ~ '[[:cntrl:]]' THEN
		PERFORM pace.fail('PA400',
			format('%s contains control characters', field), field);
	END IF;
	RETURN v;
END $$;

-- Idempotency. op_begin returns NULL for a new operation (and claims the
-- id), the stored result for a replay of the same request, or raises
-- PA409 when the id was used for a different request. A concurrent first
-- attempt holds the row lock: we wait for it and then see its result.
CREATE FUNCTION pace.op_begin(p_user bigint, p_op text, p_hash text)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	r op_log;
	op uuid;
BEGIN
	BEGIN
		op := p_op::uuid;
	EXCEPTION WHEN invalid_text_representation THEN
		PERFORM fail('PA400', 'client_op_id must be a UUID', 'client_op_id');
	END;
	INSERT INTO op_log (user_id, client_op_id, req_hash)
	VALUES (p_user, op, p_hash) ON CONFLICT DO NOTHING;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	SELECT * INTO r FROM op_log WHERE user_id = p_user AND client_op_id = op;
	IF r.req_hash <> p_hash THEN
		PERFORM fail('PA409',
			'client_op_id was already used for a different request',
			'client_op_id');
	END IF;
	RETURN r.result;
END $$;

CREATE FUNCTION pace.op_end(p_user bigint, p_op text, p_result jsonb)
RETURNS jsonb LANGUAGE sql SET search_path = pace, pg_catalog AS $$
	UPDATE op_log SET result = p_result
	WHERE user_id = p_user AND client_op_id = p_op::uuid;
	SELECT p_result;
$$;

CREATE FUNCTION pace.audit(p_org bigint, p_actor bigint, p_action text,
	p_entity text, p_id bigint, p_before jsonb, p_after jsonb,
	p_addr text DEFAULT '')
RETURNS void LANGUAGE sql SET search_path = pace, pg_catalog AS $$
	INSERT INTO audit_log (org_id, actor_id, action, entity, entity_id,
		before, after, addr)
	VALUES (p_org, p_actor, p_action, p_entity, p_id, p_before, p_after,
		coalesce(p_addr, ''));
$$;
