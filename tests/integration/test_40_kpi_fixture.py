"""Issue 4: every KPI of DESIGN §5, worked out by hand on a fixture data set.

The data below is written through the real RPCs (CustomerAdd, DealAdd,
DealMove, DealWin, DealLose, ActivityLog, PaymentPlan, PaymentReceive,
TargetSet) with explicit times, under paced --test-clock with the clock at

    NOW = Thursday 2026-11-19 12:00 Asia/Shanghai (04:00Z)

and read back with `pace kpi --json` for a rep (a1), a team (Alpha) and the
org, over the month 2026-11, the quarter 2026Q4 and the ISO week 2026-W47
(Mon 16 - Sun 22 November), on both revenue bases. Every expected number is
derived by hand in the comments, from the tables here; nothing is computed
by re-implementing the formulas.

People: office East; team Alpha = manager mA, reps a1, a2; team Beta =
manager mB, rep b1; director dir. Times are Asia/Shanghai. Money in fen;
"30M" = 30,000,000 fen = ¥300,000.

Customers (industry / size / region):
    C1 a1 Manufacturing / Large  / East
    C2 a1 Retail        / Small  / East
    C3 a1 Manufacturing / Medium / North
    C4 a2 Services      / Small  / East
    C5 b1 Retail        / Large  / South

Deals (created; moves; outcome). "won" times are the signing times:
    D11 a1 C2   2M  10-02 09:00; won 10-20 09:00                    (18 days)
    D1  a1 C1  30M  10-05 10:00; qualified 10-08, proposal 10-12;
                    won 11-03 10:00 for a contract of 32M            (29 days)
    D6  a1 C3   4M  10-20 10:00; qualified 10-22; lost 11-18 10:00 competitor
    D7  a1 C2   1M  10-29 00:30; won 2026-10-31T16:30:00Z = 11-01 00:30 CST
                    (a UTC-October signing that counts in November)  (3 days)
    D2  a1 C2   8M  11-02 09:00; qualified 11-04; won 11-17 15:00    (15.25 days)
    D3  a1 C3  20M  11-05 14:00; qualified 11-06, proposal 11-09, quote 11-16: open
    D4  a1 C2   5M  11-06 10:00; lost 11-10 10:00 price (straight from lead)
    D5  a1 C1  10M  11-16 11:00; open lead
    D12 a2 C4   3M  10-12 09:00; lost 10-19 09:00 no budget
    D8  a2 C4   6M  11-04 09:00; won 11-11 09:00                     (7 days)
    D9  b1 C5  50M  10-10 10:00; qualified 10-12, proposal 10-20,
                    negotiation 11-05: open
    D10 b1 C5  15M  11-08 10:00; won 11-18 10:00                     (10 days)

Payment plans (installments due) and receipts:
    D11: 2M due 10-25; received 2M on 10-26
    D1:  16M due 11-10, 16M due 12-10; received 10M on 11-12, 5M on 11-17
    D2:  8M due 11-18; nothing received
    D8:  6M due 11-15; received 6M on 11-16

Activities:
    a1: 10-06 call C1, 10-15 visit C1, 11-02 call C2, 11-03 meeting C1,
        11-05 email C3, 11-09 visit C3, 11-10 call C2, 11-16 call C1,
        11-17 visit C2, 11-18 call C1
    a2: 10-13 email C4, 11-04 call C4, 11-11 meeting C4
    b1: 11-08 visit C5, 11-18 call C5

Revenue targets (TargetSet per rep and month; teams and the org have none
of their own, so theirs are the sums of their members', DESIGN §5):
    a1: Oct 30M, Nov 60M, Dec 60M     (Nov: 2M a day)
    a2: Oct 15M, Nov 30M, Dec 30M     (Nov: 1M a day)
    b1: Oct 20M, Nov 45M, Dec 45M     (Nov: 1.5M a day)
So for the week 16-22 Nov (7 November days): a1 14M, a2 7M, b1 10.5M.
    target           M=2026-11      Q=2026Q4                 W=2026-W47
    a1               60M            30+60+60 = 150M          14M
    Alpha (a1+a2)    90M            150+75 = 225M            21M
    org (+b1)        135M           225+110 = 335M           31.5M

Elapsed at NOW (DESIGN §5, period boundaries at 00:00 Asia/Shanghai):
    M: 18.5 of 30 days    = 37/60
    Q: (31 + 18.5) of 92  = 99/184
    W: 3.5 of 7 days      = 1/2
"""

from fractions import Fraction as F

import pytest

from kpi_org import KPI_KEYS, KpiOrg, cst, set_clock, utc
from pacecli import PaceCli, logged_in

