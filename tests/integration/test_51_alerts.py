"""Issue 5: alerts (DESIGN §7) — status changes by pace in both directions,
time-driven evaluation without any write, one alert across two instances,
key-node alerts for the right people, and resuming after a disconnect.

Every test holds paced's clock (--test-clock, ClockSet freeze) and turns
the periodic evaluation off (--alert-interval-s 86400) unless it tests the
timer, so alerts come exactly when the test asks for them.
"""

import time

import kpi_pb2
import push_pb2
import wire
from kpi_org import (PASSWORD, KpiOrg, cst, drain, make, next_push,
                     push_until, second_paced, set_clock, subscribe)
from pacecli import PaceCli
from wire import expect, expect_error, op_id

M = 1000000
QUIET = ("--test-clock", "true", "--alert-interval-s", "86400")
PEOPLE = [("ma", "MANAGER", "A", {}), ("r1", "REP", "A", {}),
          ("r2", "REP", "A", {}), ("mb", "MANAGER", "B", {}),
          ("b1", "REP", "B", {}), ("dir", "DIRECTOR", None, {})]
Kind = push_pb2.AlertKind


def new_org(paced):
    return KpiOrg(paced, offices=[("HQ", "")],
                  teams=[("A", "HQ"), ("B", "HQ")], people=PEOPLE)


def alerts_of(pushes):
    return [p.alert for p in pushes if p.WhichOneof("body") == "alert"]


def watchers(org, port, who=("r1", "r2", "ma", "mb", "b1", "dir")):
    """A subscribed connection per person (own KPIs, or the team / org)."""
    out = {}
    for w in who:
        c = wire.connect(port, org.login(w), PASSWORD, timeout=30)
        kind = {"ma": "team", "mb": "team", "dir": "org"}.get(w, "user")
        subscribe(c, kind)
        next_push(c)            # the first snapshot
        out[w] = c
    return out


def status_setup(org):
    """r1: June 2026 target 30M (1M a day); 10M won on 5 June."""
    cust = org.customer("r1", "Pace Co", at=cst("2026-06-01 09:00"))
    org.won_deal("r1", cust, "first", 10 * M, cst("2026-06-01 10:00"),
                 cst("2026-06-05 10:00"))
    expect(org.target("dir", "user", org.login("r1"), "2026-06", 30 * M),
           "ok")
    return cust


def status_alerts(org):
    return org.sql("SELECT string_agg(coalesce(from_status, '') || '>' || "
                   "to_status, ',' ORDER BY id) FROM pace.alert WHERE kind = "
                   "'status'")


