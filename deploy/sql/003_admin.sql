-- Pace schema, part 3: offices, teams and users (administration).

CREATE FUNCTION pace.office_add(p_actor bigint, p_op text, p_hash text,
	p_name text, p_region text)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := op_begin(p_actor, p_op, p_hash);
	v_name text := check_text(p_name, 'name', 100);
	v_region text := check_text(p_region, 'region', 100, false);
	v_id bigint;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	PERFORM require_role(a, 'admin', 'director');
	IF EXISTS (SELECT 1 FROM office WHERE org_id = a.org_id AND name = v_name) THEN
		PERFORM fail('PA409', format('office %s already exists', v_name), 'name');
	END IF;
	INSERT INTO office (org_id, name, region) VALUES (a.org_id, v_name, v_region)
	RETURNING office.id INTO v_id;
	r := jsonb_build_object('id', v_id, 'name', v_name, 'region', v_region);
	PERFORM audit(a.org_id, a.id, 'create', 'office', v_id, NULL, r);
	RETURN op_end(p_actor, p_op, r);
END $$;

CREATE FUNCTION pace.office_list(p_actor bigint)
RETURNS TABLE (id bigint, name text, region text)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT o.id, o.name, o.region FROM office o
	WHERE o.org_id = (actor(p_actor)).org_id ORDER BY o.name
$$;

CREATE FUNCTION pace.team_add(p_actor bigint, p_op text, p_hash text,
	p_name text, p_office text, p_manager text)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := op_begin(p_actor, p_op, p_hash);
	v_name text := check_text(p_name, 'name', 100);
	off office;
	mgr app_user;
	v_id bigint;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	PERFORM require_role(a, 'admin', 'director');
	SELECT * INTO off FROM office
	WHERE org_id = a.org_id AND name = btrim(coalesce(p_office, ''));
	IF NOT FOUND THEN
		PERFORM fail('PA404', format('no office named %s', p_office), 'office');
	END IF;
	IF coalesce(p_manager, '') <> '' THEN
		SELECT * INTO mgr FROM app_user
		WHERE org_id = a.org_id AND login = lower(p_manager) AND active;
		IF NOT FOUND THEN
			PERFORM fail('PA404', format('no user %s', p_manager), 'manager');
		END IF;
		IF mgr.role <> 'manager' THEN
			PERFORM fail('PA400', format('%s is not a manager', p_manager),
				'manager');
		END IF;
	END IF;
	IF EXISTS (SELECT 1 FROM team WHERE org_id = a.org_id AND name = v_name) THEN
		PERFORM fail('PA409', format('team %s already exists', v_name), 'name');
	END IF;
	INSERT INTO team (org_id, office_id, name, manager_id)
	VALUES (a.org_id, off.id, v_name, mgr.id) RETURNING team.id INTO v_id;
	IF mgr.id IS NOT NULL THEN
		UPDATE app_user SET team_id = v_id WHERE app_user.id = mgr.id;
	END IF;
	r := jsonb_build_object('id', v_id, 'name', v_name, 'office_id', off.id,
		'office', off.name, 'manager_id', coalesce(mgr.id, 0),
		'manager', coalesce(mgr.login, ''));
	PERFORM audit(a.org_id, a.id, 'create', 'team', v_id, NULL, r);
	RETURN op_end(p_actor, p_op, r);
END $$;

CREATE FUNCTION pace.team_list(p_actor bigint)
RETURNS TABLE (id bigint, name text, office_id bigint, office text,
	manager_id bigint, manager text)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT t.id, t.name, o.id, o.name, coalesce(m.id, 0), coalesce(m.login, '')
	FROM team t JOIN office o ON o.id = t.office_id
	LEFT JOIN app_user m ON m.id = t.manager_id
	WHERE t.org_id = (actor(p_actor)).org_id ORDER BY o.name, t.name
$$;

