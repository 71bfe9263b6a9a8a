"""Scheduled reviews (issue 7): with review_weekly / review_monthly on, the
weekly review (the ISO week just ended) is generated from review_hour on
Monday and the monthly one (the month just ended) from review_hour on the
1st, in the org's time zone, for every team with reps and for the org:
exactly once with two paced instances on one database (only the leader
runs it; the stored review is unique per org, scope and period), also when
leadership moves and when two generators race. Each raises one review_ready
alert, pushed to the team's manager.
"""

import os
import threading

import pytest

import push_pb2
import wire
from pacedproc import Paced, poll
from review_fixture import PASSWORD, ReviewOrg, clock_frame, cst_us, make
from wire import expect, op_id

PACED_ARGS = ("--test-clock", "true")

COUNT = "SELECT count(*) FROM pace.review WHERE generated_by IS NULL"
READY = "SELECT count(*) FROM pace.alert WHERE kind = 'review_ready'"


@pytest.fixture(scope="module")
def two(paced):
    """paced (the leader: it started first) and a second paced on the same
    database, and the org."""
    org = ReviewOrg(paced)
    assert paced.wait_log(r"now runs the time-driven alerts \(leader\)", 10)
    logpath = os.path.join(os.environ["PACE_BUILD_DIR"], "tests", "logs",
                           "test_73_second-%d.log" % os.getpid())
    second = Paced(paced.conninfo, extra=list(PACED_ARGS), logpath=logpath)
    second.psql = paced.psql
    second.start()
    try:
        yield org, paced, second
    finally:
        org.close()
        second.check_exit()


def clock(srv, now_us, evaluate=True):
    c = wire.connect(srv.port, "admin", "admin-secret-1")
    try:
        expect(c.call(clock_frame(now_us, evaluate)), "ok")
    finally:
        c.close()


def setting(org, key, value):
    expect(org.c("admin").call(make("org_set", client_op_id=op_id(), key=key,
                                    value=value)), "org_settings")


def settle(org, servers, now_us):
    """Move every running instance's clock to now_us and have each run its
    time-driven evaluation (only the leader does), then wait until it ran:
    an action item falls due just before now_us and its alert marks it."""
    earlier = now_us - 2 * 86400 * 1000000
    for srv in servers:
        clock(srv, earlier, evaluate=False)
    it = expect(org.action("ma", "action_add", owner=org.login("busy"),
                           due_on=day(earlier), text="sentinel"),
                "action_item")
    for srv in servers:
        clock(srv, now_us)
    q = ("SELECT count(*) FROM pace.alert WHERE kind = 'action_due' AND "
         "entity_id = %d" % it.id)
    assert poll(lambda: org.sql(q) == "1", timeout=15), "no evaluation ran"


def day(us):
    import datetime
    return datetime.datetime.fromtimestamp(
        us / 1e6, datetime.timezone(datetime.timedelta(hours=8))
    ).date().isoformat()


def reviews(org):
    rows = org.sql("SELECT scope_kind || ':' || period FROM pace.review "
                   "WHERE generated_by IS NULL ORDER BY 1")
    return rows.split("\n") if rows else []


