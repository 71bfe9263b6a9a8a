#!/usr/bin/python3
"""Server-side time of `pace kpi --org` and `pace board --org` over a year
(issue 4's closing note), against the same numbers by plain SQL GROUP BY
over the raw tables.

    PACE_BUILD_DIR=build PYTHONPATH=build/tests/pyproto:tests/integration \\
        /usr/bin/python3 tests/bench/kpi_bench.py [--reps 200]
        [--activities 1000000] [--deals-per-rep 100] [--runs 5]

Starts its own PostgreSQL and paced (--test-clock, the clock held at
2025-12-31 12:00 Asia/Shanghai; the integration tests' helpers), creates an
org of --reps reps (2 offices, 10 reps a team) through the admin RPCs, then
loads one year (2025) of facts with set-based SQL: 50 customers a rep,
--deals-per-rep deals a rep (40% won with a contract, an installment and
mostly a receipt; 20% lost; the rest open), --activities activities spread
over the year. The rollups are then computed with pace.rollup_rebuild, the
SQL that states what the write path maintains, and checked with
pace.rollup_check (no difference). The director applies a plan for 2025
through TargetPlan.

Measured, --runs times each, median:
- server-side time of KpiGet (org, 2025) and BoardGet (org, 2025): the
  increase of paced's pace_request_seconds_sum for that one request
  (from request received to reply queued), on a logged-in connection;
- the wall time of the `pace kpi --org` and `pace board --org` commands;
- the same numbers by GROUP BY over contract, activity, opportunity,
  receipt and installment (psql \\timing), checked equal to the KPIs'.

The ratio is GROUP BY time / server-side time.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import wire  # noqa: E402
from wire import expect, op_id  # noqa: E402

YEAR = 2025
NOW_US = 1767153600000000      # 2025-12-31 12:00 CST


def metrics(port):
    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                  timeout=10).read().decode()
    m = re.search(r"^pace_request_seconds_sum ([0-9.e+-]+)$", text, re.M)
    n = re.search(r"^pace_request_seconds_count (\d+)$", text, re.M)
    return float(m.group(1)), int(n.group(1))


def server_time(c, mport, frame, reply):
    """Seconds paced spent on one request, from its own histogram."""
    s0, n0 = metrics(mport)
    t0 = time.monotonic()
    r = expect(c.call(frame, timeout=600), reply)
    wall = time.monotonic() - t0
    s1, n1 = metrics(mport)
    assert n1 == n0 + 1, (n0, n1)
    return s1 - s0, wall, r


def psql_time(pg, db, sql):
    """(ms, output) of one statement run by psql with \\timing."""
    p = subprocess.run(
        [os.path.join(pg.bindir, "psql"), "-X", "-A", "-t", "-q",
         "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", db,
         "-c", "\\timing on", "-c", sql],
        capture_output=True, text=True, timeout=3600)
    if p.returncode != 0:
        raise RuntimeError("psql: %s" % p.stderr)
    lines = p.stdout.strip().splitlines()
    ms = float(re.search(r"Time: ([0-9.]+) ms", lines[-1]).group(1))
    return ms, "\n".join(lines[:-1])


LOAD = """
-- Customers: 50 a rep.
INSERT INTO pace.customer (org_id, owner_id, name, industry, size_band,
    region, created_at, updated_at)
SELECT {org}, r.id, 'C ' || r.id || '-' || k,
    (ARRAY['制造','零售','金融','物流','医疗'])[1 + k % 5],
    (ARRAY['small','medium','large'])[1 + k % 3],
    (ARRAY['华北','华东','华南','西部'])[1 + r.id % 4],
    timestamptz '2024-12-01 09:00+08', timestamptz '2024-12-01 09:00+08'
FROM pace.app_user r, generate_series(0, 49) k
WHERE r.role = 'rep' AND r.org_id = {org};

-- Deals: created over the year; 40% won (contract signed 5-60 days later),
-- 20% lost, 40% open in a stage.
WITH d AS (
    SELECT r.id AS owner, k,
        timestamptz '{year}-01-01 00:00+08'
            + ((r.id * 7919 + k * 104729) % 31000000) * interval '1 second'
            AS created,
        CASE WHEN k % 5 < 2 THEN 'won' WHEN k % 5 = 2 THEN 'lost'
            ELSE (ARRAY['lead','qualified','proposal','quote',
                        'negotiation'])[1 + k % 5] END AS stage,
        (10000 + (r.id * 31 + k * 17) % 90000) * 100 AS amount
    FROM pace.app_user r, generate_series(0, {deals} - 1) k
    WHERE r.role = 'rep' AND r.org_id = {org})
