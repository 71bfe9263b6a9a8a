"""Every capture RPC (proto/capture.proto): what it stores and answers, and
its refusals of bad input -- each an error naming the field, with nothing
stored (every capture table's row count and every rollup unchanged)."""

import struct

import pytest

import wire
from capture_org import DAY_US, Kind, Org, Stage, call, now_us, refused
from wire import expect, expect_error, op_id

BIG = 10 ** 15


@pytest.fixture(scope="module")
def org(paced):
    o = Org(paced)
    yield o
    assert o.rollups_consistent(), "rollup_day disagrees with the facts"
    o.close()


# --- customers -------------------------------------------------------------

def test_customer_add_get_update_list(org):
    r1 = org.c("r1")
    c = org.customer("r1", name="  上海 Trading 有限公司 ", industry="retail",
                     size_band="small", region="east")
    assert c.name == "上海 Trading 有限公司"       # trimmed
    assert c.owner == org.login("r1") and c.owner_id == org.ids["r1"]
    assert abs(c.created_at - now_us()) < 60 * 1000000
    got = expect(r1.rpc("customer_get", id=c.id), "customer")
    assert got == c
    u = expect(call(r1, "customer_update", client_op_id=op_id(), id=c.id,
                      fields=["industry", "region"], industry="finance",
                      region="north", name="ignored"), "customer")
    assert (u.name, u.industry, u.region, u.size_band) == (
        c.name, "finance", "north", "small")
    assert org.count("audit_log", "entity = 'customer' AND entity_id = %d "
                     "AND action = 'update' AND before->>'industry' = "
                     "'retail' AND after->>'industry' = 'finance'" % c.id) == 1
    lst = expect(r1.rpc("customer_list", search="TRADING"),
                 "customer_list_reply")
    assert [x.id for x in lst.customers] == [c.id]


def test_customer_list_paging(org):
    ids = [org.customer("r2").id for _ in range(5)]
    r2 = org.c("r2")
    page = expect(r2.rpc("customer_list", limit=2), "customer_list_reply")
    assert [x.id for x in page.customers] == ids[:2]
    page = expect(r2.rpc("customer_list", limit=2, after_id=ids[1]),
                  "customer_list_reply")
    assert [x.id for x in page.customers] == ids[2:4]
    expect_error(r2.rpc("customer_list", limit=1001), "INVALID_ARGUMENT",
                 "limit")
    expect_error(r2.rpc("customer_list", limit=-1), "INVALID_ARGUMENT",
                 "limit")


def test_customer_add_at(org):
    at = now_us() - 3 * DAY_US
    c = org.customer("r1", at=at)
    assert c.created_at == at


@pytest.mark.parametrize("fields,field", [
    (dict(name=""), "name"),
    (dict(name="   "), "name"),
    (dict(name="x" * 201), "name"),
    (dict(name="tab\there"), "name"),
    (dict(name="ok", industry="i" * 101), "industry"),
    (dict(name="ok", size_band="s" * 101), "size_band"),
    (dict(name="ok", region="r" * 101), "region"),
    (dict(name="ok", at=now_us() + 3600 * 1000000), "at"),
    (dict(name="ok", at=now_us() - 100 * DAY_US), "at"),
    (dict(name="ok", at=-5), "at"),
    (dict(name="ok", at=2 ** 62), "at"),
])
def test_customer_add_refused(org, fields, field):
    before = org.snapshot()
    refused(org.c("r1").rpc("customer_add", client_op_id=op_id(), **fields),
            "INVALID_ARGUMENT", field, before, org)


def test_customer_add_unknown_owner_and_op_id(org):
    before = org.snapshot()
    refused(org.c("r1").rpc("customer_add", client_op_id=op_id(), name="x",
                            owner="nobody-at-all"), "NOT_FOUND", "owner",
            before, org)
    refused(org.c("r1").rpc("customer_add", client_op_id="not-a-uuid",
                            name="x"), "INVALID_ARGUMENT", "client_op_id",
            before, org)
    refused(org.c("r1").rpc("customer_add", name="x"), "INVALID_ARGUMENT",
            "client_op_id", before, org)