CREATE FUNCTION pace.user_add(p_actor bigint, p_op text, p_hash text,
	p_login text, p_name text, p_role text, p_team text, p_pw_hash text,
	p_hired_on text, p_region text)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE
	a app_user := actor(p_actor);
	r jsonb := op_begin(p_actor, p_op, p_hash);
	v_login text := lower(btrim(coalesce(p_login, '')));
	v_name text := check_text(p_name, 'name', 100);
	v_region text := check_text(p_region, 'region', 100, false);
	v_hired date;
	t team;
	v_id bigint;
BEGIN
	IF r IS NOT NULL THEN RETURN r; END IF;
	PERFORM require_role(a, 'admin', 'director');
	IF v_login !~ '^[a-z0-9][a-z0-9_.-]{1,31}$' THEN
		PERFORM fail('PA400',
			'login: 2-32 of a-z 0-9 _ . - starting with a letter or digit',
			'login');
	END IF;
	IF p_role NOT IN ('admin', 'director', 'manager', 'rep') THEN
		PERFORM fail('PA400', 'role: admin, director, manager or rep', 'role');
	END IF;
	IF p_role = 'admin' AND a.role <> 'admin' THEN
		PERFORM fail('PA403', 'only an admin can add an admin', 'role');
	END IF;
	IF coalesce(p_team, '') <> '' THEN
		SELECT * INTO t FROM team WHERE org_id = a.org_id AND name = btrim(p_team);
		IF NOT FOUND THEN
			PERFORM fail('PA404', format('no team named %s', p_team), 'team');
		END IF;
	ELSIF p_role IN ('manager', 'rep') THEN
		PERFORM fail('PA400', format('a %s needs a team', p_role), 'team');
	END IF;
	IF coalesce(p_hired_on, '') <> '' THEN
		BEGIN
			v_hired := to_date(p_hired_on, 'YYYY-MM-DD');
			IF to_char(v_hired, 'YYYY-MM-DD') <> p_hired_on THEN
				RAISE invalid_datetime_format;
			END IF;
		EXCEPTION WHEN OTHERS THEN
			PERFORM fail('PA400', 'hired_on: a date as YYYY-MM-DD', 'hired_on');
		END;
		IF v_hired > current_date + 366 OR v_hired < date '1950-01-01' THEN
			PERFORM fail('PA400', 'hired_on is out of range', 'hired_on');
		END IF;
	END IF;
	IF EXISTS (SELECT 1 FROM app_user WHERE login = v_login) THEN
		PERFORM fail('PA409', format('login %s is taken', v_login), 'login');
	END IF;
	INSERT INTO app_user (org_id, team_id, login, name, role, pw_hash,
		hired_on, region)
	VALUES (a.org_id, t.id, v_login, v_name, p_role, p_pw_hash, v_hired,
		v_region)
	RETURNING app_user.id INTO v_id;
	IF p_role = 'manager' AND t.id IS NOT NULL AND t.manager_id IS NULL THEN
		UPDATE team SET manager_id = v_id WHERE team.id = t.id;
	END IF;
	r := jsonb_build_object('id', v_id, 'login', v_login, 'name', v_name,
		'role', p_role, 'team_id', coalesce(t.id, 0),
		'team', coalesce(t.name, ''),
		'hired_on', coalesce(to_char(v_hired, 'YYYY-MM-DD'), ''),
		'region', v_region, 'active', true);
	PERFORM audit(a.org_id, a.id, 'create', 'user', v_id, NULL, r);
	RETURN op_end(p_actor, p_op, r);
END $$;

CREATE FUNCTION pace.user_list(p_actor bigint, p_team text)
RETURNS TABLE (id bigint, login text, name text, role text, team_id bigint,
	team text, hired_on text, region text, active boolean)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT u.id, u.login, u.name, u.role, coalesce(u.team_id, 0),
		coalesce(t.name, ''), coalesce(to_char(u.hired_on, 'YYYY-MM-DD'), ''),
		u.region, u.active
	FROM app_user u LEFT JOIN team t ON t.id = u.team_id
	WHERE u.org_id = (actor(p_actor)).org_id
		AND (coalesce(p_team, '') = '' OR t.name = p_team)
	ORDER BY coalesce(t.name, ''), u.role, u.login
$$;
