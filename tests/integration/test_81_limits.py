"""Abuse limits (issue 9): each is a paced option documented in --help, and
hitting it answers RESOURCE_EXHAUSTED or closes the connection with one
logged reason, never disturbing other clients; security events land in
pace.audit_log with the source address.

    limit                              option(s)
    connections per source address     --max-conns-per-addr
    handshake + login deadline         --handshake-timeout-s
    idle timeout after login           --idle-timeout-s
    requests per second per session    --rate-limit-rps, --rate-limit-burst
    concurrent password hashes         --pwhash-concurrency, --pwhash-queue-limit
    failed logins per account/address  --login-max-failures, --login-backoff-max-s
"""

import itertools
import subprocess
import time

import wire
from pacedproc import ADMIN, ADMIN_PASSWORD, paced_binary, poll
from wire import Client, connect, expect, expect_error, op_id

_sources = itertools.count(2)


def fresh_source():
    """A loopback address of its own (127.0.81.x): per-address limits."""
    return "127.0.81.%d" % next(_sources)


def audit_rows(srv, action, addr=None, where="true"):
    q = ("SELECT count(*) FROM pace.audit_log WHERE action = '%s' AND %s"
         % (action, where))
    if addr:
        q += " AND addr = '%s'" % addr
    return int(srv.psql(q))


def wait_audit(srv, action, addr=None, at_least=1, where="true"):
    """Audit rows are written asynchronously: wait for them."""
    return poll(lambda: audit_rows(srv, action, addr, where) >= at_least,
                timeout=5)


def others_unaffected(srv):
    """A client from another address logs in and is served at once."""
    t0 = time.monotonic()
    with connect(srv.port, ADMIN, ADMIN_PASSWORD, source=fresh_source()) as c:
        c.ping()
        expect(c.rpc("whoami"), "identity")
    assert time.monotonic() - t0 < 2.0


def test_every_limit_is_documented_in_help():
    out = subprocess.run([paced_binary(), "--help"], capture_output=True,
                         text=True, check=True).stdout
    for opt in ("max-conns-per-addr", "handshake-timeout-s",
                "idle-timeout-s", "rate-limit-rps", "rate-limit-burst",
                "pwhash-concurrency", "pwhash-queue-limit",
                "login-max-failures", "login-backoff-max-s",
                "max-frame-bytes-preauth", "outbuf-hard-bytes"):
        line = [ln for ln in out.splitlines() if "--" + opt + " " in ln]
        assert line, "--%s is not in paced --help" % opt
        assert len(line[0].split(None, 1)) == 2, "--%s has no help" % opt


def test_connections_per_source_address(paced_factory):
    srv = paced_factory(extra=["--max-conns-per-addr", "3"])
    src = fresh_source()
    first = [connect(srv.port, source=src) for _ in range(3)]
    mark = srv.log_mark()
    extra = Client(srv.port, source=src)
    assert extra.is_closed(timeout=3), "the 4th connection stayed open"
    assert srv.wait_log(r"closed: too many connections from %s \(3\)"
                        % src.replace(".", r"\."), start=mark)
    # The first three and other addresses are not affected.
    for c in first:
        c.ping()
    others_unaffected(srv)
    # One goes: room for one more.
    first.pop().close()
    assert poll(lambda: _opens(srv, src), timeout=3)
    for c in first:
        c.close()
    # Audited once (not once per refused connection), with the address.
    assert wait_audit(srv, "conn_limit", src)
    for _ in range(5):
        Client(srv.port, source=src).close()
    assert audit_rows(srv, "conn_limit", src) == 1


def _opens(srv, src):
    """A new connection from src is served (hello answered)."""
    try:
        with Client(srv.port, source=src, timeout=1) as c:
            return wire.body(c.hello()) == "welcome"
    except (wire.Closed, TimeoutError, OSError):
        return False


def test_handshake_and_login_deadline(paced_factory):
    srv = paced_factory(extra=["--handshake-timeout-s", "2"])
    mark = srv.log_mark()
    slow = Client(srv.port, source=fresh_source())
    expect(slow.hello(), "welcome")     # Hello alone is not enough
    quick = connect(srv.port, ADMIN, ADMIN_PASSWORD, source=fresh_source())
    t0 = time.monotonic()
    assert slow.is_closed(timeout=5)
    assert 1.0 <= time.monotonic() - t0 <= 4.0
    assert srv.wait_log(r"closed: handshake not finished in 2s", start=mark)
    # Logged in in time: the deadline no longer applies.
    time.sleep(0.5)
    quick.ping()
    quick.close()
    others_unaffected(srv)


