"""Issue 5: a subscriber that never reads is disconnected at its output
limit (--outbuf-hard-bytes), while 100 others, who read, keep receiving
every update (STYLE R15: one slow client never stalls the others).

The slow one follows its team for 60 different periods with a tiny
receive buffer and never reads: each write queues 60 snapshots for it.
The 100 readers follow their own team for the current month.
"""

import select
import socket
import time

import wire
from kpi_org import PASSWORD, KpiOrg, make, next_push, scope
from wire import expect

LIMIT = 32768
READERS = 100


def periods(n):
    """n distinct periods: the 12 months of 2026, its 4 quarters, its
    weeks."""
    out = ["2026"] + ["2026Q%d" % q for q in range(1, 5)]
    out += ["2026-%02d" % m for m in range(1, 13)]
    out += ["2026-W%02d" % w for w in range(1, 54)]
    return out[:n]


def test_slow_subscriber_dropped_others_unaffected(paced_factory):
    srv = paced_factory(extra=("--outbuf-hard-bytes", str(LIMIT),
                               "--outbuf-soft-bytes", str(LIMIT),
                               "--outbuf-soft-seconds", "60",
                               "--push-coalesce-ms", "0",
                               "--max-subscriptions-per-client", "64",
                               "--rate-limit-rps", "0"))
    org = KpiOrg(srv, offices=[("HQ", "")], teams=[("A", "HQ")],
                 people=[("ma", "MANAGER", "A", {}), ("r1", "REP", "A", {})])
    readers = []
    try:
        # The slow one: a small receive buffer, many topics, never reads.
        slow = wire.Client(srv.port)
        slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        expect(slow.hello(), "welcome")
        expect(slow.login(org.login("ma"), PASSWORD), "login_ok")
        for p in periods(60):
            expect(slow.call(make("subscribe", scope=scope("team"),
                                  period=p)), "subscribed")
        # The readers.
        for _ in range(READERS):
            c = wire.connect(srv.port, org.login("ma"), PASSWORD, timeout=30)
            expect(c.call(make("subscribe", scope=scope("team"))),
                   "subscribed")
            readers.append(c)
        for c in readers:
            assert next_push(c, 10).snapshot.followups_total == 0
        cust = org.customer("r1", "Busy Co")
        mark = srv.log_mark()
        writes = 0
        latest = {c: 0 for c in readers}
        deadline = time.monotonic() + 60
        dropped = None
        # Write until the slow one is dropped (and a few more), reading
        # the readers' sockets as we go.
        while time.monotonic() < deadline:
            org.activity("r1", "call", cust, 0)
            writes += 1
            read_some(readers, latest)
            if dropped is None and srv.wait_log(r"too far behind",
                                                timeout=0.01, start=mark):
                dropped = writes
            if dropped is not None and writes >= dropped + 5:
                break
        assert dropped is not None, "the slow subscriber was never dropped"
        m = srv.wait_log(r"ma\w*: closed: too far behind \((\d+) bytes",
                         timeout=1, start=mark)
        assert m and int(m.group(1)) <= LIMIT, m
        # It is gone: its socket ends (after what the kernel held).
        assert slow.is_closed(timeout=10)
        # Every reader got the final number and is still connected.
        t_end = time.monotonic() + 15
        while time.monotonic() < t_end and \
                any(v != writes for v in latest.values()):
            read_some(readers, latest)
        assert all(v == writes for v in latest.values()), \
            sorted(set(latest.values()))
        assert len(srv.log_matches(r"too far behind", start=mark)) == 1
        for c in readers:
            c.ping()
    finally:
        for c in readers:
            c.close()
        org.close()


def read_some(readers, latest, wait=0.0):
    """Read whatever the readers have; note each one's latest count."""
    ready, _, _ = select.select([c.sock for c in readers], [], [], wait)
    by_sock = {c.sock: c for c in readers}
    for s in ready:
        c = by_sock[s]
        try:
            while True:
                p = next_push(c, 0.001)
                if p.WhichOneof("body") == "snapshot":
                    latest[c] = max(latest[c], p.snapshot.followups_total)
        except TimeoutError:
            pass