PACED_ARGS = ("--test-clock", "true")

M = 1000000
NOW = cst("2026-11-19 12:00")
PERIODS = ("2026-11", "2026Q4", "2026-W47")
ELAPSED = {"2026-11": F(37, 60), "2026Q4": F(99, 184), "2026-W47": F(1, 2)}

# The exact key set of `pace kpi --json` (issue 4).
KEYS = KPI_KEYS
STAGES = ("lead", "qualified", "proposal", "quote", "negotiation", "won",
          "lost")


def funnel(*counts):
    return dict(zip(STAGES, counts))


# --- Numbers that do not depend on the revenue basis ----------------------
#
# Rollups per rep (what each period sums):
#   a1 booked:   D11 2M (10-20), D7 1M (11-01), D1 32M (11-03), D2 8M (11-17)
#                M 41M in 3 contracts; Q 43M in 4; W 8M in 1
#   a1 received: 2M (10-26), 10M (11-12), 5M (11-17): M 15M, Q 17M, W 5M
#   a1 due:      2M (10-25), 16M (11-10), 8M (11-18), 16M (12-10):
#                M 24M, Q 42M, W 8M
#   a2 booked 6M (11-11): M 6M/1, Q 6M/1, W 0.  received 6M (11-16): M, Q,
#                W 6M.  due 6M (11-15): M 6M, Q 6M, W 0
#   b1 booked 15M (11-18): M, Q, W 15M/1.  nothing received or due
#
# new_leads (deals created in P):
#   a1: Oct D11 D1 D6 D7, Nov D2 D3 D4, W D5  -> M 4, Q 8, W 1
#   a2: Oct D12, Nov D8                        -> M 1, Q 2, W 0
#   b1: Oct D9, Nov D10                        -> M 1, Q 2, W 0
#   Alpha M 5, Q 10, W 1; org M 6, Q 12, W 1
#
# followups (call/visit/email/meeting):
#   a1 M: calls 11-02 11-10 11-16 11-18 = 4, visits 11-09 11-17 = 2,
#         email 11-05 = 1, meeting 11-03 = 1 -> 8
#   a1 Q: + 10-06 call, 10-15 visit -> 5/3/1/1 = 10
#   a1 W: calls 11-16 11-18, visit 11-17 -> 2/1/0/0 = 3
#   a2 M: call 11-04, meeting 11-11 -> 1/0/0/1; Q: + email 10-13; W: none
#   b1 M, Q: visit 11-08, call 11-18 -> 1/1/0/0; W: call 11-18 -> 1/0/0/0
#   Alpha M 5/2/1/2 = 10, Q 6/3/2/2 = 13, W 2/1/0/0 = 3
#   org   M 6/3/1/2 = 12, Q 7/4/2/2 = 15, W 3/1/0/0 = 4
#
# lead_to_opp (of the deals created in P, those that reached qualified or
# later; a won deal reached every stage):
#   a1 M: D2 yes, D3 yes, D4 no, D5 no = 2/4;  Q: + D11 D1 D6 D7 yes = 6/8;
#   a1 W: D5 no = 0/1
#   Alpha M: + D8 (won) = 3/5; Q: + D12 (lost from lead) no, D8 yes = 7/10;
#   W: 0/1.  org M: + D10 = 4/6; Q: + D9 D10 = 9/12; W 0/1
#
# win_rate (won in P / (won + lost in P); won on the signing day):
#   a1: won D7 D1 D2 in M, + D11 in Q, D2 in W; lost D4 D6 in M and Q, D6
#       in W -> M 3/5, Q 4/6, W 1/2
#   Alpha: + D8 won in M, Q; + D12 lost in Q -> M 4/6, Q 5/8, W 1/2
#   org: + D10 won in M, Q, W -> M 5/7, Q 6/9, W 2/3
#
# cycle_days (won_at - created_at over the deals won in P; rounded to 2):
#   a1 M {29, 3, 15.25}: mean 47.25/3 = 15.75, median 15.25
#   a1 Q {18, 29, 3, 15.25}: mean 65.25/4 = 16.3125 -> 16.31,
#        median (15.25+18)/2 = 16.625 -> 16.63
#   a1 W {15.25}
#   Alpha M {29, 3, 15.25, 7}: mean 54.25/4 = 13.5625 -> 13.56,
#        median (7+15.25)/2 = 11.125 -> 11.13
#   Alpha Q {18, 29, 3, 15.25, 7}: mean 72.25/5 = 14.45, median 15.25
#   Alpha W {15.25}
#   org M {29, 3, 15.25, 7, 10}: mean 64.25/5 = 12.85, median 10
#   org Q {18, 29, 3, 15.25, 7, 10}: mean 82.25/6 = 13.7083 -> 13.71,
#        median (10+15.25)/2 = 12.625 -> 12.63
#   org W {15.25, 10}: mean = median = 12.625 -> 12.63
#
# avg_deal (booked / contracts signed, rounded to the fen):
#   a1 M 41M/3 = 13,666,666.67 -> 13,666,667; Q 43M/4 = 10.75M; W 8M
#   Alpha M 47M/4 = 11.75M; Q 49M/5 = 9.8M; W 8M/1
#   org M 62M/5 = 12.4M; Q 64M/6 = 10,666,666.67 -> 10,666,667; W 23M/2
#
# pipeline (open deals now, any period; weighted by stage probability):
#   a1 = Alpha: D3 20M x 0.6 (quote) + D5 10M x 0.1 (lead)
#        -> 2 deals, 30M, 12M + 1M = 13M
#   org: + D9 50M x 0.8 (negotiation) -> 3 deals, 80M, 53M
#
# collection_rate (received in P / due in P):
#   a1 M 15/24 = 0.625, Q 17/42, W 5/8 = 0.625
#   Alpha = org (b1 has no plan): M 21/30 = 0.7, Q 23/48, W 11/8 = 1.375
#
# overdue_rate (now: unpaid of what fell due before 19 Nov / what fell due
# before it; receipts paid oldest first, per contract):
#   a1: D11 2M due, 2M paid -> 0; D1 16M due (11-10), 15M paid -> 1M;
#       D2 8M due (11-18), 0 paid -> 8M => 9M / 26M
#   Alpha = org: + D8 6M due, 6M paid => 9M / 32M = 0.28125
#
# funnel (deals created in P reaching each stage; lead..won, lost):
#   a1 M: D2 all to won, D3 to quote, D4 lead+lost, D5 lead
#         -> lead 4, qualified 2, proposal 2, quote 2, negotiation 1, won 1,
#            lost 1
#   a1 Q: + D11 D1 D7 all to won, D6 lead+qualified+lost
#         -> 8, 6, 5, 5, 4, 4, 2
#   W: D5 -> 1, 0, 0, 0, 0, 0, 0 (all three scopes)
#   Alpha M: + D8 all -> 5, 3, 3, 3, 2, 2, 1
#   Alpha Q: + D12 lead+lost, D8 all -> 10, 7, 6, 6, 5, 5, 3
#   org M: + D10 all -> 6, 4, 4, 4, 3, 3, 1
#   org Q: + D9 lead..negotiation (quote skipped, but reached), D10 all
#         -> 12, 9, 8, 8, 7, 6, 3
#
# mix (customers with an activity in P):
#   a1 M = a1 Q: C1 C2 C3; a1 W = Alpha W: C1 C2
#   Alpha M = Q: C1 C2 C3 C4; org M = Q: C1..C5; org W: C1 C2 C5
#
# loss_reasons (lost in P):
#   a1 M = a1 Q = Alpha M: price (D4), competitor (D6); W: competitor
#   Alpha Q = org Q: + no budget (D12); org M = Alpha M
COMMON = {
    ("a1", "2026-11"): dict(
        new_leads=4, followups=dict(total=8, call=4, visit=2, email=1,
                                    meeting=1),
        lead_to_opp=F(2, 4), win_rate=F(3, 5),
        cycle_days=dict(mean=15.75, median=15.25), avg_deal=13666667,
        pipeline=dict(count=2, amount=30 * M, weighted=13 * M),
        collection_rate=F(15, 24), overdue_rate=F(9, 26),
        funnel=funnel(4, 2, 2, 2, 1, 1, 1),
        mix=dict(industry={"Manufacturing": 2, "Retail": 1},
                 size={"Large": 1, "Small": 1, "Medium": 1},
                 region={"East": 2, "North": 1}),
        loss_reasons={"price": 1, "competitor": 1}),
    ("a1", "2026Q4"): dict(
        new_leads=8, followups=dict(total=10, call=5, visit=3, email=1,
                                    meeting=1),
        lead_to_opp=F(6, 8), win_rate=F(4, 6),
        cycle_days=dict(mean=16.31, median=16.63), avg_deal=10750000,
        pipeline=dict(count=2, amount=30 * M, weighted=13 * M),
        collection_rate=F(17, 42), overdue_rate=F(9, 26),
        funnel=funnel(8, 6, 5, 5, 4, 4, 2),
        mix=dict(industry={"Manufacturing": 2, "Retail": 1},
                 size={"Large": 1, "Small": 1, "Medium": 1},
                 region={"East": 2, "North": 1}),
        loss_reasons={"price": 1, "competitor": 1}),
    ("a1", "2026-W47"): dict(
        new_leads=1, followups=dict(total=3, call=2, visit=1, email=0,
                                    meeting=0),
        lead_to_opp=F(0, 1), win_rate=F(1, 2),
        cycle_days=dict(mean=15.25, median=15.25), avg_deal=8 * M,
        pipeline=dict(count=2, amount=30 * M, weighted=13 * M),
        collection_rate=F(5, 8), overdue_rate=F(9, 26),
        funnel=funnel(1, 0, 0, 0, 0, 0, 0),
        mix=dict(industry={"Manufacturing": 1, "Retail": 1},
                 size={"Large": 1, "Small": 1}, region={"East": 2}),
        loss_reasons={"competitor": 1}),
    ("Alpha", "2026-11"): dict(
        new_leads=5, followups=dict(total=10, call=5, visit=2, email=1,
                                    meeting=2),
        lead_to_opp=F(3, 5), win_rate=F(4, 6),
        cycle_days=dict(mean=13.56, median=11.13), avg_deal=11750000,
        pipeline=dict(count=2, amount=30 * M, weighted=13 * M),
        collection_rate=F(21, 30), overdue_rate=F(9, 32),
        funnel=funnel(5, 3, 3, 3, 2, 2, 1),
        mix=dict(industry={"Manufacturing": 2, "Retail": 1, "Services": 1},
                 size={"Large": 1, "Small": 2, "Medium": 1},
                 region={"East": 3, "North": 1}),
        loss_reasons={"price": 1, "competitor": 1}),
    ("Alpha", "2026Q4"): dict(
        new_leads=10, followups=dict(total=13, call=6, visit=3, email=2,
                                     meeting=2),
        lead_to_opp=F(7, 10), win_rate=F(5, 8),
        cycle_days=dict(mean=14.45, median=15.25), avg_deal=9800000,
        pipeline=dict(count=2, amount=30 * M, weighted=13 * M),
        collection_rate=F(23, 48), overdue_rate=F(9, 32),
        funnel=funnel(10, 7, 6, 6, 5, 5, 3),
        mix=dict(industry={"Manufacturing": 2, "Retail": 1, "Services": 1},
                 size={"Large": 1, "Small": 2, "Medium": 1},
                 region={"East": 3, "North": 1}),
        loss_reasons={"price": 1, "competitor": 1, "no budget": 1}),
    ("Alpha", "2026-W47"): dict(
        new_leads=1, followups=dict(total=3, call=2, visit=1, email=0,
                                    meeting=0),
        lead_to_opp=F(0, 1), win_rate=F(1, 2),
        cycle_days=dict(mean=15.25, median=15.25), avg_deal=8 * M,
        pipeline=dict(count=2, amount=30 * M, weighted=13 * M),
        collection_rate=F(11, 8), overdue_rate=F(9, 32),
        funnel=funnel(1, 0, 0, 0, 0, 0, 0),
        mix=dict(industry={"Manufacturing": 1, "Retail": 1},
                 size={"Large": 1, "Small": 1}, region={"East": 2}),
        loss_reasons={"competitor": 1}),
    ("org", "2026-11"): dict(
        new_leads=6, followups=dict(total=12, call=6, visit=3, email=1,
                                    meeting=2),
        lead_to_opp=F(4, 6), win_rate=F(5, 7),
        cycle_days=dict(mean=12.85, median=10), avg_deal=12400000,
        pipeline=dict(count=3, amount=80 * M, weighted=53 * M),
        collection_rate=F(21, 30), overdue_rate=F(9, 32),
        funnel=funnel(6, 4, 4, 4, 3, 3, 1),
        mix=dict(industry={"Manufacturing": 2, "Retail": 2, "Services": 1},
                 size={"Large": 2, "Small": 2, "Medium": 1},
                 region={"East": 3, "North": 1, "South": 1}),
        loss_reasons={"price": 1, "competitor": 1}),
    ("org", "2026Q4"): dict(
        new_leads=12, followups=dict(total=15, call=7, visit=4, email=2,
                                     meeting=2),
        lead_to_opp=F(9, 12), win_rate=F(6, 9),
        cycle_days=dict(mean=13.71, median=12.63), avg_deal=10666667,
        pipeline=dict(count=3, amount=80 * M, weighted=53 * M),
        collection_rate=F(23, 48), overdue_rate=F(9, 32),
        funnel=funnel(12, 9, 8, 8, 7, 6, 3),
        mix=dict(industry={"Manufacturing": 2, "Retail": 2, "Services": 1},
                 size={"Large": 2, "Small": 2, "Medium": 1},
                 region={"East": 3, "North": 1, "South": 1}),
        loss_reasons={"price": 1, "competitor": 1, "no budget": 1}),
    ("org", "2026-W47"): dict(
        new_leads=1, followups=dict(total=4, call=3, visit=1, email=0,
                                    meeting=0),
        lead_to_opp=F(0, 1), win_rate=F(2, 3),
        cycle_days=dict(mean=12.63, median=12.63), avg_deal=11500000,
        pipeline=dict(count=3, amount=80 * M, weighted=53 * M),
        collection_rate=F(11, 8), overdue_rate=F(9, 32),
        funnel=funnel(1, 0, 0, 0, 0, 0, 0),
        mix=dict(industry={"Manufacturing": 1, "Retail": 2},
                 size={"Large": 2, "Small": 1},
                 region={"East": 2, "South": 1}),
        loss_reasons={"competitor": 1}),
}

