"""A small sales org for the capture tests (test_2x_*.py).

Org(paced) creates, through the admin RPCs, an office, two teams and:

    team A: manager m1, reps r1 and r2
    team B: manager m2, rep r3
    director d1 (no team)

Logins get a suffix unique to the Org, so several Orgs can share one paced.
org.c("r1") is a logged-in wire client (cached); org.login("r1") the real
login; org.sql(...) runs SQL on the server's database (psql, one value).
"""

import time
import uuid

import capture_pb2  # noqa: F401  (registers the capture messages)
import wire
from pacedproc import ADMIN, ADMIN_PASSWORD
from wire import expect, expect_error, op_id

PASSWORD = "password-1"
ROLES = {"m1": "MANAGER", "r1": "REP", "r2": "REP", "m2": "MANAGER",
         "r3": "REP", "d1": "DIRECTOR"}
TEAMS = {"m1": "A", "r1": "A", "r2": "A", "m2": "B", "r3": "B", "d1": ""}

Stage = capture_pb2.Stage
Kind = capture_pb2.ActivityKind

DAY_US = 86400 * 1000000


def now_us():
    return int(time.time() * 1e6)


def make(kind, /, **fields):
    """wire.make, also for repeated fields (given as lists)."""
    f = wire.Frame()
    sub = getattr(f, kind)
    sub.SetInParent()
    for k, v in fields.items():
        if isinstance(v, (list, tuple)):
            getattr(sub, k).extend(v)
        else:
            setattr(sub, k, v)
    return f


def call(c, kind, /, **fields):
    """c.rpc(kind, **fields), also for repeated fields."""
    return c.call(make(kind, **fields))


class Org:
    def __init__(self, paced):
        self.paced = paced
        self.tag = uuid.uuid4().hex[:5]
        self.conns = {}
        adm = self.c("admin")
        office = "HQ-" + self.tag
        expect(adm.rpc("office_add", client_op_id=op_id(), name=office),
               "office")
        for t in ("A", "B"):
            expect(adm.rpc("team_add", client_op_id=op_id(),
                           name=self.team(t), office=office), "team")
        self.ids = {"admin": self.user_id(ADMIN)}
        for who in ("m1", "r1", "r2", "m2", "r3", "d1"):
            u = expect(adm.rpc(
                "user_add", client_op_id=op_id(), login=self.login(who),
                name=who.upper(), role=wire.Role.Value(ROLES[who]),
                team=self.team(TEAMS[who]) if TEAMS[who] else "",
                password=PASSWORD), "user")
            self.ids[who] = u.id

    # -- names ------------------------------------------------------------
    def login(self, who):
        return ADMIN if who == "admin" else who + self.tag

    def team(self, t):
        return "%s-%s" % (t, self.tag)

    def user_id(self, login):
        return int(self.sql("SELECT id FROM pace.app_user WHERE login = '%s'"
                            % login))

    # -- connections ------------------------------------------------------
    def c(self, who):
        if who not in self.conns:
            pw = ADMIN_PASSWORD if who == "admin" else PASSWORD
            self.conns[who] = wire.connect(self.paced.port, self.login(who),
                                           pw, timeout=30)
        return self.conns[who]

    def close(self):
        for c in self.conns.values():
            c.close()
        self.conns = {}

    # -- database ---------------------------------------------------------
    def sql(self, q):
        return self.paced.psql(q)

    def count(self, table, where="true"):
        return int(self.sql("SELECT count(*) FROM pace.%s WHERE %s"
                            % (table, where)))

    def snapshot(self):
        """Row counts of every capture table and the sum of every rollup
        (to show that a refused request stored nothing), in one query."""
        tables = ("customer", "opportunity", "stage_change", "activity",
                  "contract", "installment", "receipt", "customer_touch",
                  "change_log", "op_log", "import_batch", "import_row")
        parts = ["(SELECT count(*) FROM pace.%s)" % t for t in tables]
        parts.append("(SELECT count(*) FROM pace.audit_log WHERE entity <> "
                     "'security' AND action NOT IN ('login', 'login_failed', "
                     "'logout'))")
        parts.append("(SELECT coalesce(sum(booked + contracts + received + "
                     "due + new_leads + won + lost + calls + visits + emails"
                     " + meetings), 0) FROM pace.rollup_day)")
        parts.append("(SELECT coalesce(sum(reached), 0) FROM "
                     "pace.opportunity)")
        return self.sql("SELECT " + " || ',' || ".join(parts))

    def rollups_consistent(self):
        """No difference between rollup_day and the facts."""
        org = self.sql("SELECT id FROM pace.org ORDER BY id LIMIT 1")
        return self.sql("SELECT count(*) FROM pace.rollup_check(%s)"
                        % org) == "0"

    # -- writes that tests share -----------------------------------------
    def customer(self, who, name=None, **kw):
        return expect(self.c(who).rpc(
            "customer_add", client_op_id=op_id(),
            name=name or "Customer %s" % uuid.uuid4().hex[:8], **kw),
            "customer")

    def deal(self, who, customer_id, amount=100000, **kw):
        return expect(self.c(who).rpc(
            "deal_add", client_op_id=op_id(), title="Deal " + uuid.uuid4().hex[:6],
            customer_id=customer_id, amount=amount, **kw), "deal")

    def won_deal(self, who, amount=100000):
        cust = self.customer(who)
        d = self.deal(who, cust.id, amount=amount)
        return cust, expect(self.c(who).rpc("deal_win", client_op_id=op_id(),
                                            id=d.id), "deal")

    def activity(self, who, customer_id, kind="CALL", **kw):
        return expect(self.c(who).rpc(
            "activity_log", client_op_id=op_id(), kind=Kind.Value(kind),
            customer_id=customer_id, **kw), "activity")


def refused(frame, code, field, snapshot_before, org):
    """frame is Error(code, field) and no capture table changed."""
    err = expect_error(frame, code, field)
    assert err.message, "an error must say what is wrong"
    assert org.snapshot() == snapshot_before, "something was stored"
    return err
