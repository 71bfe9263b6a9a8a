"""Fault 7: authorization probes, for every request type and role.

The org of capture_org.Org: team A (manager m1, reps r1, r2), team B
(manager m2, rep r3), director d1, admin. The victims are team B's: r3's
customer, open deal, won deal, activity, action item and alert, team B's
review. The prober of each row below tries, from an address of its own, to
reach what its role or scope does not allow: writing as another rep,
reading another team, subscribing beyond its scope, changing another
team's data, using another user's import, token or op id, admin-only and
manager-only requests.

Promised: every probe is refused (PERMISSION_DENIED for a role or an
explicit "for another owner", NOT_FOUND, exactly like an absent id, for an
id out of scope, UNAUTHENTICATED for credentials), stores nothing, and
leaves a row in pace.audit_log with the prober (or the targeted account)
and the prober's source address.

Every request type of server/dispatch.c's table must have probes here, or
be listed in NOTHING_TO_PROBE with the reason; a new request type fails
test_every_request_type_is_probed until it is.
"""

import datetime
import itertools
import os
import re

import pytest

import kpi_pb2
import wire
from capture_org import PASSWORD, Org, Stage, make
from pacedproc import poll
from wire import expect, op_id

# Request types that take no id, scope or owner another user could own.
NOTHING_TO_PROBE = {
    "hello": "no identity yet",
    "ping": "no identity, no data",
    "whoami": "the caller's own identity",
    "logout": "revokes the caller's own session",
    "office_list": "org-wide directory, readable by every role",
    "team_list": "org-wide directory, readable by every role",
    "user_list": "org-wide directory, readable by every role",
    "org_get": "org settings, readable by every role",
    "customer_list": "filtered to the caller's scope (test_21 test_lists)",
    "deal_list": "filtered to the caller's scope (test_21 test_lists)",
    "activity_list": "filtered to the caller's scope (test_21 test_lists)",
    "payment_list": "filtered to the caller's scope (test_21 test_lists)",
    "import_begin": "opens the caller's own batch",
    "alert_list": "the caller's own alerts",
    "unsubscribe": "subscription ids are per connection",
    "review_list": "filtered to the reviews the caller may read",
    "action_list": "filtered to the caller's scope",
}

AUDITED = ("denied", "denied_hidden", "resume_refused", "login_failed")
SRC = itertools.count(2)


def source():
    return "127.0.88.%d" % next(SRC)


def this_month():
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(
        hours=8)))
    return "%d-%02d" % (now.year, now.month)


def scope(kind, name):
    return kpi_pb2.Scope(kind=kind, name=name)


def with_scope(kind, sc, **fields):
    f = make(kind, **fields)
    getattr(f, kind).scope.CopyFrom(sc)
    return f


class Victims:
    """Team B's data, made by its own people."""

    def __init__(self, org):
        r3 = org.c("r3")
        self.customer = org.customer("r3")
        self.deal = org.deal("r3", self.customer.id)
        _, self.won = org.won_deal("r3")
        self.activity_op = op_id()
        self.activity_frame = make(
            "activity_log", client_op_id=self.activity_op, kind=1,
            customer_id=self.customer.id, note="r3's own call")
        self.activity = expect(r3.call(self.activity_frame), "activity")
        self.import_id = expect(r3.rpc(
            "import_begin", client_op_id=op_id(), kind="customers"),
            "import_started").import_id
        m2 = org.c("m2")
        self.review = expect(m2.call(with_scope(
            "review_generate", scope(kpi_pb2.SCOPE_TEAM, org.team("B")),
            client_op_id=op_id(), period=this_month())), "review")
        self.action = expect(m2.rpc(
            "action_add", client_op_id=op_id(), owner=org.login("r3"),
            due_on="2030-01-01", text="call back"), "action_item")
        # A deal long past its expected close: an alert for r3 (and m2, d1).
        expect(r3.rpc("deal_add", client_op_id=op_id(), title="Late",
                      customer_id=self.customer.id, amount=1,
                      expected_close="2020-01-01"), "deal")
        self.alert_id = int(poll(lambda: org.sql(
            "SELECT max(id) FROM pace.alert WHERE kind = 'close_passed'"),
            timeout=15))
        # A session token of r3's (a real one, then revoked).
        c = wire.connect(org.paced.port, org.login("r3"), PASSWORD)
        self.token = c.token
        expect(c.rpc("logout"), "ok")
        c.close()


