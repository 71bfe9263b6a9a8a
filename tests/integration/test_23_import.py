"""Bulk import (ImportBegin/Rows/Commit; columns in docs/import.md):
all-or-nothing with every bad line reported, or every good row with
skip_bad; importing again stores nothing new; each kind's rules; the
backfill window (widened by OrgSet); the limits of a frame."""

import uuid

import pytest

from capture_org import DAY_US, Org, make, now_us
from wire import expect, expect_error, op_id

NS = uuid.UUID("6f1d7c1e-3f0a-4d52-9a7e-0c2b7d0e5a11")


@pytest.fixture(scope="module")
def org(paced):
    o = Org(paced)
    yield o
    assert o.rollups_consistent(), "rollup_day disagrees with the facts"
    o.close()


def rows_of(name, cells_list, first_line=2):
    """(line, op id, cells): op ids derived from the file name and line,
    as the CLI does, so importing the same file again reuses them."""
    return [(first_line + i, str(uuid.uuid5(NS, "%s:%d" % (name, i))), cells)
            for i, cells in enumerate(cells_list)]


def run_import(c, kind, rows, skip_bad=False, per_frame=5000):
    b = expect(c.rpc("import_begin", client_op_id=op_id(), kind=kind,
                     skip_bad=skip_bad), "import_started")
    staged = 0
    for off in range(0, len(rows), per_frame):
        f = make("import_rows", import_id=b.import_id)
        for line, op, cells in rows[off:off + per_frame]:
            r = f.import_rows.rows.add()
            r.line, r.op_id = line, op
            r.cells.extend(cells)
        staged = expect(c.call(f, timeout=60), "ok").id
    assert staged == len({r[0] for r in rows})
    return expect(c.call(make("import_commit", client_op_id=op_id(),
                              import_id=b.import_id), timeout=120),
                  "import_result")


def errors(res):
    return [(e.line, e.field) for e in res.errors]


# --- the scenario ----------------------------------------------------

def test_ten_thousand_activities_with_three_bad_rows(org):
    custs = [org.customer("r1").id for _ in range(10)]
    now = now_us()
    kinds = ("call", "visit", "email", "meeting")
    cells = [["", kinds[i % 4], str(custs[i % 10]), "",
              str(now - (i % 500) * 3600 * 10 ** 6), str(i % 30),
              "row %d" % i] for i in range(10000)]
    cells[1233][1] = "fax"                                  # line 1235
    cells[5000][4] = str(now + 3600 * 10 ** 6)               # line 5002
    cells[9998][2] = "No Such Customer Ltd"                 # line 10000
    rows = rows_of("acts.csv", cells)
    bad = [(1235, "kind"), (5002, "at"), (10000, "customer")]
    where = "user_id = %d" % org.ids["r1"]
    n0 = org.count("activity", where)
    calls0 = org.sql("SELECT coalesce(sum(calls), 0) FROM pace.rollup_day "
                     "WHERE " + where)

    res = run_import(org.c("r1"), "activities", rows)
    assert not res.committed
    assert errors(res) == bad and res.rejected == 3
    assert res.applied == 0
    assert org.count("activity", where) == n0
    assert org.sql("SELECT coalesce(sum(calls), 0) FROM pace.rollup_day "
                   "WHERE " + where) == calls0
    assert org.count("op_log", "client_op_id = '%s'" % rows[0][1]) == 0

    res = run_import(org.c("r1"), "activities", rows, skip_bad=True)
    assert res.committed and res.applied == 9997 and res.existing == 0
    assert errors(res) == bad and res.rejected == 3
    assert org.count("activity", where) == n0 + 9997
    good_calls = sum(1 for i, c in enumerate(cells) if c[1] == "call"
                     and i not in (5000, 9998))
    assert int(org.sql("SELECT sum(calls) FROM pace.rollup_day WHERE "
                       + where)) == int(calls0) + good_calls
    assert org.rollups_consistent()

    res = run_import(org.c("r1"), "activities", rows, skip_bad=True)
    assert res.committed and res.applied == 0 and res.existing == 9997
    assert errors(res) == bad
    assert org.count("activity", where) == n0 + 9997
    res = run_import(org.c("r1"), "activities", rows)
    assert not res.committed and res.existing == 9997
    assert org.count("activity", where) == n0 + 9997


