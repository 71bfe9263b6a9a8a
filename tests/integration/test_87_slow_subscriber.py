"""Fault 6: a push subscriber that stops reading.

A director follows twenty scopes (user, team, office, org x five periods),
on two connections: one reads everything, the other stops reading (with a
small socket receive buffer, so its backlog reaches paced quickly). A rep
logs activities as fast as paced takes them; each one changes every one of
those scopes, and paced pushes a fresh snapshot of each.

Promised: the silent subscriber is disconnected once its unsent output
passes --outbuf-hard-bytes (or stays above --outbuf-soft-bytes for
--outbuf-soft-seconds), with one logged reason ("too far behind"); what it
holds is bounded (paced's queue by those limits, the kernel's by
--client-sndbuf-bytes); the reading subscriber keeps getting every
snapshot, the writer keeps getting answers, and a ping stays fast.
"""

import datetime
import socket
import time

import pytest

import kpi_pb2
import wire
from faults import PASSWORD, Writer, sanitized
from pacedproc import ADMIN, ADMIN_PASSWORD
from wire import expect, op_id


def periods():
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(
        hours=8)))                                 # Asia/Shanghai
    iso = now.isocalendar()
    return ["%d" % now.year, "%dQ%d" % (now.year, (now.month + 2) // 3),
            "%d-%02d" % (now.year, now.month),
            "%d-W%02d" % (iso[0], iso[1]), now.strftime("%Y-%m-%d")]


class SlowClient(wire.Client):
    """Connects with a tiny receive buffer and will stop reading."""

    def __init__(self, port):
        self.timeout = 10
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        self.buf = bytearray()
        self.next_id = 1
        self.waiting = {}
        self.pushes = []
        self.token = None
        self.eof = False


def follow_all(c, scopes):
    for kind, name in scopes:
        for p in periods():
            f = wire.make("subscribe", period=p)
            f.subscribe.scope.CopyFrom(kpi_pb2.Scope(kind=kind, name=name))
            expect(c.call(f, timeout=20), "subscribed")


@pytest.mark.parametrize("limit", ["hard", "soft"])
def test_a_subscriber_that_stops_reading(paced_factory, limit):
    if limit == "hard":
        args = ["--outbuf-hard-bytes", "65536",
                "--outbuf-soft-bytes", "65536", "--outbuf-soft-seconds",
                "3600"]
    else:
        args = ["--outbuf-hard-bytes", "67108864",
                "--outbuf-soft-bytes", "16384", "--outbuf-soft-seconds", "2"]
    # Without --client-sndbuf-bytes the kernel would first take up to
    # net.ipv4.tcp_wmem's maximum (4 MiB here) of what is not read.
    srv = paced_factory(extra=args + ["--client-sndbuf-bytes", "16384",
                                      "--push-coalesce-ms", "0",
                                      "--max-subscriptions-per-client",
                                      "64"])
    tag = op_id()[:5]
    rep, mgr = "rep" + tag, "dir" + tag
    with wire.connect(srv.port, ADMIN, ADMIN_PASSWORD) as adm:
        expect(adm.rpc("office_add", client_op_id=op_id(), name="O" + tag),
               "office")
        expect(adm.rpc("team_add", client_op_id=op_id(), name="T" + tag,
                       office="O" + tag), "team")
        for login, role, team in ((rep, "REP", "T" + tag),
                                  (mgr, "DIRECTOR", "")):
            expect(adm.rpc("user_add", client_op_id=op_id(), login=login,
                           name=login, role=wire.Role.Value(role),
                           team=team, password=PASSWORD), "user")
    with wire.connect(srv.port, rep, PASSWORD) as rc:
        cust = expect(rc.rpc("customer_add", client_op_id=op_id(),
                             name="C" + tag), "customer")
    scopes = [(kpi_pb2.SCOPE_USER, rep), (kpi_pb2.SCOPE_TEAM, "T" + tag),
              (kpi_pb2.SCOPE_OFFICE, "O" + tag), (kpi_pb2.SCOPE_ORG, "")]

    good = wire.connect(srv.port, mgr, PASSWORD, timeout=20)
    follow_all(good, scopes)
    slow = SlowClient(srv.port)
    expect(slow.hello(), "welcome")
    expect(slow.login(mgr, PASSWORD), "login_ok")
    follow_all(slow, scopes)
    # From here on `slow` reads nothing.
    mark = srv.log_mark()
    rss0 = srv.rss_kib()
    w = Writer(lambda: srv.port, rep, cust.id, "slow")
    w.start()
    got = 0
    t0 = time.monotonic()
    closed = None
    try:
        while time.monotonic() - t0 < 60:
            try:
                f = good.recv(timeout=0.5)
                if wire.body(f) == "push":
                    got += 1
            except TimeoutError:
                pass
            if not closed:
                closed = srv.log_matches(r"closed: too far behind",
                                         start=mark)
                if closed:
                    t_closed, got_at_close = time.monotonic(), got
            elif time.monotonic() - t_closed > 3:
                break
    finally:
        w.stop()
        w.join(timeout=30)
    assert closed, "the silent subscriber was never disconnected (%d snapshots read, %d writes)" % (got, len(w.acked))
    assert len(closed) == 1
    # The reading subscriber kept getting snapshots, also afterwards.
    assert got_at_close > 20 and got > got_at_close, (got_at_close, got)
    assert not w.unexpected and len(w.acked) > 20
    t = time.monotonic()
    good.ping()
    assert time.monotonic() - t < 0.5
    # The backlog was bounded by the limit, not by what the writer made
    # (RSS means nothing under AddressSanitizer: its quarantine keeps
    # freed memory).
    if not sanitized():
        assert srv.rss_kib() - rss0 < 64 * 1024
    if limit == "hard":
        assert srv.log_matches(r"too far behind \(\d+ bytes queued\)$",
                               start=mark)
    else:
        assert srv.log_matches(r"too far behind \(\d+ bytes queued for 2s\)",
                               start=mark)
    # paced closed the socket: the silent client finds EOF after its data.
    slow.sock.settimeout(10)
    try:
        while slow.sock.recv(65536):
            pass
    except ConnectionResetError:
        pass
    slow.close()
    good.close()
    print("slow subscriber (%s limit): closed after %.1f s; the reader got "
          "%d snapshots, the writer %d answers" % (
              limit, t_closed - t0, got, len(w.acked)))