# --- Numbers that follow the revenue basis --------------------------------
#
# (actual, target, rank) per basis; attainment = actual / target, pace =
# attainment / elapsed, status by pace (green >= 0.8 > yellow >= 0.6 > red),
# coverage = open pipeline / (target - actual), rounded to 4 places.
#
# booked:
#   a1 M 41/60 = 0.6833; pace 41/60 / 37/60 = 41/37 = 1.108 green;
#        coverage 30/(60-41) = 30/19 = 1.5789
#   a1 Q 43/150; pace 43*184/(150*99) = 0.5328 red; cov 30/107 = 0.2804
#   a1 W 8/14; pace 16/14 = 1.1429 green; cov 30/(14-8) = 5
#   Alpha M 47/90; pace 47*60/(90*37) = 0.8468 green; cov 30/43 = 0.6977
#   Alpha Q 49/225; pace 49*184/(225*99) = 0.4048 red; cov 30/176 = 0.1705
#   Alpha W 8/21; pace 16/21 = 0.7619 yellow; cov 30/13 = 2.3077
#   org M 62/135; pace 62*60/(135*37) = 0.7447 yellow; cov 80/73 = 1.0959
#   org Q 64/335; pace 64*184/(335*99) = 0.3551 red; cov 80/271 = 0.2952
#   org W 23/31.5; pace 46/31.5 = 1.4603 green; cov 80/8.5 = 9.4118
# collected:
#   a1 M 15/60; pace 15/37 = 0.4054 red; cov 30/45 = 0.6667
#   a1 Q 17/150; pace 17*184/(150*99) = 0.2106 red; cov 30/133 = 0.2256
#   a1 W 5/14; pace 10/14 = 0.7143 yellow; cov 30/9 = 3.3333
#   Alpha M 21/90; pace 21*60/(90*37) = 0.3784 red; cov 30/69 = 0.4348
#   Alpha Q 23/225; pace 23*184/(225*99) = 0.1900 red; cov 30/202 = 0.1485
#   Alpha W 11/21; pace 22/21 = 1.0476 green; cov 30/10 = 3
#   org M 21/135; pace 21*60/(135*37) = 0.2523 red; cov 80/114 = 0.7018
#   org Q 23/335; pace 23*184/(335*99) = 0.1276 red; cov 80/312 = 0.2564
#   org W 11/31.5; pace 22/31.5 = 0.6984 yellow; cov 80/20.5 = 3.9024
#
# rank: a1 among Alpha's reps (a2: booked M 6/30 = 0.2, Q 6/75, W 0/7;
# collected M 6/30, Q 6/75, W 6/7 = 0.857 > a1's 5/14): 1 everywhere but
# collected W, 2. Alpha among East's teams (Beta: booked M 15/45, Q 15/110,
# W 15/10.5 = 1.43 > Alpha's 8/21; collected 0): 1 but booked W, 2. The org
# has no peers: null.
TARGET = {("a1", "2026-11"): 60 * M, ("a1", "2026Q4"): 150 * M,
          ("a1", "2026-W47"): 14 * M,
          ("Alpha", "2026-11"): 90 * M, ("Alpha", "2026Q4"): 225 * M,
          ("Alpha", "2026-W47"): 21 * M,
          ("org", "2026-11"): 135 * M, ("org", "2026Q4"): 335 * M,
          ("org", "2026-W47"): 31500000}
