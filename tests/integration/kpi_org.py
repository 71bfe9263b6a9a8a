"""A sales org for the KPI, target and push tests (test_4x_*, test_5x_*).

KpiOrg(paced, people) creates, through the admin RPCs, offices, teams and
users, and gives logged-in wire clients by short name. Every write goes
through the real RPCs with explicit times (`at`), so the tests run paced
with --test-clock and move its clock first (ClockSet also moves the
database's now(), deploy/sql/032_clock.sql): the numbers never depend on the
day the tests run.

Times are written as Asia/Shanghai wall-clock strings: cst("2026-11-03
10:00") is 2026-11-03T02:00:00Z in microseconds.
"""

import datetime
import uuid

import capture_pb2  # noqa: F401  (registers the capture messages)
import kpi_pb2
import push_pb2  # noqa: F401
import wire
from pacedproc import ADMIN, ADMIN_PASSWORD
from wire import expect, op_id

PASSWORD = "password-1"
CST = datetime.timezone(datetime.timedelta(hours=8))
Stage = capture_pb2.Stage
Kind = capture_pb2.ActivityKind
ScopeKind = kpi_pb2.ScopeKind
YUAN = 100  # fen

# The exact key set of `pace kpi --json` (issue 4), also the "kpi" object
# of every `pace watch --json` snapshot line.
KPI_KEYS = {"scope", "period", "currency", "actual", "target", "attainment",
            "elapsed", "pace", "status", "new_leads", "followups",
            "lead_to_opp", "win_rate", "cycle_days", "avg_deal", "pipeline",
            "coverage", "collection_rate", "overdue_rate", "funnel", "mix",
            "loss_reasons", "rank"}


def cst(text):
    """Microseconds of an Asia/Shanghai wall-clock time 'YYYY-MM-DD HH:MM'
    (or 'YYYY-MM-DD HH:MM:SS')."""
    fmt = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
    dt = datetime.datetime.strptime(text, fmt).replace(tzinfo=CST)
    return int(dt.timestamp() * 1000000)


def utc(text):
    """Microseconds of a UTC time 'YYYY-MM-DDTHH:MM:SSZ'."""
    dt = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)
    return int(dt.timestamp() * 1000000)


def make(kind, /, **fields):
    """wire.make, also for repeated and message fields."""
    f = wire.Frame()
    sub = getattr(f, kind)
    sub.SetInParent()
    for k, v in fields.items():
        if isinstance(v, (list, tuple)):
            getattr(sub, k).extend(v)
        elif hasattr(v, "SerializeToString"):
            getattr(sub, k).CopyFrom(v)
        else:
            setattr(sub, k, v)
    return f


def scope(kind, name=""):
    return kpi_pb2.Scope(kind=ScopeKind.Value("SCOPE_" + kind.upper()),
                         name=name)


def set_clock(port, now_us, evaluate=False, freeze=True):
    """Move paced's clock (paced runs with --test-clock), held still at
    now_us unless freeze=False; 0: real time."""
    c = wire.connect(port, ADMIN, ADMIN_PASSWORD)
    try:
        expect(c.call(make("clock_set", now=now_us, evaluate=evaluate,
                           freeze=freeze)), "ok")
    finally:
        c.close()