def test_customer_update_refused(org):
    c = org.customer("r1")
    r1 = org.c("r1")
    before = org.snapshot()
    refused(call(r1, "customer_update", client_op_id=op_id(), id=c.id,
                   fields=["owner_id"]), "INVALID_ARGUMENT", "fields",
            before, org)
    refused(call(r1, "customer_update", client_op_id=op_id(), id=c.id),
            "INVALID_ARGUMENT", "fields", before, org)
    refused(call(r1, "customer_update", client_op_id=op_id(), id=c.id,
                   fields=["name"], name=""), "INVALID_ARGUMENT", "name",
            before, org)
    refused(call(r1, "customer_update", client_op_id=op_id(), id=c.id + 10 ** 6,
                   fields=["name"], name="y"), "NOT_FOUND", "id", before, org)
    refused(r1.rpc("customer_get", id=c.id + 10 ** 6), "NOT_FOUND", "id",
            before, org)


def test_invalid_utf8_is_refused(org):
    """Protobuf strings must be UTF-8: a client can send any bytes."""
    before = org.snapshot()
    f = wire.make("customer_add", client_op_id=op_id(), name="XXXX")
    f.id = 777
    data = f.SerializeToString().replace(b"XXXX", b"\xff\xfe\xc0\x80")
    r1 = org.c("r1")
    r1.send_raw(struct.pack(">I", len(data)) + data)
    refused(r1.wait_for(777), "INVALID_ARGUMENT", "name", before, org)


# --- deals -----------------------------------------------------------------

def test_deal_add_and_moves(org):
    cust = org.customer("r1")
    r1 = org.c("r1")
    d = org.deal("r1", cust.id, amount=1234567, expected_close="2027-03-31",
                 source="web", product_line="pro")
    assert d.stage == Stage.Value("LEAD") and d.owner == org.login("r1")
    assert d.amount == 1234567 and d.expected_close == "2027-03-31"
    # (`from` is a Python keyword: getattr.)
    assert [(getattr(h, "from"), h.to) for h in d.history] == [
        (0, Stage.Value("LEAD"))]
    # Skipping forward is allowed.
    d = expect(r1.rpc("deal_move", client_op_id=op_id(), id=d.id,
                      stage=Stage.Value("QUOTE")), "deal")
    assert d.stage == Stage.Value("QUOTE")
    d = expect(r1.rpc("deal_move", client_op_id=op_id(), id=d.id,
                      stage=Stage.Value("NEGOTIATION")), "deal")
    hist = [(getattr(h, "from"), h.to, h.actor) for h in d.history]
    assert hist == [(0, 1, org.login("r1")), (1, 4, org.login("r1")),
                    (4, 5, org.login("r1"))]
    assert org.sql("SELECT reached FROM pace.opportunity WHERE id = %d"
                   % d.id) == "31"
    got = expect(r1.rpc("deal_get", id=d.id), "deal")
    assert got == d


def test_deal_add_starting_stage(org):
    cust = org.customer("r1")
    d = org.deal("r1", cust.id, stage=Stage.Value("PROPOSAL"))
    assert d.stage == Stage.Value("PROPOSAL")
    assert org.sql("SELECT reached FROM pace.opportunity WHERE id = %d"
                   % d.id) == "7"