def probes(org, v):
    """(name, actors, frame builder, accepted codes). A builder gets the
    actor's name and returns the frame."""
    B = org.team("B")
    r3 = org.login("r3")
    st = scope(kpi_pb2.SCOPE_TEAM, B)
    user_r3 = scope(kpi_pb2.SCOPE_USER, r3)
    month = this_month()
    deny = ("PERMISSION_DENIED",)
    hidden = ("NOT_FOUND",)
    either = ("PERMISSION_DENIED", "NOT_FOUND")
    reps_mgrs = ("r1", "m1")
    return [
        # admin family: roles
        ("office_add", reps_mgrs, lambda a: make(
            "office_add", client_op_id=op_id(), name="X" + a), deny),
        ("team_add", reps_mgrs, lambda a: make(
            "team_add", client_op_id=op_id(), name="X" + a,
            office="HQ-" + org.tag), deny),
        ("user_add", reps_mgrs, lambda a: make(
            "user_add", client_op_id=op_id(), login="x" + a + org.tag,
            name="X", role=wire.Role.Value("REP"), team=B,
            password="pw-123456"), deny),
        ("user_add", ("d1",), lambda a: make(
            "user_add", client_op_id=op_id(), login="adm" + org.tag,
            name="X", role=wire.Role.Value("ADMIN"), password="pw-123456"),
         deny),
        ("org_set", reps_mgrs, lambda a: make(
            "org_set", client_op_id=op_id(), key="stale_days", value="1"),
         deny),
        ("clock_set", ("r1", "m1", "d1"), lambda a: make(
            "clock_set", now=1), deny),
        # capture: writing as another rep, another team's data
        ("customer_add", reps_mgrs, lambda a: make(
            "customer_add", client_op_id=op_id(), name="For r3", owner=r3),
         deny),
        ("customer_update", reps_mgrs, lambda a: make(
            "customer_update", client_op_id=op_id(), id=v.customer.id,
            fields=["region"], region="x"), hidden),
        ("customer_get", reps_mgrs, lambda a: make(
            "customer_get", id=v.customer.id), hidden),
        ("deal_add", reps_mgrs, lambda a: make(
            "deal_add", client_op_id=op_id(), title="x",
            customer_id=v.customer.id), hidden),
        ("deal_move", reps_mgrs, lambda a: make(
            "deal_move", client_op_id=op_id(), id=v.deal.id,
            stage=Stage.Value("QUOTE")), hidden),
        ("deal_win", reps_mgrs, lambda a: make(
            "deal_win", client_op_id=op_id(), id=v.deal.id), hidden),
        ("deal_lose", reps_mgrs, lambda a: make(
            "deal_lose", client_op_id=op_id(), id=v.deal.id,
            reason="price"), hidden),
        ("deal_reopen", ("r1",), lambda a: make(
            "deal_reopen", client_op_id=op_id(), id=v.won.id), deny),
        ("deal_reopen", ("m1",), lambda a: make(
            "deal_reopen", client_op_id=op_id(), id=v.won.id), hidden),
        ("deal_update", reps_mgrs, lambda a: make(
            "deal_update", client_op_id=op_id(), id=v.deal.id,
            fields=["amount"], amount=1), hidden),
        ("deal_get", reps_mgrs, lambda a: make("deal_get", id=v.deal.id),
         hidden),
        ("activity_log", reps_mgrs, lambda a: make(
            "activity_log", client_op_id=op_id(), kind=1,
            customer_id=v.customer.id), hidden),
        ("payment_plan", reps_mgrs, lambda a: _plan(v.won.id), hidden),
        ("payment_receive", reps_mgrs, lambda a: make(
            "payment_receive", client_op_id=op_id(), deal_id=v.won.id,
            amount=1), hidden),
        # replaying another user's op id: r3's very frame
        ("activity_log", reps_mgrs, lambda a: _copy(v.activity_frame),
         hidden),
        ("import_rows", reps_mgrs, lambda a: _import_rows(v.import_id),
         hidden),
        ("import_commit", reps_mgrs, lambda a: make(
            "import_commit", client_op_id=op_id(),
            import_id=v.import_id), hidden),
        # reading another team
        ("kpi_get", reps_mgrs, lambda a: with_scope("kpi_get", st,
                                                    period=month), deny),
        ("kpi_get", ("r1",), lambda a: with_scope("kpi_get", user_r3,
                                                  period=month), deny),
        ("board_get", reps_mgrs, lambda a: with_scope("board_get", st,
                                                      period=month), deny),
        ("target_show", reps_mgrs, lambda a: with_scope("target_show", st),
         deny),
        ("target_set", ("r1",), lambda a: with_scope(
            "target_set", user_r3, client_op_id=op_id(), period="2030",
            amount=1), deny),
        ("target_set", ("m1",), lambda a: with_scope(
            "target_set", user_r3, client_op_id=op_id(), period="2030",
            amount=1), deny),
        ("target_plan", reps_mgrs, lambda a: make(
            "target_plan", client_op_id=op_id(), year=2030, total=1),
         deny),
        ("star_get", reps_mgrs, lambda a: with_scope("star_get", st,
                                                     period=month), deny),
        ("review_generate", reps_mgrs, lambda a: with_scope(
            "review_generate", st, client_op_id=op_id(), period=month),
         deny),
        ("review_get", reps_mgrs, lambda a: make(
            "review_get", id=v.review.id), either),
        # subscribing beyond scope
        ("subscribe", reps_mgrs, lambda a: with_scope("subscribe", st),
         deny),
        ("subscribe", ("r1",), lambda a: with_scope("subscribe", user_r3),
         deny),
        # another's alert and action items
        ("alert_ack", reps_mgrs, lambda a: make(
            "alert_ack", client_op_id=op_id(), id=v.alert_id), hidden),
        ("action_add", reps_mgrs, lambda a: make(
            "action_add", client_op_id=op_id(), owner=r3,
            due_on="2030-01-01", text="x"), deny),
        ("action_from_diagnosis", reps_mgrs, lambda a: make(
            "action_from_diagnosis", client_op_id=op_id(),
            review_id=v.review.id, diagnosis=1), either),
        ("action_done", reps_mgrs, lambda a: make(
            "action_done", client_op_id=op_id(), id=v.action.id), hidden),
        ("action_reopen", reps_mgrs, lambda a: make(
            "action_reopen", client_op_id=op_id(), id=v.action.id), hidden),
    ]


