"""Issue 4: goal decomposition (DESIGN §6) through TargetPlan, TargetSet,
TargetShow and what they store.

The clock is held at 2027-02-10 12:00 CST; the plan is for 2027, so its
history is 2026, seeded through DealAdd/DealWin with backdated times (the
org's backfill window widened first). The org:

    office North: team N1 (manager mn1): n1a, n1b, n1c
                  team N2 (manager mn2): n2a, n2b
    office South: team S1 (manager ms1): s1a, s1b
    director dir

    rep  history 2026 (won)           reserve now              hired
    n1a  8M (Mar 3M, Jun 5M)          10M in negotiation: 8M   2019-04-01
    n1b  6M (Jun 6M)                  -                        2019-04-01
    n1c  4M (Nov 4M)                  -                        2019-04-01
    n2a  20M (Dec 20M)                -                        2020-01-01
    n2b  10M (Dec 10M)                -                        2020-01-01
    s1a  0                            -                        2020-05-01
    s1b  0                            -                        2027-01-15 (new)

(M = 1,000,000 fen.) n2a and n2b differ only by history (twice as much);
s1a and s1b only by tenure.
"""

import collections

import pytest

import kpi_pb2
from kpi_org import KpiOrg, cst, make, scope, set_clock
from pacecli import PaceCli, logged_in
from wire import expect, expect_error, op_id

PACED_ARGS = ("--test-clock", "true")
M = 1000000
NOW = cst("2027-02-10 12:00")
TOTAL = 2000000003          # ¥20,000,000.03
REPS = ["n1a", "n1b", "n1c", "n2a", "n2b", "s1a", "s1b"]


@pytest.fixture(scope="module")
def org(paced):
    set_clock(paced.port, NOW)
    veteran = {"hired_on": "2019-04-01"}
    o = KpiOrg(paced, offices=[("North", "华北"), ("South", "华南")],
               teams=[("N1", "North"), ("N2", "North"), ("S1", "South")],
               people=[("mn1", "MANAGER", "N1", {}),
                       ("n1a", "REP", "N1", veteran),
                       ("n1b", "REP", "N1", veteran),
                       ("n1c", "REP", "N1", veteran),
                       ("mn2", "MANAGER", "N2", {}),
                       ("n2a", "REP", "N2", {"hired_on": "2020-01-01"}),
                       ("n2b", "REP", "N2", {"hired_on": "2020-01-01"}),
                       ("ms1", "MANAGER", "S1", {}),
                       ("s1a", "REP", "S1", {"hired_on": "2020-05-01"}),
                       ("s1b", "REP", "S1", {"hired_on": "2027-01-15"}),
                       ("dir", "DIRECTOR", None, {})])
    o.org_set("backfill_days", 3660)
    for who, wins in (("n1a", [("2026-03-10", 3), ("2026-06-10", 5)]),
                      ("n1b", [("2026-06-12", 6)]),
                      ("n1c", [("2026-11-20", 4)]),
                      ("n2a", [("2026-12-01", 20)]),
                      ("n2b", [("2026-12-02", 10)])):
        cust = o.customer(who, who + " customer", at=cst("2026-01-05 09:00"))
        for day, amount in wins:
            o.won_deal(who, cust, "%s %s" % (who, day), amount * M,
                       cst("2026-01-10 09:00"), cst(day + " 10:00"))
    cust = o.customer("n1a", "reserve customer", at=cst("2027-01-05 09:00"))
    d = o.deal("n1a", cust, "big one", 10 * M, cst("2027-01-06 10:00"))
    o.move("n1a", d, "negotiation", cst("2027-01-20 10:00"))
    assert o.rollups_ok()
    yield o
    o.close()


@pytest.fixture(scope="module")
def cli(paced, org, tmp_path_factory):
    return logged_in(tmp_path_factory, paced.port, org.login("dir"))


def all_months(org, metric="revenue", year=2027):
    """{(kind, id): [12 amounts]} of every stored target row, one query."""
    out = collections.defaultdict(lambda: [0] * 12)
    for line in org.sql(
            "SELECT scope_kind, scope_id, extract(month FROM month)::int, "
            "amount FROM pace.target_month WHERE metric = '%s' AND "
            "extract(year FROM month) = %d" % (metric, year)).splitlines():
        k, i, m, a = line.split("|")
        out[(k, int(i))][int(m) - 1] = int(a)
    return out


def months_of(org, kind, sid, metric="revenue", year=2027):
    return all_months(org, metric, year)[(kind, sid)]


