#!/usr/bin/python3
"""Sales history for the demo team of deploy/demo/seed.sh: two whole
months in detail, the earlier months of the year more lightly, and the
current month up to now.

seed.sh runs it after history.sh has applied the year's plan, against the
same server; everything goes through the pace CLI as the demo director
(wangzong), who stays logged in: `pace import` for customers, deals,
activities, payment plans and receipts, then (with --review FILE) `pace
review generate --org` of the month as Markdown. Standard library only.
Money cells are written in yuan, as `pace import` reads them. The history
is the same every time for a given month and plan (no randomness), so the
review of the demo data is reproducible:

    PACE=build/client/cli/pace PACE_SERVER=127.0.0.1:7420 \\
        python3 deploy/demo/seed_sales.py [--month 2026-10] [--this-month] \\
        [--early-months] [--review FILE.md]

--month is the month to review (default: last month); its previous month
gets history too (for the trend). Amounts follow the reps' revenue targets
of the plan. Each rep has a story the review should tell: 张三 and 孙八 ahead (孙八 the star), 李四 calling a lot and winning
little (conversion coaching), 王五 with a long cycle and old open deals
(stuck deals), 赵六 with few new leads (prospecting), 钱七 new with a thin
pipeline (pipeline gap), 周九 with an unpaid invoice (collections), 吴十
just under pace with no rule applying, 冯二 hired mid-month.
The backfill window is widened to 400 days while importing, then put back.

The earlier months of the current year (EARLY: from January, or the hire
date of a rep hired this year, up to the month before the month before
last by the server's clock) get a lighter history, so that the year view
(`pace kpi --org --period 2026`, `pace board --org --period 2026`) is
plausible: per rep and month, won deals worth the rep's revenue target of
the month times an attainment around the rep's usual level (EARLY, varied
by rep and month between 0.85 and 1.15 times it, deterministically), a lost
deal or a few, and activities at about half the rate of M; no open deals
and no payments, so the pipeline, collections and stories of the detailed
months stay as they are. They are seeded onto customers of their own
(created at the start of the year or the hire date), in one import per
kind, after the review (so the review is the same either way). A default
run (no --month) seeds them; with --month they are left alone unless
--early-months asks for them too (the months before the default run's
month before last, except --month's two).

The current month (by the server's clock, which the script reads from
`pace kpi`: its default period and elapsed share, so a paced under
--test-clock is followed too) is what `pace kpi`, `pace board` and
pace-desk show by default, so a default run (no --month) also seeds it,
from its 1st up to now and never later: activities on the past working
days (on the 1st, when no day has passed yet, earlier today), deals won on
past days and open deals, so that the reps are on pace or not as their
stories go (THIS_MONTH: 孙八, 张三 and 郑一 green, 吴十 and 周九 yellow, the
others red, 冯二 without a win yet). How much is done scales with the share
of the month elapsed. With --month the current month is left alone unless
--this-month asks for it too; the review (--review) is written before the
current month is seeded, so it is the same either way. (A review of M made
later shows the pipeline of its *now*, this month's open deals included;
its diagnoses stay those of the stories.)

Running it again stores nothing twice: when the deals it would import for
the two months are there already, it imports nothing for them (and only
writes the review, if asked); an earlier month that has deals of this
script (titles tagged with the month, "(2026-03)") or any activity already
is skipped; when the current month has deals of this script or any
activity already, nothing is imported for it.
"""

import argparse
import calendar
import contextlib
import datetime
import json
import math
import os
import subprocess
import sys
import tempfile
import zlib

PASSWORD = "pace-demo"
ADMIN_PASSWORD = "pace-admin-demo"
# login: region
REPS = {
    "zhangsan": "北京", "lisi": "天津", "wangwu": "河北", "zhaoliu": "北京",
    "qianqi": "山东", "sunba": "上海", "zhoujiu": "江苏", "wushi": "浙江",
    "zhengyi": "上海", "fenger": "安徽",
}