@pytest.mark.parametrize("fields,field", [
    (dict(amount=-1), "amount"),
    (dict(amount=BIG + 1), "amount"),
    (dict(title=""), "title"),
    (dict(title="t" * 201), "title"),
    (dict(stage=Stage.Value("WON")), "stage"),
    (dict(stage=Stage.Value("LOST")), "stage"),
    (dict(stage=42), "stage"),
    (dict(expected_close="2027-02-30"), "expected_close"),
    (dict(expected_close="31/12/2027"), "expected_close"),
    (dict(source="s" * 101), "source"),
    (dict(product_line="p" * 101), "product_line"),
    (dict(at=now_us() + 3600 * 1000000), "at"),
    (dict(at=now_us() - 91 * DAY_US), "at"),
])
def test_deal_add_refused(org, fields, field):
    cust = org.customer("r1")
    args = dict(title="A deal", customer_id=cust.id, amount=1000)
    args.update(fields)
    before = org.snapshot()
    refused(org.c("r1").rpc("deal_add", client_op_id=op_id(), **args),
            "INVALID_ARGUMENT", field, before, org)


def test_deal_add_unknown_or_foreign_customer(org):
    foreign = org.customer("r3")          # team B
    before = org.snapshot()
    for cid in (foreign.id, foreign.id + 10 ** 6, 0):
        err = refused(org.c("r1").rpc("deal_add", client_op_id=op_id(),
                                      title="x", customer_id=cid),
                      "NOT_FOUND", "customer_id", before, org)
        assert err.message == "no customer %d" % cid   # no hint it exists


def test_deal_move_refused(org):
    cust = org.customer("r1")
    d = org.deal("r1", cust.id, stage=Stage.Value("QUOTE"))
    r1 = org.c("r1")
    before = org.snapshot()
    for stage in ("LEAD", "PROPOSAL", "QUOTE"):   # backwards, or no move
        refused(r1.rpc("deal_move", client_op_id=op_id(), id=d.id,
                       stage=Stage.Value(stage)), "INVALID_ARGUMENT", "stage",
                before, org)
    for stage in ("WON", "LOST"):                 # closing is win/lose
        refused(r1.rpc("deal_move", client_op_id=op_id(), id=d.id,
                       stage=Stage.Value(stage)), "INVALID_ARGUMENT", "stage",
                before, org)
    refused(r1.rpc("deal_move", client_op_id=op_id(), id=d.id, stage=0),
            "INVALID_ARGUMENT", "stage", before, org)
    refused(r1.rpc("deal_move", client_op_id=op_id(), id=d.id, stage=99),
            "INVALID_ARGUMENT", "stage", before, org)
    # A move may not precede the current stage.
    refused(r1.rpc("deal_move", client_op_id=op_id(), id=d.id,
                   stage=Stage.Value("NEGOTIATION"), at=now_us() - DAY_US),
            "INVALID_ARGUMENT", "at", before, org)
    refused(r1.rpc("deal_move", client_op_id=op_id(), id=d.id + 10 ** 6,
                   stage=Stage.Value("NEGOTIATION")), "NOT_FOUND", "id",
            before, org)


def test_deal_win_records_contract_and_rollups(org):
    cust = org.customer("r1")
    d = org.deal("r1", cust.id, amount=500000)
    r1 = org.c("r1")
    day = org.sql("SELECT pace.org_day(1, now())")
    booked0 = int(org.sql("SELECT coalesce(sum(booked), 0) FROM "
                          "pace.rollup_day WHERE user_id = %d AND day = '%s'"
                          % (org.ids["r1"], day)))
    w = expect(r1.rpc("deal_win", client_op_id=op_id(), id=d.id), "deal")
    assert w.stage == Stage.Value("WON") and w.closed_at > 0
    assert w.contract.amount == 500000 and w.contract.deal_id == d.id
    assert w.contract.signed_at == w.closed_at
    assert int(org.sql("SELECT sum(booked) FROM pace.rollup_day WHERE "
                       "user_id = %d AND day = '%s'" % (org.ids["r1"], day))
               ) == booked0 + 500000
    # An explicit amount and signing time.
    d2 = org.deal("r1", cust.id, amount=0)
    signed = d2.created_at + 1000
    w2 = expect(r1.rpc("deal_win", client_op_id=op_id(), id=d2.id,
                       amount=777, signed_at=signed), "deal")
    assert (w2.contract.amount, w2.contract.signed_at) == (777, signed)
    assert org.rollups_consistent()


