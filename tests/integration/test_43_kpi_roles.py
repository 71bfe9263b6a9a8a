"""Issue 4: who sees which numbers (DESIGN §4 roles), and the leaderboard.

    office HQ: team A (manager ma): reps r1 r2 r3 r4 r5 r6
               team B (manager mb): rep b1
    director dir

June 2026 (clock held at 2026-06-15 12:00 CST), revenue targets and
contracts signed in June:

    rep  target  won   attainment  rank
    r3   10M     8M    0.8         1
    r1   10M     5M    0.5         2
    r2   10M     5M    0.5         2    (tie with r1)
    r5   20M     10M   0.5         2    (the same ratio from other numbers)
    r4   10M     0     0           5
    r6   -       3M    -           -    (no target: no rank, listed last)
    b1   10M     2M    0.2         (team B)
"""

import pytest

from kpi_org import KpiOrg, cst, make, scope, set_clock
from pacecli import PaceCli
from wire import expect, expect_error

PACED_ARGS = ("--test-clock", "true")
M = 1000000
PERIOD = "2026-06"


@pytest.fixture(scope="module")
def org(paced):
    set_clock(paced.port, cst("2026-06-15 12:00"))
    o = KpiOrg(paced, offices=[("HQ", "")], teams=[("A", "HQ"), ("B", "HQ")],
               people=[("ma", "MANAGER", "A", {}),
                       *[("r%d" % i, "REP", "A", {}) for i in range(1, 7)],
                       ("mb", "MANAGER", "B", {}),
                       ("b1", "REP", "B", {}),
                       ("dir", "DIRECTOR", None, {})])
    for who, target, won in (("r1", 10, 5), ("r2", 10, 5), ("r3", 10, 8),
                             ("r4", 10, 0), ("r5", 20, 10), ("r6", 0, 3),
                             ("b1", 10, 2)):
        if target:
            expect(o.target("dir", "user", o.login(who), PERIOD,
                            target * M), "ok")
        if won:
            cust = o.customer(who, who + " Co", at=cst("2026-06-01 09:00"))
            o.won_deal(who, cust, who + " deal", won * M,
                       cst("2026-06-02 09:00"), cst("2026-06-10 10:00"))
    yield o
    o.close()


def kpi(org, who, kind, name=""):
    return org.c(who).call(make("kpi_get", scope=scope(kind, name),
                                period=PERIOD))


def board(org, who, kind="", name=""):
    fields = {"period": PERIOD}
    if kind:
        fields["scope"] = scope(kind, name)
    return org.c(who).call(make("board_get", **fields))


def test_rep_sees_own_kpis_and_team_board_only(org):
    L = org.login
    k = expect(kpi(org, "r1", "user"), "kpi")             # "me"
    assert k.scope.name == org.name("r1") and k.actual == 5 * M
    expect(kpi(org, "r1", "user", L("r1")), "kpi")
    expect(board(org, "r1"), "board")                      # my team
    expect(board(org, "r1", "team", org.team("A")), "board")
    for kind, name in (("user", L("r2")), ("user", L("b1")),
                       ("user", L("ma")), ("team", org.team("A")),
                       ("team", org.team("B")), ("office", org.office("HQ")),
                       ("org", "")):
        expect_error(kpi(org, "r1", kind, name), "PERMISSION_DENIED",
                     "scope")
    for kind, name in (("team", org.team("B")), ("office", org.office("HQ")),
                       ("org", "")):
        expect_error(board(org, "r1", kind, name), "PERMISSION_DENIED",
                     "scope")
    # The denial says nothing about the other rep's numbers.
    err = expect_error(kpi(org, "r1", "user", L("r2")), "PERMISSION_DENIED")
    assert "5" not in err.message.replace(L("r2"), "").replace(
        org.name("r2"), "")


def test_manager_sees_own_team(org):
    L = org.login
    for kind, name in (("team", org.team("A")), ("user", L("r4")),
                       ("user", L("ma")), ("user", "")):
        expect(kpi(org, "ma", kind, name), "kpi")
    expect(board(org, "ma", "team", org.team("A")), "board")
    for kind, name in (("team", org.team("B")), ("user", L("b1")),
                       ("user", L("mb")), ("office", org.office("HQ")),
                       ("org", "")):
        expect_error(kpi(org, "ma", kind, name), "PERMISSION_DENIED")
    expect_error(board(org, "ma", "team", org.team("B")),
                 "PERMISSION_DENIED")
    expect_error(board(org, "ma", "org"), "PERMISSION_DENIED")


