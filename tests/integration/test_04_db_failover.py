"""PostgreSQL going away under a running paced: requests that need the
database answer UNAVAILABLE, the server stays up, and once PostgreSQL is
back the same connections work again without restarting paced."""

import pytest

from pacedproc import ADMIN, ADMIN_PASSWORD, poll
from wire import Client, connect, expect, expect_error


@pytest.fixture
def pg_restored(pg):
    """Whatever the test does to PostgreSQL, it runs again afterwards."""
    yield pg
    if not pg.running:
        pg.start()


def reconnects_failed(paced, mark, pool):
    """Since mark, every pool connection was lost, and there were at least
    as many failed reconnects as connections."""
    lost = paced.log_matches(r"(db#\d+): connection lost", start=mark)
    return {m.group(1) for m in lost} >= pool and len(lost) >= 2 * len(pool)


def office_list_works(c):
    r = c.rpc("office_list")
    return r if r.WhichOneof("body") == "office_list_reply" else None


@pytest.mark.parametrize("how", ["stop", "kill_immediate"])
def test_database_down_and_back(paced, pg_restored, how):
    pg = pg_restored
    c = connect(paced.port, ADMIN, ADMIN_PASSWORD)
    with c:
        expect(c.rpc("office_list"), "office_list_reply")
        pid = paced.pid
        mark = paced.log_mark()
        pool = {m.group(1) for m in
                paced.log_matches(r"(db#\d+): connected", end=mark)}
        assert pool

        getattr(pg, how)()

        # A request that needs the database: UNAVAILABLE, retry later.
        err = expect_error(c.rpc("office_list"), "UNAVAILABLE")
        assert err.retry_after_ms > 0
        err = expect_error(c.rpc("user_list"), "UNAVAILABLE")
        # One that does not is still served.
        c.ping()
        # New clients are still accepted; a login cannot be checked now,
        # and says so (it is not a wrong password).
        with Client(paced.port) as c2:
            expect(c2.hello(), "welcome")
            c2.ping()
            expect_error(c2.login(ADMIN, ADMIN_PASSWORD), "UNAVAILABLE")
        assert paced.alive()
        # Let every pool connection try to reconnect, and fail, before
        # PostgreSQL comes back: recovery must come from the retries.
        assert poll(lambda: reconnects_failed(paced, mark, pool),
                    timeout=10), "no failed reconnect attempts seen"

        pg.start()
        # The same connection works again, without restarting paced.
        assert poll(lambda: office_list_works(c), timeout=10, step=0.05), \
            "OfficeList still failing 10 s after PostgreSQL came back"
        assert paced.alive() and paced.pid == pid
        c.ping()
    # And logging in works again too.
    with connect(paced.port, ADMIN, ADMIN_PASSWORD) as c3:
        expect(c3.rpc("whoami"), "identity")
