"""The fixture data set of the review tests (test_7x_*.py).

ReviewOrg(paced) creates, through the admin RPCs, one office and two teams:

    team A (manager ma): reps star, second, third, busy, slow, quiet,
                         debtor, thin
    team B (manager mb): reps bstar, bcalm
    director dir

and writes their facts for September and October 2026 straight into the
database (customers, deals, contracts, installments, activities, revenue
targets), then rebuilds the rollups with pace.rollup_rebuild: the dates are
fixed, so the numbers do not depend on the day the tests run. Every event
happens at 10:00 Asia/Shanghai.

October 2026 is built so that each diagnosis rule of docs/review.md fires
for exactly one member of team A, and for no one else:

    rep     target  won (n x amount, cycle)  lost  follow-ups c/v/e/m  new leads  notes
    star    10M     3 x 4M, 10 days          1     10/20/5/5 = 40      7          120%
    second  10M     2 x 5M, 20 days          1     20/10/5/5 = 40      6          100%
    third   10M     2 x 4.5M, 20 days        1     15/10/10/5 = 40     6          90%, below pace, no rule
    busy    10M     1 x 3M, 20 days          5     50/20/10/10 = 90    5          conversion
    slow    10M     1 x 3M, 90 days          0     20/10/5/5 = 40      4          stuck (2 old open deals)
    quiet   10M     1 x 3M, 20 days          0     20/10/5/5 = 40      1          prospecting
    debtor  10M     1 x 3M, 20 days          0     20/10/5/5 = 40      5          collections (1M overdue)
    thin    10M     1 x 3M, 20 days          0     20/10/5/5 = 40      5          pipeline (coverage < 1)
    bstar   10M     1 x 13M, 20 days         0     10/10/10/10         3          130%, the org's star
    bcalm   10M     1 x 5M, 20 days          0     10/10/10/10         3          50%, no rule

(M = 1,000,000 fen = ¥10,000.) September: star 5M of 5M, second 6M of 6M,
bstar 4M of 4M, bcalm 4M of 4M (all 100%: ties for the star of the month);
the other reps have a 5M target and nothing won.

`self.expect` holds, per rep, the October numbers the fixture implies.
"""

import datetime
import json

import kpi_pb2
import push_pb2
import review_pb2  # noqa: F401  (registers the review messages)
import wire
from pacedproc import ADMIN, ADMIN_PASSWORD
from wire import expect, op_id

PASSWORD = "password-1"
M = 1000000

TEAM_A = ["star", "second", "third", "busy", "slow", "quiet", "debtor",
          "thin"]
TEAM_B = ["bstar", "bcalm"]