def wait_push(c, pred, timeout=10):
    """The first push frame for which pred is true (reading as needed)."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        for f in c.pushes:
            if pred(f):
                return f
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            f = c.recv(left)
        except TimeoutError:
            return None
        if f.id == 0:
            c.pushes.append(f)


def test_once_across_two_instances(two):
    org, leader, second = two
    assert second.wait_log(r"ready port=", 5)
    assert second.log_matches(r"\(leader\)") == []
    # ma listens on the second instance, which does not generate anything.
    ma = wire.connect(second.port, org.login("ma"), PASSWORD, timeout=30)
    expect(ma.call(make("subscribe", period="2026-11")), "subscribed")

    setting(org, "review_weekly", "on")
    both = (leader, second)
    # Monday 2 November 2026, 06:59 in Shanghai: not yet.
    settle(org, both, cst_us(2026, 11, 2, 6, 59))
    assert reviews(org) == []
    # 07:30: the week 2026-W44 just ended, for both teams and the org.
    settle(org, both, cst_us(2026, 11, 2, 7, 30))
    assert poll(lambda: org.sql(COUNT) == "3", timeout=15)
    assert reviews(org) == ["org:2026-W44", "team:2026-W44", "team:2026-W44"]
    assert org.sql(READY) == "3"
    # Both instances evaluate again, several times: nothing more.
    for minute in (40, 50, 59):
        settle(org, (second, leader), cst_us(2026, 11, 2, 7, minute))
    assert org.sql(COUNT) == "3" and org.sql(READY) == "3"

    # Pushed to the team's manager that it is ready, on the other instance.
    rid = int(org.sql("SELECT id FROM pace.review WHERE scope_kind = 'team' "
                      "AND scope_id = (SELECT id FROM pace.team WHERE name = "
                      "'%s') AND period = '2026-W44'" % org.team("A")))
    push = wait_push(ma, lambda f: f.push.WhichOneof("body") == "alert" and
                     f.push.alert.kind == push_pb2.ALERT_REVIEW_READY)
    assert push is not None, "no review_ready push"
    al = push.push.alert
    assert al.entity_id == rid and al.period == "2026-W44"
    assert al.title == "Weekly review of %s for 2026-W44 is ready" % org.team("A")
    ma.close()
    mine = expect(org.c("mb").call(make("alert_list", all=True)),
                  "alert_list_reply")
    ready = [a for a in mine.alerts if a.kind == push_pb2.ALERT_REVIEW_READY]
    assert [a.subject.name for a in ready] == [org.team("B")]
    dirs = expect(org.c("dir").call(make("alert_list", all=True)),
                  "alert_list_reply")
    assert len([a for a in dirs.alerts
                if a.kind == push_pb2.ALERT_REVIEW_READY]) == 3

    # The scheduled review is a review like any other.
    rv = expect(org.c("ma").call(make("review_get", id=rid)), "review")
    assert rv.generated_by == "" and rv.period_kind == "week"

    # Monthly on: October's reviews, once.
    setting(org, "review_monthly", "on")
    settle(org, both, cst_us(2026, 11, 2, 9, 0))
    assert poll(lambda: org.sql(COUNT) == "6", timeout=15)
    settle(org, both, cst_us(2026, 11, 2, 9, 30))
    assert org.sql(COUNT) == "6" and org.sql(READY) == "6"
    assert reviews(org).count("team:2026-10") == 2
    # Only the leader ran the schedule.
    made = r"reviews: scheduled review \d+ generated"
    assert len(leader.log_matches(made)) == 6
    assert second.log_matches(made) == []

    # The leader goes away: the second takes over, and still nothing twice.
    leader.stop()
    assert second.wait_log(r"now runs the time-driven alerts \(leader\)", 15)
    org.close()
    org.paced = second  # clients reconnect to the one left
    settle(org, (second,), cst_us(2026, 11, 3, 9, 0))
    assert org.sql(COUNT) == "6" and org.sql(READY) == "6"
    # The next Monday, on the new leader.
    settle(org, (second,), cst_us(2026, 11, 9, 7, 30))
    assert poll(lambda: org.sql(COUNT) == "9", timeout=15)
    settle(org, (second,), cst_us(2026, 11, 9, 8, 0))
    assert org.sql(COUNT) == "9" and org.sql(READY) == "9"


def test_two_generators_racing(two):
    """Two evaluations at the same moment (as two leaders would, one
    losing its lock mid-way): each review still exactly once."""
    org, _, _ = two
    now = cst_us(2026, 11, 16, 7, 30)
    before = int(org.sql(COUNT))
    made = []

    def run():
        while True:
            r = org.sql("SELECT coalesce(review, 0) FROM "
                        "pace.review_evaluate(%d)" % now)
            if r == "0":
                return
            made.append(int(r))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert int(org.sql(COUNT)) == before + 3
    assert len(made) == 3 and len(set(made)) == 3
    assert org.sql("SELECT count(*) FROM pace.review GROUP BY org_id, "
                   "scope_kind, scope_id, period HAVING count(*) > 1") == ""
    assert org.sql("SELECT count(*) FROM (SELECT dedup_key FROM pace.alert "
                   "GROUP BY org_id, dedup_key HAVING count(*) > 1) x") == "0"


def test_in_the_org_time_zone(two):
    """Monday 07:30 in Shanghai is Sunday evening in New York: the week
    just ended there is not due until Monday 07:00 New York time."""
    org, _, _ = two

    def due(tz, now_us):
        return org.sql(
            "BEGIN; UPDATE pace.org SET timezone = '%s', review_weekly = true,"
            " review_monthly = false; SELECT string_agg(kind || ' ' || period,"
            " ',') FROM pace.org o, pace.review_due_periods(o, pace.ts(%d)); "
            "ROLLBACK;" % (tz, now_us)).strip()

    monday_sh = cst_us(2026, 11, 23, 7, 30)
    assert due("Asia/Shanghai", monday_sh) == "week 2026-W47"
    # Sunday 18:30 in New York: the week there is still W47, so the review
    # due is W46's (from the Monday before).
    assert due("America/New_York", monday_sh) == "week 2026-W46"
    ny_monday_0730 = monday_sh + 13 * 3600 * 1000000  # 07:30 EST
    assert due("America/New_York", ny_monday_0730) == "week 2026-W47"
    # Monday 06:30 there: the week just ended is not due before 07:00.
    assert due("America/New_York", ny_monday_0730 - 3600 * 1000000) == ""


def test_settings(two):
    org, _, _ = two
    c = org.c("admin")
    r = c.call(make("org_set", client_op_id=op_id(), key="review_hour",
                    value="25"))
    wire.expect_error(r, "INVALID_ARGUMENT", "value")
    r = c.call(make("org_set", client_op_id=op_id(), key="review_weekly",
                    value="maybe"))
    wire.expect_error(r, "INVALID_ARGUMENT", "value")
    r = org.c("ma").call(make("org_set", client_op_id=op_id(),
                              key="review_weekly", value="off"))
    wire.expect_error(r, "PERMISSION_DENIED")
    setting(org, "review_hour", "9")
    lst = expect(org.c("dir").call(make("review_list")), "review_list_reply")
    assert lst.weekly and lst.monthly and lst.hour == 9
    # The other settings still go through OrgSet as before.
    setting(org, "stale_days", "20")
    assert org.sql("SELECT stale_days FROM pace.org") == "20"