BASIS = {
    "booked": {
        ("a1", "2026-11"): (41 * M, "green", 1.5789, 1),
        ("a1", "2026Q4"): (43 * M, "red", 0.2804, 1),
        ("a1", "2026-W47"): (8 * M, "green", 5.0, 1),
        ("Alpha", "2026-11"): (47 * M, "green", 0.6977, 1),
        ("Alpha", "2026Q4"): (49 * M, "red", 0.1705, 1),
        ("Alpha", "2026-W47"): (8 * M, "yellow", 2.3077, 2),
        ("org", "2026-11"): (62 * M, "yellow", 1.0959, None),
        ("org", "2026Q4"): (64 * M, "red", 0.2952, None),
        ("org", "2026-W47"): (23 * M, "green", 9.4118, None),
    },
    "collected": {
        ("a1", "2026-11"): (15 * M, "red", 0.6667, 1),
        ("a1", "2026Q4"): (17 * M, "red", 0.2256, 1),
        ("a1", "2026-W47"): (5 * M, "yellow", 3.3333, 2),
        ("Alpha", "2026-11"): (21 * M, "red", 0.4348, 1),
        ("Alpha", "2026Q4"): (23 * M, "red", 0.1485, 1),
        ("Alpha", "2026-W47"): (11 * M, "green", 3.0, 1),
        ("org", "2026-11"): (21 * M, "red", 0.7018, None),
        ("org", "2026Q4"): (23 * M, "red", 0.2564, None),
        ("org", "2026-W47"): (11 * M, "yellow", 3.9024, None),
    },
}


