"""Idempotency of capture writes by (user, client_op_id): a replay answers
the first answer and writes nothing, also when both copies race on two
connections (or in one pipelined batch); the same id with other content is
CONFLICT; a refused request does not use its id up; ids are per user; and
replays survive a server restart."""

import itertools
import threading

import pytest

import wire
from capture_org import Org, Stage, make, now_us
from pacedproc import Paced
from wire import expect, expect_error, op_id


@pytest.fixture(scope="module")
def org(paced):
    o = Org(paced)
    yield o
    assert o.rollups_consistent()
    o.close()


def body_bytes(frame):
    """The answer without its frame id (which differs per request)."""
    f = wire.Frame()
    f.CopyFrom(frame)
    f.id = 0
    return f.SerializeToString()


_stuck = itertools.count(20)


def frames(org):
    """One frame of every write kind, each with a fresh op id, plus the
    SQL that counts the rows it creates (expected 1 after any replays)."""
    cust = org.customer("r1")
    deal = org.deal("r1", cust.id)
    _, won = org.won_deal("r1", amount=9000)
    lose = org.deal("r1", cust.id)
    _, reopen = org.won_deal("r1")
    plan = make("payment_plan", client_op_id=op_id(), deal_id=won.id)
    i = plan.payment_plan.installments.add()
    i.due_on, i.amount = "2030-01-01", 9000
    tag = op_id()[:8]
    stuck = next(_stuck)
    return [
        (make("customer_add", client_op_id=op_id(), name="Idem " + tag),
         "customer", "SELECT count(*) FROM pace.customer WHERE name = "
         "'Idem %s'" % tag),
        (make("customer_update", client_op_id=op_id(), id=cust.id,
              fields=["region"], region="r-" + tag), "customer",
         "SELECT count(*) FROM pace.audit_log WHERE entity = 'customer' AND "
         "after->>'region' = 'r-%s'" % tag),
        (make("deal_add", client_op_id=op_id(), title="Idem " + tag,
              customer_id=cust.id, amount=5), "deal",
         "SELECT count(*) FROM pace.opportunity WHERE title = 'Idem %s'" % tag),
        (make("deal_move", client_op_id=op_id(), id=deal.id,
              stage=Stage.Value("QUOTE")), "deal",
         "SELECT count(*) FROM pace.stage_change WHERE opp_id = %d AND "
         "to_stage = 'quote'" % deal.id),
        (make("deal_update", client_op_id=op_id(), id=deal.id,
              fields=["title"], title="Renamed " + tag), "deal",
         "SELECT count(*) FROM pace.audit_log WHERE entity = 'deal' AND "
         "after->>'title' = 'Renamed %s'" % tag),
        (make("deal_lose", client_op_id=op_id(), id=lose.id, reason="price"),
         "deal", "SELECT count(*) FROM pace.stage_change WHERE opp_id = %d "
         "AND to_stage = 'lost'" % lose.id),
        (make("activity_log", client_op_id=op_id(), kind=1,
              customer_id=cust.id, note="idem " + tag), "activity",
         "SELECT count(*) FROM pace.activity WHERE note = 'idem %s'" % tag),
        (plan, "contract", "SELECT count(*) FROM pace.audit_log WHERE "
         "action = 'plan' AND entity_id = %d" % won.contract.id),
        (make("payment_receive", client_op_id=op_id(), deal_id=won.id,
              amount=1000), "contract",
         "SELECT count(*) FROM pace.receipt WHERE contract_id = %d"
         % won.contract.id),
        (make("deal_reopen", client_op_id=op_id(), id=reopen.id), "deal",
         "SELECT count(*) FROM pace.stage_change WHERE opp_id = %d AND "
         "from_stage = 'won'" % reopen.id),
        (make("org_set", client_op_id=op_id(), key="stuck_days",
              value=str(stuck)), "org_settings",
         "SELECT count(*) FROM pace.audit_log WHERE entity = 'org' AND "
         "after->>'stuck_days' = '%d'" % stuck),
        (make("import_begin", client_op_id=op_id(), kind="activities"),
         "import_started", None),
    ]


def who_sends(f):
    """Reopen is a manager's, settings an admin's; the rest r1's."""
    kind = f.WhichOneof("body")
    return {"deal_reopen": "m1", "org_set": "admin"}.get(kind, "r1")


def test_replay_returns_the_first_answer(org):
    for f, body, count_sql in frames(org):
        c = org.c(who_sends(f))
        first = c.call(f)
        expect(first, body)
        changes = org.count("change_log")
        for _ in range(2):
            again = c.call(f)
            assert body_bytes(again) == body_bytes(first), body
        assert org.count("change_log") == changes, "a replay wrote " + body
        if count_sql:
            assert org.sql(count_sql) == "1", body