INSERT INTO pace.opportunity (org_id, owner_id, lead_owner_id, customer_id,
    title, amount, stage, reached, created_at, stage_at, won_at, lost_at,
    lost_owner_id, loss_reason, updated_at)
SELECT {org}, d.owner, d.owner,
    (SELECT c.id FROM pace.customer c WHERE c.owner_id = d.owner
     ORDER BY c.id OFFSET d.k % 50 LIMIT 1),
    'Deal ' || d.owner || '-' || d.k, d.amount, d.stage,
    CASE d.stage WHEN 'won' THEN 63 WHEN 'lost' THEN 3 | 64
        ELSE pace.stage_reach_bits(d.stage) END,
    d.created,
    d.created + ((d.k % 56) + 5) * interval '1 day',
    CASE WHEN d.stage = 'won'
        THEN d.created + ((d.k % 56) + 5) * interval '1 day' END,
    CASE WHEN d.stage = 'lost'
        THEN d.created + ((d.k % 56) + 5) * interval '1 day' END,
    CASE WHEN d.stage = 'lost' THEN d.owner END,
    CASE WHEN d.stage = 'lost'
        THEN (ARRAY['price','competitor','timing'])[1 + d.k % 3] END,
    d.created
FROM d;
-- Deals closed after the year's end stay open at the end of the year.
UPDATE pace.opportunity SET stage = 'negotiation', reached = 31,
    won_at = NULL, lost_at = NULL, lost_owner_id = NULL, loss_reason = NULL
WHERE org_id = {org} AND coalesce(won_at, lost_at) >= timestamptz '{next}-01-01 00:00+08';

INSERT INTO pace.contract (org_id, opp_id, owner_id, amount, signed_at)
SELECT {org}, o.id, o.owner_id, o.amount, o.won_at FROM pace.opportunity o
WHERE o.org_id = {org} AND o.stage = 'won';
INSERT INTO pace.installment (org_id, contract_id, owner_id, due_on,
    amount_due)
SELECT {org}, k.id, k.owner_id,
    ((k.signed_at AT TIME ZONE 'Asia/Shanghai')::date + 30), k.amount
FROM pace.contract k WHERE k.org_id = {org};
INSERT INTO pace.receipt (org_id, contract_id, owner_id, received_on,
    amount, at)
SELECT {org}, k.id, k.owner_id,
    least(date '{year}-12-31', (k.signed_at AT TIME ZONE 'Asia/Shanghai')::date
        + 20 + (k.id % 30)::int), k.amount, k.signed_at
FROM pace.contract k WHERE k.org_id = {org} AND k.id % 10 < 7;

-- Activities: spread over the year, over the reps and their customers.
WITH reps AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i
              FROM pace.app_user WHERE role = 'rep' AND org_id = {org}),
n AS (SELECT count(*) AS n FROM reps),
cust AS (SELECT id, owner_id, row_number() OVER (PARTITION BY owner_id
              ORDER BY id) - 1 AS j FROM pace.customer WHERE org_id = {org})
INSERT INTO pace.activity (org_id, user_id, customer_id, kind, at)
SELECT {org}, r.id, c.id, (ARRAY['call','visit','email','meeting'])[1 + g % 4],
    timestamptz '{year}-01-01 00:00+08'
        + (g::bigint * 31536000 / {acts}) * interval '1 second'
FROM generate_series(0, {acts} - 1) g
JOIN n ON true
JOIN reps r ON r.i = g % n.n
JOIN cust c ON c.owner_id = r.id AND c.j = (g / n.n) % 50;

SELECT pace.rollup_rebuild({org});
ANALYZE;
"""

# The year's KPI numbers and the leaderboard, by GROUP BY over the raw
# tables (what a report writer would do without rollups).
RAW_KPI = """
WITH y AS (SELECT timestamptz '{year}-01-01 00:00+08' AS t0,
                  timestamptz '{next}-01-01 00:00+08' AS t1)
