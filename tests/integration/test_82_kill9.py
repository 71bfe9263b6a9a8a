"""Fault 1: `kill -9` of paced while clients write.

Six reps log activities as fast as paced answers, each write with its own
client_op_id and re-sent (byte for byte) until answered. paced is killed
with SIGKILL in the middle of the load and a new paced is started on the
same database; the clients reconnect to it and re-send what was in flight.

Promised: every acknowledged write is stored exactly once, with the id it
was answered with; writes re-sent after the crash are not doubled (whether
the first copy had been committed or not); nothing unacknowledged is left
half-written (every stored row belongs to a write its client knows).
"""

import signal
import time

from faults import Writer, check_writes, small_org
from pacedproc import Paced, poll


def acked(writers):
    return sum(len(w.acked) for w in writers)


def test_kill9_during_writes(paced_factory):
    srv = paced_factory(expect_exit=None)     # it dies by SIGKILL
    reps = small_org(srv.port, 6)
    where = {"port": srv.port}
    writers = [Writer(lambda: where["port"], login, cust, "k9")
               for login, cust in reps]
    for w in writers:
        w.start()
    assert poll(lambda: acked(writers) >= 150, timeout=60), \
        "no load: %d writes acknowledged" % acked(writers)

    before = {w.login: dict(w.acked) for w in writers}
    srv.signal(signal.SIGKILL)
    assert srv.wait(timeout=10) == -signal.SIGKILL
    n_before = sum(len(a) for a in before.values())
    time.sleep(0.5)            # clients see the connection die, and retry

    again = Paced(srv.conninfo, logpath=(srv.logpath or "paced") + ".2")
    again.start()
    try:
        where["port"] = again.port
        # The load goes on against the new server for a while.
        assert poll(lambda: acked(writers) >= n_before + 150, timeout=60), \
            "no progress after the restart"
        for w in writers:
            w.stop()
        for w in writers:
            w.join(timeout=90)
            assert not w.is_alive(), "a writer is stuck"
            assert not w.unexpected, w.unexpected
        # Writes in flight at the crash were re-sent.
        assert sum(w.retries for w in writers) >= 1
        # Nothing acknowledged before the crash was lost or changed.
        for w in writers:
            for oid, ans in before[w.login].items():
                assert w.acked[oid] == ans
        total = check_writes(srv.psql, writers)
        assert total == acked(writers)
        print("kill -9: %d writes acknowledged before the crash, %d in "
              "all, %d re-sent; codes seen: %s" % (
                  n_before, total, sum(w.retries for w in writers),
                  {k: sum(w.codes.get(k, 0) for w in writers)
                   for k in set().union(*(w.codes for w in writers))}))
    finally:
        for w in writers:
            w.stop()
        assert again.check_exit() == 0