def build(paced):
    set_clock(paced.port, NOW)
    org = KpiOrg(paced, offices=[("East", "华东")],
                 teams=[("Alpha", "East"), ("Beta", "East")],
                 people=[("ma", "MANAGER", "Alpha", {}),
                         ("a1", "REP", "Alpha", {}),
                         ("a2", "REP", "Alpha", {}),
                         ("mb", "MANAGER", "Beta", {}),
                         ("b1", "REP", "Beta", {}),
                         ("dir", "DIRECTOR", None, {})])
    t0 = cst("2026-10-01 09:00")
    c1 = org.customer("a1", "C1", "Manufacturing", "Large", "East", t0)
    c2 = org.customer("a1", "C2", "Retail", "Small", "East", t0)
    c3 = org.customer("a1", "C3", "Manufacturing", "Medium", "North", t0)
    c4 = org.customer("a2", "C4", "Services", "Small", "East", t0)
    c5 = org.customer("b1", "C5", "Retail", "Large", "South", t0)

    # a1
    d11 = org.won_deal("a1", c2, "D11", 2 * M, cst("2026-10-02 09:00"),
                       cst("2026-10-20 09:00"))
    d1 = org.deal("a1", c1, "D1", 30 * M, cst("2026-10-05 10:00"))
    org.move("a1", d1, "qualified", cst("2026-10-08 10:00"))
    org.move("a1", d1, "proposal", cst("2026-10-12 10:00"))
    org.win("a1", d1, cst("2026-11-03 10:00"), amount=32 * M)
    d6 = org.deal("a1", c3, "D6", 4 * M, cst("2026-10-20 10:00"))
    org.move("a1", d6, "qualified", cst("2026-10-22 10:00"))
    org.lose("a1", d6, "competitor", cst("2026-11-18 10:00"))
    org.won_deal("a1", c2, "D7", 1 * M, cst("2026-10-29 00:30"),
                 utc("2026-10-31T16:30:00Z"))
    d2 = org.deal("a1", c2, "D2", 8 * M, cst("2026-11-02 09:00"))
    org.move("a1", d2, "qualified", cst("2026-11-04 09:00"))
    org.win("a1", d2, cst("2026-11-17 15:00"))
    d3 = org.deal("a1", c3, "D3", 20 * M, cst("2026-11-05 14:00"))
    org.move("a1", d3, "qualified", cst("2026-11-06 10:00"))
    org.move("a1", d3, "proposal", cst("2026-11-09 10:00"))
    org.move("a1", d3, "quote", cst("2026-11-16 10:00"))
    d4 = org.deal("a1", c2, "D4", 5 * M, cst("2026-11-06 10:00"))
    org.lose("a1", d4, "price", cst("2026-11-10 10:00"))
    d5 = org.deal("a1", c1, "D5", 10 * M, cst("2026-11-16 11:00"))
    # a2
    d12 = org.deal("a2", c4, "D12", 3 * M, cst("2026-10-12 09:00"))
    org.lose("a2", d12, "no budget", cst("2026-10-19 09:00"))
    d8 = org.won_deal("a2", c4, "D8", 6 * M, cst("2026-11-04 09:00"),
                      cst("2026-11-11 09:00"))
    # b1
    d9 = org.deal("b1", c5, "D9", 50 * M, cst("2026-10-10 10:00"))
    org.move("b1", d9, "qualified", cst("2026-10-12 10:00"))
    org.move("b1", d9, "proposal", cst("2026-10-20 10:00"))
    org.move("b1", d9, "negotiation", cst("2026-11-05 10:00"))
    d10 = org.won_deal("b1", c5, "D10", 15 * M, cst("2026-11-08 10:00"),
                       cst("2026-11-18 10:00"))

    # payment plans and receipts
    org.plan("a1", d11, [("2026-10-25", 2 * M)])
    org.receive("a1", d11, 2 * M, "2026-10-26")
    org.plan("a1", d1, [("2026-11-10", 16 * M), ("2026-12-10", 16 * M)])
    org.receive("a1", d1, 10 * M, "2026-11-12")
    org.receive("a1", d1, 5 * M, "2026-11-17")
    org.plan("a1", d2, [("2026-11-18", 8 * M)])
    org.plan("a2", d8, [("2026-11-15", 6 * M)])
    org.receive("a2", d8, 6 * M, "2026-11-16")

    # activities
    for who, kind, cust, when, deal in [
            ("a1", "call", c1, "2026-10-06 10:00", d1),
            ("a1", "visit", c1, "2026-10-15 10:00", d1),
            ("a1", "call", c2, "2026-11-02 10:00", d2),
            ("a1", "meeting", c1, "2026-11-03 09:00", d1),
            ("a1", "email", c3, "2026-11-05 15:00", d3),
            ("a1", "visit", c3, "2026-11-09 10:00", d3),
            ("a1", "call", c2, "2026-11-10 11:00", 0),
            ("a1", "call", c1, "2026-11-16 12:00", d5),
            ("a1", "visit", c2, "2026-11-17 10:00", d2),
            ("a1", "call", c1, "2026-11-18 10:00", d5),
            ("a2", "email", c4, "2026-10-13 10:00", d12),
            ("a2", "call", c4, "2026-11-04 10:00", d8),
            ("a2", "meeting", c4, "2026-11-11 08:00", d8),
            ("b1", "visit", c5, "2026-11-08 11:00", d10),
            ("b1", "call", c5, "2026-11-18 09:00", d10)]:
        org.activity(who, kind, cust, cst(when), deal)

    # revenue targets, per rep and month
    for who, amounts in (("a1", (30, 60, 60)), ("a2", (15, 30, 30)),
                         ("b1", (20, 45, 45))):
        for month, amount in zip(("2026-10", "2026-11", "2026-12"),
                                 amounts):
            r = org.target("dir", "user", org.login(who), month, amount * M)
            assert r.WhichOneof("body") == "ok", r
    # The rollups the write path kept agree with the facts, and the month
    # rollups with the days.
    assert org.rollups_ok()
    return org