class KpiOrg:
    """people: [(who, role, team or None, extra user fields)], teams:
    [(team, office)], offices: [(office, region)]."""

    def __init__(self, paced, offices, teams, people, tag=None):
        self.paced = paced
        self.tag = tag if tag is not None else uuid.uuid4().hex[:4]
        self.conns = {}
        self.ids = {}
        adm = self.c("admin")
        for office, region in offices:
            expect(adm.call(make("office_add", client_op_id=op_id(),
                                 name=self.office(office), region=region)),
                   "office")
        for team, office in teams:
            expect(adm.call(make("team_add", client_op_id=op_id(),
                                 name=self.team(team),
                                 office=self.office(office))), "team")
        for who, role, team, extra in people:
            u = expect(adm.call(make(
                "user_add", client_op_id=op_id(), login=self.login(who),
                name=self.name(who), role=wire.Role.Value(role),
                team=self.team(team) if team else "", password=PASSWORD,
                **extra)), "user")
            self.ids[who] = u.id
        self.org_id = int(self.sql(
            "SELECT id FROM pace.org ORDER BY id LIMIT 1"))

    # -- names ------------------------------------------------------------
    def login(self, who):
        return ADMIN if who == "admin" else who + self.tag

    def name(self, who):
        return who.capitalize() + self.tag

    def team(self, t):
        return "%s-%s" % (t, self.tag)

    def office(self, o):
        return "%s-%s" % (o, self.tag)

    # -- connections ------------------------------------------------------
    def c(self, who, fresh=False):
        if fresh or who not in self.conns:
            pw = ADMIN_PASSWORD if who == "admin" else PASSWORD
            conn = wire.connect(self.paced.port, self.login(who), pw,
                                timeout=60)
            if fresh:
                return conn
            self.conns[who] = conn
        return self.conns[who]

    def close(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}

    def sql(self, q):
        return self.paced.psql(q)

    def rollups_ok(self):
        """The rollups agree with the facts (rollup_check) and the month
        rollups with the day rollups (rollup_month_check)."""
        return self.sql(
            "SELECT (SELECT count(*) FROM pace.rollup_check(%d)) + "
            "(SELECT count(*) FROM pace.rollup_month_check(%d))"
            % (self.org_id, self.org_id)) == "0"

    def call(self, who, kind, reply, /, **fields):
        return expect(self.c(who).call(make(kind, **fields)), reply)

    # -- writes -----------------------------------------------------------
    def org_set(self, key, value):
        return self.call("admin", "org_set", "org_settings",
                         client_op_id=op_id(), key=key, value=str(value))

    def customer(self, who, name, industry="", size="", region="",
                 at=0):
        return self.call(who, "customer_add", "customer",
                         client_op_id=op_id(), name=name, industry=industry,
                         size_band=size, region=region, at=at).id

    def deal(self, who, customer, title, amount, at, **kw):
        return self.call(who, "deal_add", "deal", client_op_id=op_id(),
                         title=title, customer_id=customer, amount=amount,
                         at=at, **kw).id

    def move(self, who, deal, stage, at):
        return self.call(who, "deal_move", "deal", client_op_id=op_id(),
                         id=deal, stage=Stage.Value(stage.upper()), at=at)

    def win(self, who, deal, at, amount=0):
        return self.call(who, "deal_win", "deal", client_op_id=op_id(),
                         id=deal, amount=amount, at=at)

    def lose(self, who, deal, reason, at):
        return self.call(who, "deal_lose", "deal", client_op_id=op_id(),
                         id=deal, reason=reason, at=at)

    def activity(self, who, kind, customer, at, deal=0):
        return self.call(who, "activity_log", "activity",
                         client_op_id=op_id(),
                         kind=Kind.Value(kind.upper()), customer_id=customer,
                         deal_id=deal, at=at)

    def plan(self, who, deal, installments, at=0):
        """installments: [(due_on 'YYYY-MM-DD', amount)]."""
        rows = [capture_pb2.InstallmentSpec(due_on=d, amount=a)
                for d, a in installments]
        return self.call(who, "payment_plan", "contract",
                         client_op_id=op_id(), deal_id=deal,
                         installments=rows, at=at)

    def receive(self, who, deal, amount, on, at=0):
        return self.call(who, "payment_receive", "contract",
                         client_op_id=op_id(), deal_id=deal, amount=amount,
                         received_on=on, at=at)

    def target(self, who, kind, name, period, amount, lock=False,
               metric="revenue"):
        """TargetSet by `who`; returns the reply frame (ok or error)."""
        return self.c(who).call(make(
            "target_set", client_op_id=op_id(), scope=scope(kind, name),
            period=period, metric=metric, amount=amount, lock=lock))

    def won_deal(self, who, customer, title, amount, created, signed):
        d = self.deal(who, customer, title, amount, created)
        self.win(who, d, signed)
        return d


# -- push ---------------------------------------------------------------------
def second_paced(factory, first, extra=()):
    """Another paced on `first`'s database: several instances sharing one
    PostgreSQL (DESIGN §3). Stopped and checked with the factory's."""
    import os

    from pacedproc import Paced

    base = os.path.join(os.environ["PACE_BUILD_DIR"], "tests", "logs")
    os.makedirs(base, exist_ok=True)
    logpath = os.path.join(base, "%s-second-%d-%d.log" % (
        factory.tag, os.getpid(), len(factory.started)))
    srv = Paced(first.conninfo, extra=extra, logpath=logpath)
    srv.db = first.db
    srv.psql = first.psql
    srv.start()
    factory.started.append(srv)
    return srv


def subscribe(c, kind, name="", period="", resume_from=None):
    """Subscribe (resuming when resume_from is given, even 0); returns
    Subscribed. Pushes that come meanwhile are kept in c.pushes."""
    r = c.call(make("subscribe", scope=scope(kind, name), period=period,
                    resume_from=resume_from or 0,
                    resume=resume_from is not None))
    return expect(r, "subscribed")


def next_push(c, timeout=5.0):
    """The next Push frame (kept ones first); TimeoutError if none."""
    if c.pushes:
        return c.pushes.pop(0).push
    import time

    deadline = time.monotonic() + timeout
    while True:
        f = c.recv(max(0.001, deadline - time.monotonic()))
        if f.id == 0 and f.WhichOneof("body") == "push":
            return f.push
        if f.id != 0:
            c.waiting[f.id] = f


def drain(c, quiet=0.3):
    """Every push that arrives until none has come for `quiet` seconds."""
    out = []
    while True:
        try:
            out.append(next_push(c, quiet))
        except TimeoutError:
            return out


def push_until(c, pred, timeout=5.0):
    """Pushes until one satisfies pred (returned last); TimeoutError."""
    import time

    got = []
    deadline = time.monotonic() + timeout
    while True:
        p = next_push(c, max(0.001, deadline - time.monotonic()))
        got.append(p)
        if pred(p):
            return got