SELECT json_build_object(
 'actual', (SELECT sum(amount) FROM pace.contract, y
            WHERE org_id = {org} AND signed_at >= t0 AND signed_at < t1),
 'contracts', (SELECT count(*) FROM pace.contract, y
            WHERE org_id = {org} AND signed_at >= t0 AND signed_at < t1),
 'followups', (SELECT json_object_agg(kind, n) FROM (SELECT kind, count(*) n
            FROM pace.activity, y WHERE org_id = {org} AND at >= t0
            AND at < t1 GROUP BY kind) x),
 'new_leads', (SELECT count(*) FROM pace.opportunity, y WHERE org_id = {org}
            AND created_at >= t0 AND created_at < t1),
 'won', (SELECT count(*) FROM pace.opportunity, y WHERE org_id = {org}
            AND won_at >= t0 AND won_at < t1),
 'lost', (SELECT count(*) FROM pace.opportunity, y WHERE org_id = {org}
            AND lost_at >= t0 AND lost_at < t1),
 'received', (SELECT sum(amount) FROM pace.receipt WHERE org_id = {org}
            AND received_on >= date '{year}-01-01'
            AND received_on < date '{next}-01-01'),
 'due', (SELECT sum(amount_due) FROM pace.installment WHERE org_id = {org}
            AND due_on >= date '{year}-01-01' AND due_on < date '{next}-01-01'),
 'customers', (SELECT count(DISTINCT customer_id) FROM pace.activity, y
            WHERE org_id = {org} AND at >= t0 AND at < t1))
"""

RAW_BOARD = """
WITH y AS (SELECT timestamptz '{year}-01-01 00:00+08' AS t0,
                  timestamptz '{next}-01-01 00:00+08' AS t1)
SELECT json_agg(json_build_array(u.id, coalesce(a.actual, 0), t.target)
                ORDER BY u.id)
FROM pace.app_user u
LEFT JOIN (SELECT owner_id, sum(amount) AS actual FROM pace.contract, y
           WHERE org_id = {org} AND signed_at >= t0 AND signed_at < t1
           GROUP BY owner_id) a ON a.owner_id = u.id
LEFT JOIN (SELECT scope_id, sum(amount) AS target FROM pace.target_month
           WHERE scope_kind = 'user' AND metric = 'revenue'
             AND month >= date '{year}-01-01' AND month < date '{next}-01-01'
           GROUP BY scope_id) t ON t.scope_id = u.id