def tree(org):
    """{(kind, id): [12 months]} and {(kind, id): parent} from the DB."""
    ids = {}
    for line in org.sql(
            "SELECT 'office', o.id, 'org', o.org_id FROM pace.office o "
            "UNION ALL SELECT 'team', t.id, 'office', t.office_id FROM "
            "pace.team t UNION ALL SELECT 'user', u.id, 'team', u.team_id "
            "FROM pace.app_user u WHERE u.role = 'rep'").splitlines():
        k, i, pk, pi = line.split("|")
        ids[(k, int(i))] = (pk, int(pi))
    stored = all_months(org)
    months = {key: stored[key] for key in ids}
    months[("org", org.org_id)] = stored[("org", org.org_id)]
    return months, ids


def assert_exact(org, total):
    """Every level sums to its parent month by month, every scope's months
    to its year, and the org's year is the total."""
    months, parent = tree(org)
    assert sum(months[("org", org.org_id)]) == total
    kids = collections.defaultdict(list)
    for key, par in parent.items():
        kids[par].append(key)
    for par, ks in kids.items():
        if par not in months:
            continue
        for m in range(12):
            assert sum(months[k][m] for k in ks) == months[par][m], \
                "%s month %d: children %s" % (par, m + 1,
                                              [months[k][m] for k in ks])
    for key, ms in months.items():
        assert all(a >= 0 for a in ms), key
    return months


def plan(org, **kw):
    return expect(org.c("dir").call(make(
        "target_plan", client_op_id=op_id(), year=2027, total=TOTAL, **kw)),
        "plan")


def rows_by_name(p):
    return {r.scope.name: r for r in p.rows}


def test_plan_shows_and_stores_only_with_apply(org):
    p = plan(org)
    assert not p.applied and p.total == TOTAL
    assert org.sql("SELECT count(*) FROM pace.target_month") == "0"
    assert sum(p.months) == TOTAL
    rows = rows_by_name(p)
    # Inputs shown per rep: history (2026 booked), reserve, tenure.
    assert rows[org.name("n1a")].history == 8 * M
    assert rows[org.name("n1a")].reserve == 8 * M     # 10M x 0.8
    assert rows[org.name("n2a")].history == 20 * M
    assert rows[org.name("n2b")].growth.v == pytest.approx(
        rows[org.name("n2b")].target / (10 * M) - 1)
    assert rows[org.name("s1b")].tenure < 1.0 == rows[org.name("s1a")].tenure
    # Seasonality from 2026's months: nothing won in Jan, Feb, Apr, May,
    # Jul..Oct 2026 -> nothing planned there; Dec (30M of 56M) the most.
    assert [m > 0 for m in p.months] == [
        False, False, True, False, False, True, False, False, False, False,
        True, True]
    assert p.months[11] == max(p.months)


def test_weights_history_tenure_and_even(org):
    rows = rows_by_name(plan(org))
    n2a, n2b = rows[org.name("n2a")], rows[org.name("n2b")]
    # Twice the history, the same reserve, tenure and region: more, but
    # less than twice as much (a strong year is not simply repeated).
    assert n2b.target < n2a.target < 2 * n2b.target
    # A new hire gets less than an equal veteran.
    s1a, s1b = rows[org.name("s1a")], rows[org.name("s1b")]
    assert 0 < s1b.target < s1a.target
    # Never even unless asked.
    assert len({r.target for r in rows.values()
                if r.scope.kind == kpi_pb2.SCOPE_USER}) == len(REPS)
    # --by even: every rep the same to the fen (largest remainder: the
    # split of 2,000,000,003 over 7 leaves at most a fen apart).
    even = rows_by_name(plan(org, by="even"))
    reps = [even[org.name(r)].target for r in REPS]
    assert sum(reps) == TOTAL
    assert max(reps) - min(reps) <= 1, reps


def test_region_factor(org):
    """A region factor scales a rep's weight (set in org.region_factors;
    docs/targets.md)."""
    base = rows_by_name(plan(org))
    org.sql("UPDATE pace.org SET region_factors = '{\"华南\": 1.5}'")
    org.sql("UPDATE pace.app_user SET region = '华南' WHERE login IN "
            "('%s', '%s')" % (org.login("s1a"), org.login("s1b")))
    try:
        up = rows_by_name(plan(org))
        for r in ("s1a", "s1b"):
            assert up[org.name(r)].region == "华南"
            assert up[org.name(r)].weight == pytest.approx(
                1.5 * base[org.name(r)].weight)
            assert up[org.name(r)].target > base[org.name(r)].target
    finally:
        org.sql("UPDATE pace.org SET region_factors = '{}'")
        org.sql("UPDATE pace.app_user SET region = '' WHERE login IN "
                "('%s', '%s')" % (org.login("s1a"), org.login("s1b")))