def test_idle_timeout_after_login(paced_factory):
    srv = paced_factory(extra=["--idle-timeout-s", "2"])
    quiet = connect(srv.port, ADMIN, ADMIN_PASSWORD, source=fresh_source())
    chatty = connect(srv.port, ADMIN, ADMIN_PASSWORD, source=fresh_source())
    w = expect(Client(srv.port).hello(), "welcome")
    assert w.idle_timeout_s == 2        # clients learn the heartbeat
    mark = srv.log_mark()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        chatty.ping()                   # a heartbeat keeps it open
        time.sleep(0.4)
    assert quiet.is_closed(timeout=1)
    assert srv.wait_log(r"closed: idle for 2s", start=mark)
    chatty.ping()
    chatty.close()


def test_requests_per_second_per_session(paced_factory):
    srv = paced_factory(extra=["--rate-limit-rps", "20",
                               "--rate-limit-burst", "20"])
    src = fresh_source()
    hog = connect(srv.port, ADMIN, ADMIN_PASSWORD, source=src)
    other = connect(srv.port, ADMIN, ADMIN_PASSWORD, source=fresh_source())
    ids = []
    burst = b""
    for _ in range(100):
        f = wire.make("whoami")
        ids.append(hog.assign_id(f))
        burst += wire.encode(f)
    hog.send_raw(burst)
    answers = [hog.wait_for(i) for i in ids]
    ok = [a for a in answers if wire.body(a) == "identity"]
    refused = [a for a in answers if wire.body(a) == "error"]
    assert 20 <= len(ok) <= 30, len(ok)
    assert len(ok) + len(refused) == 100
    for a in refused:
        err = expect_error(a, "RESOURCE_EXHAUSTED")
        assert "per second" in err.message
    # Meanwhile another session has its own budget.
    for _ in range(15):
        expect(other.rpc("whoami"), "identity")
    # The connection stays open and recovers once calm.
    time.sleep(1.2)
    expect(hog.rpc("whoami"), "identity")
    # One audit row for the episode, with the address.
    assert wait_audit(srv, "rate_limited", src)
    assert audit_rows(srv, "rate_limited", src) == 1
    hog.close()
    other.close()


def test_concurrent_password_hashes(paced_factory):
    # Costly hashes (the dummy hash unknown logins are checked against is
    # made with these), one at a time, two waiting.
    srv = paced_factory(extra=["--pwhash-concurrency", "1",
                               "--pwhash-queue-limit", "2",
                               "--pwhash-mem-kib", "65536",
                               "--pwhash-ops", "3",
                               "--login-max-failures", "1000"])
    n = 10
    clients = [Client(srv.port, source=fresh_source(), timeout=30)
               for _ in range(n)]
    for c in clients:
        expect(c.hello(), "welcome")
    ids = []
    for i, c in enumerate(clients):
        f = wire.make("login", user="nobody-%d" % i, password="x")
        ids.append(c.assign_id(f))
        c.send(f)
    # While logins queue, other requests are served at once.
    lat = []
    with connect(srv.port) as pinger:
        for _ in range(10):
            t0 = time.monotonic()
            pinger.ping()
            lat.append(time.monotonic() - t0)
    answers = [c.wait_for(i, timeout=30) for c, i in zip(clients, ids)]
    codes = [wire.code_name(a.error.code) for a in answers]
    busy = [a for a in answers
            if a.error.code == wire.ErrorCode.Value("RESOURCE_EXHAUSTED")]
    assert len(busy) >= n - 4, codes      # 1 hashing + 2 waiting (+ slack)
    assert codes.count("UNAUTHENTICATED") >= 1, codes
    for a in busy:
        assert "logins in progress" in a.error.message
    assert max(lat) < 0.5, lat
    assert wait_audit(srv, "login_busy", at_least=len(busy))
    addrs = srv.psql("SELECT string_agg(DISTINCT addr, ',') FROM "
                     "pace.audit_log WHERE action = 'login_busy'")
    assert all(a.startswith("127.0.81.") for a in addrs.split(","))
    for c in clients:
        c.close()


def _try_login(srv, src, user, password):
    """One login attempt on a new connection from src."""
    with Client(srv.port, source=src) as c:
        expect(c.hello(), "welcome")
        return c.login(user, password)