# --- activities ------------------------------------------------------------

def test_activities_rules(org):
    mine = org.customer("r1", name="Unique Name " + uuid.uuid4().hex[:6])
    other = org.customer("r1")
    deal = org.deal("r1", mine.id)
    foreign = org.customer("r3")
    org.customer("r1", name="Twin Co")
    org.customer("r1", name="Twin Co")
    t = str(now_us() - DAY_US)
    cells = [
        ["", "call", mine.name, str(deal.id), t, "10", "by name, with deal"],
        ["", "Visit", str(mine.id), "", "", "", ""],        # empty at = now
        [org.login("r2"), "call", str(mine.id), "", t, "", ""],   # not mine
        ["", "call", str(foreign.id), "", t, "", ""],        # foreign customer
        ["", "call", str(other.id), str(deal.id), t, "", ""],   # wrong deal
        ["", "call", "Twin Co", "", t, "", ""],              # ambiguous
        ["", "call", str(mine.id), "x", t, "", ""],          # deal not a number
        ["", "call", str(mine.id), "", "yesterday", "", ""],  # bad at
        ["", "call", str(mine.id), "", t, "1441", ""],       # duration
        ["", "call", str(mine.id), "", t, "", "n" * 2001],    # note
        ["", "call", str(mine.id), "", t, "", "", "extra"],   # 8 cells
        ["nobody", "call", str(mine.id), "", t, "", ""],      # unknown user
        ["", "", str(mine.id), "", t, "", ""],                # no kind
    ]
    res = run_import(org.c("r1"), "activities", rows_of("rules", cells),
                     skip_bad=True)
    assert res.applied == 2
    assert errors(res) == [(4, "user"), (5, "customer"), (6, "deal"),
                           (7, "customer"), (8, "deal"), (9, "at"),
                           (10, "duration_min"), (11, "note"), (12, "line"),
                           (13, "user"), (14, "kind")]
    assert "use the id" in res.errors[3].message
    assert org.count("activity", "customer_id = %d" % mine.id) == 2
    assert org.sql("SELECT pace.us(last_activity_at) FROM pace.opportunity "
                   "WHERE id = %d" % deal.id) == t
    assert org.count("customer_touch", "customer_id = %d" % mine.id) == 2


def test_manager_imports_for_the_team(org):
    c1 = org.customer("r1")
    c3 = org.customer("r3")
    t = str(now_us() - DAY_US)
    cells = [[org.login("r1"), "call", str(c1.id), "", t, "", ""],
             [org.login("r3"), "call", str(c3.id), "", t, "", ""]]
    res = run_import(org.c("m1"), "activities", rows_of("mgr", cells),
                     skip_bad=True)
    assert res.applied == 1
    assert errors(res) == [(3, "user")]       # r3 is another team's
    assert org.count("activity", "customer_id = %d AND user_id = %d"
                     % (c1.id, org.ids["r1"])) == 1
    res = run_import(org.c("d1"), "activities", rows_of("dir", cells))
    assert res.committed and res.applied == 2


def test_backfill_window(org):
    cust = org.customer("r2")
    old = str(now_us() - 200 * DAY_US)
    rows = rows_of("history", [["", "call", str(cust.id), "", old, "", ""]])
    res = run_import(org.c("r2"), "activities", rows)
    assert not res.committed and errors(res) == [(2, "at")]
    assert "backfill" in res.errors[0].message
    adm = org.c("admin")
    expect(adm.rpc("org_set", client_op_id=op_id(), key="backfill_days",
                   value="400"), "org_settings")
    try:
        res = run_import(org.c("r2"), "activities", rows)
        assert res.committed and res.applied == 1
        assert org.rollups_consistent()
    finally:
        expect(adm.rpc("org_set", client_op_id=op_id(), key="backfill_days",
                       value="90"), "org_settings")