def test_deal_win_refused(org):
    cust = org.customer("r1")
    r1 = org.c("r1")
    d = org.deal("r1", cust.id, amount=0)
    before = org.snapshot()
    refused(r1.rpc("deal_win", client_op_id=op_id(), id=d.id),
            "INVALID_ARGUMENT", "amount", before, org)   # no amount at all
    refused(r1.rpc("deal_win", client_op_id=op_id(), id=d.id, amount=-5),
            "INVALID_ARGUMENT", "amount", before, org)
    refused(r1.rpc("deal_win", client_op_id=op_id(), id=d.id, amount=BIG + 1),
            "INVALID_ARGUMENT", "amount", before, org)
    refused(r1.rpc("deal_win", client_op_id=op_id(), id=d.id, amount=10,
                   signed_at=now_us() + 86400 * 1000000),
            "INVALID_ARGUMENT", "signed_at", before, org)
    _, won = org.won_deal("r1")
    before = org.snapshot()
    refused(r1.rpc("deal_win", client_op_id=op_id(), id=won.id), "CONFLICT",
            "id", before, org)
    refused(r1.rpc("deal_move", client_op_id=op_id(), id=won.id,
                   stage=Stage.Value("NEGOTIATION")), "CONFLICT", "id",
            before, org)
    refused(r1.rpc("deal_lose", client_op_id=op_id(), id=won.id,
                   reason="price"), "CONFLICT", "id", before, org)


def test_deal_lose(org):
    cust = org.customer("r1")
    r1 = org.c("r1")
    d = org.deal("r1", cust.id)
    before = org.snapshot()
    refused(r1.rpc("deal_lose", client_op_id=op_id(), id=d.id),
            "INVALID_ARGUMENT", "reason", before, org)
    refused(r1.rpc("deal_lose", client_op_id=op_id(), id=d.id,
                   reason="the moon was full"), "INVALID_ARGUMENT", "reason",
            before, org)
    lost = expect(r1.rpc("deal_lose", client_op_id=op_id(), id=d.id,
                         reason="Competitor"), "deal")
    assert lost.stage == Stage.Value("LOST")
    assert lost.loss_reason == "competitor"   # the org's spelling
    assert lost.closed_at > 0
    assert org.rollups_consistent()


def test_deal_reopen(org):
    m1 = org.c("m1")
    # A won deal with a plan: reopening removes contract, plan and rollups.
    _, won = org.won_deal("r1", amount=300000)
    f = wire.make("payment_plan", client_op_id=op_id(), deal_id=won.id)
    i = f.payment_plan.installments.add()
    i.due_on, i.amount = "2030-01-01", 300000
    expect(org.c("r1").call(f), "contract")
    expect_error(org.c("r1").rpc("deal_reopen", client_op_id=op_id(),
                                 id=won.id), "PERMISSION_DENIED")
    d = expect(m1.rpc("deal_reopen", client_op_id=op_id(), id=won.id),
               "deal")
    assert d.stage == Stage.Value("NEGOTIATION") and not d.HasField("contract")
    assert d.closed_at == 0
    assert d.history[-1].actor == org.login("m1")
    assert org.count("contract", "opp_id = %d" % won.id) == 0
    assert org.rollups_consistent()
    # It can be moved and won again.
    expect(org.c("r1").rpc("deal_win", client_op_id=op_id(), id=won.id),
           "deal")
    # A lost deal goes back to the stage asked for, loss reason cleared.
    cust = org.customer("r1")
    lost = org.deal("r1", cust.id)
    expect(org.c("r1").rpc("deal_lose", client_op_id=op_id(), id=lost.id,
                           reason="price"), "deal")
    d = expect(m1.rpc("deal_reopen", client_op_id=op_id(), id=lost.id,
                      stage=Stage.Value("QUALIFIED")), "deal")
    assert d.stage == Stage.Value("QUALIFIED") and d.loss_reason == ""
    assert org.rollups_consistent()
    # Refusals: open deal, closed stage, money received.
    before = org.snapshot()
    refused(m1.rpc("deal_reopen", client_op_id=op_id(), id=lost.id),
            "CONFLICT", "id", before, org)
    _, paid = org.won_deal("r1", amount=1000)
    expect(org.c("r1").rpc("payment_receive", client_op_id=op_id(),
                           deal_id=paid.id, amount=10), "contract")
    before = org.snapshot()
    refused(m1.rpc("deal_reopen", client_op_id=op_id(), id=paid.id),
            "CONFLICT", "id", before, org)
    refused(m1.rpc("deal_reopen", client_op_id=op_id(), id=paid.id,
                   stage=Stage.Value("WON")), "INVALID_ARGUMENT", "stage",
            before, org)


