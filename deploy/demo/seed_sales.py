#!/usr/bin/python3
"""Two months of sales history for the demo team of deploy/demo/seed.sh.

seed.sh runs it after history.sh has applied the year's plan, against the
same server; everything goes through the pace CLI as the demo director
(wangzong), who stays logged in: `pace import` for customers, deals,
activities, payment plans and receipts, then (with --review FILE) `pace
review generate --org` of the month as Markdown. Standard library only.
Money cells are written in yuan, as `pace import` reads them. The history
is the same every time for a given month and plan (no randomness), so the
review of the demo data is reproducible:

    PACE=build/client/cli/pace PACE_SERVER=127.0.0.1:7420 \\
        python3 deploy/demo/seed_sales.py [--month 2026-10] [--review FILE.md]

--month is the month to review (default: last month); its previous month
gets history too (for the trend). Amounts follow the reps' revenue targets
of the plan. Each rep has a story the review should tell: 张三 and 孙八 ahead (孙八 the star), 李四 calling a lot and winning
little (conversion coaching), 王五 with a long cycle and old open deals
(stuck deals), 赵六 with few new leads (prospecting), 钱七 new with a thin
pipeline (pipeline gap), 周九 with an unpaid invoice (collections), 吴十
just under pace with no rule applying, 冯二 hired mid-month.
The backfill window is widened to 400 days while importing, then put back.

Running it again for the same month stores nothing twice: when the deals it
would import are there already, it imports nothing (and only writes the
review, if asked).
"""

import argparse
import calendar
import datetime
import json
import os
import subprocess
import sys
import tempfile

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
    ap.add_argument("--review", help="write the org's review of the month "
                    "(Markdown) to this file")
    args = ap.parse_args()
    today = datetime.datetime.now(CST).date()
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

    pace("login", "wangzong", "--password-stdin", stdin=PASSWORD + "\n")
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
    for login, st in STORIES.items():
        region = REPS[login]
        names = []
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
        npays = import_all(customers, deals, acts, wins, today)
        print("seeded: %d customers, %d deals, %d activities, %d payment "
              "rows for %s and %s" % (len(customers), len(deals), len(acts),
                                      npays, first_p.strftime("%Y-%m"),
                                      first_m.strftime("%Y-%m")))
    if args.review:
        review(first_p, first_m, today, args.review)


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
    pace("login", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    pace("admin", "org", "set", "backfill_days", "400")
    pace("login", "wangzong", "--password-stdin", stdin=PASSWORD + "\n")
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

    pace("login", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    pace("admin", "org", "set", "backfill_days", "90")
    pace("login", "wangzong", "--password-stdin", stdin=PASSWORD + "\n")
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