def test_director_sees_everything(org):
    L = org.login
    for kind, name in (("team", org.team("A")), ("team", org.team("B")),
                       ("user", L("b1")), ("user", L("r2")),
                       ("office", org.office("HQ")), ("org", "")):
        expect(kpi(org, "dir", kind, name), "kpi")
    b = expect(board(org, "dir"), "board")                 # the org's reps
    assert len(b.rows) == 7
    b = expect(board(org, "dir", "org", "", ), "board")
    assert len(b.rows) == 7


def test_target_show_follows_the_same_rules(org):
    r = org.c("r1").call(make("target_show", scope=scope(
        "user", org.login("r2")), period=PERIOD))
    expect_error(r, "PERMISSION_DENIED")
    t = expect(org.c("r1").call(make("target_show", scope=scope("user", ""),
                                     period=PERIOD)), "target_table")
    assert t.rows[0].amount.v == 10 * M
    t = expect(org.c("ma").call(make("target_show", scope=scope(
        "team", org.team("A")), period=PERIOD)), "target_table")
    # The team has no own number: the sum of its members' (DESIGN §5).
    assert t.rows[0].amount.v == 60 * M


def test_board_ties_share_a_rank(org, paced, tmp_path):
    cli = PaceCli(tmp_path, paced.port)
    cli.login(org.login("r1"), "password-1")
    b = cli.json("board", "--period", PERIOD)
    got = [(r["scope"]["name"], r["rank"]) for r in b["rows"]]
    n = org.name
    assert got[0] == (n("r3"), 1)
    # r1, r2, r5 all at 0.5 share rank 2 (listed by actual, then name);
    # r4 at 0 is 5th; r6 has no target: no rank, last.
    assert got[1:4] == [(n("r5"), 2), (n("r1"), 2), (n("r2"), 2)]
    assert got[4:] == [(n("r4"), 5), (n("r6"), None)]
    assert b["metric"] == "revenue" and b["period"] == PERIOD
    row = {r["scope"]["name"]: r for r in b["rows"]}
    assert row[n("r6")]["target"] is None
    assert row[n("r6")]["attainment"] is None
    assert row[n("r5")]["attainment"] == 0.5
    # The same on the wire.
    wb = expect(board(org, "r1"), "board")
    assert wb.metric == "revenue"
    assert [r.rank for r in wb.rows] == [1, 2, 2, 2, 5, 0]
    # People: ranks and names aligned in a table.
    out = cli.ok("board", "--period", PERIOD).stdout
    lines = [ln for ln in out.splitlines()
             if any(n("r%d" % i) in ln for i in range(1, 7))]
    assert len(lines) == 6
    assert lines[0].split()[0] == "★1" and n("r3") in lines[0]
    assert "¥80,000.00" in out           # r3's 8M fen
    # The KPI rank agrees with the board.
    for who, rank in (("r3", 1), ("r2", 2), ("r4", 5)):
        k = expect(kpi(org, who, "user"), "kpi")
        assert k.rank == rank, who
    assert expect(kpi(org, "r6", "user"), "kpi").rank == 0


def test_board_by_team_and_metric(org):
    b = expect(board(org, "dir", "org"), "board")
    assert {r.member.name for r in b.rows} >= {org.name("b1")}
    r = org.c("dir").call(make("board_get", scope=scope("org"),
                               period=PERIOD, level="team"))
    b = expect(r, "board")
    # Team A: 31M of 60M = 0.5167; team B: 2M of 10M = 0.2.
    assert [(x.member.name, x.rank) for x in b.rows] == [
        (org.team("A"), 1), (org.team("B"), 2)]
    r = org.c("dir").call(make("board_get", scope=scope("org"),
                               period=PERIOD, metric="followups"))
    b = expect(r, "board")
    assert b.metric == "followups"
    assert all(x.rank == 0 for x in b.rows)   # no follow-up targets
    expect_error(org.c("dir").call(make("board_get", period=PERIOD,
                                        metric="vibes")),
                 "INVALID_ARGUMENT", "metric")