def test_deal_update(org):
    cust = org.customer("r1")
    d = org.deal("r1", cust.id, amount=100)
    r1 = org.c("r1")
    u = expect(call(r1, "deal_update", client_op_id=op_id(), id=d.id,
                      fields=["amount", "title", "expected_close"],
                      amount=250, title="Renamed", expected_close="2027-01-15",
                      source="not changed"), "deal")
    assert (u.amount, u.title, u.expected_close, u.source) == (
        250, "Renamed", "2027-01-15", d.source)
    # A manager hands it to another rep of the team.
    u = expect(call(org.c("m1"), "deal_update", client_op_id=op_id(), id=d.id,
                               fields=["owner"], owner=org.login("r2")),
               "deal")
    assert u.owner == org.login("r2")
    # Now r1 no longer sees it.
    expect_error(r1.rpc("deal_get", id=d.id), "NOT_FOUND", "id")
    before = org.snapshot()
    refused(call(org.c("r2"), "deal_update", client_op_id=op_id(), id=d.id,
                            fields=["stage"]), "INVALID_ARGUMENT", "fields",
            before, org)
    refused(call(org.c("r2"), "deal_update", client_op_id=op_id(), id=d.id,
                            fields=["amount"], amount=-1),
            "INVALID_ARGUMENT", "amount", before, org)
    assert org.rollups_consistent()


def test_deal_list_filters(org):
    cust = org.customer("r2")
    a = org.deal("r2", cust.id)
    b = org.deal("r2", cust.id, stage=Stage.Value("QUOTE"))
    _, c = org.won_deal("r2")
    r2 = org.c("r2")
    ids = lambda reply: [x.id for x in reply.deals]  # noqa: E731
    assert ids(expect(r2.rpc("deal_list", customer_id=cust.id),
                      "deal_list_reply")) == [a.id, b.id]
    assert ids(expect(r2.rpc("deal_list", stage=Stage.Value("QUOTE"),
                             customer_id=cust.id), "deal_list_reply")) == [b.id]
    everything = ids(expect(r2.rpc("deal_list", limit=1000),
                            "deal_list_reply"))
    assert c.id in everything
    assert c.id not in ids(expect(r2.rpc("deal_list", open_only=True,
                                         limit=1000), "deal_list_reply"))
    lst = expect(r2.rpc("deal_list", customer_id=cust.id), "deal_list_reply")
    assert all(len(x.history) == 0 for x in lst.deals)   # DealGet only


# --- activities ------------------------------------------------------------