def _copy(frame):
    f = wire.Frame()
    f.CopyFrom(frame)
    return f


def _plan(deal_id):
    f = make("payment_plan", client_op_id=op_id(), deal_id=deal_id)
    i = f.payment_plan.installments.add()
    i.due_on, i.amount = "2030-01-01", 1
    return f


def _import_rows(import_id):
    f = make("import_rows", import_id=import_id)
    row = f.import_rows.rows.add()
    row.line, row.op_id = 2, op_id()
    row.cells.extend(["Probe customer"])
    return f


@pytest.fixture(scope="module")
def world(paced_factory_module):
    org = Org(paced_factory_module)
    v = Victims(org)
    yield org, v
    org.close()


@pytest.fixture(scope="module")
def paced_factory_module(pg):
    from conftest import PacedFactory
    f = PacedFactory(pg, "test_88_authz_probes")
    try:
        yield f(extra=["--alert-interval-s", "1",
                       "--rate-limit-rps", "0"])
    finally:
        f.finish()


def dispatch_requests():
    src = os.path.join(os.environ["PACE_SOURCE_DIR"], "server",
                       "dispatch.c")
    with open(src) as f:
        return [n.lower() for n in re.findall(r"\[BODY\(([A-Z0-9_]+)\)\]",
                                              f.read())]


