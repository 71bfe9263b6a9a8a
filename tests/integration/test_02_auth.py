"""Login, Resume, Logout, the login gate, and the throttling of repeated
failed logins (with its audit rows)."""

import itertools

from pacedproc import ADMIN, ADMIN_PASSWORD, poll
from wire import Client, Role, connect, expect, expect_error, op_id

# Every client that fails a login on purpose comes from its own loopback
# address: paced also throttles by address, and these tests are about the
# account (and must not lock the admin out of 127.0.0.1).
_sources = itertools.count(11)


def fresh_source():
    return "127.0.0.%d" % next(_sources)


def test_login_success(paced):
    with Client(paced.port) as c:
        expect(c.hello(), "welcome")
        ok = expect(c.login(ADMIN, ADMIN_PASSWORD), "login_ok")
        assert len(ok.token) == 43
        assert ok.expires_at > 0
        assert ok.identity.login == ADMIN
        assert ok.identity.role == Role.Value("ADMIN")
        assert ok.identity.org == "Test"
        assert ok.identity.user_id > 0
        who = expect(c.rpc("whoami"), "identity")
        assert who.login == ADMIN and who.role == Role.Value("ADMIN")
    # Logins are case-insensitive.
    with connect(paced.port, ADMIN.upper(), ADMIN_PASSWORD):
        pass


def test_wrong_password_and_unknown_user_look_the_same(paced):
    with Client(paced.port, source=fresh_source()) as c:
        expect(c.hello(), "welcome")
        wrong = expect_error(c.login(ADMIN, "not-the-password"),
                             "UNAUTHENTICATED")
        unknown = expect_error(c.login("nobody-here", "not-the-password"),
                               "UNAUTHENTICATED")
        assert wrong.message == unknown.message
        assert wrong.field == unknown.field
        # Still not logged in.
        expect_error(c.rpc("whoami"), "UNAUTHENTICATED")


def test_resume_on_a_new_connection(paced):
    with connect(paced.port, ADMIN, ADMIN_PASSWORD) as first:
        token = first.token
    with Client(paced.port) as c:
        expect(c.hello(), "welcome")
        ok = expect(c.rpc("resume", token=token), "login_ok")
        assert ok.identity.login == ADMIN
        assert ok.identity.role == Role.Value("ADMIN")
        who = expect(c.rpc("whoami"), "identity")
        assert who.login == ADMIN
        expect(c.rpc("office_list"), "office_list_reply")


def test_resume_with_a_bad_token(paced):
    with Client(paced.port) as c:
        expect(c.hello(), "welcome")
        expect_error(c.rpc("resume", token="x" * 43), "UNAUTHENTICATED")
        expect_error(c.rpc("resume", token="short"), "UNAUTHENTICATED")
        expect_error(c.rpc("office_list"), "UNAUTHENTICATED")


def test_logout_revokes_the_token(paced):
    c = connect(paced.port, ADMIN, ADMIN_PASSWORD)
    token = c.token
    with c:
        expect(c.rpc("logout"), "ok")
        # This connection is logged out as well.
        expect_error(c.rpc("office_list"), "UNAUTHENTICATED")
    with Client(paced.port) as c2:
        expect(c2.hello(), "welcome")
        expect_error(c2.rpc("resume", token=token), "UNAUTHENTICATED")
        expect_error(c2.rpc("whoami"), "UNAUTHENTICATED")


def test_requests_before_login_are_refused(paced):
    with Client(paced.port) as c:
        # Before Hello ...
        expect_error(c.rpc("office_list"), "UNAUTHENTICATED")
        expect_error(c.rpc("whoami"), "UNAUTHENTICATED")
        expect(c.hello(), "welcome")
        # ... and after it.
        for name in ("office_list", "team_list", "user_list", "whoami",
                     "logout"):
            expect_error(c.rpc(name), "UNAUTHENTICATED")
        expect_error(c.rpc("office_add", client_op_id=op_id(), name="X"),
                     "UNAUTHENTICATED")
        # The connection still works: log in now.
        expect(c.login(ADMIN, ADMIN_PASSWORD), "login_ok")
        expect(c.rpc("office_list"), "office_list_reply")


def test_login_before_hello_is_invalid(paced):
    with Client(paced.port) as c:
        expect_error(c.login(ADMIN, ADMIN_PASSWORD), "INVALID_ARGUMENT")
        expect_error(c.rpc("resume", token="x" * 43), "INVALID_ARGUMENT")
        expect(c.hello(), "welcome")
        expect(c.login(ADMIN, ADMIN_PASSWORD), "login_ok")


def test_repeated_failures_throttle_the_account(paced, admin):
    tag = op_id()[:8]
    expect(admin.rpc("office_add", client_op_id=op_id(),
                     name="Throttle " + tag), "office")
    expect(admin.rpc("team_add", client_op_id=op_id(),
                     name="Throttle team " + tag,
                     office="Throttle " + tag), "team")
    login = "victim-" + tag
    password = "victim-password"
    user = expect(admin.rpc("user_add", client_op_id=op_id(), login=login,
                            name="Victim", role=Role.Value("REP"),
                            team="Throttle team " + tag, password=password),
                  "user")
    assert user.login == login and user.role == Role.Value("REP")

    # login_max_failures defaults to 5.
    for _ in range(5):
        with Client(paced.port, source=fresh_source()) as c:
            expect(c.hello(), "welcome")
            expect_error(c.login(login, "wrong-password"), "UNAUTHENTICATED")

    # The next try waits, even with the right password.
    with Client(paced.port, source=fresh_source()) as c:
        expect(c.hello(), "welcome")
        err = expect_error(c.login(login, password), "RESOURCE_EXHAUSTED")
        assert err.retry_after_ms > 0
        expect_error(c.rpc("whoami"), "UNAUTHENTICATED")

    # Other accounts are not affected.
    with connect(paced.port, ADMIN, ADMIN_PASSWORD):
        pass

    uid = user.id
    failed = paced.psql("SELECT count(*) FROM pace.audit_log "
                        "WHERE action = 'login_failed' AND actor_id = %d"
                        % uid)
    assert int(failed) == 5
    # The throttled attempt is recorded too (written asynchronously).
    throttled = poll(lambda: int(paced.psql(
        "SELECT count(*) FROM pace.audit_log "
        "WHERE action = 'login_throttled' "
        "AND after->>'detail' = '%s'" % login)) >= 1)
    assert throttled, "no login_throttled row in pace.audit_log"