WHERE u.org_id = {org} AND u.role = 'rep'
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--activities", type=int, default=1000000)
    ap.add_argument("--deals-per-rep", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true",
                    help="print the results as one JSON object")
    ap.add_argument("--keep", type=int, default=0, metavar="SECONDS",
                    help="keep the database (and paced) this long at the "
                    "end, to look at it")
    args = ap.parse_args()
    from pacecli import PaceCli
    from pacedproc import ADMIN, ADMIN_PASSWORD, Paced, run_init
    from pgcluster import PgCluster, free_port

    pg = PgCluster()
    srv = None
    tmp = None
    out = {}
    try:
        pg.init()
        db = pg.createdb("kpibench")
        conninfo = pg.conninfo(db)
        r = run_init(conninfo)
        assert r.returncode == 0, r.stderr
        mport = free_port()
        srv = Paced(conninfo, extra=["--test-clock", "true",
                                     "--metrics-listen",
                                     "127.0.0.1:%d" % mport,
                                     "--pg-pool-size", "4"])
        srv.start()
        adm = wire.connect(srv.port, ADMIN, ADMIN_PASSWORD, timeout=600)
        expect(adm.rpc("clock_set", now=NOW_US, freeze=True), "ok")
        t0 = time.monotonic()
        for o in ("North", "South"):
            expect(adm.rpc("office_add", client_op_id=op_id(), name=o),
                   "office")
        nteams = (args.reps + 9) // 10
        for t in range(nteams):
            expect(adm.rpc("team_add", client_op_id=op_id(),
                           name="T%02d" % t,
                           office="North" if t % 2 == 0 else "South"),
                   "team")
        expect(adm.rpc("user_add", client_op_id=op_id(), login="dir",
                       name="Director", role=wire.Role.Value("DIRECTOR"),
                       password="bench-password"), "user")
        for i in range(args.reps):
            expect(adm.rpc("user_add", client_op_id=op_id(),
                           login="rep%03d" % i, name="Rep %03d" % i,
                           role=wire.Role.Value("REP"),
                           team="T%02d" % (i // 10),
                           password="bench-password"), "user")
        org = int(pg.psql("SELECT id FROM pace.org", db=db))
        sql = LOAD.format(org=org, year=YEAR, next=YEAR + 1,
                          deals=args.deals_per_rep, acts=args.activities)
        ms, _ = psql_time(pg, db, sql)
        counts = pg.psql(
            "SELECT (SELECT count(*) FROM pace.activity) || ' activities, ' ||"
            " (SELECT count(*) FROM pace.opportunity) || ' deals, ' || "
            "(SELECT count(*) FROM pace.contract) || ' contracts, ' || "
            "(SELECT count(*) FROM pace.rollup_day) || ' rollup rows, ' || "
            "(SELECT count(*) FROM pace.customer_touch) || ' customer-days'",
            db=db)
        assert pg.psql("SELECT count(*) FROM pace.rollup_check(%d)" % org,
                       db=db) == "0", "rollups differ from the facts"
        director = wire.connect(srv.port, "dir", "bench-password",
                                timeout=600)
        expect(director.rpc("target_plan", client_op_id=op_id(), year=YEAR,
                            total=2000000000 * args.reps // 10, apply=True),
               "plan")
        out["load"] = {"seconds": round(time.monotonic() - t0, 1),
                       "sql_ms": ms, "rows": counts}

        kpi_f = wire.make("kpi_get", period=str(YEAR))
        kpi_f.kpi_get.scope.kind = 4          # SCOPE_ORG
        board_f = wire.make("board_get", period=str(YEAR))
        board_f.board_get.scope.kind = 4
        res = {}
        for name, f, reply in (("kpi", kpi_f, "kpi"),
                               ("board", board_f, "board")):
            srv_s, wall_s, last = [], [], None
            for _ in range(args.runs):
                s, w, last = server_time(director, mport, f, reply)
                srv_s.append(s * 1000)
                wall_s.append(w * 1000)
            res[name] = (statistics.median(srv_s), statistics.median(wall_s),
                         last)
        # The same through the CLI (the command people run).
        tmp = os.path.join(pg.root, "cli")
        os.makedirs(tmp, exist_ok=True)
        cli = PaceCli(tmp, srv.port)
        cli.login("dir", "bench-password")
        cli_ms = {}
        for name, argv in (("kpi", ("kpi", "--org", "--period", str(YEAR))),
                           ("board", ("board", "--org", "--period",
                                      str(YEAR)))):
            times = []
            for _ in range(args.runs):
                t = time.monotonic()
                cli.json(*argv)
                times.append((time.monotonic() - t) * 1000)
            cli_ms[name] = statistics.median(times)
        kpi_json = cli.json("kpi", "--org", "--period", str(YEAR))

        raw = {}
        for name, q in (("kpi", RAW_KPI), ("board", RAW_BOARD)):
            times = []
            for _ in range(args.runs):
                ms, text = psql_time(pg, db, q.format(org=org, year=YEAR,
                                                      next=YEAR + 1))
                times.append(ms)
            raw[name] = (statistics.median(times), json.loads(text))
        # The same numbers both ways.
        k = res["kpi"][2]
        rk = raw["kpi"][1]
        assert k.actual == rk["actual"], (k.actual, rk["actual"])
        assert k.followups_total == sum(rk["followups"].values())
        assert k.calls == rk["followups"]["call"]
        assert k.new_leads == rk["new_leads"]
        assert kpi_json["actual"] == rk["actual"]
        assert kpi_json["avg_deal"] == round(rk["actual"] / rk["contracts"])
        assert abs(kpi_json["win_rate"] - rk["won"] / (rk["won"] +
                                                       rk["lost"])) < 1e-9
        assert abs(kpi_json["collection_rate"] - rk["received"] /
                   rk["due"]) < 1e-9
        assert sum(kpi_json["mix"]["industry"].values()) == rk["customers"]
        board = {r.member.id: (r.actual, r.target.v) for r in
                 res["board"][2].rows}
        assert {u: (a, t) for u, a, t in raw["board"][1]} == board
        for name in ("kpi", "board"):
            out[name] = {
                "server_ms": round(res[name][0], 2),
                "wire_roundtrip_ms": round(res[name][1], 2),
                "cli_command_ms": round(cli_ms[name], 1),
                "group_by_ms": round(raw[name][0], 2),
                "ratio_group_by_over_server": round(
                    raw[name][0] / res[name][0], 1)}
        out["params"] = vars(args)
        if args.json:
            print(json.dumps(out, indent=2))
        else:
            print("loaded: %s in %.1f s" % (counts, out["load"]["seconds"]))
            for name in ("kpi", "board"):
                o = out[name]
                print("pace %-5s --org --period %d: server %.1f ms "
                      "(round trip %.1f ms, the command %.0f ms); "
                      "GROUP BY %.1f ms; ratio %.1fx" % (
                          name, YEAR, o["server_ms"],
                          o["wire_roundtrip_ms"], o["cli_command_ms"],
                          o["group_by_ms"],
                          o["ratio_group_by_over_server"]))
        director.close()
        adm.close()
        if args.keep:
            print("database: %s; paced on port %d" % (conninfo, srv.port),
                  flush=True)
            time.sleep(args.keep)
    finally:
        if srv:
            srv.stop()
        pg.destroy()


if __name__ == "__main__":
    main()
