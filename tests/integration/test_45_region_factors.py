"""Region factors of target plans (docs/targets.md) are an org setting:
OrgSet "region_factor.<REGION>" (admins and directors) sets or, with an
empty value, removes a region's factor; OrgGet and `pace admin org show`
show them, sorted by region; TargetPlan scales each rep's weight by the
factor of the rep's region. Bad keys and values are refused and change
nothing; reps may not set them; setting one does not mark KPIs changed.

The org: one team of three veteran reps with no history and no pipeline,
so the plan's weight of each is 1/3 times their region's factor:

    e1  region 华北
    e2  region 华南
    e3  no region (factor 1 always)
"""

import datetime

import pytest

from kpi_org import KpiOrg, make
from pacecli import logged_in
from wire import expect, expect_error, op_id

VETERAN = "2019-04-01"
YEAR = datetime.date.today().year + 1
TOTAL = 300000000            # ¥3,000,000.00


@pytest.fixture(scope="module")
def org(paced):
    people = [("e%d" % i, "REP", "T", {"hired_on": VETERAN, "region": r})
              for i, r in ((1, "华北"), (2, "华南"), (3, ""))]
    o = KpiOrg(paced, offices=[("HQ", "华北")], teams=[("T", "HQ")],
               people=people + [("dir", "DIRECTOR", None, {})])
    yield o
    o.close()


@pytest.fixture(scope="module")
def cli(paced, org, tmp_path_factory):
    return logged_in(tmp_path_factory, paced.port, org.login("dir"))


def org_set(org, who, key, value):
    return org.c(who).call(make("org_set", client_op_id=op_id(), key=key,
                                value=value))


def factors(org):
    """The region factors as OrgGet shows them: [(region, factor)]."""
    s = expect(org.c("dir").call(make("org_get")), "org_settings")
    return [(f.region, f.factor) for f in s.region_factors]


def stored(org):
    return org.sql("SELECT region_factors::text FROM pace.org WHERE id = %d"
                   % org.org_id)


def org_changes(org):
    return int(org.sql("SELECT count(*) FROM pace.change_log WHERE org_id = "
                       "%d AND user_id IS NULL" % org.org_id))


def weights(org):
    """{rep: (region, weight, target)} of a plan (not applied)."""
    p = expect(org.c("dir").call(make(
        "target_plan", client_op_id=op_id(), year=YEAR, total=TOTAL)),
        "plan")
    return {who: (r.region, r.weight, r.target) for r in p.rows
            for who in ("e1", "e2", "e3") if r.scope.name == org.name(who)}


def test_set_show_and_plan(org, cli):
    assert factors(org) == []
    base = weights(org)
    assert base["e1"][1] == pytest.approx(base["e2"][1]) == \
        pytest.approx(base["e3"][1])
    changes = org_changes(org)

    # A director sets two factors, by the CLI and by the RPC.
    out = cli.json("admin", "org", "set", "region_factor.华南", "1.5")
    assert out["region_factors"] == {"华南": 1.5}
    s = expect(org_set(org, "dir", "region_factor. 华北 ", "0.8"),
               "org_settings")
    assert [(f.region, f.factor) for f in s.region_factors] == \
        [("华北", 0.8), ("华南", 1.5)]
    assert factors(org) == [("华北", 0.8), ("华南", 1.5)]
    shown = cli.json("admin", "org", "show")
    assert list(shown["region_factors"].items()) == \
        [("华北", 0.8), ("华南", 1.5)]
    assert "华北 0.8, 华南 1.5" in cli.ok("admin", "org", "show").stdout
    # Only future plans use them: no KPI changes.
    assert org_changes(org) == changes

    # Audited like every setting: the key, before and after.
    audit = org.sql(
        "SELECT before::text || ' ' || after::text FROM pace.audit_log "
        "WHERE entity = 'org' AND after ? 'region_factor.华南'")
    assert audit == '{"region_factor.华南": null} {"region_factor.华南": 1.5}'

    # The plan: otherwise identical reps, weights in the ratio of the
    # factors of their regions (none for e3: 1).
    w = weights(org)
    assert (w["e1"][0], w["e2"][0], w["e3"][0]) == ("华北", "华南", "")
    assert w["e2"][1] / w["e1"][1] == pytest.approx(1.5 / 0.8)
    assert w["e3"][1] / w["e1"][1] == pytest.approx(1 / 0.8)
    assert w["e2"][2] > w["e3"][2] > w["e1"][2]
    assert sum(x[2] for x in w.values()) == TOTAL

    # An empty value removes a factor; the plan follows.
    out = cli.json("admin", "org", "set", "region_factor.华北", "")
    assert out["region_factors"] == {"华南": 1.5}
    assert factors(org) == [("华南", 1.5)]
    w = weights(org)
    assert w["e2"][1] / w["e1"][1] == pytest.approx(1.5)
    assert w["e3"][1] == pytest.approx(w["e1"][1])
    assert org_changes(org) == changes


def test_reps_may_not_set_factors(org):
    before = stored(org)
    expect_error(org_set(org, "e2", "region_factor.华南", "5"),
                 "PERMISSION_DENIED")
    assert stored(org) == before


@pytest.mark.parametrize("key,value,field", [
    ("region_factor.华南", "0", "value"),
    ("region_factor.华南", "0.05", "value"),
    ("region_factor.华南", "11", "value"),
    ("region_factor.华南", "10.5", "value"),
    ("region_factor.华南", "abc", "value"),
    ("region_factor.华南", "-1", "value"),
    ("region_factor.华南", "1e1", "value"),
    ("region_factor.", "1.2", "key"),
    ("region_factor.  ", "1.2", "key"),
    ("region_factor." + "区" * 101, "1.2", "key"),
    ("region_factor." + "区" * 200, "1.2", "key"),
    ("region_factor.a\tb", "1.2", "key"),
])
def test_bad_keys_and_values_change_nothing(org, key, value, field):
    expect(org_set(org, "dir", "region_factor.华南", "1.5"), "org_settings")
    before, shown, changes = stored(org), factors(org), org_changes(org)
    expect_error(org_set(org, "dir", key, value), "INVALID_ARGUMENT", field)
    assert stored(org) == before
    assert factors(org) == shown
    assert org_changes(org) == changes


def test_bounds_are_accepted(org):
    for value in ("0.1", "10", "1"):
        s = expect(org_set(org, "dir", "region_factor.西南", value),
                   "org_settings")
        assert ("西南", float(value)) in [(f.region, f.factor)
                                         for f in s.region_factors]
    # 100 characters is a region like any other.
    long_region = "区" * 100
    s = expect(org_set(org, "dir", "region_factor." + long_region, "2"),
               "org_settings")
    assert (long_region, 2.0) in [(f.region, f.factor)
                                  for f in s.region_factors]
    expect(org_set(org, "dir", "region_factor." + long_region, ""),
           "org_settings")
    expect(org_set(org, "dir", "region_factor.西南", ""), "org_settings")