def test_replay_on_another_connection(org):
    for f, body, count_sql in frames(org):
        who = who_sends(f)
        first = org.c(who).call(f)
        expect(first, body)
        with wire.connect(org.paced.port, org.login(who),
                          "admin-secret-1" if who == "admin"
                          else "password-1") as c2:
            assert body_bytes(c2.call(f)) == body_bytes(first)
        if count_sql:
            assert org.sql(count_sql) == "1"


def race(org, who, f, nconns=2, copies=1):
    """Send f on nconns fresh connections of `who` at once (each sending
    `copies` pipelined copies); return every answer."""
    pw = "admin-secret-1" if who == "admin" else "password-1"
    conns = [wire.connect(org.paced.port, org.login(who), pw, timeout=30)
             for _ in range(nconns)]
    go = threading.Barrier(nconns)
    answers = [None] * nconns

    def run(k):
        c = conns[k]
        fk = wire.Frame()
        fk.CopyFrom(f)
        ids = []
        data = b""
        for _ in range(copies):
            ids.append(c.assign_id(fk))
            data += wire.encode(fk)
        go.wait()
        c.send_raw(data)
        answers[k] = [c.wait_for(i) for i in ids]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(nconns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in conns:
        c.close()
    return [a for per in answers for a in per]


def test_concurrent_replays(org):
    for _ in range(3):
        for f, body, count_sql in frames(org):
            answers = race(org, who_sends(f), f, nconns=2, copies=2)
            for a in answers:
                expect(a, body)
            assert len({body_bytes(a) for a in answers}) == 1, body
            if count_sql:
                assert org.sql(count_sql) == "1", body


def test_many_racing_activities(org):
    """Twenty ops, each sent at once on four connections: twenty rows."""
    cust = org.customer("r2")
    n0 = org.count("activity", "customer_id = %d" % cust.id)
    for k in range(20):
        f = make("activity_log", client_op_id=op_id(), kind=1 + k % 4,
                 customer_id=cust.id)
        answers = race(org, "r2", f, nconns=4)
        for a in answers:
            expect(a, "activity")
        assert len({body_bytes(a) for a in answers}) == 1
    assert org.count("activity", "customer_id = %d" % cust.id) == n0 + 20


def test_same_id_other_content_is_conflict(org):
    cust = org.customer("r1")
    op = op_id()
    a = expect(org.c("r1").rpc("activity_log", client_op_id=op, kind=1,
                               customer_id=cust.id, note="first"),
               "activity")
    before = org.snapshot()
    for other in (dict(kind=2, customer_id=cust.id, note="first"),
                  dict(kind=1, customer_id=cust.id, note="second")):
        expect_error(org.c("r1").rpc("activity_log", client_op_id=op,
                                     **other), "CONFLICT", "client_op_id")
    # Another kind of request with the same id, too.
    expect_error(org.c("r1").rpc("customer_add", client_op_id=op, name="x"),
                 "CONFLICT", "client_op_id")
    assert org.snapshot() == before
    again = org.c("r1").rpc("activity_log", client_op_id=op, kind=1,
                            customer_id=cust.id, note="first")
    assert expect(again, "activity").id == a.id
    # Upper-case hex is the same UUID.
    expect_error(org.c("r1").rpc("activity_log", client_op_id=op.upper(),
                                 kind=3, customer_id=cust.id), "CONFLICT",
                 "client_op_id")


def test_refused_request_does_not_use_the_id(org):
    cust = org.customer("r1")
    op = op_id()
    expect_error(org.c("r1").rpc("activity_log", client_op_id=op, kind=1,
                                 customer_id=cust.id,
                                 at=now_us() + 86400 * 10 ** 6),
                 "INVALID_ARGUMENT", "at")
    a = expect(org.c("r1").rpc("activity_log", client_op_id=op, kind=1,
                               customer_id=cust.id), "activity")
    assert a.customer_id == cust.id


def test_ids_are_per_user(org):
    op = op_id()
    a = expect(org.c("r1").rpc("customer_add", client_op_id=op, name="Same"),
               "customer")
    b = expect(org.c("r2").rpc("customer_add", client_op_id=op, name="Same"),
               "customer")
    assert a.id != b.id and a.owner != b.owner


def test_replay_after_restart(org, paced_factory):
    srv = paced_factory()
    o = Org(srv)
    cust = o.customer("r1")
    f = make("activity_log", client_op_id=op_id(), kind=2,
             customer_id=cust.id, note="before restart")
    first = expect(o.c("r1").call(f), "activity")
    o.close()
    assert srv.stop() == 0
    srv2 = Paced(srv.conninfo).start()
    try:
        srv2.psql = srv.psql
        o.paced = srv2
        again = o.c("r1").call(f)
        assert expect(again, "activity") == first
        assert o.count("activity", "note = 'before restart'") == 1
        o.close()
    finally:
        assert srv2.stop() == 0