def test_status_transitions_each_once(paced_factory):
    """green -> yellow -> red -> green, each alert raised once and pushed
    once to the rep, the rep's manager and the director; the first two
    come from the clock alone (no write), the last from a write."""
    srv = paced_factory(extra=QUIET)
    set_clock(srv.port, cst("2026-06-11 00:00"))
    org = new_org(srv)
    try:
        status_setup(org)
        # 10 of 30 days gone, 10M of 30M: pace 1.0, green (a first green
        # is no news: no alert).
        w = watchers(org, srv.port)
        set_clock(srv.port, cst("2026-06-11 00:00"), evaluate=True)
        time.sleep(0.5)
        assert status_alerts(org) == ""
        r1 = []

        def alert_to(status):
            return lambda p: (p.WhichOneof("body") == "alert" and
                              p.alert.to == status)
        # 15 days gone: pace (1/3)/(1/2) = 0.67, yellow. No write.
        set_clock(srv.port, cst("2026-06-16 00:00"), evaluate=True)
        r1 += alerts_of(push_until(w["r1"], alert_to(kpi_pb2.YELLOW), 5))
        assert r1[0].kind == Kind.Value("ALERT_STATUS")
        # 20 days gone: pace (1/3)/(2/3) = 0.5, red. No write.
        set_clock(srv.port, cst("2026-06-21 00:00"), evaluate=True)
        r1 += alerts_of(push_until(w["r1"], alert_to(kpi_pb2.RED), 5))
        # A 10M contract: 20M of 30M at 2/3 of the month, pace 1.0, green.
        cust = org.customer("r1", "Win Co")
        org.won_deal("r1", cust, "second", 10 * M, 0, 0)
        r1 += alerts_of(push_until(w["r1"], alert_to(kpi_pb2.GREEN), 5))
        # Nothing more, however often it is evaluated.
        set_clock(srv.port, cst("2026-06-21 00:00"), evaluate=True)
        set_clock(srv.port, cst("2026-06-21 00:00"), evaluate=True)
        got = {k: alerts_of(drain(c, 1.0)) for k, c in w.items()}
        got["r1"] = r1 + got["r1"]
        assert status_alerts(org) == "green>yellow,yellow>red,red>green"
        # Each recipient got each transition exactly once.
        for who in ("r1", "ma", "dir"):
            seen = [(getattr(x, "from"), x.to) for x in got[who]]
            assert seen == [(kpi_pb2.GREEN, kpi_pb2.YELLOW),
                            (kpi_pb2.YELLOW, kpi_pb2.RED),
                            (kpi_pb2.RED, kpi_pb2.GREEN)], (who, seen)
            assert all(x.subject.name == org.name("r1") for x in got[who])
            assert all(x.period == "2026-06" and x.metric == "revenue"
                       for x in got[who])
        for who in ("r2", "mb", "b1"):
            assert got[who] == [], who
        # The stored list agrees, per person.
        for who, n in (("r1", 3), ("ma", 3), ("dir", 3), ("r2", 0),
                       ("mb", 0), ("b1", 0)):
            lst = expect(org.c(who).call(make("alert_list", all=True)),
                         "alert_list_reply")
            assert len(lst.alerts) == n, who
        for c in w.values():
            c.close()
    finally:
        org.close()


def test_two_instances_one_alert_from_the_timer(paced_factory):
    """Two paced on one database, both evaluating on a timer (every
    second): the clock moves, nobody writes, one alert is raised (by the
    leader) and each subscriber on either instance gets it once."""
    args = ("--test-clock", "true", "--alert-interval-s", "1")
    a = paced_factory(extra=args)
    b = second_paced(paced_factory, a, extra=args)
    set_clock(a.port, cst("2026-06-11 00:00"))
    set_clock(b.port, cst("2026-06-11 00:00"))
    org = new_org(a)
    try:
        status_setup(org)
        on_a = watchers(org, a.port, ("r1", "ma"))
        on_b = watchers(org, b.port, ("r1", "dir"))
        time.sleep(1.5)   # a few timer rounds at 10 of 30 days: green
        for srv in (a, b):
            set_clock(srv.port, cst("2026-06-16 00:00"))
        for c in list(on_a.values()) + list(on_b.values()):
            got = push_until(c, lambda p: p.WhichOneof("body") == "alert",
                             10)
            assert alerts_of(got)[0].to == kpi_pb2.YELLOW
        time.sleep(2.5)   # more timer rounds on both instances
        assert status_alerts(org) == "green>yellow"
        for c in list(on_a.values()) + list(on_b.values()):
            assert alerts_of(drain(c, 0.5)) == []
            c.close()
        leaders = [s for s in (a, b)
                   if s.log_matches(r"now runs the time-driven alerts")]
        assert len(leaders) == 1
    finally:
        org.close()


