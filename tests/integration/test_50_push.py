"""Issue 5: live KPI snapshots (DESIGN §3, §7).

- a write committed through instance A reaches a subscriber of instance B
  (two paced on one database), with the new value, within a second;
- a burst of 500 writes on one scope is coalesced into far fewer pushes,
  the last one with the final value;
- the LISTEN connection killed from PostgreSQL while writes go on: every
  change still reaches the subscribers (the change log is the truth);
- who may subscribe to what.

These run on the real clock: the writes are "now" and the subscriptions
follow the current month.
"""

import time

import wire
from kpi_org import (PASSWORD, KpiOrg, drain, make, next_push, push_until,
                     scope, second_paced, subscribe)
from pacedproc import poll
from wire import expect, expect_error, op_id

PEOPLE = [("ma", "MANAGER", "A", {}), ("r1", "REP", "A", {}),
          ("r2", "REP", "A", {}), ("mb", "MANAGER", "B", {}),
          ("b1", "REP", "B", {}), ("dir", "DIRECTOR", None, {})]


def new_org(paced):
    return KpiOrg(paced, offices=[("HQ", "")],
                  teams=[("A", "HQ"), ("B", "HQ")], people=PEOPLE)


def snapshot(p):
    assert p.WhichOneof("body") == "snapshot", p
    return p.snapshot


def followups(p):
    return p.WhichOneof("body") == "snapshot" and \
        p.snapshot.followups_total


def test_write_on_a_reaches_subscriber_on_b(paced_factory):
    a = paced_factory()
    b = second_paced(paced_factory, a)
    org = new_org(a)
    cust = org.customer("r1", "Cross Co")
    # The manager watches the team on B; the rep writes on A.
    watcher = wire.connect(b.port, org.login("ma"), PASSWORD)
    try:
        s = subscribe(watcher, "team")
        first = snapshot(next_push(watcher))
        assert first.scope.name == org.team("A")
        assert first.followups_total == 0
        for n in (1, 2, 3):
            t0 = time.monotonic()
            org.activity("r1", "call", cust, 0)   # answered after commit
            got = push_until(watcher, lambda p, n=n: followups(p) == n, 1.0)
            elapsed = time.monotonic() - t0
            assert elapsed < 1.0, elapsed
            assert snapshot(got[-1]).calls == n
            assert got[-1].subscription == s.subscription
    finally:
        watcher.close()
        org.close()


def test_burst_is_coalesced(paced_factory):
    srv = paced_factory(extra=("--rate-limit-rps", "0",
                               "--push-coalesce-ms", "100"))
    org = new_org(srv)
    cust = org.customer("r1", "Burst Co")
    watcher = org.c("ma", fresh=True)
    try:
        subscribe(watcher, "team")
        assert snapshot(next_push(watcher)).followups_total == 0
        # 500 activity writes pipelined on one connection, then every
        # answer.
        c = org.c("r1")
        ids = []
        for _ in range(500):
            f = make("activity_log", client_op_id=op_id(), kind=1,
                     customer_id=cust)
            ids.append(c.assign_id(f))
            c.send(f)
        for rid in ids:
            expect(c.wait_for(rid, timeout=60), "activity")
        pushes = push_until(watcher, lambda p: followups(p) == 500, 10)
        pushes += drain(watcher, 0.5)
        snaps = [p for p in pushes if p.WhichOneof("body") == "snapshot"]
        assert len(snaps) < 50, len(snaps)
        assert snaps[-1].snapshot.followups_total == 500
        assert snaps[-1].snapshot.calls == 500
        # Values only ever go up: no older snapshot after a newer one.
        totals = [p.snapshot.followups_total for p in snaps]
        assert totals == sorted(totals), totals
    finally:
        watcher.close()
        org.close()


def listen_backend(srv):
    """The backend of paced's LISTEN connection (it names itself)."""
    return srv.psql("SELECT pid FROM pg_stat_activity WHERE application_name"
                    " = 'pace-listen' AND datname = current_database()")


