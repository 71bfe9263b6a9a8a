-- Pace schema, part 12: bulk import (ImportBegin/Rows/Commit).
--
-- ImportBegin opens a batch owned by the importing user; ImportRows stages
-- CSV rows in import_row (cells as text, in the documented column order of
-- the kind, docs/import.md); ImportCommit validates every staged row
-- set-based (013-016), and then either stores nothing (an error and no
-- skip_bad: committed = false with the errors) or applies every good row
-- in the same transaction. Each row carries its own op id, recorded in
-- op_log like any write: a row whose op id is already there (same
-- content) counts as `existing` and is not applied again.
--
-- Per kind, import_<kind>(a, b) builds the temp table of parsed rows with
-- an `err` text[2] (field, message) per bad row, and applies the good
-- ones with one statement per table: rollups are aggregated per user and
-- day, changed() is called once per affected user.

CREATE TABLE pace.import_batch (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES pace.org,
	user_id bigint NOT NULL REFERENCES pace.app_user,
	kind text NOT NULL
		CHECK (kind IN ('customers', 'deals', 'activities', 'payments')),
	skip_bad boolean NOT NULL,
	state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
	nrows int NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON pace.import_batch (user_id, state);

CREATE TABLE pace.import_row (
	import_id bigint NOT NULL REFERENCES pace.import_batch ON DELETE CASCADE,
	line int NOT NULL,
	op_id uuid,              -- NULL: the client's was not a UUID
	cells text[] NOT NULL,
	PRIMARY KEY (import_id, line)
);

-- Open imports a user may have at once; staged rows per import.
CREATE FUNCTION pace.import_limits(OUT max_open int, OUT max_rows int)
LANGUAGE sql IMMUTABLE AS $$ SELECT 16, 1000000 $$;

-- The batch of an import call: the actor's own, still open; else PA404
-- (PA409 once committed). Locked, so that rows staged and a commit of the
-- same import are ordered: a commit sees every row staged before it, and
-- rows sent after it are refused.
CREATE FUNCTION pace.import_find(a pace.app_user, p_id bigint)
RETURNS pace.import_batch LANGUAGE plpgsql
SET search_path = pace, pg_catalog AS $$
DECLARE b import_batch;
BEGIN
	SELECT * INTO b FROM import_batch x WHERE x.id = p_id AND x.user_id = a.id
	FOR UPDATE;
	IF NOT FOUND THEN
		-- Another user's batch: the same answer, audited (PA4S4, 005).
		PERFORM fail(CASE WHEN EXISTS (SELECT 1 FROM import_batch x
				WHERE x.id = p_id) THEN 'PA4S4' ELSE 'PA404' END,
			format('no import %s', coalesce(p_id, 0)), 'import_id');
	END IF;
	IF b.state <> 'open' THEN
		PERFORM fail('PA409', format('import %s is already committed', b.id),
			'import_id');
	END IF;
	RETURN b;
END $$;

CREATE FUNCTION pace.import_begin(p_actor bigint, p_op text, p_hash text,
	p_kind text, p_skip_bad boolean)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	v_id bigint;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	IF coalesce(p_kind, '') NOT IN ('customers', 'deals', 'activities',
		'payments') THEN
		PERFORM fail('PA400', 'kind: customers, deals, activities or payments',
			'kind');
	END IF;
	-- Imports left open for six hours (a client that crashed) are dropped
	-- with their rows, as are finished ones of more than a day.
	DELETE FROM import_batch x WHERE x.user_id = a.id
		AND x.created_at < now() - CASE x.state WHEN 'open'
			THEN interval '6 hours' ELSE interval '1 day' END;
	IF (SELECT count(*) FROM import_batch x WHERE x.user_id = a.id
		AND x.state = 'open') >= (import_limits()).max_open THEN
		PERFORM fail('PA429', format('at most %s imports in progress at once',
			(import_limits()).max_open), 'kind');
	END IF;
	INSERT INTO import_batch (org_id, user_id, kind, skip_bad)
	VALUES (a.org_id, a.id, p_kind, coalesce(p_skip_bad, false))
	RETURNING import_batch.id INTO v_id;
	r := jsonb_build_object('import_id', v_id);
	RETURN op_end(p_actor, p_op, r);
END $$;

-- p_rows: [[line, "op id", ["cell", ...]], ...], op id a UUID or "" (the
-- handler checks the form, server/handlers/import.c). A line staged twice
-- keeps its first version (a re-sent frame changes nothing). Returns the
-- number of rows staged so far.
CREATE FUNCTION pace.import_rows(p_actor bigint, p_import bigint,
	p_rows jsonb)
RETURNS bigint LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	b import_batch := import_find(a, p_import);
	v_n int;
BEGIN
	IF b.nrows + jsonb_array_length(p_rows) > (import_limits()).max_rows THEN
		PERFORM fail('PA429', format('an import holds at most %s rows',
			(import_limits()).max_rows), 'rows');
	END IF;
	INSERT INTO import_row (import_id, line, op_id, cells)
	SELECT b.id, (e->>0)::int, nullif(e->>1, '')::uuid,
		ARRAY(SELECT jsonb_array_elements_text(e->2))
	FROM jsonb_array_elements(p_rows) e
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	UPDATE import_batch x SET nrows = x.nrows + v_n WHERE x.id = b.id
	RETURNING x.nrows INTO v_n;
	RETURN v_n;
END $$;

-- Step 1 of every kind: the staged rows with their op id checked, in temp
-- table imp_src (line, cells, op, hash, err, existing).
CREATE FUNCTION pace.import_stage(a pace.app_user, b pace.import_batch)
RETURNS void LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
BEGIN
	IF to_regclass('pg_temp.imp_src') IS NOT NULL THEN
		DROP TABLE pg_temp.imp_src;
	END IF;
	CREATE TEMP TABLE imp_src ON COMMIT DROP AS
	SELECT r.line, r.cells, u.op, u.hash,
		CASE WHEN u.op IS NULL THEN ARRAY['op_id', 'op_id must be a UUID']
		WHEN row_number() OVER (PARTITION BY u.op ORDER BY r.line) > 1 THEN
			ARRAY['op_id', 'op_id repeats the one of an earlier line']
		WHEN l.req_hash IS NOT NULL AND l.req_hash <> u.hash THEN
			ARRAY['op_id', 'op_id was already used for a different row']
		END AS err,
		coalesce(l.req_hash = u.hash, false) AS existing
	FROM import_row r
	CROSS JOIN LATERAL (SELECT r.op_id AS op,
		md5(b.kind || ':' || r.cells::text) AS hash) u
	LEFT JOIN op_log l ON l.user_id = a.id AND l.client_op_id = u.op
	WHERE r.import_id = b.id;
END $$;

-- Last step of every kind: the errors of temp table p_tab (bad rows have
-- err set), and the answer when nothing is to be stored.
CREATE FUNCTION pace.import_errors(p_tab regclass, OUT n_bad bigint,
	OUT n_existing bigint, OUT errors jsonb)
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
BEGIN
	EXECUTE format('SELECT count(*) FILTER (WHERE err IS NOT NULL),
		count(*) FILTER (WHERE err IS NULL AND existing),
		(SELECT coalesce(jsonb_agg(jsonb_build_object(''line'', e.line,
			''field'', e.err[1], ''message'', e.err[2]) ORDER BY e.line), ''[]'')
		 FROM (SELECT line, err FROM %1$s WHERE err IS NOT NULL
			ORDER BY line LIMIT 1000) e)
		FROM %1$s', p_tab)
	INTO n_bad, n_existing, errors;
END $$;

CREATE FUNCTION pace.import_result(p_committed boolean, p_applied bigint,
	p_existing bigint, p_rejected bigint, p_errors jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT jsonb_build_object('committed', p_committed,
		'applied', p_applied::text, 'existing', p_existing::text,
		'rejected', p_rejected::text, 'errors', p_errors)
$$;

-- Cell checks shared by the kinds: NULL when fine, else {field, message}.
-- STABLE (format() is) so that the planner inlines them; numbers come
-- parsed (n = to_int8(v)) so each cell is parsed once.
CREATE FUNCTION pace.cell_text_err(v text, p_field text, p_max int,
	p_required boolean DEFAULT false)
RETURNS text[] LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN p_required AND v = '' THEN
			ARRAY[p_field, p_field || ' is required']
		WHEN char_length(v) > p_max THEN
			ARRAY[p_field, format('%s is longer than %s characters', p_field, p_max)]
		WHEN v ~ '[[:cntrl:]]' THEN
			ARRAY[p_field, p_field || ' contains control characters']
		END
$$;

-- A time cell: empty = now, else microseconds within the org's window.
CREATE FUNCTION pace.cell_at_err(v text, n bigint, p_field text, lo bigint,
	hi bigint, p_days int)
RETURNS text[] LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN v = '' THEN NULL
		WHEN n IS NULL THEN
			ARRAY[p_field, p_field || ': microseconds since the epoch, or empty for now']
		WHEN n > hi THEN ARRAY[p_field, p_field || ' is in the future']
		WHEN n < lo THEN ARRAY[p_field, format(
			'%s is older than %s days (the org''s backfill window)', p_field, p_days)]
		END
$$;

-- (pace.ts spelled out: as a call it is not inlined, and costs a
-- function call per cell.)
CREATE FUNCTION pace.cell_at(v text, n bigint, lo bigint, hi bigint)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN v = '' THEN now()
		WHEN n BETWEEN lo AND hi
		THEN timestamptz 'epoch' + n * interval '1 microsecond' END
$$;

-- A money cell: 0 < n <= 10^15 (0 or empty allowed with p_zero_ok).
CREATE FUNCTION pace.cell_amount_err(v text, n bigint, p_field text,
	p_zero_ok boolean DEFAULT false)
RETURNS text[] LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN v = '' AND p_zero_ok THEN NULL
		WHEN n IS NULL THEN ARRAY[p_field, p_field || ': a whole number of fen']
		WHEN n < 0 THEN ARRAY[p_field, p_field || ' must not be negative']
		WHEN n = 0 AND NOT p_zero_ok THEN
			ARRAY[p_field, p_field || ' must be more than 0']
		WHEN n > 1000000000000000 THEN
			ARRAY[p_field, p_field || ' is too large (at most 10^15 fen)']
		END
$$;

CREATE FUNCTION pace.import_commit(p_actor bigint, p_op text, p_hash text,
	p_import bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	b import_batch;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	b := import_find(a, p_import);
	PERFORM import_stage(a, b);
	CASE b.kind
	WHEN 'customers' THEN r := import_customers(a, b);
	WHEN 'deals' THEN r := import_deals(a, b);
	WHEN 'activities' THEN r := import_activities(a, b);
	WHEN 'payments' THEN r := import_payments(a, b);
	END CASE;
	UPDATE import_batch x SET state = 'done' WHERE x.id = b.id;
	DELETE FROM import_row x WHERE x.import_id = b.id;
	PERFORM audit(a.org_id, a.id, 'import', b.kind, b.id, NULL,
		(r - 'errors') || jsonb_build_object('rows', b.nrows,
			'skip_bad', b.skip_bad));
	RETURN op_end(p_actor, p_op, r);
END $$;
