"""Process lifecycle: SIGTERM with requests in flight (all answered, then
the connection closes and paced exits 0), and `paced init` refusing to run
twice on one database."""

import signal

from pacedproc import ADMIN, ADMIN_PASSWORD, run_init
from wire import Closed, body, connect, encode, expect, make


def test_init_twice_is_refused(paced):
    r = run_init(paced.conninfo, org="Other", admin="other",
                 password="other-password")
    assert r.returncode != 0
    assert "already initialised" in r.stderr, r.stderr
    assert paced.psql("SELECT count(*) FROM pace.org") == "1"
    assert paced.psql("SELECT name FROM pace.org") == "Test"
    assert paced.psql("SELECT count(*) FROM pace.app_user "
                      "WHERE login = 'other'") == "0"
    # The running server is not disturbed.
    with connect(paced.port, ADMIN, ADMIN_PASSWORD) as c:
        expect(c.rpc("whoami"), "identity")


def test_sigterm_answers_requests_in_flight(paced_factory):
    srv = paced_factory()
    c = connect(srv.port, ADMIN, ADMIN_PASSWORD, timeout=20)
    with c:
        n = 200
        frames = []
        kinds = {}
        for i in range(n):
            kind = "office_list" if i % 2 == 0 else "user_list"
            f = make(kind)
            c.assign_id(f)
            kinds[f.id] = kind + "_reply"
            frames.append(encode(f))
        c.send_raw(b"".join(frames))  # one write
        srv.signal(signal.SIGTERM)

        answered = {}
        try:
            while True:
                f = c.recv(timeout=20)
                assert f.id != 0, "unexpected frame %s" % f
                assert f.id not in answered, "id %d answered twice" % f.id
                answered[f.id] = f
        except Closed:
            pass
        missing = sorted(set(kinds) - set(answered))
        assert not missing, "%d requests got no answer, e.g. %s" % (
            len(missing), missing[:5])
        bad = sorted(rid for rid, f in answered.items()
                     if body(f) != kinds[rid])
        assert not bad, "%d of %d requests failed, ids %d..%d, e.g. %s" % (
            len(bad), n, bad[0], bad[-1], answered[bad[0]])
    assert srv.wait(timeout=30) == 0
    assert srv.wait_log(r"shutting down \(SIGTERM\)", timeout=1)