def test_apply_exact_at_every_level_and_period(org, cli):
    out = cli.json("target", "plan", "--year", "2027", "--total",
                   "20000000.03", "--apply")
    assert out["applied"] and out["total"] == TOTAL
    months = assert_exact(org, TOTAL)
    # The stored rows are the plan that was shown.
    for r in out["rows"]:
        key = {"office": "office", "team": "team", "user": "user"}[r["kind"]]
        assert months[(key, r["id"])] == r["months"], r["name"]
        assert sum(r["months"]) == r["target"]
    # Quarters and the year through TargetShow, for every scope.
    for kind, name in [("org", ""), ("office", org.office("North")),
                       ("team", org.team("N1")), ("user", org.login("n1a"))]:
        t = expect(org.c("dir").call(make(
            "target_show", scope=scope(kind, name), period="2027")),
            "target_table")
        year = [r for r in t.rows if r.depth == 0][0].amount.v
        quarters = [r for r in t.rows if r.depth == 2]
        assert [q.period for q in quarters] == [
            "2027Q1", "2027Q2", "2027Q3", "2027Q4"]
        assert sum(q.amount.v for q in quarters) == year
        # children (depth 1) add up to the scope
        kids = [r for r in t.rows if r.depth == 1]
        if kids:
            assert sum(r.amount.v for r in kids) == year, (kind, name)


def weekly(org, kind, name, period):
    return expect(org.c("dir").call(make(
        "kpi_get", scope=scope(kind, name), period=period)), "kpi").target.v


def test_weeks_are_sums_of_days(org, cli):
    """A week's target is the sum of its days' (also across a month end),
    a team's week is the sum of its reps', and a month's weeks add up to
    the month."""
    # 2027-W48: Mon 29 Nov .. Sun 5 Dec, across a month end.
    for kind, who in (("user", org.login("n1a")), ("user", org.login("s1b"))):
        week = weekly(org, kind, who, "2027-W48")
        days = sum(weekly(org, kind, who, "2027-%s" % d) for d in (
            "11-29", "11-30", "12-01", "12-02", "12-03", "12-04", "12-05"))
        assert week == days > 0
    team = weekly(org, "team", org.team("N1"), "2027-W48")
    assert team == sum(weekly(org, "user", org.login(r), "2027-W48")
                       for r in ("n1a", "n1b", "n1c"))
    office = weekly(org, "office", org.office("North"), "2027-W48")
    assert office == team + weekly(org, "team", org.team("N2"), "2027-W48")
    for kind, name in (("user", org.login("n2b")), ("team", org.team("N1"))):
        t = cli.json("target", "show", "--%s" % kind, name, "--period",
                     "2027-12")
        month = [r for r in t["rows"] if r["depth"] == 0][0]["amount"]
        weeks = [r for r in t["rows"] if r["depth"] == 2]
        assert weeks[0]["period"] == "2027-W48"     # clipped to December
        assert sum(w["amount"] for w in weeks) == month


def team_march(org, team):
    months, _ = tree(org)
    tid = int(org.sql("SELECT id FROM pace.team WHERE name = '%s'"
                      % org.team(team)))
    return months[("team", tid)][2]


def rep_month(org, who, month=3):
    return months_of(org, "user", org.ids[who])[month - 1]


def test_locks_and_rebalancing(org, cli, tmp_path):
    cli.ok("target", "plan", "--year", "2027", "--total", "20000000.03",
           "--apply")
    team = team_march(org, "N1")
    b0, c0 = rep_month(org, "n1b"), rep_month(org, "n1c")
    # The manager pins n1a's March: n1b and n1c share the rest in the
    # proportion they had; the team's March does not move.
    mgr = PaceCli(tmp_path, cli.port)
    mgr.login(org.login("mn1"), "password-1")
    x = team // 2
    mgr.ok("target", "set", org.login("n1a"), "--period", "2027-03",
           "--amount", "%d.%02d" % divmod(x, 100), "--lock")
    assert rep_month(org, "n1a") == x
    b1, c1 = rep_month(org, "n1b"), rep_month(org, "n1c")
    assert b1 + c1 == team - x
    assert abs(b1 * c0 - c1 * b0) <= b0 + c0   # the same proportion
    assert team_march(org, "N1") == team
    assert_exact(org, TOTAL)
    # Setting n1b leaves the locked n1a alone: n1c absorbs the change.
    y = (team - x) // 3
    expect(org.target("dir", "user", org.login("n1b"), "2027-03", y), "ok")
    assert rep_month(org, "n1a") == x
    assert rep_month(org, "n1c") == team - x - y
    assert_exact(org, TOTAL)
    # More than the team has left beside the lock: refused, nothing moves.
    before = tree(org)[0]
    r = org.target("dir", "user", org.login("n1c"), "2027-03", team - x + 1)
    err = expect_error(r, "CONFLICT", "amount")
    # e.g. "cannot set N1c to 535,714.30 for 2027-03: its team N1-x has
    # 1,071,428.57, of which 535,714.28 is locked for the others, so it can
    # be at most 535,714.29 (unlock one of them, ...)"
    left = team - x
    assert "2027-03" in err.message and "locked" in err.message
    assert "at most %s" % "{:,}.{:02d}".format(*divmod(left, 100)) \
        in err.message, err.message
    # With n1b locked too, n1c can only be exactly what is left.
    expect(org.target("dir", "user", org.login("n1b"), "2027-03", y,
                      lock=True), "ok")
    r = org.target("dir", "user", org.login("n1c"), "2027-03",
                   team - x - y - 1)
    expect_error(r, "CONFLICT", "amount")
    assert tree(org)[0] == before
    expect(org.target("dir", "user", org.login("n1c"), "2027-03",
                      team - x - y), "ok")
    # The same through the CLI: a clear message and exit code.
    res = mgr.run("target", "set", org.login("n1c"), "--period", "2027-03",
                  "--amount", "1")
    assert res.returncode != 0
    assert "lock" in res.stderr
    # Raising the team's March: its office's other team gives it up, the
    # locked reps keep theirs, the unlocked one takes the rest.
    n2 = team_march(org, "N2")
    expect(org.target("dir", "team", org.team("N1"), "2027-03",
                      team + 1000), "ok")
    assert team_march(org, "N1") == team + 1000
    assert team_march(org, "N2") == n2 - 1000
    assert (rep_month(org, "n1a"), rep_month(org, "n1b")) == (x, y)
    assert rep_month(org, "n1c") == team + 1000 - x - y
    assert_exact(org, TOTAL)
    # Locks are listed.
    t = cli.json("target", "show", "--team", org.team("N1"), "--period",
                 "2027-03")
    locked = {r["name"] for r in t["rows"] if r["locked"]}
    assert locked == {org.name("n1a"), org.name("n1b")}