def test_op_id_rules(org):
    cust = org.customer("r1")
    t = str(now_us())
    line = ["", "call", str(cust.id), "", t, "", ""]
    op = str(uuid.uuid4())
    rows = [(2, "not-a-uuid", line), (3, op, line), (4, op, line)]
    res = run_import(org.c("r1"), "activities", rows, skip_bad=True)
    assert res.applied == 1
    assert errors(res) == [(2, "op_id"), (4, "op_id")]
    # The op id of a stored row, with other content: refused.
    changed = ["", "email", str(cust.id), "", t, "", ""]
    res = run_import(org.c("r1"), "activities", [(7, op, changed)])
    assert not res.committed and errors(res) == [(7, "op_id")]
    # An RPC write's op id counts as well.
    expect_error(org.c("r1").rpc("customer_add", client_op_id=op, name="x"),
                 "CONFLICT", "client_op_id")


def test_errors_are_capped(org):
    cust = org.customer("r1")
    cells = [["", "fax", str(cust.id), "", "", "", ""]] * 1500
    res = run_import(org.c("r1"), "activities", rows_of("many-bad", cells))
    assert not res.committed and res.rejected == 1500
    assert len(res.errors) == 1000
    assert [e.line for e in res.errors] == list(range(2, 1002))


# --- customers -------------------------------------------------------------

def test_customers(org):
    t = str(now_us() - 5 * DAY_US)
    tag = uuid.uuid4().hex[:6]
    cells = [
        ["Imported A " + tag, "retail", "small", "east", "", t],
        ["Imported B " + tag, "tech", "large", "west", org.login("r2"), ""],
        ["", "tech", "", "", "", ""],                        # no name
        ["C " + tag, "i" * 101, "", "", "", ""],             # industry
        ["D " + tag, "", "", "", org.login("r3"), ""],       # other team
        ["E " + tag, "", "", "", "", str(now_us() + 10 ** 9)],   # future
    ]
    rows = rows_of("customers-" + tag, cells)
    res = run_import(org.c("m1"), "customers", rows, skip_bad=True)
    assert res.applied == 2
    assert errors(res) == [(4, "name"), (5, "industry"), (6, "owner"),
                           (7, "at")]
    got = org.sql("SELECT string_agg(c.name || '/' || u.login || '/' || "
                  "pace.us(c.created_at)::text, ',' ORDER BY c.name) FROM "
                  "pace.customer c JOIN pace.app_user u ON u.id = c.owner_id "
                  "WHERE c.name LIKE 'Imported %% %s'" % tag)
    a, b = got.split(",")
    assert a == "Imported A %s/%s/%s" % (tag, org.login("m1"), t)
    assert b.startswith("Imported B %s/%s/" % (tag, org.login("r2")))
    res = run_import(org.c("m1"), "customers", rows[:2])
    assert res.committed and res.applied == 0 and res.existing == 2
    # A rep may only import its own.
    res = run_import(org.c("r1"), "customers", rows_of(
        "rep-" + tag, [["F " + tag, "", "", "", org.login("r2"), ""]]))
    assert errors(res) == [(2, "owner")]


# --- deals -----------------------------------------------------------------

