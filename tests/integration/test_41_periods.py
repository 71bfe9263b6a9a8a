"""Issue 4: period boundaries in the org's time zone (Asia/Shanghai, UTC+8).

Contracts are signed through DealWin at instants either side of local
midnight; each must count in the local day, week, month, quarter and year
that contains it. The clock is held at 2029-03-10 12:00 CST so that every
instant below is in the past, and the org's backfill window is widened to
its maximum (3660 days) so the writes are accepted.

    signed (UTC)               local (CST)            amount
    2026-11-30T15:59:59Z       2026-11-30 23:59:59    1M   November, W49
    2026-11-30T16:00:00Z       2026-12-01 00:00:00    2M   December, W49
    2026-12-31T02:00:00Z       2026-12-31 10:00       4M   2026, W53
    2027-01-02T02:00:00Z       2027-01-02 10:00       5M   2027, 2026-W53
    2027-01-03T15:59:59Z       2027-01-03 23:59:59    8M   2026-W53 (its last second)
    2027-01-03T16:00:00Z       2027-01-04 00:00       7M   2027-W01 (its first)
    2027-01-04T02:00:00Z       2027-01-04 10:00       6M   2027-W01
    2028-02-28T16:00:00Z       2028-02-29 00:00       10M  leap day
    2028-02-29T04:00:00Z       2028-02-29 12:00       9M   leap day
    2028-02-29T15:59:59Z       2028-02-29 23:59:59    11M  leap day
    2028-02-29T16:00:00Z       2028-03-01 00:00       12M  March

(M = 1,000,000 fen.) ISO weeks: 2026 has 53 (W53 = Mon 2026-12-28 to Sun
2027-01-03); 2027-W01 starts Mon 2027-01-04; 2027 has only 52.
"""

import pytest

import kpi_pb2
import wire
from kpi_org import KpiOrg, cst, make, scope, set_clock, utc
from pacecli import PaceCli
from wire import expect, expect_error

PACED_ARGS = ("--test-clock", "true")
M = 1000000
NOW = cst("2029-03-10 12:00")

SIGNED = [("2026-11-30T15:59:59Z", 1), ("2026-11-30T16:00:00Z", 2),
          ("2026-12-31T02:00:00Z", 4), ("2027-01-02T02:00:00Z", 5),
          ("2027-01-03T15:59:59Z", 8), ("2027-01-03T16:00:00Z", 7),
          ("2027-01-04T02:00:00Z", 6), ("2028-02-28T16:00:00Z", 10),
          ("2028-02-29T04:00:00Z", 9), ("2028-02-29T15:59:59Z", 11),
          ("2028-02-29T16:00:00Z", 12)]

# The actual (booked) of r1 per period, by hand from the table above.
ACTUAL = {
    "2026-11-30": 1, "2026-12-01": 2, "2026-11": 1, "2026-12": 2 + 4,
    "2026-W49": 1 + 2, "2026Q4": 1 + 2 + 4, "2026": 1 + 2 + 4,
    "2026-W53": 4 + 5 + 8, "2027-W01": 7 + 6, "2027-01": 5 + 8 + 7 + 6,
    "2027-01-03": 8, "2027-01-04": 7 + 6, "2027": 5 + 8 + 7 + 6,
    "2027Q1": 5 + 8 + 7 + 6,
    "2028-02-28": 0, "2028-02-29": 10 + 9 + 11, "2028-03-01": 12,
    "2028-02": 10 + 9 + 11, "2028-03": 12, "2028Q1": 10 + 9 + 11 + 12,
    "2028-W09": 10 + 9 + 11 + 12,   # Mon 2028-02-28 .. Sun 03-05
}


@pytest.fixture(scope="module")
def org(paced):
    set_clock(paced.port, NOW)
    o = KpiOrg(paced, offices=[("HQ", "")], teams=[("T", "HQ")],
               people=[("r1", "REP", "T", {}), ("d", "DIRECTOR", None, {})])
    o.org_set("backfill_days", 3660)
    cust = o.customer("r1", "Boundary Co", at=cst("2026-11-01 09:00"))
    for when, amount in SIGNED:
        o.won_deal("r1", cust, "signed " + when, amount * M,
                   cst("2026-11-01 09:00"), utc(when))
    yield o
    o.close()


def kpi(org, who, period):
    """KpiGet of rep r1 for a period, asked by `who`."""
    return org.c(who).call(make("kpi_get", scope=scope(
        "user", org.login("r1")), period=period))


@pytest.mark.parametrize("period", sorted(ACTUAL))
def test_actual_by_local_period(org, period):
    k = expect(kpi(org, "d", period), "kpi")
    assert k.actual == ACTUAL[period] * M, period
    assert k.period == period


def test_period_boundaries_are_local_midnight(org):
    """A period's start and end instants are 00:00 Asia/Shanghai."""
    for period, start, end in [
            ("2026-11", "2026-10-31T16:00:00Z", "2026-11-30T16:00:00Z"),
            ("2026-W53", "2026-12-27T16:00:00Z", "2027-01-03T16:00:00Z"),
            ("2027-W01", "2027-01-03T16:00:00Z", "2027-01-10T16:00:00Z"),
            ("2028-02", "2028-01-31T16:00:00Z", "2028-02-29T16:00:00Z"),
            ("2028-02-29", "2028-02-28T16:00:00Z", "2028-02-29T16:00:00Z"),
            ("2026Q4", "2026-09-30T16:00:00Z", "2026-12-31T16:00:00Z")]:
        k = expect(kpi(org, "d", period), "kpi")
        assert (k.period_start, k.period_end) == (utc(start), utc(end)), \
            period