def test_year_lock_and_who_may_set(org, cli):
    cli.ok("target", "plan", "--year", "2027", "--total", "20000000.03",
           "--apply")
    months, _ = tree(org)
    n2 = int(org.sql("SELECT id FROM pace.team WHERE name = '%s'"
                     % org.team("N2")))
    team_year = sum(months[("team", n2)])
    # A yearly number larger than the team's: some month cannot hold it.
    r = org.target("dir", "user", org.login("n2a"), "2027", team_year + 1,
                   lock=True)
    expect_error(r, "CONFLICT", "amount")
    assert_exact(org, TOTAL)
    # Within it: spread over n2a's months in its proportion, n2b takes the
    # rest of each month.
    expect(org.target("dir", "user", org.login("n2a"), "2027",
                      team_year * 2 // 3, lock=True), "ok")
    assert sum(months_of(org, "user", org.ids["n2a"])) == team_year * 2 // 3
    assert sum(months_of(org, "user", org.ids["n2b"])) == \
        team_year - team_year * 2 // 3
    assert_exact(org, TOTAL)
    # A manager sets only the reps of their own team.
    for kind, name in (("team", org.team("N1")),
                       ("user", org.login("n2b")),
                       ("user", org.login("mn1"))):
        r = org.target("mn1", kind, name, "2027-05", 1)
        expect_error(r, "PERMISSION_DENIED")
    r = org.target("n1a", "user", org.login("n1a"), "2027-05", 1)
    expect_error(r, "PERMISSION_DENIED")
    # Weeks and days are not set directly.
    r = org.target("dir", "user", org.login("n1a"), "2027-W10", 1)
    expect_error(r, "INVALID_ARGUMENT", "period")


def test_awkward_totals(org):
    for total in (1, 7, 13, 999999999999999, 2000000003):
        expect(org.c("dir").call(make(
            "target_plan", client_op_id=op_id(), year=2027, total=total,
            apply=True)), "plan")
        assert_exact(org, total)
    for total in (1, 2000000003):
        expect(org.c("dir").call(make(
            "target_plan", client_op_id=op_id(), year=2027, total=total,
            by="even", seasonality="even", apply=True)), "plan")
        months = assert_exact(org, total)
        if total > 1000:
            # even by days: January 31/365 of the year
            jan = months[("org", org.org_id)][0]
            assert abs(jan - total * 31 / 365) <= 1


def test_plan_refusals(org):
    c = org.c("dir")
    expect_error(c.call(make("target_plan", client_op_id=op_id(), year=1999,
                             total=1)), "INVALID_ARGUMENT", "year")
    expect_error(c.call(make("target_plan", client_op_id=op_id(), year=2027,
                             total=-1)), "INVALID_ARGUMENT", "total")
    expect_error(c.call(make("target_plan", client_op_id=op_id(), year=2027,
                             total=1, by="random")), "INVALID_ARGUMENT", "by")
    expect_error(org.c("mn1").call(make(
        "target_plan", client_op_id=op_id(), year=2027, total=1)),
        "PERMISSION_DENIED")
