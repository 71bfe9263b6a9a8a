"""The role matrix of the capture RPCs: for each role, every read and write
on its own data, its team's and another team's (DESIGN §4):

- a rep sees and writes only what it owns;
- a manager what the members of its team own (its own included);
- directors and admins the whole org.

Out of scope is indistinguishable from absent (NOT_FOUND, same message) and
stores nothing; writing for another owner is PERMISSION_DENIED."""

import pytest

import wire
from capture_org import Org, Stage, call, now_us, refused
from wire import expect, expect_error, op_id

# Who sees whose data: actor -> owners in scope.
SCOPE = {
    "r1": {"r1"},
    "m1": {"m1", "r1", "r2"},
    "m2": {"m2", "r3"},
    "d1": {"m1", "r1", "r2", "m2", "r3", "d1"},
    "admin": {"m1", "r1", "r2", "m2", "r3", "d1"},
}
OWNERS = ("r1", "r2", "m1", "r3", "m2", "d1")

# The matrix the issue asks for: own, same team, other team.
CASES = [
    ("r1", "r1", "own"), ("r1", "r2", "same team"), ("r1", "r3", "other team"),
    ("m1", "m1", "own"), ("m1", "r1", "same team"), ("m1", "r3", "other team"),
    ("m2", "r3", "same team"), ("m2", "r1", "other team"),
    ("d1", "d1", "own"), ("d1", "r1", "team A"), ("d1", "r3", "team B"),
    ("admin", "r2", "team A"), ("admin", "m2", "team B"),
]
IDS = ["%s-on-%s(%s)" % c for c in CASES]


@pytest.fixture(scope="module")
def org(paced):
    o = Org(paced)
    yield o
    assert o.rollups_consistent()
    o.close()


class Data:
    """Per owner: a customer, an open deal, a won deal, an activity."""

    def __init__(self, org, owner):
        self.customer = org.customer(owner)
        self.deal = org.deal(owner, self.customer.id)
        self.deal2 = org.deal(owner, self.customer.id, amount=700)
        self.won = org.deal(owner, self.customer.id, amount=5000)
        self.won = expect(org.c(owner).rpc("deal_win", client_op_id=op_id(),
                                           id=self.won.id), "deal")
        self.activity = org.activity(owner, self.customer.id,
                                     deal_id=self.deal.id)


@pytest.fixture(scope="module")
def data(org):
    return {who: Data(org, who) for who in OWNERS}


def visible(actor, owner):
    return owner in SCOPE[actor]


# --- reads -----------------------------------------------------------------

@pytest.mark.parametrize("actor,owner,rel", CASES, ids=IDS)
def test_get(org, data, actor, owner, rel):
    c = org.c(actor)
    d = data[owner]
    for kind, id_, body in (("customer_get", d.customer.id, "customer"),
                            ("deal_get", d.deal.id, "deal"),
                            ("deal_get", d.won.id, "deal")):
        r = c.rpc(kind, id=id_)
        if visible(actor, owner):
            assert expect(r, body).id == id_
        else:
            err = expect_error(r, "NOT_FOUND", "id")
            # The same answer as for an id that does not exist.
            missing = expect_error(c.rpc(kind, id=10 ** 9 + id_), "NOT_FOUND",
                                   "id")
            assert err.message.replace(str(id_), "N") == \
                missing.message.replace(str(10 ** 9 + id_), "N")


@pytest.mark.parametrize("actor", sorted(SCOPE))
def test_lists(org, data, actor):
    c = org.c(actor)
    want = {o for o in OWNERS if visible(actor, o)}
    mine = lambda ids, attr: {o for o in OWNERS  # noqa: E731
                              if getattr(data[o], attr).id in ids}
    custs = expect(c.rpc("customer_list", limit=1000), "customer_list_reply")
    assert mine({x.id for x in custs.customers}, "customer") == want
    assert {x.owner for x in custs.customers} <= {org.login(o) for o in want}
    deals = expect(c.rpc("deal_list", limit=1000), "deal_list_reply")
    assert mine({x.id for x in deals.deals}, "deal") == want
    acts = expect(c.rpc("activity_list", limit=1000), "activity_list_reply")
    assert mine({x.id for x in acts.activities}, "activity") == want
    # Payment plans of the won deals.
    for o in OWNERS:
        f = wire.make("payment_plan", client_op_id=op_id(),
                      deal_id=data[o].won.id)
        i = f.payment_plan.installments.add()
        i.due_on, i.amount = "2030-01-01", 5000
        expect(org.c(o).call(f), "contract")
    pays = expect(c.rpc("payment_list", limit=1000), "payment_list_reply")
    assert {o for o in OWNERS if data[o].won.id in
            {r.deal_id for r in pays.rows}} == want


@pytest.mark.parametrize("actor", ["r1", "m1"])
def test_list_filters_do_not_widen_scope(org, data, actor):
    c = org.c(actor)
    other = expect(c.rpc("customer_list", owner=org.login("r3"), limit=1000),
                   "customer_list_reply")
    assert len(other.customers) == 0
    other = expect(c.rpc("deal_list", team=org.team("B"), limit=1000),
                   "deal_list_reply")
    assert len(other.deals) == 0
    other = expect(c.rpc("deal_list", customer_id=data["r3"].customer.id),
                   "deal_list_reply")
    assert len(other.deals) == 0