def test_deals(org):
    tag = uuid.uuid4().hex[:6]
    cust = org.customer("r1", name="Deal Co " + tag)
    at = now_us() - 30 * DAY_US
    closed = now_us() - 2 * DAY_US
    cells = [
        ["Open " + tag, cust.name, "100000", "proposal", "2027-01-31", "web",
         "pro", "", str(at), "", ""],
        ["Won " + tag, str(cust.id), "250000", "won", "", "", "", "",
         str(at), str(closed), ""],
        ["Lost " + tag, str(cust.id), "5000", "Lost", "", "", "", "",
         str(at), str(closed), "Price"],
        ["Lead " + tag, str(cust.id), "", "", "", "", "", "", "", "", ""],
        ["Bad1", str(cust.id), "-5", "lead", "", "", "", "", "", "", ""],
        ["Bad2", str(cust.id), "5", "maybe", "", "", "", "", "", "", ""],
        ["Bad3", str(cust.id), "5", "lost", "", "", "", "", str(at),
         str(closed), ""],                                   # no reason
        ["Bad4", str(cust.id), "5", "won", "", "", "", "", str(closed),
         str(at), ""],                                       # closed < at
        ["Bad5", str(cust.id), "5", "quote", "", "", "", "", "",
         str(closed), ""],                                   # open, closed_at
        ["Bad6", str(cust.id), "0", "won", "", "", "", "", "", "", ""],
        ["Bad7", str(cust.id), "5", "lead", "2027-02-30", "", "", "", "", "",
         ""],
        ["Bad8", str(cust.id), str(10 ** 15 + 1), "lead", "", "", "", "", "",
         "", ""],
        ["Bad9", str(cust.id), "5", "lead", "", "", "", "", "", "",
         "price"],                                           # reason, open
    ]
    res = run_import(org.c("r1"), "deals", rows_of("deals-" + tag, cells),
                     skip_bad=True)
    assert res.applied == 4
    assert errors(res) == [(6, "amount"), (7, "stage"), (8, "loss_reason"),
                           (9, "closed_at"), (10, "closed_at"), (11, "amount"),
                           (12, "expected_close"), (13, "amount"),
                           (14, "loss_reason")]
    deals = expect(org.c("r1").rpc("deal_list", customer_id=cust.id),
                   "deal_list_reply").deals
    by_title = {d.title.split()[0]: d for d in deals}
    assert set(by_title) == {"Open", "Won", "Lost", "Lead"}
    assert by_title["Open"].stage == 3 and by_title["Open"].created_at == at
    won = expect(org.c("r1").rpc("deal_get", id=by_title["Won"].id), "deal")
    assert won.contract.amount == 250000 and won.contract.signed_at == closed
    assert [h.to for h in won.history] == [1, 6]
    assert by_title["Lost"].loss_reason == "price"
    assert by_title["Lost"].closed_at == closed
    assert org.rollups_consistent()
    # The imported won deal takes a payment plan.
    f = make("payment_plan", client_op_id=op_id(), deal_id=won.id)
    i = f.payment_plan.installments.add()
    i.due_on, i.amount = "2030-01-01", 250000
    expect(org.c("r1").call(f), "contract")


# --- payments --------------------------------------------------------------

def test_payments(org):
    _, a = org.won_deal("r1", amount=100000)
    _, b = org.won_deal("r1", amount=5000)
    cust = org.customer("r1")
    open_deal = org.deal("r1", cust.id)
    today = org.sql("SELECT pace.org_day(1, now())")
    past = org.sql("SELECT pace.org_day(1, now()) - 10")
    tomorrow = org.sql("SELECT pace.org_day(1, now()) + 1")
    cells = [
        [str(a.id), "installment", past, "40000"],
        [str(a.id), "installment", "2030-01-01", "60000"],
        [str(a.id), "receipt", today, "30000"],
        [str(b.id), "installment", "2030-01-01", "4000"],   # sum 4000 != 5000
        [str(b.id), "receipt", today, "4000"],
        [str(b.id), "receipt", today, "2000"],              # past 5000
        [str(open_deal.id), "receipt", today, "1"],         # not won
        [str(a.id), "refund", today, "1"],
        [str(a.id), "receipt", tomorrow, "1"],
        [str(a.id), "receipt", today, "0"],
        [str(a.id), "receipt", "", "1"],
        ["999999999", "receipt", today, "1"],
    ]
    res = run_import(org.c("r1"), "payments", rows_of("pay", cells),
                     skip_bad=True)
    assert errors(res) == [(5, "amount"), (7, "amount"), (8, "deal"),
                           (9, "kind"), (10, "date"), (11, "amount"),
                           (12, "date"), (13, "deal")]
    assert res.applied == 4
    k = expect(org.c("r1").rpc("deal_get", id=a.id), "deal").contract
    assert [(i.due_on, i.amount_due, i.status, i.amount_received)
            for i in k.installments] == [(past, 40000, "overdue", 30000),
                                         ("2030-01-01", 60000, "due", 0)]
    kb = expect(org.c("r1").rpc("deal_get", id=b.id), "deal").contract
    assert len(kb.installments) == 0 and kb.received == 4000
    assert org.rollups_consistent()
    # A new plan replaces the old one.
    res = run_import(org.c("r1"), "payments", rows_of("pay2", [
        [str(a.id), "installment", "2031-01-01", "100000"]]))
    assert res.committed and res.applied == 1
    k = expect(org.c("r1").rpc("deal_get", id=a.id), "deal").contract
    assert [(i.due_on, i.amount_due) for i in k.installments] == [
        ("2031-01-01", 100000)]
    assert org.rollups_consistent()


