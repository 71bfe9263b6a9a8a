"""Issue 5: a subscriber that never reads is disconnected at its output
limit (--outbuf-hard-bytes), while 100 others, who read, keep receiving
every update (STYLE R15: one slow client never stalls the others).

The kernel takes the first few megabytes a client does not read (the
server's send buffer grows to tcp_wmem's maximum, 4 MiB here), so the slow
one is made to cost a lot: it follows 30 topics that every write changes
(five scopes by six periods that contain "now"), each snapshot listing 150
customers in its mix, and it never reads, with a small receive buffer. The
100 readers follow the team for the current month.
"""

import select
import socket
import time

import wire
from kpi_org import (PASSWORD, KpiOrg, cst, make, next_push, scope,
                     set_clock)
from wire import expect, op_id

LIMIT = 65536
READERS = 100
CUSTOMERS = 150
NOW = cst("2026-06-15 12:00")
PERIODS = ["", "2026", "2026Q2", "2026-06", "2026-W24", "2026-06-15"]


def test_slow_subscriber_dropped_others_unaffected(paced_factory):
    srv = paced_factory(extra=("--test-clock", "true",
                               "--outbuf-hard-bytes", str(LIMIT),
                               "--outbuf-soft-bytes", str(LIMIT),
                               "--outbuf-soft-seconds", "60",
                               "--push-coalesce-ms", "0",
                               "--rate-limit-rps", "0"))
    set_clock(srv.port, NOW)
    org = KpiOrg(srv, offices=[("HQ", "")], teams=[("A", "HQ")],
                 people=[("ma", "MANAGER", "A", {}), ("r1", "REP", "A", {}),
                         ("dir", "DIRECTOR", None, {})])
    readers = []
    try:
        # 150 customers with their own industry, size and region, each
        # touched once today: every snapshot of these scopes is large.
        c = org.c("r1")
        ids = []
        for i in range(CUSTOMERS):
            f = make("customer_add", client_op_id=op_id(),
                     name="Customer %03d" % i, industry="Industry %03d" % i,
                     size_band="Size %03d" % i, region="Region %03d" % i)
            ids.append(c.assign_id(f))
            c.send(f)
        custs = [expect(c.wait_for(r, 30), "customer").id for r in ids]
        ids = []
        for cust in custs:
            f = make("activity_log", client_op_id=op_id(), kind=1,
                     customer_id=cust)
            ids.append(c.assign_id(f))
            c.send(f)
        for r in ids:
            expect(c.wait_for(r, 30), "activity")
        base = CUSTOMERS
        # The slow one: a small receive buffer, 30 topics, never reads.
        slow = wire.Client(srv.port)
        slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        expect(slow.hello(), "welcome")
        expect(slow.login(org.login("dir"), PASSWORD), "login_ok")
        for kind, name in (("org", ""), ("office", org.office("HQ")),
                           ("team", org.team("A")),
                           ("user", org.login("r1")),
                           ("user", org.login("ma"))):
            for p in PERIODS:
                slow.send(make("subscribe", scope=scope(kind, name),
                               period=p))
        # The readers.
        for _ in range(READERS):
            rc = wire.connect(srv.port, org.login("ma"), PASSWORD,
                              timeout=30)
            expect(rc.call(make("subscribe", scope=scope("team"))),
                   "subscribed")
            readers.append(rc)
        for rc in readers:
            assert next_push(rc, 10).snapshot.followups_total == base
        mark = srv.log_mark()
        writes = 0
        latest = {rc: base for rc in readers}
        deadline = time.monotonic() + 90
        dropped = None
        # Write until the slow one is dropped (and a few more), reading
        # the readers' sockets as we go.
        while time.monotonic() < deadline:
            org.activity("r1", "call", custs[writes % CUSTOMERS], 0)
            writes += 1
            read_some(readers, latest, 0.02)
            if dropped is None and srv.log_matches(r"too far behind",
                                                   start=mark):
                dropped = writes
            if dropped is not None and writes >= dropped + 5:
                break
        assert dropped is not None, "the slow subscriber was never dropped"
        m = srv.wait_log(r"dir\w*: closed: too far behind \((\d+) bytes",
                         timeout=1, start=mark)
        assert m and int(m.group(1)) <= LIMIT, m
        # (Its socket ends only once it has taken the megabytes the kernel
        # still holds for it, through its 4 KiB window: not waited for.)
        slow.close()
        # Every reader got the final number and is still connected.
        want = base + writes
        t_end = time.monotonic() + 20
        while time.monotonic() < t_end and \
                any(v != want for v in latest.values()):
            read_some(readers, latest, 0.1)
        assert all(v == want for v in latest.values()), \
            sorted(set(latest.values()))
        assert len(srv.log_matches(r"too far behind", start=mark)) == 1
        for rc in readers:
            rc.ping()
    finally:
        for rc in readers:
            rc.close()
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