def test_activity_log(org):
    cust = org.customer("r1")
    d = org.deal("r1", cust.id)
    day = org.sql("SELECT pace.org_day(1, now())")
    q = ("SELECT coalesce(sum(visits), 0) FROM pace.rollup_day WHERE "
         "user_id = %d AND day = '%s'" % (org.ids["r1"], day))
    visits0 = int(org.sql(q))
    a = org.activity("r1", cust.id, kind="VISIT", deal_id=d.id,
                     duration_min=45, note="met the buyer\nnext: quote")
    assert (a.kind, a.customer_id, a.deal_id, a.duration_min) == (
        Kind.Value("VISIT"), cust.id, d.id, 45)
    assert a.note == "met the buyer\nnext: quote"
    assert a.user == org.login("r1")
    assert int(org.sql(q)) == visits0 + 1
    assert org.count("customer_touch", "customer_id = %d" % cust.id) == 1
    assert org.sql("SELECT pace.us(last_activity_at) FROM pace.opportunity "
                   "WHERE id = %d" % d.id) == str(a.at)
    org.activity("r1", cust.id, kind="EMAIL")
    assert org.count("customer_touch", "customer_id = %d" % cust.id) == 1
    lst = expect(org.c("r1").rpc("activity_list", customer_id=cust.id),
                 "activity_list_reply")
    assert [x.kind for x in lst.activities] == [Kind.Value("VISIT"),
                                               Kind.Value("EMAIL")]
    lst = expect(org.c("r1").rpc("activity_list", deal_id=d.id),
                 "activity_list_reply")
    assert [x.id for x in lst.activities] == [a.id]
    lst = expect(org.c("r1").rpc("activity_list", customer_id=cust.id,
                                 to=a.at), "activity_list_reply")
    assert len(lst.activities) == 0


def test_activity_log_refused(org):
    cust = org.customer("r1")
    other = org.customer("r1")
    d_other = org.deal("r1", other.id)
    foreign = org.customer("r3")
    r1 = org.c("r1")
    before = org.snapshot()
    base = dict(kind=Kind.Value("CALL"), customer_id=cust.id)
    cases = [
        (dict(kind=0), "INVALID_ARGUMENT", "kind"),
        (dict(kind=9), "INVALID_ARGUMENT", "kind"),
        (dict(duration_min=1441), "INVALID_ARGUMENT", "duration_min"),
        (dict(duration_min=-1), "INVALID_ARGUMENT", "duration_min"),
        (dict(note="n" * 2001), "INVALID_ARGUMENT", "note"),
        (dict(note="bell\x07"), "INVALID_ARGUMENT", "note"),
        (dict(at=now_us() + 600 * 1000000), "INVALID_ARGUMENT", "at"),
        (dict(at=now_us() - 91 * DAY_US), "INVALID_ARGUMENT", "at"),
        (dict(deal_id=d_other.id), "INVALID_ARGUMENT", "deal_id"),
        (dict(deal_id=10 ** 9), "NOT_FOUND", "deal_id"),
        (dict(customer_id=foreign.id), "NOT_FOUND", "customer_id"),
        (dict(customer_id=10 ** 9), "NOT_FOUND", "customer_id"),
    ]
    for extra, code, field in cases:
        args = dict(base)
        args.update(extra)
        refused(r1.rpc("activity_log", client_op_id=op_id(), **args), code,
                field, before, org)


def test_activity_at_in_the_past(org):
    cust = org.customer("r1")
    at = now_us() - 10 * DAY_US
    a = org.activity("r1", cust.id, kind="MEETING", at=at)
    assert a.at == at
    day = org.sql("SELECT pace.org_day(1, pace.ts(%d))" % at)
    assert int(org.sql("SELECT meetings FROM pace.rollup_day WHERE user_id = "
                       "%d AND day = '%s'" % (org.ids["r1"], day))) >= 1


# --- payments --------------------------------------------------------------

def plan(deal_id, items, **kw):
    f = wire.make("payment_plan", client_op_id=op_id(), deal_id=deal_id, **kw)
    for due, amount in items:
        i = f.payment_plan.installments.add()
        i.due_on, i.amount = due, amount
    return f