# --- protocol limits and import lifecycle ------------------------------------

def test_frame_limits(org):
    c = org.c("r1")
    b = expect(c.rpc("import_begin", client_op_id=op_id(), kind="activities"),
               "import_started")
    before = org.snapshot()

    def frame(rows):
        f = make("import_rows", import_id=b.import_id)
        for line, cells in rows:
            r = f.import_rows.rows.add()
            r.line, r.op_id = line, str(uuid.uuid4())
            r.cells.extend(cells)
        return f

    expect_error(c.call(frame([(i + 1, ["a"]) for i in range(5001)])),
                 "INVALID_ARGUMENT", "rows")
    expect_error(c.call(frame([(2, ["x"] * 33)])), "INVALID_ARGUMENT",
                 "rows[0].cells")
    expect_error(c.call(frame([(2, ["ok"]), (3, ["ok", "y" * 4097])])),
                 "INVALID_ARGUMENT", "rows[1].cells[1]")
    expect_error(c.call(frame([(0, ["a"])])), "INVALID_ARGUMENT",
                 "rows[0].line")
    f = frame([(2, ["a"])])
    f.import_rows.rows[0].op_id = "o" * 65
    expect_error(c.call(f), "INVALID_ARGUMENT", "rows[0].op_id")
    assert org.snapshot() == before
    expect(c.call(frame([(2, ["a"] * 32)])), "ok")      # at the limits


def test_import_lifecycle(org):
    r1, r2 = org.c("r1"), org.c("r2")
    expect_error(r1.rpc("import_begin", client_op_id=op_id(), kind="orders"),
                 "INVALID_ARGUMENT", "kind")
    b = expect(r1.rpc("import_begin", client_op_id=op_id(), kind="customers"),
               "import_started")
    # Another user's import does not exist for r2.
    expect_error(r2.call(make("import_rows", import_id=b.import_id)),
                 "NOT_FOUND", "import_id")
    expect_error(r2.rpc("import_commit", client_op_id=op_id(),
                        import_id=b.import_id), "NOT_FOUND", "import_id")
    f = make("import_rows", import_id=b.import_id)
    r = f.import_rows.rows.add()
    r.line, r.op_id = 2, str(uuid.uuid4())
    r.cells.extend(["Lifecycle " + uuid.uuid4().hex[:6]])
    assert expect(r1.call(f), "ok").id == 1
    assert expect(r1.call(f), "ok").id == 1      # a re-sent frame: no change
    commit = make("import_commit", client_op_id=op_id(),
                  import_id=b.import_id)
    res = expect(r1.call(commit), "import_result")
    assert res.committed and res.applied == 1
    again = expect(r1.call(commit), "import_result")   # replay
    assert again == res
    expect_error(r1.rpc("import_commit", client_op_id=op_id(),
                        import_id=b.import_id), "CONFLICT", "import_id")
    expect_error(r1.call(f), "CONFLICT", "import_id")
    assert org.count("import_row", "import_id = %d" % b.import_id) == 0