# The month reviewed (M) and the one before (P), per rep. Amounts follow the
# rep's revenue target of that month (the plan history.sh applied), so that
# the story holds whatever the plan gives:
#   att:    (M, P) the attainment reached
#   wins:   {month: [(cycle days, day of month won), ...]}, the actual split
#           evenly over them
#   lost:   {month: count}  (lost on the 20th, created 30 days before)
#   acts:   {month: (call, visit, email, meeting)}
#   leads:  (count, cover) open deals created on the 22nd of M, worth cover
#           times what is still to win in M
#   old:    [(age in days at the end of M, share of the target, stage)]
#   unpaid: P's contracts are not paid
STORIES = {
    "zhangsan": dict(att=(1.10, 0.95),
                     wins={"M": [(18, 8), (16, 14), (20, 21), (17, 27)],
                           "P": [(20, 12), (22, 24)]},
                     lost={"M": 1, "P": 1}, acts={"M": (30, 28, 10, 12), "P": (28, 20, 10, 10)},
                     leads=(3, 1.5)),
    "lisi": dict(att=(0.25, 0.45),
                 wins={"M": [(25, 16)], "P": [(24, 18)]},
                 lost={"M": 6, "P": 3}, acts={"M": (90, 25, 30, 10), "P": (70, 20, 25, 8)},
                 leads=(4, 1.6)),
    "wangwu": dict(att=(0.30, 0.60),
                   wins={"M": [(95, 19)], "P": [(60, 15)]},
                   lost={"M": 1, "P": 0}, acts={"M": (25, 12, 8, 5), "P": (25, 15, 8, 5)},
                   leads=(2, 0.5),
                   old=[(130, 0.5, "proposal"), (112, 0.35, "quote"), (101, 0.25, "proposal")]),
    "zhaoliu": dict(att=(0.55, 0.45),
                    wins={"M": [(25, 6), (28, 13)], "P": [(20, 20)]},
                    lost={"M": 0, "P": 1}, acts={"M": (30, 15, 10, 5), "P": (30, 15, 10, 5)},
                    leads=(1, 1.7)),
    "qianqi": dict(att=(0.50, 0.40),
                   wins={"M": [(22, 23)], "P": [(20, 26)]},
                   lost={"M": 0, "P": 0}, acts={"M": (30, 12, 8, 5), "P": (25, 8, 6, 3)},
                   leads=(3, 0.4)),
    "sunba": dict(att=(1.19, 1.02),
                  wins={"M": [(15, 7), (14, 12), (16, 20), (15, 28)], "P": [(18, 10), (16, 25)]},
                  lost={"M": 1, "P": 1}, acts={"M": (20, 15, 10, 30), "P": (20, 15, 10, 25)},
                  leads=(3, 1.5)),
    "zhoujiu": dict(att=(0.64, 0.80),
                    wins={"M": [(20, 9), (21, 22)], "P": [(20, 10)]},
                    lost={"M": 1, "P": 1}, acts={"M": (30, 15, 10, 10), "P": (30, 15, 10, 10)},
                    leads=(3, 2.0), unpaid=True),
    "wushi": dict(att=(0.96, 0.91),
                  wins={"M": [(20, 8), (22, 17), (19, 26)], "P": [(21, 14), (20, 27)]},
                  lost={"M": 1, "P": 1}, acts={"M": (30, 15, 10, 10), "P": (30, 15, 10, 10)},
                  leads=(3, 1.5)),
    "zhengyi": dict(att=(1.02, 1.00),
                    wins={"M": [(18, 10), (19, 19), (20, 29)], "P": [(18, 16), (20, 28)]},
                    lost={"M": 1, "P": 1}, acts={"M": (25, 15, 10, 10), "P": (25, 15, 10, 10)},
                    leads=(3, 1.5)),
    "fenger": dict(att=(0.0, 0.0),
                   wins={"M": [], "P": []}, lost={"M": 0, "P": 0},
                   acts={"M": (20, 5, 5, 2), "P": (0, 0, 0, 0)}, leads=(2, 1.5)),
}