@pytest.fixture(scope="module")
def org(paced):
    o = build(paced)
    yield o
    o.close()


@pytest.fixture(scope="module")
def cli(paced, org, tmp_path_factory):
    return logged_in(tmp_path_factory, paced.port, org.login("dir"))


def scope_args(org, who):
    if who == "a1":
        return ["--user", org.login("a1")]
    if who == "Alpha":
        return ["--team", org.team("Alpha")]
    return ["--org"]


def near(got, want, what, tol=1e-9):
    if want is None:
        assert got is None, "%s: %r, expected null" % (what, got)
        return
    assert got is not None, "%s: null, expected %r" % (what, want)
    assert abs(float(got) - float(want)) <= tol, \
        "%s: %r, expected %r (%s)" % (what, got, float(want), want)


def check(org, k, who, period, basis):
    """Compare one `pace kpi --json` object with the hand-worked numbers."""
    what = "%s %s %s" % (who, period, basis)
    assert set(k) == KEYS, "%s: keys %s" % (what, sorted(k))
    assert set(k["followups"]) == {"total", "call", "visit", "email",
                                   "meeting"}
    assert set(k["cycle_days"]) == {"mean", "median"}
    assert set(k["pipeline"]) == {"count", "amount", "weighted"}
    assert set(k["mix"]) == {"industry", "size", "region"}
    assert k["period"] == period
    assert k["currency"] == "CNY"
    kind = {"a1": "user", "Alpha": "team", "org": "org"}[who]
    assert k["scope"]["kind"] == kind
    want = COMMON[(who, period)]
    actual, status, coverage, rank = BASIS[basis][(who, period)]
    target = TARGET[(who, period)]
    assert k["actual"] == actual, what
    assert k["target"] == target, what
    near(k["attainment"], F(actual, target), what + " attainment")
    near(k["elapsed"], ELAPSED[period], what + " elapsed")
    near(k["pace"], F(actual, target) / ELAPSED[period], what + " pace")
    assert k["status"] == status, what
    near(k["coverage"], coverage, what + " coverage")
    assert k["rank"] == rank, "%s rank %r" % (what, k["rank"])
    for key in ("new_leads", "followups", "avg_deal", "pipeline", "funnel",
                "mix", "loss_reasons"):
        assert k[key] == want[key], "%s %s: %r, expected %r" % (
            what, key, k[key], want[key])
    for key in ("lead_to_opp", "win_rate", "collection_rate",
                "overdue_rate"):
        near(k[key], want[key], "%s %s" % (what, key))
    near(k["cycle_days"]["mean"], want["cycle_days"]["mean"],
         what + " cycle mean")
    near(k["cycle_days"]["median"], want["cycle_days"]["median"],
         what + " cycle median")


