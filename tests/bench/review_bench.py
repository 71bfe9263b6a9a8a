#!/usr/bin/python3
"""Time to generate the org's monthly review (issue 7's closing note).

Starts a throwaway PostgreSQL and paced (the integration tests' helpers) and
writes, straight into the database, an org of 4 offices, 20 teams (each
with a manager) and 200 reps, with a year of history: 10,000 customers,
1,000,000 activities spread over 1 January - 31 October 2026, 24,000 deals
(won with contracts, lost, and open), payment plans and receipts, and
monthly revenue targets for every rep; the rollups are then rebuilt from
those facts (pace.rollup_rebuild), as `pace` writes would have kept them.
Then a director generates the org's review of 2026-10 over the wire
(ReviewGenerate: computed and stored by the server), and regenerates it a
few times; the times printed are those the client waits for the answer.

    PACE_BUILD_DIR=build-rel PYTHONPATH=build-rel/tests/pyproto:tests/integration \\
        /usr/bin/python3 tests/bench/review_bench.py [--reps 200] [--activities 1000000]

Measured on the 2-CPU development container (PostgreSQL 15 of the test
cluster, fsync off; RelWithDebInfo build) while other test suites ran
alongside (load average 10-14), two runs: the org review of 2026-10 (200
members, 20 teams, 185 KB of JSON) took 1.5 s and 3.0 s the first time
(fresh database sessions), and regenerated 1.0-2.4 s (medians 1.4 s and
2.0 s); one team's review (10 reps) 0.4-0.6 s. Building the data set takes
one to two minutes.
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import kpi_pb2  # noqa: E402
import review_pb2  # noqa: E402,F401
import wire  # noqa: E402
from wire import expect, op_id  # noqa: E402

DIRECTOR = "benchdir"
PASSWORD = "bench-password"


def build(psql, nreps, nacts):
    """The org, its people and a year of facts, in SQL."""
    org = int(psql("SELECT id FROM pace.org ORDER BY id LIMIT 1"))
    teams = max(1, nreps // 10)
    psql("""
INSERT INTO pace.office (org_id, name, region)
SELECT %(org)d, 'Office ' || o, 'R' || o FROM generate_series(1, 4) o;
INSERT INTO pace.team (org_id, office_id, name)
SELECT %(org)d, (SELECT id FROM pace.office WHERE name = 'Office ' || (1 + (t - 1) %% 4)),
       'Team ' || lpad(t::text, 3, '0') FROM generate_series(1, %(teams)d) t;
INSERT INTO pace.app_user (org_id, team_id, login, name, role, pw_hash, hired_on)
SELECT %(org)d, (SELECT id FROM pace.team WHERE name = 'Team ' || lpad(t::text, 3, '0')),
       'mgr' || t, 'Manager ' || t, 'manager', 'x', date '2020-01-01'
FROM generate_series(1, %(teams)d) t;
UPDATE pace.team t SET manager_id = u.id FROM pace.app_user u
WHERE u.team_id = t.id AND u.role = 'manager';
INSERT INTO pace.app_user (org_id, team_id, login, name, role, pw_hash, hired_on)
SELECT %(org)d, (SELECT id FROM pace.team WHERE name = 'Team ' || lpad((1 + (r - 1) %% %(teams)d)::text, 3, '0')),
       'rep' || r, 'Rep ' || r, 'rep', 'x', date '2021-01-01' + r
FROM generate_series(1, %(reps)d) r;
""" % dict(org=org, teams=teams, reps=nreps))
    reps = "(SELECT array_agg(id ORDER BY id) FROM pace.app_user WHERE role = 'rep')"
    # 50 customers a rep; bench_rc: each rep's first customer id.
    psql("""