def test_key_node_alerts_for_the_right_people(paced_factory, tmp_path):
    """Stale deal, deal stuck in a stage, expected close passed, payment
    overdue: each raised once, for the rep, the rep's manager and the
    directors, and for no one else.

    Clock: 2026-06-20 10:00 CST; the org's stale_days is 10 (stuck_days
    30). r1's deals:
        S  created 06-01, no activity since            -> stale (19 days)
        K  created 05-10, proposal since 05-12, last
           activity 06-15                               -> stuck (39 days)
        C  created 06-10, expected close 06-15, last
           activity 06-18                               -> close passed
        P  won 06-02, 1M due 06-10, nothing received    -> payment overdue
    b1's deal S2 created 06-05, no activity             -> stale (15 days)
    r2's deal F created 06-15 (fresh)                   -> nothing
    """
    srv = paced_factory(extra=QUIET)
    set_clock(srv.port, cst("2026-06-20 10:00"))
    org = new_org(srv)
    try:
        org.org_set("stale_days", 10)
        c1 = org.customer("r1", "Stale Co", at=cst("2026-05-01 09:00"))
        s = org.deal("r1", c1, "S", M, cst("2026-06-01 10:00"))
        k = org.deal("r1", c1, "K", M, cst("2026-05-10 10:00"))
        org.move("r1", k, "proposal", cst("2026-05-12 10:00"))
        org.activity("r1", "call", c1, cst("2026-06-15 10:00"), k)
        c = org.deal("r1", c1, "C", M, cst("2026-06-10 10:00"),
                     expected_close="2026-06-15")
        org.activity("r1", "visit", c1, cst("2026-06-18 10:00"), c)
        p = org.won_deal("r1", c1, "P", M, cst("2026-06-01 10:00"),
                         cst("2026-06-02 10:00"))
        org.plan("r1", p, [("2026-06-10", M)])
        cb = org.customer("b1", "B Co", at=cst("2026-05-01 09:00"))
        s2 = org.deal("b1", cb, "S2", M, cst("2026-06-05 10:00"))
        cr = org.customer("r2", "Fresh Co", at=cst("2026-06-14 09:00"))
        org.deal("r2", cr, "F", M, cst("2026-06-15 10:00"))
        w = watchers(org, srv.port)
        set_clock(srv.port, cst("2026-06-20 10:00"), evaluate=True)
        got = {who: alerts_of(drain(cn, 1.5)) for who, cn in w.items()}
        r1_alerts = {(x.kind, x.deal_id) for x in got["r1"]}
        assert r1_alerts == {(Kind.Value("ALERT_STALE_DEAL"), s),
                             (Kind.Value("ALERT_STUCK_DEAL"), k),
                             (Kind.Value("ALERT_CLOSE_PASSED"), c),
                             (Kind.Value("ALERT_PAYMENT_OVERDUE"), p)}
        assert len(got["r1"]) == 4
        assert {(x.kind, x.deal_id) for x in got["ma"]} == r1_alerts
        assert {(x.kind, x.deal_id) for x in got["b1"]} == {
            (Kind.Value("ALERT_STALE_DEAL"), s2)}
        assert {(x.kind, x.deal_id) for x in got["mb"]} == {
            (Kind.Value("ALERT_STALE_DEAL"), s2)}
        assert len(got["dir"]) == 5
        assert got["r2"] == []
        overdue = [x for x in got["r1"]
                   if x.kind == Kind.Value("ALERT_PAYMENT_OVERDUE")][0]
        assert overdue.entity_id > 0 and "overdue" in overdue.title
        # Evaluated again (and a day later): nothing new.
        set_clock(srv.port, cst("2026-06-20 10:00"), evaluate=True)
        set_clock(srv.port, cst("2026-06-21 10:00"), evaluate=True)
        for who, cn in w.items():
            assert alerts_of(drain(cn, 0.7)) == [], who
            cn.close()
        assert org.sql("SELECT count(*) FROM pace.alert") == "5"
        # pace alerts / pace alerts ack through the CLI.
        cli = PaceCli(tmp_path, srv.port)
        cli.login(org.login("ma"), PASSWORD)
        lst = cli.json("alerts")
        kinds = sorted(x["kind"] for x in lst)
        assert "payment_overdue" in kinds and "stuck_deal" in kinds
        assert all(x["subject"] == org.name("r1") for x in lst)
        first = lst[0]["id"]
        cli.ok("alerts", "ack", str(first))
        assert first not in [x["id"] for x in cli.json("alerts")]
        assert first in [x["id"] for x in cli.json("alerts", "--all")]
        # Another team's rep cannot acknowledge (or see) it.
        r = org.c("b1").call(make("alert_ack", client_op_id=op_id(),
                                  id=first))
        expect_error(r, "NOT_FOUND")
        # New activity on the stale deal, then 11 quiet days: stale again,
        # a new alert (a new fact).
        org.activity("r1", "call", c1, cst("2026-06-21 09:00"), s)
        set_clock(srv.port, cst("2026-07-02 10:00"), evaluate=True)
        assert org.sql("SELECT count(*) FROM pace.alert WHERE kind = "
                       "'stale_deal' AND deal_id = %d" % s) == "2"
    finally:
        org.close()


