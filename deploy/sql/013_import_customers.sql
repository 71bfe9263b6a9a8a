-- Pace schema, part 13: importing customers.
-- Columns: name, industry, size_band, region, owner, at (docs/import.md).
-- Every row creates a customer (an import never updates one); owner empty
-- = the importer. Customers have no rollups: nothing is marked changed.

CREATE FUNCTION pace.import_customers(a pace.app_user, b pace.import_batch)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	o org;
	w record;
	v_seq regclass := pg_get_serial_sequence('pace.customer', 'id')::regclass;
	e record;
	v_applied bigint;
BEGIN
	SELECT * INTO o FROM org x WHERE x.id = a.org_id;
	SELECT * INTO w FROM at_window(a.org_id);
	IF to_regclass('pg_temp.imp_cust') IS NOT NULL THEN
		DROP TABLE pg_temp.imp_cust;
	END IF;
	CREATE TEMP TABLE imp_cust ON COMMIT DROP AS
	WITH s AS (
		SELECT x.line, x.op, x.hash, x.err AS op_err, x.existing,
			cardinality(x.cells) AS ncells,
			btrim(coalesce(x.cells[1], '')) AS c_name,
			btrim(coalesce(x.cells[2], '')) AS c_industry,
			btrim(coalesce(x.cells[3], '')) AS c_size,
			btrim(coalesce(x.cells[4], '')) AS c_region,
			lower(btrim(coalesce(x.cells[5], ''))) AS c_owner,
			btrim(coalesce(x.cells[6], '')) AS c_at,
			to_int8(x.cells[6]) AS n_at
		FROM imp_src x),
	j AS (
		SELECT s.*, u.id AS u_id, u.org_id AS u_org, u.team_id AS u_team
		FROM s LEFT JOIN app_user u ON s.c_owner <> ''
			AND u.org_id = a.org_id AND u.login = s.c_owner AND u.active)
	SELECT j.line, j.op, j.hash, j.existing, j.c_name AS name,
		j.c_industry AS industry, j.c_size AS size_band, j.c_region AS region,
		CASE WHEN j.c_owner = '' THEN a.id ELSE j.u_id END AS owner_id,
		cell_at(j.c_at, j.n_at, w.lo, w.hi) AS at,
		CASE WHEN j.op_err IS NOT NULL THEN j.op_err
		WHEN j.existing THEN NULL
		ELSE coalesce(
			CASE WHEN j.ncells > 6 THEN ARRAY['line', format('%s cells: '
				'customers have 6 (name, industry, size_band, region, owner, '
				'at)', j.ncells)] END,
			cell_text_err(j.c_name, 'name', 200, true),
			cell_text_err(j.c_industry, 'industry', 100),
			cell_text_err(j.c_size, 'size_band', 100),
			cell_text_err(j.c_region, 'region', 100),
			CASE WHEN j.c_owner = '' THEN NULL
				WHEN j.u_id IS NULL THEN
					ARRAY['owner', format('no user %s', left(j.c_owner, 64))]
				WHEN NOT sees_row(a, j.u_id, j.u_org, j.u_team) THEN
					ARRAY['owner', format('not allowed to write for %s',
						j.c_owner)] END,
			cell_at_err(j.c_at, j.n_at, 'at', w.lo, w.hi, o.backfill_days))
		END AS err
	FROM j;

	SELECT * INTO e FROM import_errors('pg_temp.imp_cust');
	IF e.n_bad > 0 AND NOT b.skip_bad THEN
		RETURN import_result(false, 0, e.n_existing, e.n_bad, e.errors);
	END IF;

	IF to_regclass('pg_temp.imp_cust_new') IS NOT NULL THEN
		DROP TABLE pg_temp.imp_cust_new;
	END IF;
	CREATE TEMP TABLE imp_cust_new ON COMMIT DROP AS
	SELECT nextval(v_seq) AS id, x.*
	FROM imp_cust x WHERE x.err IS NULL AND NOT x.existing;
	SELECT count(*) INTO v_applied FROM imp_cust_new;

	INSERT INTO customer (id, org_id, owner_id, name, industry, size_band,
		region, created_at, updated_at)
	OVERRIDING SYSTEM VALUE
	SELECT n.id, a.org_id, n.owner_id, n.name, n.industry, n.size_band,
		n.region, n.at, n.at
	FROM imp_cust_new n;
	INSERT INTO op_log (user_id, client_op_id, req_hash, result)
	SELECT a.id, n.op, n.hash, jsonb_build_object('id', n.id, 'line', n.line)
	FROM imp_cust_new n;
	INSERT INTO audit_log (org_id, actor_id, action, entity, entity_id, after)
	SELECT a.org_id, a.id, 'import', 'customer', n.id,
		jsonb_build_object('import_id', b.id, 'line', n.line, 'name', n.name,
			'industry', n.industry, 'size_band', n.size_band,
			'region', n.region, 'owner_id', n.owner_id,
			'created_at', us(n.at)::text)
	FROM imp_cust_new n;
	RETURN import_result(true, v_applied, e.n_existing, e.n_bad, e.errors);
END $$;
