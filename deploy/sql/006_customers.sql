-- Pace schema, part 6: customers (CustomerAdd/Update/Get/List).

CREATE FUNCTION pace.customer_json(p_id bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT jsonb_build_object('id', c.id, 'name', c.name,
		'industry', c.industry, 'size_band', c.size_band,
		'region', c.region, 'owner_id', c.owner_id, 'owner', u.login,
		'created_at', j_us(c.created_at), 'updated_at', j_us(c.updated_at))
	FROM customer c JOIN app_user u ON u.id = c.owner_id
	WHERE c.id = p_id
$$;

CREATE FUNCTION pace.customer_add(p_actor bigint, p_op text, p_hash text,
	p_name text, p_industry text, p_size_band text, p_region text,
	p_owner text, p_at bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	v_name text := check_text(p_name, 'name', 200);
	v_industry text := check_text(p_industry, 'industry', 100, false);
	v_size text := check_text(p_size_band, 'size_band', 100, false);
	v_region text := check_text(p_region, 'region', 100, false);
	v_owner bigint;
	v_at timestamptz;
	v_id bigint;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	v_owner := write_owner(a, p_owner, 'owner', a.id);
	v_at := check_at_us(a.org_id, p_at);
	INSERT INTO customer (org_id, owner_id, name, industry, size_band, region,
		created_at, updated_at)
	VALUES (a.org_id, v_owner, v_name, v_industry, v_size, v_region, v_at, v_at)
	RETURNING customer.id INTO v_id;
	r := customer_json(v_id);
	PERFORM audit(a.org_id, a.id, 'create', 'customer', v_id, NULL, r);
	RETURN op_end(p_actor, p_op, r);
END $$;

CREATE FUNCTION pace.customer_update(p_actor bigint, p_op text, p_hash text,
	p_id bigint, p_fields text[], p_name text, p_industry text,
	p_size_band text, p_region text, p_owner text, p_at bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := capture_op(a, p_op, p_hash);
	v_fields text[];
	c customer;
	v_before jsonb;
	v_user bigint;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	v_fields := check_fields(p_fields,
		ARRAY['name', 'industry', 'size_band', 'region', 'owner']);
	c := lock_customer(a, p_id, 'id');
	PERFORM check_at_us(a.org_id, p_at);
	v_before := customer_json(c.id);
	IF 'name' = ANY (v_fields) THEN
		c.name := check_text(p_name, 'name', 200);
	END IF;
	IF 'industry' = ANY (v_fields) THEN
		c.industry := check_text(p_industry, 'industry', 100, false);
	END IF;
	IF 'size_band' = ANY (v_fields) THEN
		c.size_band := check_text(p_size_band, 'size_band', 100, false);
	END IF;
	IF 'region' = ANY (v_fields) THEN
		c.region := check_text(p_region, 'region', 100, false);
	END IF;
	IF 'owner' = ANY (v_fields) THEN
		IF btrim(coalesce(p_owner, '')) = '' THEN
			PERFORM fail('PA400', 'owner is required', 'owner');
		END IF;
		c.owner_id := write_owner(a, p_owner, 'owner', NULL);
	END IF;
	UPDATE customer x SET name = c.name, industry = c.industry,
		size_band = c.size_band, region = c.region, owner_id = c.owner_id,
		updated_at = now()
	WHERE x.id = c.id;
	r := customer_json(c.id);
	PERFORM audit(a.org_id, a.id, 'update', 'customer', c.id, v_before, r);
	-- The "mix" KPI groups touched customers by these attributes.
	IF v_fields && ARRAY['industry', 'size_band', 'region'] THEN
		FOR v_user IN SELECT DISTINCT t.user_id FROM customer_touch t
			WHERE t.customer_id = c.id LOOP
			PERFORM changed(a.org_id, v_user);
		END LOOP;
	END IF;
	RETURN op_end(p_actor, p_op, r);
END $$;

CREATE FUNCTION pace.customer_get(p_actor bigint, p_id bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	c customer := find_customer(a, p_id, 'id');
BEGIN
	RETURN customer_json(c.id);
END $$;

-- A page of customers in a's scope, by id, as a JSON array.
CREATE FUNCTION pace.customer_list(p_actor bigint, p_owner text,
	p_team text, p_search text, p_limit int, p_after bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	v_limit int := list_limit(p_limit);
	v_owner bigint := filter_user(a, p_owner);
	v_team bigint := filter_team(a, p_team);
	v_search text := lower(btrim(coalesce(p_search, '')));
BEGIN
	IF char_length(v_search) > 200 THEN
		PERFORM fail('PA400', 'search is longer than 200 characters', 'search');
	END IF;
	RETURN (SELECT coalesce(jsonb_agg(x.j ORDER BY x.id), '[]')
	FROM (SELECT c.id, jsonb_build_object('id', c.id, 'name', c.name,
			'industry', c.industry, 'size_band', c.size_band,
			'region', c.region, 'owner_id', c.owner_id, 'owner', u.login,
			'created_at', j_us(c.created_at),
			'updated_at', j_us(c.updated_at)) AS j
		FROM customer c JOIN app_user u ON u.id = c.owner_id
		WHERE c.org_id = a.org_id
			AND sees_row(a, c.owner_id, u.org_id, u.team_id)
			AND c.id > coalesce(p_after, 0)
			AND (v_owner IS NULL OR c.owner_id = v_owner)
			AND (v_team IS NULL OR u.team_id = v_team)
			AND (v_search = '' OR strpos(lower(c.name), v_search) > 0)
		ORDER BY c.id LIMIT v_limit) x);
END $$;