def test_failed_logins_per_address_back_off(paced_factory):
    srv = paced_factory(extra=["--login-max-failures", "3",
                               "--login-backoff-max-s", "4"])
    src = fresh_source()
    # Different unknown accounts from one address, each on a new
    # connection, with pauses: the address is what is throttled, and it is
    # remembered while it has no connection open (the housekeeping timer
    # runs every second).
    fails = 0
    for i in range(3):
        expect_error(_try_login(srv, src, "nobody%d" % i, "x"),
                     "UNAUTHENTICATED")
        fails += 1
        if i < 2:
            time.sleep(1.2)
    err = expect_error(_try_login(srv, src, "nobody9", "x"),
                       "RESOURCE_EXHAUSTED")
    assert 0 < err.retry_after_ms <= 1000, err
    # Even the right password waits: the password is not even checked.
    expect_error(_try_login(srv, src, ADMIN, ADMIN_PASSWORD),
                 "RESOURCE_EXHAUSTED")
    # Other addresses are not affected.
    others_unaffected(srv)
    # After the wait, one more failure doubles it (1 s, then 2 s) ...
    time.sleep(1.1)
    expect_error(_try_login(srv, src, "nobody10", "x"), "UNAUTHENTICATED")
    fails += 1
    err = expect_error(_try_login(srv, src, "nobody11", "x"),
                       "RESOURCE_EXHAUSTED")
    assert 1000 < err.retry_after_ms <= 2000, err
    # ... up to --login-backoff-max-s.
    for _ in range(2):
        time.sleep(err.retry_after_ms / 1000 + 0.1)
        expect_error(_try_login(srv, src, "nobody12", "x"),
                     "UNAUTHENTICATED")
        fails += 1
        err = expect_error(_try_login(srv, src, "nobody13", "x"),
                           "RESOURCE_EXHAUSTED")
    assert 3000 < err.retry_after_ms <= 4000, err
    # A good login after the wait resets the address.
    time.sleep(err.retry_after_ms / 1000 + 0.1)
    expect(_try_login(srv, src, ADMIN, ADMIN_PASSWORD), "login_ok")
    expect_error(_try_login(srv, src, "nobody14", "x"), "UNAUTHENTICATED")
    fails += 1
    expect(_try_login(srv, src, ADMIN, ADMIN_PASSWORD), "login_ok")
    # Every failure and every throttled try is audited with the address.
    assert audit_rows(srv, "login_failed", src) == fails
    assert wait_audit(srv, "login_throttled", src, at_least=5)


def test_failed_logins_per_account_back_off(paced_factory):
    srv = paced_factory(extra=["--login-max-failures", "2",
                               "--login-backoff-max-s", "60"])
    with connect(srv.port, ADMIN, ADMIN_PASSWORD) as adm:
        expect(adm.rpc("office_add", client_op_id=op_id(), name="O"),
               "office")
        expect(adm.rpc("team_add", client_op_id=op_id(), name="T",
                       office="O"), "team")
        expect(adm.rpc("user_add", client_op_id=op_id(), login="victim",
                       name="V", role=wire.Role.Value("REP"), team="T",
                       password="right-password"), "user")
    # Failures from many addresses count against the account.
    for _ in range(2):
        expect_error(_try_login(srv, fresh_source(), "victim", "wrong"),
                     "UNAUTHENTICATED")
    err = expect_error(_try_login(srv, fresh_source(), "victim",
                                  "right-password"), "RESOURCE_EXHAUSTED")
    assert 0 < err.retry_after_ms <= 1000
    time.sleep(err.retry_after_ms / 1000 + 0.1)
    expect_error(_try_login(srv, fresh_source(), "victim", "wrong"),
                 "UNAUTHENTICATED")
    err = expect_error(_try_login(srv, fresh_source(), "victim",
                                  "right-password"), "RESOURCE_EXHAUSTED")
    assert 1000 < err.retry_after_ms <= 2000, err
    # Other accounts, from anywhere, are not affected.
    others_unaffected(srv)
    time.sleep(err.retry_after_ms / 1000 + 0.1)
    expect(_try_login(srv, fresh_source(), "victim", "right-password"),
           "login_ok")
    uid = srv.psql("SELECT id FROM pace.app_user WHERE login = 'victim'")
    assert int(srv.psql(
        "SELECT count(*) FROM pace.audit_log WHERE action = 'login_failed' "
        "AND actor_id = %s AND addr LIKE '127.0.81.%%'" % uid)) == 3
    assert wait_audit(srv, "login_throttled", at_least=2,
                      where="after->>'detail' = 'victim'")


def test_revoked_token_and_denials_are_audited(paced_factory):
    srv = paced_factory()
    src = fresh_source()
    c = connect(srv.port, ADMIN, ADMIN_PASSWORD, source=src)
    token = c.token
    expect(c.rpc("logout"), "ok")
    c.close()
    # Revocation is recorded with the address ...
    assert audit_rows(srv, "logout", src) == 1
    # ... and so is a later use of the revoked token.
    with Client(srv.port, source=src) as c2:
        expect(c2.hello(), "welcome")
        expect_error(c2.rpc("resume", token=token), "UNAUTHENTICATED")
    assert wait_audit(srv, "resume_refused", src)
