-- Pace schema: the test clock (paced --test-clock, ClockSet; DESIGN §3).
--
-- Tests need a fixed "now": for elapsed and pace, and also for the checks
-- every write makes against the present (an event time may not be in the
-- future nor older than the backfill window; a receipt is not dated after
-- today; a session expires). ClockSet moves the server's clock and stores
-- the same offset here, and pace.now() below adds it to the transaction
-- time.
--
-- pace.now() shadows pg_catalog.now() in every function declared with
-- SET search_path = pace, pg_catalog (all of Pace's): an unqualified now()
-- there resolves to it. Column defaults (created_at, audit times, change
-- log times) were bound to pg_catalog.now() when their tables were created
-- and keep recording real time. Without a row in test_clock (production:
-- only ClockSet under --test-clock writes one) pace.now() is now().

CREATE TABLE pace.test_clock (
	id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
	offset_us bigint NOT NULL,     -- now = transaction time + offset
	frozen_us bigint,              -- or, when set, always this
	at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE FUNCTION pace.now() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT coalesce((SELECT CASE WHEN c.frozen_us IS NOT NULL
			THEN timestamptz 'epoch' + c.frozen_us * interval '1 microsecond'
			ELSE pg_catalog.now() + c.offset_us * interval '1 microsecond' END
		FROM pace.test_clock c WHERE c.id = 1), pg_catalog.now())
$$;

-- Move "now" by p_offset_us, or hold it at p_frozen_us (not NULL); both
-- 0/NULL: back to the real clock.
CREATE FUNCTION pace.clock_set(p_offset_us bigint, p_frozen_us bigint)
RETURNS bigint LANGUAGE plpgsql SET search_path = pace, pg_catalog AS $$
BEGIN
	IF p_offset_us = 0 AND p_frozen_us IS NULL THEN
		DELETE FROM test_clock;
	ELSE
		INSERT INTO test_clock (id, offset_us, frozen_us)
		VALUES (1, p_offset_us, p_frozen_us)
		ON CONFLICT (id) DO UPDATE SET offset_us = EXCLUDED.offset_us,
			frozen_us = EXCLUDED.frozen_us, at = pg_catalog.now();
	END IF;
	-- Every snapshot depends on now (elapsed, pace).
	PERFORM changed(o.id, NULL) FROM org o;
	RETURN p_offset_us;
END $$;

-- The stored clock (a paced started with --test-clock takes it over).
CREATE FUNCTION pace.clock_get(OUT offset_us bigint, OUT frozen_us bigint)
LANGUAGE sql STABLE AS $$
	SELECT coalesce(c.offset_us, 0), c.frozen_us
	FROM (SELECT 1) one LEFT JOIN pace.test_clock c ON c.id = 1
$$;
