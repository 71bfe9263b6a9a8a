"""Fault 2: PostgreSQL killed (`pg_ctl stop -m immediate`) in the middle of
a write load, then started again.

Promised: paced stays up (same process) and keeps serving what needs no
database; clients see only retryable errors (UNAVAILABLE, with a retry
hint) while the database is down; nothing uncommitted is acknowledged
(every acknowledged write is in the database afterwards, exactly once);
and once PostgreSQL is back the same clients' writes succeed again,
without restarting paced.
"""

import time

import pytest

import wire
from faults import RETRYABLE, Writer, check_writes, small_org
from pacedproc import poll


@pytest.fixture
def pg_restored(pg):
    yield pg
    if not pg.running:
        pg.start()


def acked(writers):
    return sum(len(w.acked) for w in writers)


def test_postgres_killed_mid_load(paced_factory, pg_restored):
    pg = pg_restored
    srv = paced_factory()
    pid = srv.pid
    reps = small_org(srv.port, 6)
    writers = [Writer(lambda: srv.port, login, cust, "pgk")
               for login, cust in reps]
    for w in writers:
        w.start()
    try:
        assert poll(lambda: acked(writers) >= 150, timeout=60)
        mark = srv.log_mark()
        pg.kill_immediate()
        t_down = time.monotonic()
        # While it is down: retryable answers only, and pings still work.
        with wire.connect(srv.port) as c:
            c.ping()
        assert poll(lambda: sum(w.codes.get("UNAVAILABLE", 0)
                                for w in writers) >= 6, timeout=10), \
            "clients saw no UNAVAILABLE"
        time.sleep(max(0, 2 - (time.monotonic() - t_down)))
        during = acked(writers)
        pg.start()
        assert poll(lambda: acked(writers) >= during + 150, timeout=60), \
            "writes did not resume after PostgreSQL came back"
        assert srv.wait_log(r"db#\d+: connected", start=mark)
    finally:
        for w in writers:
            w.stop()
        for w in writers:
            w.join(timeout=90)
    for w in writers:
        assert not w.is_alive()
        assert not w.unexpected, w.unexpected
        assert set(w.codes) <= set(RETRYABLE), w.codes
    assert srv.alive() and srv.pid == pid
    total = check_writes(srv.psql, writers)
    assert total == acked(writers)
    print("PostgreSQL crash: %d writes, codes seen %s" % (
        total, {k: sum(w.codes.get(k, 0) for w in writers)
                for k in set().union(*(w.codes for w in writers))}))


def next_push(c, timeout):
    """Whether a push arrived within timeout."""
    try:
        return c.recv(timeout).id == 0
    except TimeoutError:
        return False


def test_snapshot_retries_back_off_while_postgres_is_down(paced_factory,
                                                          pg_restored):
    """A subscribed topic whose snapshot fails because PostgreSQL is down
    is retried with a growing wait, with one warning for the episode (not
    one every coalescing window), and pushes resume once it is back."""
    import kpi_pb2
    from pacedproc import ADMIN, ADMIN_PASSWORD
    pg = pg_restored
    srv = paced_factory()
    reps = small_org(srv.port, 2)
    writers = [Writer(lambda: srv.port, login, cust, "bo")
               for login, cust in reps]
    sub = wire.connect(srv.port, ADMIN, ADMIN_PASSWORD, timeout=30)
    f = wire.make("subscribe")
    f.subscribe.scope.CopyFrom(kpi_pb2.Scope(kind=kpi_pb2.SCOPE_ORG))
    wire.expect(sub.call(f), "subscribed")
    for w in writers:
        w.start()
    try:
        assert poll(lambda: acked(writers) >= 50, timeout=60)
        mark = srv.log_mark()
        pg.kill_immediate()
        time.sleep(3)       # 60 coalescing windows of 50 ms
        failed = srv.log_matches(r"push: snapshot of .* failed", start=mark)
        assert 1 <= len(failed) <= 2, failed
        while next_push(sub, 0.2):
            pass        # what was pushed before the database went away
        pg.start()
        assert poll(lambda: srv.log_matches(
            r"push: snapshots computed again", start=mark), timeout=60), \
            "snapshots did not resume"
        assert poll(lambda: next_push(sub, 1), timeout=30), \
            "no push after PostgreSQL came back"
    finally:
        for w in writers:
            w.stop()
        for w in writers:
            w.join(timeout=90)
        sub.close()