@pytest.mark.parametrize("basis", ["booked", "collected"])
def test_every_kpi_by_hand(org, cli, basis):
    """All of DESIGN §5 for a rep, a team and the org, over a month, a
    quarter and an ISO week, on the basis the org chose."""
    cli.ok("admin", "org", "set", "revenue_basis", basis)
    for who in ("a1", "Alpha", "org"):
        for period in PERIODS:
            k = cli.json("kpi", *scope_args(org, who), "--period", period)
            check(org, k, who, period, basis)


def test_basis_switch_changes_every_view(org, cli):
    """Switching the basis moves `pace kpi` and `pace board` together."""
    board = {}
    for basis in ("booked", "collected"):
        cli.ok("admin", "org", "set", "revenue_basis", basis)
        b = cli.json("board", "--team", org.team("Alpha"), "--period",
                     "2026-W47")
        board[basis] = {r["scope"]["name"]: (r["actual"], r["rank"])
                        for r in b["rows"]}
        k = cli.json("kpi", "--user", org.login("a1"), "--period",
                     "2026-W47")
        assert k["actual"] == BASIS[basis][("a1", "2026-W47")][0]
    # Booked: a1 8M of 14M first, a2 0 of 7M second; collected: a2 6M of
    # 7M first, a1 5M of 14M second (the same order as KPI rank above).
    assert board["booked"] == {org.name("a1"): (8 * M, 1),
                               org.name("a2"): (0, 2)}
    assert board["collected"] == {org.name("a1"): (5 * M, 2),
                                  org.name("a2"): (6 * M, 1)}
    cli.ok("admin", "org", "set", "revenue_basis", "booked")