INSERT INTO pace.customer (org_id, owner_id, name, industry, size_band, region, created_at, updated_at)
SELECT %(org)d, u, 'Customer ' || u || '-' || c, (ARRAY['retail','food','tech','energy'])[1 + c %% 4],
       (ARRAY['small','medium','large'])[1 + c %% 3], 'R' || (c %% 5),
       timestamptz '2025-12-01 10:00+08', timestamptz '2025-12-01 10:00+08'
FROM unnest(%(reps)s) u, generate_series(1, 50) c ORDER BY u, c;
CREATE TABLE bench_rc AS
SELECT owner_id AS u, min(id) AS c0, row_number() OVER (ORDER BY owner_id) AS k
FROM pace.customer GROUP BY owner_id;
""" % dict(org=org, reps=reps))
    # Deals: 120 a rep over the year; a third won, a sixth lost, the rest open.
    psql("""
CREATE TEMP TABLE d AS
SELECT u, n, c0 + (n %% 50) AS cust,
       timestamptz '2026-01-01 10:00+08' + ((n * 37 + u) %% 300) * interval '1 day' AS created,
       (100000 + ((n * 7919 + u * 13) %% 50) * 20000)::bigint AS amount,
       CASE WHEN n %% 6 IN (0, 1) THEN 'won' WHEN n %% 6 = 2 THEN 'lost'
            ELSE (ARRAY['lead','qualified','proposal','quote','negotiation'])[1 + n %% 5] END AS stage,
       (10 + (n * 11 + u) %% 50) AS cycle
FROM bench_rc, generate_series(1, 120) n;
INSERT INTO pace.opportunity (org_id, owner_id, customer_id, title, amount, stage, reached,
    created_at, stage_at, won_at, lost_at, loss_reason, updated_at)
SELECT %(org)d, u, cust, 'Deal ' || u || '-' || n, amount, stage,
       CASE stage WHEN 'won' THEN 63 WHEN 'lost' THEN 65 ELSE pace.stage_reach_bits(stage) END,
       created, created + interval '3 days',
       CASE WHEN stage = 'won' THEN least(created + cycle * interval '1 day', timestamptz '2026-10-31 18:00+08') END,
       CASE WHEN stage = 'lost' THEN least(created + cycle * interval '1 day', timestamptz '2026-10-31 18:00+08') END,
       CASE WHEN stage = 'lost' THEN 'price' END, created
FROM d;
INSERT INTO pace.contract (org_id, opp_id, owner_id, amount, signed_at)
SELECT %(org)d, o.id, o.owner_id, o.amount, o.won_at FROM pace.opportunity o WHERE o.stage = 'won';
INSERT INTO pace.installment (org_id, contract_id, owner_id, due_on, amount_due)
SELECT %(org)d, k.id, k.owner_id, (k.signed_at AT TIME ZONE 'Asia/Shanghai')::date + i * 30, k.amount / 2
FROM pace.contract k, generate_series(1, 2) i;
INSERT INTO pace.receipt (org_id, contract_id, owner_id, received_on, amount, at)
SELECT %(org)d, k.id, k.owner_id, (k.signed_at AT TIME ZONE 'Asia/Shanghai')::date + 28, k.amount / 2,
       k.signed_at + interval '28 days'
FROM pace.contract k WHERE k.id %% 3 <> 0
    AND k.signed_at + interval '28 days' < timestamptz '2026-11-01 00:00+08';
""" % dict(org=org, reps=reps))
    # Activities: nacts over 1 January - 31 October, on the reps' customers.
    psql("""
INSERT INTO pace.activity (org_id, user_id, customer_id, kind, at, duration_min)
SELECT %(org)d, r.u, r.c0 + (g %% 50), (ARRAY['call','visit','email','meeting'])[1 + (g / 7) %% 4],
       timestamptz '2026-01-01 09:00+08' + (g %% 304) * interval '1 day' + (g %% 9) * interval '1 hour',
       g %% 60
