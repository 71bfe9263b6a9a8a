"""Fault 4: a client partitioned from the server for longer than the
heartbeat (the idle timeout).

A rep's client (a push subscriber) and the rep's `pace` CLI reach paced
through a TcpProxy. The proxy then stalls every byte and resets new
connections, as a dead Wi-Fi would, for longer than --idle-timeout-s.
Meanwhile the rep writes with the CLI (queued in the offline outbox) and
the manager adds a late deal for the rep, which raises an alert.

Promised: paced frees the silent connection (one logged reason); once the
network is back the client reconnects, resumes its session, resumes its
subscription from the last sequence number it saw and gets a fresh snapshot
plus exactly the alerts it missed (once each, nothing it had already); and
`pace sync` sends the outbox once: each offline write is stored exactly
once, and a second sync sends nothing.
"""

import re
import time

import pytest

import kpi_pb2
import wire
from faults import PASSWORD
from pacecli import PaceCli
from pacedproc import ADMIN, ADMIN_PASSWORD, poll
from tcpproxy import TcpProxy
from wire import expect, op_id

IDLE_S = 2


def heartbeat(c, seconds, until=None):
    """Ping every 0.3 s (a ping's wait collects the pushes that arrive
    meanwhile) for `seconds`, or until until() is true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        c.ping()
        if until and until():
            return True
        time.sleep(0.3)
    c.ping()
    return until() if until else None


def subscribe(c, scope, resume_from=0):
    f = wire.make("subscribe", resume_from=resume_from)
    f.subscribe.scope.CopyFrom(scope)
    return expect(c.call(f), "subscribed")


def alerts(c):
    return [p.push for p in c.pushes
            if wire.body(p) == "push" and p.push.WhichOneof("body") ==
            "alert"]


def snapshots(c):
    return [p.push for p in c.pushes
            if wire.body(p) == "push" and p.push.WhichOneof("body") ==
            "snapshot"]


@pytest.fixture
def setup(paced_factory):
    srv = paced_factory(extra=["--idle-timeout-s", str(IDLE_S),
                               "--alert-interval-s", "1"])
    proxy = TcpProxy(srv.port)
    try:
        yield srv, proxy
    finally:
        proxy.stop()


def test_partitioned_client_resumes(setup, tmp_path):
    srv, proxy = setup
    tag = op_id()[:5]
    rep, mgr = "rep" + tag, "mgr" + tag
    with wire.connect(srv.port, ADMIN, ADMIN_PASSWORD) as adm:
        expect(adm.rpc("office_add", client_op_id=op_id(), name="O" + tag),
               "office")
        expect(adm.rpc("team_add", client_op_id=op_id(), name="T" + tag,
                       office="O" + tag), "team")
        for login, role in ((rep, "REP"), (mgr, "MANAGER")):
            expect(adm.rpc("user_add", client_op_id=op_id(), login=login,
                           name=login, role=wire.Role.Value(role),
                           team="T" + tag, password=PASSWORD), "user")
    m = wire.connect(srv.port, mgr, PASSWORD)
    cust = expect(m.rpc("customer_add", client_op_id=op_id(),
                        name="Customer " + tag, owner=rep), "customer")
    m.close()
    cli = PaceCli(tmp_path, proxy.port)
    cli.login(rep, PASSWORD)

    def late_deal(title):
        """The manager adds a deal for the rep, expected to close long
        ago: the alert timer raises close_passed for the rep."""
        with wire.connect(srv.port, mgr, PASSWORD) as mc:
            expect(mc.rpc("deal_add", client_op_id=op_id(), title=title,
                          customer_id=cust.id, amount=1000, owner=rep,
                          expected_close="2020-01-01"), "deal")

    # The subscriber, through the proxy.
    c = wire.connect(proxy.port, rep, PASSWORD)
    token = c.token
    scope = kpi_pb2.Scope(kind=kpi_pb2.SCOPE_USER, name=rep)
    sub = subscribe(c, scope)
    late_deal("Late one " + tag)
    assert heartbeat(c, 15, lambda: alerts(c)), "no alert before the cut"
    assert snapshots(c), "no first snapshot"
    seen = alerts(c)
    last_seq = max(max(a.seq for a in seen), sub.seq)

    # --- the partition ------------------------------------------------------
    mark = srv.log_mark()
    proxy.pause()
    proxy.refuse(True)
    t_cut = time.monotonic()
    for i in range(3):
        r = cli.run("customer", "add", "Offline %s %d" % (tag, i))
        assert r.returncode == 0, r.stderr
        assert "queued offline (%d pending)" % (i + 1) in r.stderr, r.stderr
    late_deal("Late two " + tag)
    # The alert is raised (stored) while the client cannot hear it.
    assert poll(lambda: int(srv.psql(
        "SELECT count(*) FROM pace.alert WHERE title LIKE '%%Late two " +
        tag + "%%'")) == 1, timeout=15)
    # paced frees the silent connection.
    m_idle = srv.wait_log(r"c#(\d+) \S+ %s: closed: idle for %ds"
                          % (re.escape(rep), IDLE_S), start=mark, timeout=10)
    assert m_idle, "the partitioned connection was not closed"
    freed_after = time.monotonic() - t_cut
    time.sleep(max(0, IDLE_S + 1 - (time.monotonic() - t_cut)))

    # --- the network is back -------------------------------------------------
    proxy.refuse(False)
    proxy.resume()
    assert c.is_closed(timeout=5), "the old connection still looks open"
    c.close()
    c2 = wire.Client(proxy.port)
    expect(c2.hello(), "welcome")
    expect(c2.rpc("resume", token=token), "login_ok")
    subscribe(c2, scope, resume_from=last_seq)
    heartbeat(c2, 3)
    missed = alerts(c2)
    titles = [a.alert.title for a in missed]
    assert len(missed) == 1 and "Late two" in titles[0], titles
    assert all(a.seq > last_seq for a in missed)
    assert len(snapshots(c2)) >= 1, "no fresh snapshot after resuming"
    c2.close()

    # --- the outbox goes out once -----------------------------------------------
    r = cli.ok("sync")
    assert "Synced: 3 sent, 0 rejected, 0 still pending." in r.stdout, \
        r.stdout
    q = ("SELECT count(*) FROM pace.customer WHERE name = 'Offline %s %d'")
    for i in range(3):
        assert int(srv.psql(q % (tag, i))) == 1, r.stderr
    assert cli.json("outbox") == []
    r = cli.ok("sync")
    assert "Synced: 0 sent, 0 rejected, 0 still pending." in r.stdout
    for i in range(3):
        assert int(srv.psql(q % (tag, i))) == 1
    print("partition: connection freed %.1f s after the cut; %d alert "
          "missed and delivered on resume" % (freed_after, len(missed)))