def test_every_request_type_is_probed(world):
    org, v = world
    probed = {p[0] for p in probes(org, v)} | {"login", "resume"}
    missing = [r for r in dispatch_requests()
               if r not in probed and r not in NOTHING_TO_PROBE]
    assert not missing, "request types with no authorization probe: %s" % \
        missing


def _audited(org, actor_id, addr, mark):
    return int(org.sql(
        "SELECT count(*) FROM pace.audit_log WHERE id > %d AND addr = '%s' "
        "AND action IN (%s) AND actor_id %s" % (
            mark, addr, ",".join("'%s'" % a for a in AUDITED),
            "IS NULL" if actor_id is None else "= %d" % actor_id)))


def _mark(org):
    return int(org.sql("SELECT coalesce(max(id), 0) FROM pace.audit_log"))


def test_probes_are_refused_and_audited(world):
    org, v = world
    results = []
    failures = []
    conns = {}
    before = org.snapshot()
    for name, actors, build, codes in probes(org, v):
        for actor in actors:
            if actor not in conns:
                addr = source()
                conns[actor] = (wire.connect(org.paced.port, org.login(actor),
                                             PASSWORD, source=addr), addr)
            c, addr = conns[actor]
            mark = _mark(org)
            r = c.call(build(actor), timeout=30)
            got = wire.code_name(r.error.code) \
                if wire.body(r) == "error" else wire.body(r)
            audited = poll(lambda: _audited(org, org.ids[actor], addr,
                                            mark), timeout=5)
            results.append((name, actor, got, bool(audited)))
            if got not in codes or not audited:
                failures.append("%s by %s: %s%s" % (
                    name, actor, got, "" if audited else ", not audited"))
    for c, _ in conns.values():
        c.close()
    print("\n".join("%-24s %-3s %-18s %s" % (n, a, g, "audited" if au
                                               else "NOT AUDITED")
                    for n, a, g, au in results))
    assert not failures, "\n".join(failures)
    # Nothing any probe asked for was stored.
    assert org.snapshot() == before


def test_replayed_op_id_never_returns_another_users_answer(world):
    """r1 sends r3's op id with r1's own content: a new write of r1's
    (op ids are per user), never r3's stored answer; r3's replay still
    answers r3's original."""
    org, v = world
    mine = org.customer("r1")
    f = make("activity_log", client_op_id=v.activity_op, kind=1,
             customer_id=mine.id, note="r1 reusing an op id")
    a = expect(org.c("r1").call(f), "activity")
    assert a.id != v.activity.id and a.customer_id == mine.id
    again = expect(org.c("r3").call(_copy(v.activity_frame)), "activity")
    assert again.id == v.activity.id


def test_credentials_probes_are_audited(world):
    org, v = world
    # Logging in as another user: a failed login of that account.
    addr = source()
    mark = _mark(org)
    with wire.Client(org.paced.port, source=addr) as c:
        expect(c.hello(), "welcome")
        wire.expect_error(c.login(org.login("r3"), "guess"),
                          "UNAUTHENTICATED")
    assert poll(lambda: _audited(org, org.ids["r3"], addr, mark))
    # Resuming with another user's (revoked) token.
    addr = source()
    mark = _mark(org)
    with wire.Client(org.paced.port, source=addr) as c:
        expect(c.hello(), "welcome")
        wire.expect_error(c.rpc("resume", token=v.token), "UNAUTHENTICATED")
        wire.expect_error(c.rpc("resume", token="A" * 43),
                          "UNAUTHENTICATED")
    assert poll(lambda: _audited(org, None, addr, mark) >= 2)
    # Nothing but ping and login before login, whatever is asked.
    with wire.Client(org.paced.port, source=source()) as c:
        expect(c.hello(), "welcome")
        for kind in ("customer_get", "kpi_get", "user_list"):
            wire.expect_error(c.rpc(kind), "UNAUTHENTICATED")

