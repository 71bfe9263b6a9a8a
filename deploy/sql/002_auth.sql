-- Pace schema, part 2: logins, sessions and the first organisation.

-- What a session acts as (pace.v1.Identity).
CREATE FUNCTION pace.identity_of(p_user bigint)
RETURNS TABLE (user_id bigint, login text, name text, role text,
	team_id bigint, team text, org_id bigint, org text, currency text,
	timezone text)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT u.id, u.login, u.name, u.role, u.team_id, coalesce(t.name, ''),
		o.id, o.name, o.currency, o.timezone
	FROM app_user u
	JOIN org o ON o.id = u.org_id
	LEFT JOIN team t ON t.id = u.team_id
	WHERE u.id = p_user AND u.active
$$;

-- Look a login up for a password check. retry_after_ms > 0 when the
-- account has failed too often recently: the caller must not even check.
-- Backoff: after max_failures in a row, 2^(n - max_failures) seconds,
-- capped at backoff_max_s.
CREATE FUNCTION pace.login_lookup(p_login text, p_max_failures int,
	p_backoff_max_s int)
RETURNS TABLE (user_id bigint, pw_hash text, retry_after_ms bigint)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT u.id, u.pw_hash,
		CASE WHEN u.failed_logins < p_max_failures THEN 0
		ELSE greatest(0, pace.us(u.last_failed_at
			+ least(p_backoff_max_s,
				power(2, least(u.failed_logins - p_max_failures, 30)))
			* interval '1 second') - pace.us(now())) / 1000
		END::bigint
	FROM app_user u
	WHERE u.login = lower(p_login) AND u.active
$$;

-- Record a failed login (user may be NULL for an unknown login).
CREATE FUNCTION pace.login_failed(p_user bigint, p_login text, p_addr text)
RETURNS TABLE (failed_logins int)
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
#variable_conflict use_column
DECLARE n int := 0; o bigint;
BEGIN
	IF p_user IS NOT NULL THEN
		UPDATE app_user SET failed_logins = app_user.failed_logins + 1,
			last_failed_at = now()
		WHERE id = p_user RETURNING app_user.failed_logins, org_id
		INTO n, o;
	END IF;
	PERFORM audit(o, p_user, 'login_failed', 'user', p_user, NULL,
		jsonb_build_object('login', left(p_login, 64)), p_addr);
	RETURN QUERY SELECT n;
END $$;

-- Create a session after a good password; resets the failure count.
CREATE FUNCTION pace.session_create(p_user bigint, p_token_hash text,
	p_ttl_hours int, p_addr text)
RETURNS TABLE (user_id bigint, login text, name text, role text,
	team_id bigint, team text, org_id bigint, org text, currency text,
	timezone text, expires_at bigint)
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
#variable_conflict use_column
DECLARE exp timestamptz := now() + p_ttl_hours * interval '1 hour'; o bigint;
BEGIN
	UPDATE app_user SET failed_logins = 0 WHERE id = p_user
	RETURNING org_id INTO o;
	INSERT INTO session (token_hash, user_id, expires_at, addr)
	VALUES (p_token_hash, p_user, exp, p_addr);
	PERFORM audit(o, p_user, 'login', 'user', p_user, NULL, NULL, p_addr);
	RETURN QUERY SELECT i.*, us(exp) FROM identity_of(p_user) i;
END $$;

CREATE FUNCTION pace.session_resume(p_token_hash text)
RETURNS TABLE (user_id bigint, login text, name text, role text,
	team_id bigint, team text, org_id bigint, org text, currency text,
	timezone text, expires_at bigint)
LANGUAGE sql STABLE SET search_path = pace, pg_catalog AS $$
	SELECT i.*, us(s.expires_at)
	FROM session s, identity_of(s.user_id) i
	WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL
		AND s.expires_at > now()
$$;

CREATE FUNCTION pace.session_revoke(p_user bigint, p_token_hash text,
	p_addr text)
RETURNS TABLE (revoked int)
LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
#variable_conflict use_column
DECLARE n int; o bigint;
BEGIN
	UPDATE session SET revoked_at = now()
	WHERE token_hash = p_token_hash AND session.user_id = p_user
		AND revoked_at IS NULL;
	GET DIAGNOSTICS n = ROW_COUNT;
	SELECT org_id INTO o FROM app_user WHERE id = p_user;
	PERFORM audit(o, p_user, 'logout', 'session', NULL, NULL, NULL, p_addr);
	RETURN QUERY SELECT n;
END $$;

-- A security event seen by the server (throttling, denials).
CREATE FUNCTION pace.security_event(p_user bigint, p_action text,
	p_detail text, p_addr text)
RETURNS TABLE (ok int)
LANGUAGE sql SET search_path = pace, pg_catalog AS $$
	SELECT audit((SELECT org_id FROM app_user WHERE id = p_user), p_user,
		p_action, 'security', NULL, NULL,
		jsonb_build_object('detail', left(p_detail, 200)), p_addr);
	SELECT 1;
$$;

-- paced init: the organisation and its first admin, once.
CREATE FUNCTION pace.init_org(p_name text, p_login text, p_pw_hash text)
RETURNS bigint LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
DECLARE o bigint; u bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(7420001);
	IF EXISTS (SELECT 1 FROM org) THEN
		PERFORM fail('PA409', format('already initialised (organisation %s)',
			(SELECT name FROM org ORDER BY id LIMIT 1)));
	END IF;
	INSERT INTO org (name) VALUES (check_text(p_name, 'org', 100))
	RETURNING id INTO o;
	IF lower(p_login) !~ '^[a-z0-9][a-z0-9_.-]{1,31}$' THEN
		PERFORM fail('PA400',
			'login: 2-32 of a-z 0-9 _ . - starting with a letter or digit',
			'admin');
	END IF;
	INSERT INTO app_user (org_id, login, name, role, pw_hash)
	VALUES (o, lower(p_login), lower(p_login), 'admin', p_pw_hash)
	RETURNING id INTO u;
	PERFORM audit(o, u, 'init', 'org', o, NULL,
		jsonb_build_object('name', p_name, 'admin', p_login));
	RETURN o;
END $$;