# October: (won: [(amount, cycle_days)], lost, (c, v, e, m), open new leads
# (count, amount each), old open deals [(age_days_at_NOW, amount)],
# unpaid installment due in October)
OCTOBER = {
    "star": ([(4 * M, 10)] * 3, 1, (10, 20, 5, 5), (4, 2 * M), [], 0),
    "second": ([(5 * M, 20)] * 2, 1, (20, 10, 5, 5), (4, 2 * M), [], 0),
    "third": ([(4500000, 20)] * 2, 1, (15, 10, 10, 5), (4, 2 * M), [], 0),
    "busy": ([(3 * M, 20)], 5, (50, 20, 10, 10), (4, 3 * M), [], 0),
    "slow": ([(3 * M, 90)], 0, (20, 10, 5, 5), (4, 3 * M),
             [(120, 1 * M), (100, 1 * M)], 0),
    "quiet": ([(3 * M, 20)], 0, (20, 10, 5, 5), (1, 20 * M), [], 0),
    "debtor": ([(3 * M, 20)], 0, (20, 10, 5, 5), (4, 3 * M), [], 1 * M),
    "thin": ([(3 * M, 20)], 0, (20, 10, 5, 5), (4, M // 2), [], 0),
    "bstar": ([(13 * M, 20)], 0, (10, 10, 10, 10), (2, 5 * M), [], 0),
    "bcalm": ([(5 * M, 20)], 0, (10, 10, 10, 10), (2, 5 * M), [], 0),
}
SEPTEMBER = {"star": (5 * M, 5 * M), "second": (6 * M, 6 * M),
             "bstar": (4 * M, 4 * M), "bcalm": (4 * M, 4 * M)}
OCT_TARGET = 10 * M
SEP_TARGET = 5 * M

# Wins are on 25 October (star), 15 October (quiet) or 28 October; open leads created on
# 25 October; lost deals created 1 September, lost 20 October.
# The tests run with the server clock at NOW (paced --test-clock).
NOW = datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.timezone(
    datetime.timedelta(hours=8)))
NOW_US = int(NOW.timestamp() * 1000000)
OCT_WIN_DAY = {"star": datetime.date(2026, 10, 25),
               "quiet": datetime.date(2026, 10, 15)}
DEFAULT_WIN_DAY = datetime.date(2026, 10, 28)


def us(dt):
    return int(dt.timestamp() * 1000000)


def cst_us(y, m, d, hh=10, mm=0):
    """Microseconds of an Asia/Shanghai wall-clock time."""
    return us(datetime.datetime(y, m, d, hh, mm, tzinfo=datetime.timezone(
        datetime.timedelta(hours=8))))


def scope(kind, name=""):
    return kpi_pb2.Scope(kind=kpi_pb2.ScopeKind.Value("SCOPE_" + kind.upper()),
                         name=name)


def make(kind, /, **fields):
    """wire.make, also for message fields."""
    f = wire.Frame()
    sub = getattr(f, kind)
    sub.SetInParent()
    for k, v in fields.items():
        if hasattr(v, "SerializeToString"):
            getattr(sub, k).CopyFrom(v)
        else:
            setattr(sub, k, v)
    return f


def clock_frame(now_us, evaluate=False):
    """ClockSet, held still at now_us where paced supports it."""
    fields = dict(now=now_us, evaluate=evaluate)
    if "freeze" in push_pb2.ClockSet.DESCRIPTOR.fields_by_name:
        fields["freeze"] = True
    return make("clock_set", **fields)


def content(review):
    """The stored review's JSON (Review.content) as a dict."""
    return json.loads(review.content)


def at(day, hour=10):
    """SQL timestamptz of 10:00 Shanghai time on a date."""
    return "timestamptz '%s %02d:00+08'" % (day.isoformat(), hour)


class ReviewOrg:
    def __init__(self, paced, tag=""):
        self.paced = paced
        self.tag = tag
        self.conns = {}
        adm = self.c("admin")
        expect(adm.rpc("office_add", client_op_id=op_id(),
                       name="HQ" + tag), "office")
        for t in ("A", "B"):
            expect(adm.rpc("team_add", client_op_id=op_id(),
                           name=self.team(t), office="HQ" + tag), "team")
        self.ids = {}
        people = [("ma", "MANAGER", "A"), ("mb", "MANAGER", "B"),
                  ("dir", "DIRECTOR", "")]
        people += [(r, "REP", "A") for r in TEAM_A]
        people += [(r, "REP", "B") for r in TEAM_B]
        for who, role, team in people:
            u = expect(adm.rpc(
                "user_add", client_op_id=op_id(), login=self.login(who),
                name=self.name(who), role=wire.Role.Value(role),
                team=self.team(team) if team else "", password=PASSWORD),
                "user")
            self.ids[who] = u.id
        self.org_id = int(self.sql("SELECT id FROM pace.org ORDER BY id LIMIT 1"))
        self.expect = {}
        self.old_deals = {}
        self._write_facts()

    # -- names ------------------------------------------------------------
    def login(self, who):
        return ADMIN if who == "admin" else who + self.tag

    def name(self, who):
        return who.capitalize() + self.tag

    def team(self, t):
        return "Team%s%s" % (t, self.tag)

    def c(self, who):
        if who not in self.conns:
            pw = ADMIN_PASSWORD if who == "admin" else PASSWORD
            self.conns[who] = wire.connect(self.paced.port, self.login(who),
                                           pw, timeout=60)
        return self.conns[who]

    def close(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}

    def sql(self, q):
        return self.paced.psql(q)

    # -- facts ------------------------------------------------------------
    def _deal(self, out, who, title, amount, stage, created, won=None,
              lost=None, stage_at=None):
        uid = self.ids[who]
        reached = {"won": 63, "lost": 65}.get(stage)
        if reached is None:
            reached = "pace.stage_reach_bits('%s')" % stage
        out.append(
            "WITH c AS (INSERT INTO pace.customer (org_id, owner_id, name, "
            "industry, size_band, region, created_at, updated_at) VALUES "
            "(%(org)d, %(uid)d, '%(title)s Co', 'retail', 'medium', 'north', "
            "%(created)s, %(created)s) RETURNING id), "
            "d AS (INSERT INTO pace.opportunity (org_id, owner_id, "
            "customer_id, title, amount, stage, reached, created_at, "
            "stage_at, won_at, lost_at, loss_reason, updated_at) SELECT "
            "%(org)d, %(uid)d, c.id, '%(title)s', %(amount)d, '%(stage)s', "
            "%(reached)s, %(created)s, %(stage_at)s, %(won)s, %(lost)s, "
            "%(reason)s, %(created)s FROM c RETURNING id) "
            "%(contract)s SELECT 1;" % dict(
                org=self.org_id, uid=uid, title=title, amount=amount,
                stage=stage, reached=reached, created=at(created),
                stage_at=at(stage_at or won or lost or created),
                won=at(won) if won else "NULL",
                lost=at(lost) if lost else "NULL",
                reason="'price'" if lost else "NULL",
                contract=(", k AS (INSERT INTO pace.contract (org_id, opp_id, "
                          "owner_id, amount, signed_at) SELECT %d, d.id, %d, "
                          "%d, %s FROM d RETURNING id) " % (
                              self.org_id, uid, amount, at(won))
                          if won else "")))

    def _write_facts(self):
        out = []
        oct1 = datetime.date(2026, 10, 1)
        sep1 = datetime.date(2026, 9, 1)
        for who, (wins, lost, acts, leads, old, unpaid) in OCTOBER.items():
            win_day = OCT_WIN_DAY.get(who, DEFAULT_WIN_DAY)
            new_leads = 0
            cycles = []
            for i, (amount, cycle) in enumerate(wins):
                created = win_day - datetime.timedelta(days=cycle)
                if created >= oct1:
                    new_leads += 1
                cycles.append(cycle)
                self._deal(out, who, "%s-won-%d" % (who, i), amount, "won",
                           created, won=win_day)
            for i in range(lost):
                self._deal(out, who, "%s-lost-%d" % (who, i), 1 * M, "lost",
                           datetime.date(2026, 9, 1),
                           lost=datetime.date(2026, 10, 20))
            n, lead_amount = leads
            for i in range(n):
                self._deal(out, who, "%s-lead-%d" % (who, i), lead_amount,
                           "qualified", datetime.date(2026, 10, 25))
                new_leads += 1
            self.old_deals[who] = []
            for i, (age, old_amount) in enumerate(old):
                created = NOW.date() - datetime.timedelta(days=age)
                title = "%s-old-%d" % (who, i)
                self.old_deals[who].append(title)
                self._deal(out, who, title, old_amount, "proposal", created,
                           stage_at=created + datetime.timedelta(days=5))
            kinds = ("call", "visit", "email", "meeting")
            for kind, count in zip(kinds, acts):
                if count:
                    out.append(
                        "INSERT INTO pace.activity (org_id, user_id, "
                        "customer_id, kind, at) SELECT %d, %d, (SELECT id "
                        "FROM pace.customer WHERE owner_id = %d ORDER BY id "
                        "LIMIT 1), '%s', %s + g * interval '1 minute' FROM "
                        "generate_series(1, %d) g;" % (
                            self.org_id, self.ids[who], self.ids[who], kind,
                            at(datetime.date(2026, 10, 12)), count))
            if unpaid:
                out.append(
                    "INSERT INTO pace.installment (org_id, contract_id, "
                    "owner_id, due_on, amount_due) SELECT %d, k.id, %d, "
                    "date '2026-10-30', %d FROM pace.contract k WHERE "
                    "k.owner_id = %d ORDER BY k.id LIMIT 1;" % (
                        self.org_id, self.ids[who], unpaid, self.ids[who]))
            won_total = sum(a for a, _ in wins)
            pipeline = n * lead_amount + sum(a for _, a in old)
            s = sorted(cycles)
            k = len(s)
            median = (s[k // 2] if k % 2 else (s[k // 2 - 1] + s[k // 2]) / 2
                      ) if k else None
            self.expect[who] = dict(
                actual=won_total, target=OCT_TARGET,
                attainment=won_total / OCT_TARGET, won=len(wins), lost=lost,
                followups=sum(acts), calls=acts[0], visits=acts[1],
                emails=acts[2], meetings=acts[3], new_leads=new_leads,
                pipeline=pipeline, cycle_median=median,
                win_rate=len(wins) / (len(wins) + lost))
            out.append(
                "INSERT INTO pace.target_month (org_id, scope_kind, scope_id,"
                " metric, month, amount) VALUES (%d, 'user', %d, 'revenue', "
                "date '2026-10-01', %d), (%d, 'user', %d, 'revenue', "
                "date '2026-09-01', %d);" % (
                    self.org_id, self.ids[who], OCT_TARGET, self.org_id,
                    self.ids[who], SEPTEMBER.get(who, (SEP_TARGET, 0))[0]))
        for who, (target, won) in SEPTEMBER.items():
            self._deal(out, who, "%s-sep" % who, won, "won",
                       datetime.date(2026, 8, 20),
                       won=datetime.date(2026, 9, 10))
        out.append("SELECT pace.rollup_rebuild(%d);" % self.org_id)
        self.sql("\n".join(out))
        _ = sep1

    # -- the wire -----------------------------------------------------------
    def set_clock(self, now_us=NOW_US, evaluate=False, paced=None):
        """Move paced's clock (paced runs with --test-clock)."""
        port = (paced or self.paced).port
        c = wire.connect(port, ADMIN, ADMIN_PASSWORD)
        try:
            expect(c.call(clock_frame(now_us, evaluate)), "ok")
        finally:
            c.close()

    def generate(self, who, period="2026-10", kind=None, name="",
                 regenerate=False, op=None):
        """ReviewGenerate as `who`: the response frame."""
        fields = dict(client_op_id=op or op_id(), period=period,
                      regenerate=regenerate)
        if kind:
            fields["scope"] = scope(kind, name)
        return self.c(who).call(make("review_generate", **fields))

    def action(self, who, kind, **fields):
        """An action RPC (action_add, action_done, ...) as `who`."""
        if kind != "action_list":
            fields.setdefault("client_op_id", op_id())
        return self.c(who).call(make(kind, **fields))

    def previous_review(self):
        """The September review of team A and its action items, made with
        the clock in October: busy's closed on time, slow's closed late,
        quiet's left open past due, thin's open and not yet due. Leaves the
        clock at NOW. Returns (review id, {who: item id})."""
        self.set_clock(cst_us(2026, 10, 2))
        rv = expect(self.generate("ma", "2026-09"), "review")
        items = {}
        for who, due in (("busy", "2026-10-10"), ("slow", "2026-10-10"),
                         ("quiet", "2026-10-20"), ("thin", "2026-11-30")):
            it = expect(self.action("ma", "action_add", owner=self.login(who),
                                    due_on=due, text="Follow up with " + who,
                                    review_id=rv.id), "action_item")
            items[who] = it.id
        self.set_clock(cst_us(2026, 10, 9))
        expect(self.action("busy", "action_done", id=items["busy"],
                           note="coached"), "action_item")
        self.set_clock(cst_us(2026, 10, 15))
        expect(self.action("ma", "action_done", id=items["slow"]),
               "action_item")
        self.set_clock(NOW_US)
        return rv.id, items