def test_payment_plan_and_receipts(org):
    r1 = org.c("r1")
    _, won = org.won_deal("r1", amount=1000000)
    today = org.sql("SELECT pace.org_day(1, now())")
    past = org.sql("SELECT pace.org_day(1, now()) - 20")
    k = expect(r1.call(plan(won.id, [("2030-06-01", 500000),
                                     (past, 200000),
                                     ("2030-01-01", 300000)])), "contract")
    assert [i.due_on for i in k.installments] == [past, "2030-01-01",
                                                   "2030-06-01"]
    assert [i.status for i in k.installments] == ["overdue", "due", "due"]
    k = expect(r1.rpc("payment_receive", client_op_id=op_id(),
                      deal_id=won.id, amount=350000), "contract")
    assert k.received == 350000 and k.receipts[0].received_on == today
    assert [(i.status, i.amount_received) for i in k.installments] == [
        ("paid", 200000), ("partial", 150000), ("due", 0)]
    lst = expect(r1.rpc("payment_list", deal_id=won.id),
                 "payment_list_reply")
    assert [r.installment.status for r in lst.rows] == ["paid", "partial",
                                                        "due"]
    assert lst.rows[0].deal == won.title
    # A new plan replaces the old one (and its `due` rollups).
    k = expect(r1.call(plan(won.id, [(past, 100000), ("2031-01-01", 900000)])),
               "contract")
    assert [(i.status, i.amount_received) for i in k.installments] == [
        ("paid", 100000), ("partial", 250000)]
    assert org.count("installment", "contract_id = %d" % k.id) == 2
    overdue = expect(r1.rpc("payment_list", overdue_only=True, limit=1000),
                     "payment_list_reply")
    assert all(r.installment.status == "overdue" for r in overdue.rows)
    assert org.rollups_consistent()


def test_payment_plan_refused(org):
    r1 = org.c("r1")
    _, won = org.won_deal("r1", amount=1000)
    cust = org.customer("r1")
    open_deal = org.deal("r1", cust.id)
    before = org.snapshot()
    cases = [
        (plan(won.id, [("2030-01-01", 999)]), "INVALID_ARGUMENT",
         "installments"),
        (plan(won.id, []), "INVALID_ARGUMENT", "installments"),
        (plan(won.id, [("2030-02-30", 1000)]), "INVALID_ARGUMENT",
         "installments[0].due_on"),
        (plan(won.id, [("2030-01-01", 1500), ("2030-02-01", -500)]),
         "INVALID_ARGUMENT", "installments[1].amount"),
        (plan(won.id, [("2030-01-01", 0), ("2030-02-01", 1000)]),
         "INVALID_ARGUMENT", "installments[0].amount"),
        (plan(won.id, [("1999-01-01", 1000)]), "INVALID_ARGUMENT",
         "installments[0].due_on"),
        (plan(won.id, [("2030-01-01", 1)] * 121), "INVALID_ARGUMENT",
         "installments"),
        (plan(open_deal.id, [("2030-01-01", 1000)]), "CONFLICT", "deal_id"),
        (plan(10 ** 9, [("2030-01-01", 1000)]), "NOT_FOUND", "deal_id"),
    ]
    for f, code, field in cases:
        refused(r1.call(f), code, field, before, org)


def test_payment_receive_refused(org):
    r1 = org.c("r1")
    _, won = org.won_deal("r1", amount=1000)
    expect(r1.rpc("payment_receive", client_op_id=op_id(), deal_id=won.id,
                  amount=600), "contract")
    tomorrow = org.sql("SELECT pace.org_day(1, now()) + 1")
    old = org.sql("SELECT pace.org_day(1, now()) - 91")
    before = org.snapshot()
    cases = [
        (dict(amount=0), "amount"),
        (dict(amount=-10), "amount"),
        (dict(amount=BIG + 1), "amount"),
        (dict(amount=401), "amount"),          # more than still open
        (dict(amount=10, received_on=tomorrow), "received_on"),
        (dict(amount=10, received_on=old), "received_on"),
        (dict(amount=10, received_on="yesterday"), "received_on"),
        (dict(amount=10, at=now_us() + 3600 * 1000000), "at"),
    ]
    for args, field in cases:
        refused(r1.rpc("payment_receive", client_op_id=op_id(),
                       deal_id=won.id, **args), "INVALID_ARGUMENT", field,
                before, org)
    k = expect(r1.rpc("payment_receive", client_op_id=op_id(),
                      deal_id=won.id, amount=400), "contract")
    assert k.received == 1000