def test_iso_weeks_across_the_year_end(org):
    # 2026 has 53 ISO weeks, 2027 has 52: 2027-W53 does not exist.
    expect(kpi(org, "d", "2026-W53"), "kpi")
    expect_error(kpi(org, "d", "2027-W53"), "INVALID_ARGUMENT", "period")
    expect_error(kpi(org, "d", "2026-W54"), "INVALID_ARGUMENT", "period")
    expect_error(kpi(org, "d", "2026-W00"), "INVALID_ARGUMENT", "period")
    # Lower case and the canonical form.
    k = expect(kpi(org, "d", "2027-w01"), "kpi")
    assert k.period == "2027-W01"


def test_leap_day_exists_only_in_leap_years(org):
    expect(kpi(org, "d", "2028-02-29"), "kpi")
    for bad in ("2027-02-29", "2100-02-29", "2026-13", "2026Q5",
                "2026-11-31", "yesterday"):
        expect_error(kpi(org, "d", bad), "INVALID_ARGUMENT", "period")
    expect(kpi(org, "d", "2000-02-29"), "kpi")  # 2000 is a leap year


def test_targets_and_elapsed_across_boundaries(org, paced):
    """Week targets come from the days of the months they span; elapsed
    counts local days (a leap February has 29)."""
    for period, amount in (("2026-12", 31), ("2027-01", 62),
                           ("2028-02", 29)):
        r = org.target("d", "user", org.login("r1"), period, amount * M)
        expect(r, "ok")
    # W53: Dec 28-31 at 1M a day, Jan 1-3 at 2M a day = 4M + 6M.
    k = expect(kpi(org, "d", "2026-W53"), "kpi")
    assert k.target.v == 10 * M
    assert k.actual == 17 * M
    # 2027-W01: 7 days of January at 2M.
    assert expect(kpi(org, "d", "2027-W01"), "kpi").target.v == 14 * M
    # The leap day: 29M over 29 days.
    assert expect(kpi(org, "d", "2028-02-29"), "kpi").target.v == 1 * M
    # With the clock at 2028-02-15 00:00 CST: 14 of February's 29 days
    # and 45 of 2028's 366 have gone; 2028-02-29 has not begun.
    set_clock(paced.port, cst("2028-02-15 00:00"))
    try:
        k = expect(kpi(org, "d", "2028-02"), "kpi")
        assert abs(k.elapsed.v - 14 / 29) < 1e-12
        # attainment 30M of 29M = 30/29; pace = 30/29 / (14/29) = 30/14
        assert abs(k.pace.v - 30 / 14) < 1e-9
        assert k.status == kpi_pb2.GREEN
        k = expect(kpi(org, "d", "2028"), "kpi")
        assert abs(k.elapsed.v - 45 / 366) < 1e-12
        k = expect(kpi(org, "d", "2028-02-29"), "kpi")
        assert k.elapsed.v == 0
        assert not k.HasField("pace")          # undefined while elapsed = 0
        assert k.status == kpi_pb2.STATUS_NONE
    finally:
        set_clock(paced.port, NOW)


def test_cli_boundary(org, paced, tmp_path):
    """The same numbers through `pace kpi --json`."""
    cli = PaceCli(tmp_path, paced.port)
    cli.login(org.login("d"), "password-1")
    for period in ("2026-11", "2026-12", "2026-W53", "2028-02-29"):
        k = cli.json("kpi", "--user", org.login("r1"), "--period", period)
        assert k["actual"] == ACTUAL[period] * M, period
    r = cli.run("kpi", "--user", org.login("r1"), "--period", "2027-W53")
    assert r.returncode != 0
    assert "2027-W53" in r.stderr


def test_writes_outside_the_window_are_refused(org):
    """The window follows the (test) clock: 3660 days back, a little
    ahead."""
    c = org.c("r1")
    cust = org.customer("r1", "Late Co", at=cst("2029-03-01 09:00"))
    r = c.call(make("deal_add", client_op_id=wire.op_id(), title="future",
                    customer_id=cust, amount=1, at=cst("2029-03-11 12:00")))
    expect_error(r, "INVALID_ARGUMENT", "at")
    r = c.call(make("deal_add", client_op_id=wire.op_id(), title="ancient",
                    customer_id=cust, amount=1, at=cst("2019-01-01 12:00")))
    expect_error(r, "INVALID_ARGUMENT", "at")


def test_time_zone_change_moves_the_boundaries(org):
    """The reporting time zone decides the day of every fact: changing it
    rebuilds the rollups (and the customers touched per month), and the
    contract signed at 2026-11-30T16:00:00Z moves from December (Shanghai)
    to November (UTC), with the visit made at 2026-11-30T20:00:00Z."""
    cust = org.customer("r1", "Edge Co", at=cst("2026-11-01 09:00"))
    org.activity("r1", "visit", cust, utc("2026-11-30T20:00:00Z"))

    def mix(period):
        k = expect(kpi(org, "d", period), "kpi")
        return k.actual, {c.key: c.n for c in k.mix_industry}

    assert mix("2026-11") == (1 * M, {})
    assert mix("2026-12") == (6 * M, {"—": 1})
    org.org_set("timezone", "UTC")
    try:
        assert mix("2026-11") == (3 * M, {"—": 1})
        assert mix("2026-12") == (4 * M, {})
        assert mix("2026-W49") == (3 * M, {"—": 1})
        assert org.rollups_ok()     # rebuilt days, and their months
    finally:
        org.org_set("timezone", "Asia/Shanghai")
    assert mix("2026-11") == (1 * M, {})
    assert mix("2026-12") == (6 * M, {"—": 1})