def test_resume_gets_missed_alerts_exactly_once(paced_factory):
    """A subscriber disconnects, three alerts are raised, it reconnects
    with its last sequence number: those three, once, in order, then a
    fresh snapshot; nothing twice, also when it subscribes again."""
    srv = paced_factory(extra=QUIET)
    set_clock(srv.port, cst("2026-06-01 10:00"))
    org = new_org(srv)
    try:
        org.org_set("stale_days", 10)
        cust = org.customer("r1", "Resume Co")
        deals = [org.deal("r1", cust, "D%d" % i, M, 0) for i in range(3)]
        c = wire.connect(srv.port, org.login("r1"), PASSWORD)
        subscribe(c, "user")
        first = next_push(c)
        last_seq = first.seq
        cb = org.customer("b1", "B Co")
        org.deal("b1", cb, "B", M, 0)
        set_clock(srv.port, cst("2026-06-05 10:00"))
        c.close()
        # Away: the three deals go stale (11 days without activity), and
        # so does b1's (an alert that is not r1's).
        set_clock(srv.port, cst("2026-06-12 10:00"), evaluate=True)
        from pacedproc import poll
        assert poll(lambda: org.sql(
            "SELECT count(*) FROM pace.alert") == "4", timeout=5)
        # Back, resuming from the last sequence number seen.
        c = wire.connect(srv.port, org.login("r1"), PASSWORD)
        sub = subscribe(c, "user", resume_from=last_seq)  # even if 0
        got = push_until(c, lambda p: p.WhichOneof("body") == "snapshot", 5)
        got += drain(c, 1.0)
        alerts = alerts_of(got)
        assert sorted(a.deal_id for a in alerts) == sorted(deals)
        assert [a.id for a in alerts] == sorted(a.id for a in alerts)
        assert all(a.kind == Kind.Value("ALERT_STALE_DEAL") for a in alerts)
        # The alerts come before the snapshot, and every push's sequence
        # number is at most what the client has received.
        kinds = [p.WhichOneof("body") for p in got]
        assert kinds[:4] == ["alert", "alert", "alert", "snapshot"], kinds
        assert [p.seq for p in got[:3]] == [a.id for a in alerts]
        assert got[3].seq >= alerts[-1].id
        assert sub.seq == last_seq
        # A second subscription on the same connection does not replay.
        subscribe(c, "user", "", "2026", resume_from=last_seq)
        assert alerts_of(drain(c, 1.0)) == []
        # A new alert for r1 now arrives live, once.
        more = org.deal("r1", cust, "D3", M, 0)
        set_clock(srv.port, cst("2026-06-23 10:00"), evaluate=True)
        live = alerts_of(drain(c, 1.5))
        assert more in [a.deal_id for a in live]
        ids = [a.id for a in live]
        assert len(ids) == len(set(ids))
        c.close()
        # Resuming from the newest number: nothing to catch up.
        c = wire.connect(srv.port, org.login("r1"), PASSWORD)
        subscribe(c, "user", resume_from=max(ids))
        got = drain(c, 1.0)
        assert alerts_of(got) == []
        assert [p.WhichOneof("body") for p in got] == ["snapshot"]
        c.close()
    finally:
        org.close()


def test_clock_set_needs_test_clock(paced):
    """Without --test-clock nobody moves the clock, not even an admin."""
    c = wire.connect(paced.port, "admin", "admin-secret-1")
    try:
        r = c.call(make("clock_set", now=cst("2026-01-01 00:00")))
        expect_error(r, "PERMISSION_DENIED")
    finally:
        c.close()