# --- writes on existing data ------------------------------------------------

def write_cases(org, d):
    """(name, frame, reply body) of every write on d's customer or deals."""
    cust, deal, won = d.customer.id, d.deal.id, d.won.id
    plan = wire.make("payment_plan", client_op_id=op_id(), deal_id=won)
    i = plan.payment_plan.installments.add()
    i.due_on, i.amount = "2030-01-01", 5000
    return [
        ("customer_update", wire.make("customer_update", client_op_id=op_id(),
                                      id=cust, region="west"), "customer",
         "id"),
        ("deal_add", wire.make("deal_add", client_op_id=op_id(), title="x",
                               customer_id=cust), "deal", "customer_id"),
        ("deal_move", wire.make("deal_move", client_op_id=op_id(), id=deal,
                                stage=Stage.Value("QUALIFIED")), "deal", "id"),
        ("deal_update", wire.make("deal_update", client_op_id=op_id(),
                                  id=deal, amount=1), "deal", "id"),
        ("deal_lose", wire.make("deal_lose", client_op_id=op_id(), id=deal,
                                reason="price"), "deal", "id"),
        ("activity_log", wire.make("activity_log", client_op_id=op_id(),
                                   kind=1, customer_id=cust), "activity",
         "customer_id"),
        ("activity_log(deal)", wire.make("activity_log", client_op_id=op_id(),
                                         kind=2, customer_id=cust,
                                         deal_id=deal), "activity",
         "customer_id"),
        ("deal_win", wire.make("deal_win", client_op_id=op_id(),
                               id=d.deal2.id), "deal", "id"),
        ("payment_plan", plan, "contract", "deal_id"),
        ("payment_receive", wire.make("payment_receive", client_op_id=op_id(),
                                      deal_id=won, amount=100), "contract",
         "deal_id"),
    ]


@pytest.mark.parametrize("actor,owner,rel", CASES, ids=IDS)
def test_writes(org, actor, owner, rel):
    d = Data(org, owner)        # fresh, so every write applies
    c = org.c(actor)
    for name, f, body, field in write_cases(org, d):
        if name in ("customer_update", "deal_update"):
            getattr(f, f.WhichOneof("body")).fields.append(
                "region" if name == "customer_update" else "amount")
        if visible(actor, owner):
            expect(c.call(f), body)
        else:
            before = org.snapshot()
            refused(c.call(f), "NOT_FOUND", field, before, org)


@pytest.mark.parametrize("actor,owner,rel", CASES, ids=IDS)
def test_reopen(org, actor, owner, rel):
    d = Data(org, owner)
    r = org.c(actor).rpc("deal_reopen", client_op_id=op_id(), id=d.won.id)
    if actor.startswith("r"):
        expect_error(r, "PERMISSION_DENIED")
    elif visible(actor, owner):
        assert expect(r, "deal").stage == Stage.Value("NEGOTIATION")
    else:
        expect_error(r, "NOT_FOUND", "id")


# --- writes for another owner -----------------------------------------------

@pytest.mark.parametrize("actor,owner,rel", CASES, ids=IDS)
def test_write_for_another_owner(org, data, actor, owner, rel):
    c = org.c(actor)
    login = org.login(owner)
    r = c.rpc("customer_add", client_op_id=op_id(), name="For " + owner,
              owner=login)
    if visible(actor, owner):
        assert expect(r, "customer").owner == login
    else:
        before = org.snapshot()
        refused(c.rpc("customer_add", client_op_id=op_id(), name="x",
                      owner=login), "PERMISSION_DENIED", "owner", before, org)
        expect_error(r, "PERMISSION_DENIED", "owner")
    # A deal for that owner on the actor's own customer.
    mine = org.customer(actor)
    r = c.rpc("deal_add", client_op_id=op_id(), title="x",
              customer_id=mine.id, owner=login)
    if visible(actor, owner):
        assert expect(r, "deal").owner == login
    else:
        expect_error(r, "PERMISSION_DENIED", "owner")
    # Handing an own deal over.
    deal = org.deal(actor, mine.id)
    r = call(c, "deal_update", client_op_id=op_id(), id=deal.id,
             fields=["owner"], owner=login)
    if visible(actor, owner):
        assert expect(r, "deal").owner == login
    else:
        expect_error(r, "PERMISSION_DENIED", "owner")


def test_unknown_owner(org):
    for actor in ("r1", "m1", "d1"):
        expect_error(org.c(actor).rpc("customer_add", client_op_id=op_id(),
                                      name="x", owner="no-such-user"),
                     "NOT_FOUND", "owner")


def test_activity_author_is_the_actor(org, data):
    """A manager logging on a rep's customer logs as the manager."""
    a = org.activity("m1", data["r1"].customer.id)
    assert a.user == org.login("m1")
    assert a.at <= now_us()


def test_org_settings_roles(org):
    for who in ("r1", "m1", "d1", "admin"):
        expect(org.c(who).rpc("org_get"), "org_settings")
    for who, ok in (("r1", False), ("m1", False), ("d1", True),
                    ("admin", True)):
        r = org.c(who).rpc("org_set", client_op_id=op_id(), key="stale_days",
                           value="15")
        if ok:
            assert expect(r, "org_settings").stale_days == 15
        else:
            expect_error(r, "PERMISSION_DENIED")