def test_listener_loss_loses_nothing(paced_factory):
    srv = paced_factory(extra=("--change-poll-ms", "300",
                               "--pg-reconnect-min-ms", "200"))
    org = new_org(srv)
    cust = org.customer("r1", "Listen Co")
    watcher = org.c("r1", fresh=True)
    try:
        subscribe(watcher, "user")
        assert snapshot(next_push(watcher)).followups_total == 0
        pid = listen_backend(srv)
        assert pid, "no pace-listen backend"
        for n in range(1, 7):
            # Kill the LISTEN connection, then write at once: the NOTIFY of
            # this commit is lost; the change log is read anyway.
            pid = listen_backend(srv) or pid
            srv.psql("SELECT pg_terminate_backend(%s)" % pid)
            org.activity("r1", "visit", cust, 0)
            got = push_until(watcher, lambda p, n=n: followups(p) == n, 5)
            assert snapshot(got[-1]).visits == n
        # And it comes back: a new backend listens again.
        assert poll(lambda: listen_backend(srv), timeout=10)
        assert srv.wait_log(r"listen: connected", timeout=1)
        org.activity("r1", "visit", cust, 0)
        push_until(watcher, lambda p: followups(p) == 7, 5)
    finally:
        watcher.close()
        org.close()


def test_who_may_subscribe(paced):
    org = new_org(paced)
    L = org.login
    try:
        r1 = org.c("r1")
        subscribe(r1, "user")                        # me
        subscribe(r1, "user", L("r1"))
        for kind, name in (("user", L("r2")), ("user", L("b1")),
                           ("team", org.team("A")), ("team", org.team("B")),
                           ("office", org.office("HQ")), ("org", "")):
            r = r1.call(make("subscribe", scope=scope(kind, name)))
            expect_error(r, "PERMISSION_DENIED", "scope")
        ma = org.c("ma")
        subscribe(ma, "team", org.team("A"))
        subscribe(ma, "user", L("r2"))
        for kind, name in (("team", org.team("B")), ("user", L("b1")),
                           ("org", "")):
            expect_error(ma.call(make("subscribe", scope=scope(kind, name))),
                         "PERMISSION_DENIED")
        d = org.c("dir")
        for kind, name in (("team", org.team("B")), ("org", ""),
                           ("office", org.office("HQ")), ("user", L("r1"))):
            subscribe(d, kind, name)
        # Unknown names and periods.
        expect_error(d.call(make("subscribe", scope=scope("team", "nope"))),
                     "NOT_FOUND", "scope")
        expect_error(d.call(make("subscribe", scope=scope("org"),
                                 period="2026-W99")),
                     "INVALID_ARGUMENT", "period")
        # A rep's snapshot never shows up on another rep's connection.
        cust = org.customer("r2", "Other Co")
        org.activity("r2", "call", cust, 0)
        for p in drain(r1, 0.5):
            if p.WhichOneof("body") == "snapshot":
                assert p.snapshot.scope.name == org.name("r1")
    finally:
        org.close()


def test_unsubscribe_and_limits(paced_factory):
    srv = paced_factory(extra=("--max-subscriptions-per-client", "3",))
    org = new_org(srv)
    try:
        d = org.c("dir")
        s1 = subscribe(d, "org", "", "2026")
        again = subscribe(d, "org", "", "2026")
        assert again.subscription == s1.subscription   # same topic
        subscribe(d, "org", "", "2027")
        subscribe(d, "team", org.team("A"))
        expect_error(d.call(make("subscribe", scope=scope("team",
                                                          org.team("B")))),
                     "RESOURCE_EXHAUSTED")
        expect(d.call(make("unsubscribe", subscription=s1.subscription)),
               "ok")
        expect_error(d.call(make("unsubscribe",
                                 subscription=s1.subscription)),
                     "NOT_FOUND")
        subscribe(d, "team", org.team("B"))
    finally:
        org.close()