# The current month (C), from its 1st up to now, per rep:
#   pace:  the pace reached so far (attainment / elapsed; docs/kpi.md:
#          green from 0.8, yellow from 0.6, red below), kept clear of the
#          thresholds so that the status holds for a while after seeding
#   wins:  deals won over a whole month (scaled to the share elapsed, on
#          past days), the actual split evenly over them
#   cycle: their days from creation to the win, though created in C at the
#          earliest (so that M's new leads and funnel stay as STORIES say)
#   leads: (count, cover) of the open deals, if not STORIES' leads
# Activities come at the rate of M (STORIES' acts), lost deals at M's count
# and open deals as leads say (cover: times what is still to win in C), all
# scaled to the share elapsed. 钱七's pipeline stays thin: a review of M
# made after this still finds its pipeline gap.
THIS_MONTH = {
    "zhangsan": dict(pace=1.10, wins=4, cycle=18),
    "lisi": dict(pace=0.30, wins=1, cycle=25),
    "wangwu": dict(pace=0.35, wins=1, cycle=50),
    "zhaoliu": dict(pace=0.45, wins=2, cycle=26),
    "qianqi": dict(pace=0.20, wins=1, cycle=22, leads=(1, 0.1)),
    "sunba": dict(pace=1.25, wins=4, cycle=15),
    "zhoujiu": dict(pace=0.68, wins=2, cycle=21),
    "wushi": dict(pace=0.72, wins=3, cycle=20),
    "zhengyi": dict(pace=1.00, wins=3, cycle=19),
    "fenger": dict(pace=0.0, wins=0, cycle=0),
}
# The earlier months of the year (before P), per rep: the usual attainment
# of a month (varied by rep and month from 0.85 to 1.15 times it). Wins,
# cycles and lost deals as in P (STORIES: at least one win; a lost deal
# every other month at least), activities at EARLY_ACTS of M's rate. With
# P, M and C this makes the year so far (`pace board --org --period 2026`
# late in the year: the plan weighs Q4, the pace of a year is by the time
# elapsed, so in spring every rep looks further behind): 孙八, 张三, 郑一
# and 吴十 on pace (green), 周九 and 赵六 a little behind (yellow), 李四, 王五
# and the new 钱七 and 冯二 behind (red).
EARLY = {
    "zhangsan": 1.04, "lisi": 0.62, "wangwu": 0.66, "zhaoliu": 0.82,
    "qianqi": 0.55, "sunba": 1.08, "zhoujiu": 0.90, "wushi": 0.96,
    "zhengyi": 1.00, "fenger": 0.0,
}
EARLY_ACTS = 0.45

# The reps hired recently (seed.sh): nothing of theirs in C before that.
HIRED = {"qianqi": datetime.date(2026, 8, 1),
         "fenger": datetime.date(2026, 10, 12)}

COMPANIES = ["华信", "远航", "明远", "正泰", "嘉禾", "恒通", "新元", "瑞丰", "天成",
             "博远", "鼎盛", "宏达", "金桥", "海川", "安康", "永安"]
TRADES = [("科技", "tech"), ("贸易", "retail"), ("制造", "manufacturing"),
          ("食品", "food"), ("物流", "logistics")]
SIZES = ["small", "medium", "large"]
PRODUCTS = ["ERP", "CRM", "POS", "Cloud"]
SOURCES = ["referral", "web", "event", "cold call"]
CST = datetime.timezone(datetime.timedelta(hours=8))


def pace(*args, stdin=None, check=True, as_json=False):
    cmd = [os.environ["PACE"], "--server", os.environ["PACE_SERVER"]]
    if as_json:
        cmd.append("--json")
    cmd += [str(a) for a in args]
    env = dict(os.environ, TZ="Asia/Shanghai", NO_COLOR="1")
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                       env=env)
    if check and r.returncode != 0:
        sys.exit("pace %s failed (%d):\n%s%s" % (" ".join(map(str, args)),
                                                  r.returncode, r.stdout,
                                                  r.stderr))
    return json.loads(r.stdout) if as_json else r


def when(day, hour=10, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute,
                             tzinfo=CST).isoformat()


def month_days(first):
    return calendar.monthrange(first.year, first.month)[1]


def next_month(first):
    return first + datetime.timedelta(days=month_days(first))


def server_now():
    """The server's clock: the current month is `pace kpi`'s default period
    and now is that share of it elapsed (a paced under --test-clock
    included); to the second, and a second early, never in the future."""
    k = pace("kpi", "--org", as_json=True)
    y, m = map(int, k["period"].split("-"))
    first = datetime.date(y, m, 1)
    start = datetime.datetime(y, m, 1, tzinfo=CST)
    end = datetime.datetime.combine(next_month(first), datetime.time(),
                                    tzinfo=CST)
    now = start + (end - start) * float(k["elapsed"] or 0)
    return max(start, now.replace(microsecond=0) -
               datetime.timedelta(seconds=1))