def test_board_in_chinese(org, cli):
    """The board for people in Chinese: the metric and each status
    translated; --json keeps the English names scripts rely on."""
    args = ("board", "--team", org.team("Alpha"), "--period", "2026-W47")
    rows = cli.json(*args)["rows"]
    statuses = {r["status"] for r in rows if r["status"]}
    assert statuses and statuses <= {"green", "yellow", "red"}
    saved = dict(cli.env)
    cli.env.update({"LANGUAGE": "zh_CN", "LANG": "zh_CN.UTF-8",
                    "LC_ALL": "zh_CN.UTF-8"})
    try:
        out = cli.ok(*args).stdout
        js = cli.json(*args)["rows"]
    finally:
        cli.env = saved
    assert "业绩" in out.splitlines()[0], out
    zh = {"green": "绿", "yellow": "黄", "red": "红"}
    for st in statuses:
        assert zh[st] in out, (st, out)
    assert "green" not in out and "red" not in out, out
    assert {r["status"] for r in js if r["status"]} == statuses


def test_kpi_default_is_me_this_month(org, paced, tmp_path):
    """`pace kpi` with no scope: the caller, the month of NOW (2026-11)."""
    rep = PaceCli(tmp_path, paced.port)
    rep.login(org.login("a1"), "password-1")
    k = rep.json("kpi")
    assert k["period"] == "2026-11"
    assert k["scope"]["name"] == org.name("a1")
    assert k["target"] == 60 * M


def test_human_output(org, cli):
    """People read money as ¥1,234.56 and undefined ratios as —."""
    out = cli.ok("kpi", "--user", org.login("a1"), "--period",
                 "2026-11").stdout
    assert "¥410,000.00" in out    # actual 41M fen
    assert "¥600,000.00" in out    # target
    out = cli.ok("kpi", "--user", org.login("mb"), "--period",
                 "2026-11").stdout
    assert "—" in out              # no target: attainment undefined