FROM generate_series(0, %(n)d - 1) g
JOIN bench_rc r ON r.k = 1 + (g / 304) %% %(nreps)d;
DROP TABLE bench_rc;
""" % dict(org=org, n=nacts, nreps=nreps))
    # Monthly revenue targets for every rep (and so every team, office, org).
    psql("""
INSERT INTO pace.target_month (org_id, scope_kind, scope_id, metric, month, amount)
SELECT %(org)d, 'user', u, 'revenue', m::date, 1800000 + (u %% 7) * 100000
FROM unnest(%(reps)s) u, generate_series(date '2026-01-01', date '2026-12-01', interval '1 month') m;
SELECT pace.rollup_rebuild(%(org)d);
ANALYZE;
""" % dict(org=org, reps=reps))
    return org


def timed_generate(c, period, regenerate, kind="org", name=""):
    f = wire.make("review_generate", client_op_id=op_id(), period=period,
                  regenerate=regenerate)
    f.review_generate.scope.CopyFrom(kpi_pb2.Scope(
        kind=kpi_pb2.ScopeKind.Value("SCOPE_" + kind.upper()), name=name))
    t0 = time.monotonic()
    r = expect(c.call(f, timeout=600), "review")
    return time.monotonic() - t0, r


def bench(port, psql, nreps, nacts, runs):
    adm = wire.connect(port, "admin", "admin-secret-1", timeout=60)
    t0 = time.monotonic()
    build(psql, nreps, nacts)
    t1 = time.monotonic()
    expect(adm.rpc("user_add", client_op_id=op_id(), login=DIRECTOR,
                   name="Bench Director", role=wire.Role.Value("DIRECTOR"),
                   password=PASSWORD), "user")
    print("data:      %s reps, %s activities, %s deals, %s rollup rows "
          "(built in %.0f s)" % (
              psql("SELECT count(*) FROM pace.app_user WHERE role = 'rep'"),
              psql("SELECT count(*) FROM pace.activity"),
              psql("SELECT count(*) FROM pace.opportunity"),
              psql("SELECT count(*) FROM pace.rollup_day"), t1 - t0))
    c = wire.connect(port, DIRECTOR, PASSWORD, timeout=600)
    first, r = timed_generate(c, "2026-10", False)
    assert not r.existing and r.version == 1
    times = []
    for _ in range(runs):
        t, r = timed_generate(c, "2026-10", True)
        times.append(t)
    team, _ = timed_generate(c, "2026-10", True, "team", "Team 001")
    import json
    content = json.loads(r.content)
    print("review:    %d members, %d teams, %d diagnoses, %d bytes of JSON" % (
        len(content["members"]), len(content["teams"]),
        len(content["diagnoses"]), len(r.content)))
    print("org review 2026-10, first generation: %.2f s" % first)
    print("org review 2026-10, regenerated %d times: median %.2f s, min "
          "%.2f s, max %.2f s" % (runs, statistics.median(times), min(times),
                                  max(times)))
    print("one team's review (10 reps): %.2f s" % team)
    c.close()
    adm.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--activities", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from pacedproc import ADMIN, ADMIN_PASSWORD, Paced, run_init
    from pgcluster import PgCluster
    assert (ADMIN, ADMIN_PASSWORD) == ("admin", "admin-secret-1")
    pg = PgCluster()
    srv = None
    try:
        pg.init()
        db = pg.createdb()
        r = run_init(pg.conninfo(db))
        assert r.returncode == 0, r.stderr
        srv = Paced(pg.conninfo(db)).start()

        def psql(q):
            import subprocess
            p = subprocess.run(
                ["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
                 "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres",
                 "-d", db, "-c", q], capture_output=True, text=True,
                timeout=3600)
            if p.returncode != 0:
                raise RuntimeError("psql: %s" % p.stderr)
            return p.stdout.strip()
        bench(srv.port, psql, args.reps, args.activities, args.runs)
    finally:
        if srv:
            srv.stop()
        pg.destroy()


if __name__ == "__main__":
    main()