# --- organisation settings -------------------------------------------------

def test_org_get_and_set(org):
    s = expect(org.c("r1").rpc("org_get"), "org_settings")
    assert s.timezone == "Asia/Shanghai" and s.revenue_basis == "booked"
    assert "price" in s.loss_reasons and s.backfill_days == 90
    assert [p.stage for p in s.stage_probabilities] == list(range(1, 8))
    adm = org.c("admin")
    s = expect(adm.rpc("org_set", client_op_id=op_id(), key="loss_reasons",
                       value="price, timing ,budget cut,price"),
               "org_settings")
    assert list(s.loss_reasons) == ["price", "timing", "budget cut"]
    s = expect(org.c("d1").rpc("org_set", client_op_id=op_id(),
                               key="stage_probability.quote", value="0.65"),
               "org_settings")
    assert [p.probability for p in s.stage_probabilities][3] == 0.65
    # The new list applies at once.
    cust = org.customer("r1")
    d = org.deal("r1", cust.id)
    expect(org.c("r1").rpc("deal_lose", client_op_id=op_id(), id=d.id,
                           reason="budget cut"), "deal")
    before = org.snapshot()
    for key, value, field in (("colour", "red", "key"),
                              ("revenue_basis", "vibes", "value"),
                              ("timezone", "Mars/Olympus", "value"),
                              ("backfill_days", "-1", "value"),
                              ("backfill_days", "10000", "value"),
                              ("green_pace", "0.1", "value"),  # < yellow
                              ("stage_probability.quote", "1.5", "value"),
                              ("stage_probability.maybe", "0.5", "key"),
                              ("loss_reasons", " , ", "value"),
                              ("currency", "yuan", "value")):
        refused(adm.rpc("org_set", client_op_id=op_id(), key=key,
                        value=value), "INVALID_ARGUMENT", field, before, org)
    for who in ("r1", "m1"):
        expect_error(org.c(who).rpc("org_set", client_op_id=op_id(),
                                    key="backfill_days", value="30"),
                     "PERMISSION_DENIED")
    assert org.sql("SELECT backfill_days FROM pace.org") == "90"
    # Restore for the other tests.
    expect(adm.rpc("org_set", client_op_id=op_id(), key="loss_reasons",
                   value="price,competitor,no budget,no decision,timing,"
                         "product fit,other"), "org_settings")


def test_org_timezone_change_rebuilds_rollups(org):
    adm = org.c("admin")
    cust = org.customer("r2")
    org.activity("r2", cust.id, at=now_us() - 2 * DAY_US)
    expect(adm.rpc("org_set", client_op_id=op_id(), key="timezone",
                   value="America/New_York"), "org_settings")
    assert org.rollups_consistent()
    expect(adm.rpc("org_set", client_op_id=op_id(), key="timezone",
                   value="Asia/Shanghai"), "org_settings")
    assert org.rollups_consistent()


def test_audit_and_change_log(org):
    cust = org.customer("r1")
    n0 = org.count("change_log", "user_id = %d" % org.ids["r1"])
    a = org.activity("r1", cust.id)
    assert org.count("change_log", "user_id = %d" % org.ids["r1"]) == n0 + 1
    assert org.count("audit_log", "entity = 'activity' AND entity_id = %d "
                     "AND actor_id = %d AND after->>'kind' = 'call'"
                     % (a.id, org.ids["r1"])) == 1
