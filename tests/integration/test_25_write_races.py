"""Two writers of the same deal at the same moment.

paced sends each user's writes on one database connection of its pool
(so one user's writes never contend), and different users' writes on
different connections, concurrently. A rep and their manager closing the
same deals at once therefore run in overlapping transactions: the deal's
row lock (pace.lock_deal) must make them take turns, so that each deal is
closed once (won or lost, never both), with one closing stage change, at
most one contract, and rollups that match the facts.
"""

import threading

import pytest

import wire  # noqa: F401
from capture_org import Org, Stage, make
from wire import body, op_id

DEALS = 40


@pytest.fixture(scope="module")
def org(paced):
    o = Org(paced)
    yield o
    o.close()


def test_a_rep_and_their_manager_close_the_same_deals_at_once(org):
    cust = org.customer("r1")
    deals = [org.deal("r1", cust.id, amount=100000 + k) for k in range(DEALS)]
    # Different users: different pool connections (ids are consecutive).
    assert org.ids["r1"] != org.ids["m1"]
    rep, mgr = org.c("r1"), org.c("m1")
    got_rep, got_mgr = [], []
    go = threading.Barrier(2, timeout=60)

    # One deal at a time, both writers released together: each write is a
    # transaction of its own (a batch with a failing neighbour is re-run,
    # which would hide a race), and the two overlap.
    def run(c, kind, out, **extra):
        for d in deals:
            f = make(kind, client_op_id=op_id(), id=d.id, **extra)
            go.wait()
            out.append(c.call(f, timeout=60))

    t = [threading.Thread(target=run, args=(rep, "deal_win", got_rep)),
         threading.Thread(target=run, args=(mgr, "deal_lose", got_mgr),
                          kwargs={"reason": "Competitor"})]
    for x in t:
        x.start()
    for x in t:
        x.join(120)
    assert len(got_rep) == DEALS and len(got_mgr) == DEALS

    won = lost = 0
    for d, w, l in zip(deals, got_rep, got_mgr):
        kinds = (body(w), body(l))
        # Exactly one of the two closed it; the other was told it is closed.
        assert sorted(kinds) == ["deal", "error"], (d.id, w, l)
        loser = w if body(w) == "error" else l
        assert loser.error.message.startswith("deal %d is " % d.id), loser
        final = w.deal if body(w) == "deal" else l.deal
        want = Stage.Value("WON") if body(w) == "deal" else Stage.Value("LOST")
        assert final.stage == want
        won += body(w) == "deal"
        lost += body(l) == "deal"
        stored = org.sql("SELECT stage FROM pace.opportunity WHERE id = %d"
                         % d.id)
        assert stored == ("won" if body(w) == "deal" else "lost")
    ids = ",".join(str(d.id) for d in deals)
    assert org.count("contract", "opp_id IN (%s)" % ids) == won
    assert org.count("stage_change", "opp_id IN (%s) AND to_stage IN "
                     "('won', 'lost')" % ids) == DEALS
    assert org.rollups_consistent()
    print("write races: %d won by the rep, %d lost by the manager" % (won,
                                                                    lost))