def csv_file(rows):
    f = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False,
                                    encoding="utf-8")
    import csv
    w = csv.writer(f)
    for r in rows:
        w.writerow(r)
    f.close()
    return f.name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--month", help="YYYY-MM (default: last month)")
    ap.add_argument("--this-month", action="store_true",
                    help="also seed the current month up to now (done "
                    "without --month anyway)")
    ap.add_argument("--early-months", action="store_true",
                    help="also seed the months of this year before the "
                    "month before last (done without --month anyway)")
    ap.add_argument("--review", help="write the org's review of the month "
                    "(Markdown) to this file")
    args = ap.parse_args()
    pace("login", "wangzong", "--password-stdin", stdin=PASSWORD + "\n")
    now = server_now()
    today = now.date()
    if args.month:
        y, m = map(int, args.month.split("-"))
        first_m = datetime.date(y, m, 1)
    else:
        first_m = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    first_p = (first_m - datetime.timedelta(days=1)).replace(day=1)
    if first_m > today.replace(day=1) - datetime.timedelta(days=1):
        sys.exit("--month must be a month that has ended")
    months = {"M": first_m, "P": first_p}
    last_m = first_m.replace(day=month_days(first_m))

    targets = {}
    for login in STORIES:
        for key, first in months.items():
            k = pace("kpi", "--user", login, "--period",
                     first.strftime("%Y-%m"), as_json=True)
            targets[login, key] = (k["target"] or 0) // 100  # yuan
        if first_m.year < today.year:
            # January: the months reviewed are last year's, which has no
            # plan; use a twelfth of this year's.
            k = pace("kpi", "--user", login, "--period", today.year,
                     as_json=True)
            for key in months:
                targets[login, key] = targets[login, key] or \
                    (k["target"] or 0) // 1200

    customers, deals, acts, wins = [], [], [], []
    names_of = {}
    for login, st in STORIES.items():
        region = REPS[login]
        names = names_of[login] = []
        for i in range(8):
            co = COMPANIES[(len(customers) + i * 3) % len(COMPANIES)]
            trade, industry = TRADES[(i + len(login)) % len(TRADES)]
            name = "%s%s%s-%s%d" % (region, co, trade, login, i + 1)
            names.append(name)
            customers.append([name, industry, SIZES[i % 3], region, login,
                              when(first_p - datetime.timedelta(days=60))])
        n = 0

        def deal(title, amount, stage, created, closed=None, reason=""):
            nonlocal n
            cust = names[n % len(names)]
            n += 1
            deals.append([title, cust, "%d" % amount, stage,
                          (last_m + datetime.timedelta(days=30)).isoformat()
                          if stage not in ("won", "lost") else "",
                          SOURCES[n % len(SOURCES)], PRODUCTS[n % len(PRODUCTS)],
                          login, when(created), when(closed) if closed else "",
                          reason])
            return cust

        for idx, (key, first) in enumerate(months.items()):
            target = targets[login, key]
            spec = st["wins"][key]
            total = int(round(target * st["att"][idx] / 100.0)) * 100
            for i, (cycle, dom) in enumerate(spec):
                amount = total // len(spec) // 100 * 100
                if i == len(spec) - 1:
                    amount = total - amount * (len(spec) - 1)
                if amount <= 0:
                    continue
                won = first.replace(day=dom)
                title = "%s %s-%d" % (PRODUCTS[i % 4], login, len(deals) + 1)
                deal(title, amount, "won", won - datetime.timedelta(days=cycle),
                     won)
                wins.append((login, title, amount, won, key))
            for i in range(st["lost"][key]):
                lost = first.replace(day=20)
                deal("%s lost %s-%d" % (PRODUCTS[i % 4], login, len(deals) + 1),
                     max(100, int(target * 0.15) // 100 * 100), "lost",
                     lost - datetime.timedelta(days=30), lost,
                     "price" if i % 2 == 0 else "competitor")
            counts = st["acts"][key]
            end = min(first.replace(day=month_days(first)), today)
            days = [first + datetime.timedelta(days=d)
                    for d in range((end - first).days + 1)
                    if (first + datetime.timedelta(days=d)).weekday() < 5]
            if login == "fenger":  # hired on the 12th
                days = [d for d in days if d.day >= 12]
            for kind, count in zip(("call", "visit", "email", "meeting"),
                                   counts):
                for j in range(count):
                    d = days[(j * 7 + len(kind)) % len(days)]
                    acts.append([login, kind, names[j % len(names)], "",
                                 when(d, 9 + j % 8, (j * 13) % 60),
                                 str(10 + j % 50), ""])
        target = targets[login, "M"]
        count, cover = st["leads"]
        gap = max(target - int(round(target * st["att"][0])), target * 0.3, 1000)
        for i in range(count):
            deal("%s lead %s-%d" % (PRODUCTS[i % 4], login, len(deals) + 1),
                 max(100, int(gap * cover / count) // 100 * 100),
                 "qualified" if i % 2 else "lead", first_m.replace(day=22))
        for i, (age, share, stage) in enumerate(st.get("old", [])):
            deal("%s project %s-%d" % (PRODUCTS[i % 4], login, len(deals) + 1),
                 max(100, int(target * share) // 100 * 100), stage,
                 last_m - datetime.timedelta(days=age))

    ids = deal_ids()
    if any(d[0] in ids for d in deals):
        print("seeded already: the deals of %s and %s are there; nothing "
              "imported" % (first_p.strftime("%Y-%m"),
                            first_m.strftime("%Y-%m")))
    else:
        with backfill_widened():
            npays = import_all(customers, deals, acts, wins, today)
        print("seeded: %d customers, %d deals, %d activities, %d payment "
              "rows for %s and %s" % (len(customers), len(deals), len(acts),
                                      npays, first_p.strftime("%Y-%m"),
                                      first_m.strftime("%Y-%m")))
    if args.review:
        review(first_p, first_m, today, args.review)
    if args.early_months or not args.month:
        # The months of this year before the default run's P, except the
        # two seeded in detail here.
        last_p = (today.replace(day=1) - datetime.timedelta(days=1)) \
            .replace(day=1)
        last_p = (last_p - datetime.timedelta(days=1)).replace(day=1)
        early = [datetime.date(today.year, m, 1) for m in range(1, 13)]
        early_months([f for f in early if f < last_p and
                      f not in (first_m, first_p)])
    if args.this_month or not args.month:
        this_month(now, names_of)


def this_month(now, names_of):
    """Seeds the current month, from its 1st up to now (THIS_MONTH), onto
    the customers of the two months before; once."""
    first = now.date().replace(day=1)
    today = now.date()
    tag = first.strftime("%Y-%m")
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=CST)
    end = datetime.datetime.combine(next_month(first), datetime.time(),
                                    tzinfo=CST)
    frac = (now - start) / (end - start)  # the share of C elapsed
    close = (next_month(first) + datetime.timedelta(days=14)).isoformat()

    deals, acts = [], []
    nwon = nlost = 0
    for login, st in STORIES.items():
        tm = THIS_MONTH[login]
        names = names_of[login]
        hired = max(first, HIRED.get(login, first))
        lo = datetime.datetime.combine(hired, datetime.time(), tzinfo=CST)
        if lo >= now:
            continue  # not hired yet
        # The past days of C the rep worked, weekdays if there are any;
        # none on the 1st: then everything happens earlier today.
        past = [hired + datetime.timedelta(days=d)
                for d in range((today - hired).days)]
        days = [d for d in past if d.weekday() < 5] or past
        if not days:  # from 08:00 if that leaves some time, else midnight
            lo = max(lo, min(now - datetime.timedelta(minutes=30),
                             lo.replace(hour=8)))
        k = pace("kpi", "--user", login, "--period", tag, as_json=True)
        target = (k["target"] or 0) // 100  # yuan
        n = 0

        def deal(title, amount, stage, created, closed="", reason=""):
            nonlocal n
            deals.append(["%s %s-%d (%s)" % (title, login, len(deals) + 1,
                                             tag),
                          names[n % len(names)], "%d" % amount, stage,
                          close if stage not in ("won", "lost") else "",
                          SOURCES[n % len(SOURCES)],
                          PRODUCTS[n % len(PRODUCTS)], login, created,
                          closed, reason])
            n += 1

        # Activities at M's rate: on the past days, like the months
        # before; else spread over the time elapsed today.
        planned = []
        for kind, count in zip(("call", "visit", "email", "meeting"),
                               st["acts"]["M"]):
            planned += [(kind, j) for j in range(math.ceil(count * frac))]
        for i, (kind, j) in enumerate(planned):
            if days:
                at = when(days[(j * 7 + len(kind)) % len(days)], 9 + j % 8,
                          (j * 13) % 60)
            else:
                at = (lo + (now - lo) * (i + 1) / (len(planned) + 1)).replace(
                    microsecond=0).isoformat()
            acts.append([login, kind, names[j % len(names)], "", at,
                         str(10 + j % 50), ""])

        # Open deals (the pipeline), the latest on the most recent days.
        total = int(round(target * frac * tm["pace"] / 100.0)) * 100
        count, cover = tm.get("leads", st["leads"])
        gap = max(target - total, target * 0.3, 1000)
        nleads = math.ceil(count * frac)
        for i in range(nleads):
            if days:
                created = when(days[-1 - (i * 3) % len(days)], 11, 15 * i)
            else:
                created = (lo + (now - lo) * (i + 1) / (nleads + 1)).replace(
                    microsecond=0).isoformat()
            deal("%s lead" % PRODUCTS[i % 4],
                 max(100, int(gap * cover / count) // 100 * 100),
                 ("lead", "qualified", "proposal")[i % 3], created)
        if not days:
            continue  # wins and losses on past days only

        # Wins: the actual that gives the rep's pace, over past days.
        nwins = min(math.ceil(tm["wins"] * frac), total // 100)
        for i in range(nwins):
            amount = total // nwins // 100 * 100
            if i == nwins - 1:
                amount = total - amount * (nwins - 1)
            won = days[(i + 1) * len(days) // (nwins + 1)]
            deal(PRODUCTS[i % 4], amount, "won",
                 when(max(hired, won - datetime.timedelta(days=tm["cycle"]))),
                 when(won, 15, 30))
            nwon += 1
        for i in range(int(round(st["lost"]["M"] * frac))):
            lost = days[(i * 5 + len(login)) % len(days)]
            deal("%s lost" % PRODUCTS[i % 4],
                 max(100, int(target * 0.15) // 100 * 100), "lost",
                 when(max(hired, lost - datetime.timedelta(days=30))),
                 when(lost, 17),
                 "price" if i % 2 == 0 else "competitor")
            nlost += 1

    upto = "%s up to %s" % (tag, now.strftime("%Y-%m-%d %H:%M"))
    if not deals and not acts:
        print("this month %s: nothing to seed yet" % upto)
        return
    ids = deal_ids()
    k = pace("kpi", "--org", "--period", tag, as_json=True)
    if any(t.endswith(" (%s)" % tag) for t in ids) or \
            k["followups"]["total"] > 0:
        print("seeded already: this month %s has sales; nothing imported "
              "for it" % tag)
        return
    header = {"deals": ["title", "customer", "amount", "stage",
                        "expected_close", "source", "product_line", "owner",
                        "at", "closed_at", "loss_reason"],
              "activities": ["user", "kind", "customer", "deal", "at",
                             "duration_min", "note"]}
    for kind, rows in (("deals", deals), ("activities", acts)):
        if rows:
            path = csv_file([header[kind]] + rows)
            pace("import", kind, path)
            os.unlink(path)
    print("seeded this month %s: %d deals (%d won, %d lost, %d open), %d "
          "activities" % (upto, len(deals), nwon, nlost,
                          len(deals) - nwon - nlost, len(acts)))


def early_months(firsts):
    """Seeds the months firsts (the earlier months of the year) lightly
    (EARLY), those that have no sales yet, in one import per kind."""
    if not firsts:
        return
    ids = deal_ids()
    empty = []
    for first in firsts:
        tag = first.strftime("%Y-%m")
        k = pace("kpi", "--org", "--period", tag, as_json=True)
        if not any(t.endswith(" (%s)" % tag) for t in ids) and \
                k["followups"]["total"] == 0:
            empty.append(first)
    span = "%s to %s" % (firsts[0].strftime("%Y-%m"),
                         firsts[-1].strftime("%Y-%m"))
    if not empty:
        print("seeded already: the months %s have sales; nothing imported "
              "for them" % span)
        return
    # The reps' revenue targets of those months (yuan), a quarter at a time.
    targets = {}
    for login in STORIES:
        for q in sorted({(f.year, (f.month - 1) // 3 + 1) for f in empty}):
            t = pace("target", "show", "--user", login, "--period",
                     "%dQ%d" % q, as_json=True)
            for r in t["rows"]:
                if r["depth"] > 0 and len(r["period"]) == 7:
                    targets[login, r["period"]] = (r["amount"] or 0) // 100

    year = empty[0].year
    customers, deals, acts = [], [], []
    nwon = nlost = 0
    for login, st in STORIES.items():
        region = REPS[login]
        start = max(datetime.date(year, 1, 1),
                    HIRED.get(login, datetime.date(year, 1, 1)))
        if all(f.replace(day=month_days(f)) < start for f in empty):
            continue  # hired later
        names = []
        for i in range(8, 12):
            co = COMPANIES[(i * 5 + len(login)) % len(COMPANIES)]
            trade, industry = TRADES[(i + len(login)) % len(TRADES)]
            name = "%s%s%s-%s%d" % (region, co, trade, login, i + 1)
            names.append(name)
            customers.append([name, industry, SIZES[i % 3], region, login,
                              when(start, 8)])
        spec = st["wins"]["P"] or [(20, 15)]
        cycle = sum(c for c, _ in spec) // len(spec)
        n = 0

        def deal(title, amount, stage, created, closed, tag, reason=""):
            nonlocal n
            deals.append(["%s %s-%d (%s)" % (title, login, n + 1, tag),
                          names[n % len(names)], "%d" % amount, stage, "",
                          SOURCES[n % len(SOURCES)],
                          PRODUCTS[n % len(PRODUCTS)], login,
                          when(created), when(closed, 15, 30), reason])
            n += 1

        for first in empty:
            last = first.replace(day=month_days(first))
            if last < start:
                continue  # not hired yet
            tag = first.strftime("%Y-%m")
            lo = max(first, start)
            days = [lo + datetime.timedelta(days=d)
                    for d in range((last - lo).days + 1)]
            days = [d for d in days if d.weekday() < 5] or days
            target = targets.get((login, tag), 0)
            # 0.85 to 1.15 times the usual level, by rep and month
            vary = 0.85 + 0.30 * (zlib.crc32(("%s %s" % (login, tag))
                                             .encode()) % 1001) / 1000
            total = int(round(target * EARLY[login] * vary / 100.0)) * 100
            nwins = min(len(spec), total // 100)
            for i in range(nwins):
                amount = total // nwins // 100 * 100
                if i == nwins - 1:
                    amount = total - amount * (nwins - 1)
                won = days[(i + 1) * len(days) // (nwins + 1)]
                deal(PRODUCTS[i % 4], amount, "won",
                     max(start, won - datetime.timedelta(days=cycle)), won,
                     tag)
                nwon += 1
            for i in range(max(st["lost"]["P"],
                               (first.month + len(login)) % 2)):
                lost = days[(i * 5 + len(login) + first.month) % len(days)]
                deal("%s lost" % PRODUCTS[i % 4],
                     max(100, int(target * 0.15) // 100 * 100), "lost",
                     max(start, lost - datetime.timedelta(days=30)), lost,
                     tag, "price" if (i + first.month) % 3 else "competitor")
                nlost += 1
            for kind, count in zip(("call", "visit", "email", "meeting"),
                                   st["acts"]["M"]):
                for j in range(int(round(count * EARLY_ACTS))):
                    d = days[(j * 7 + len(kind) + first.month) % len(days)]
                    acts.append([login, kind, names[j % len(names)], "",
                                 when(d, 9 + j % 8, (j * 13) % 60),
                                 str(10 + j % 50), ""])

    header = {"customers": ["name", "industry", "size_band", "region",
                            "owner", "at"],
              "deals": ["title", "customer", "amount", "stage",
                        "expected_close", "source", "product_line", "owner",
                        "at", "closed_at", "loss_reason"],
              "activities": ["user", "kind", "customer", "deal", "at",
                             "duration_min", "note"]}
    with backfill_widened():
        for kind, rows in (("customers", customers), ("deals", deals),
                           ("activities", acts)):
            if rows:
                path = csv_file([header[kind]] + rows)
                pace("import", kind, path)
                os.unlink(path)
    print("seeded the months %s: %d deals (%d won, %d lost), %d activities"
          % ("%s to %s" % (empty[0].strftime("%Y-%m"),
                           empty[-1].strftime("%Y-%m")),
             len(deals), nwon, nlost, len(acts)))


@contextlib.contextmanager
def backfill_widened():
    """Widens the backfill window to 400 days (as the admin) for the
    imports of history, then puts it back; the director is logged in
    throughout the imports and after."""
    pace("login", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    pace("admin", "org", "set", "backfill_days", "400")
    pace("login", "wangzong", "--password-stdin", stdin=PASSWORD + "\n")
    try:
        yield
    finally:
        pace("login", "admin", "--password-stdin",
             stdin=ADMIN_PASSWORD + "\n")
        pace("admin", "org", "set", "backfill_days", "90")
        pace("login", "wangzong", "--password-stdin", stdin=PASSWORD + "\n")


def deal_ids():
    """Title -> id of every deal the director sees."""
    ids = {}
    after = 0
    while True:
        page = pace("deal", "list", "--limit", "1000",
                    *(["--after", after] if after else []), as_json=True)
        for d in page:
            ids[d["title"]] = d["id"]
        if len(page) < 1000:
            break
        after = page[-1]["id"]
    return ids


def import_all(customers, deals, acts, wins, today):
    """Imports the two months (in the widened backfill window)."""
    for kind, rows in (("customers", customers), ("deals", deals),
                       ("activities", acts)):
        header = {"customers": ["name", "industry", "size_band", "region",
                                "owner", "at"],
                  "deals": ["title", "customer", "amount", "stage",
                            "expected_close", "source", "product_line",
                            "owner", "at", "closed_at", "loss_reason"],
                  "activities": ["user", "kind", "customer", "deal", "at",
                                 "duration_min", "note"]}[kind]
        path = csv_file([header] + rows)
        pace("import", kind, path)
        os.unlink(path)

    # Payment plans: the wins of P in two halves, the first received just
    # before it was due; 周九's are not paid.
    ids = deal_ids()
    pays = [["deal", "kind", "date", "amount"]]
    for login, title, amount, won, key in wins:
        if key != "P":
            continue
        first_due = won + datetime.timedelta(days=25)
        second_due = won + datetime.timedelta(days=85)
        half = amount // 2 // 100 * 100
        pays.append([ids[title], "installment", first_due.isoformat(), half])
        pays.append([ids[title], "installment", second_due.isoformat(),
                     amount - half])
        if not STORIES[login].get("unpaid") and first_due <= today:
            pays.append([ids[title], "receipt",
                         (first_due - datetime.timedelta(days=2)).isoformat(),
                         half])
    path = csv_file(pays)
    pace("import", "payments", path)
    os.unlink(path)
    return len(pays) - 1


def review(first_p, first_m, today, path):
    # Last month's review, and the actions the meeting took from it
    # (one already done), so that this month's review closes the loop.
    prev = pace("review", "generate", "--period", first_p.strftime("%Y-%m"),
                "--org", as_json=True)
    if not prev["actions"]:
        for d in prev["diagnoses"][:3]:
            pace("action", "from-diagnosis", prev["id"], d["n"])
        item = pace("action", "add", "Share the meeting-first approach with "
                    "上海一组", "--owner", "sunqiang", "--due",
                    (today + datetime.timedelta(days=14)).isoformat(),
                    "--review", prev["id"], as_json=True)
        pace("action", "done", item["id"], "--note", "presented on Monday")
    pace("review", "generate", "--period", first_m.strftime("%Y-%m"),
         "--org", "--regenerate", "-o", path)
    print("review of %s written to %s" % (first_m.strftime("%Y-%m"),
                                          path))


if __name__ == "__main__":
    main()
