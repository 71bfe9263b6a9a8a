"""Fault 3: the link between paced and PostgreSQL is reset right when a
write batch is committed.

paced talks to PostgreSQL through a TcpProxy that parses the frontend
protocol. Writes are group-committed in the pipeline's implicit
transaction: the Sync that ends the batch is the COMMIT. Two variants:

- reset_after_sync: the link is reset right after the proxy forwards the
  Sync of a batch holding the write (the commit may or may not happen);
- answer_lost: the Sync is forwarded, PostgreSQL commits and answers, and
  the proxy drops the answer (up to ReadyForQuery, which PostgreSQL sends
  only after the commit) and resets the link: committed, never confirmed.

Promised: the client's write, re-sent with the same op id until answered,
ends as exactly one row, and every answer it gets for that op id (paced's
own retry, the client's retries) is the same answer.
"""

import pytest

import capture_pb2
import wire
from faults import small_org, start_paced
from pacedproc import poll
from tcpproxy import DROP, RESET_AFTER, RESET_NOW, PgWatch, TcpProxy
from wire import expect, op_id

READY_FOR_QUERY = b"Z\x00\x00\x00\x05"


class CommitReset:
    """The tap: arm(), then the next Sync after a Bind of `stmt` fires."""

    def __init__(self, stmt, mode):
        self.stmt = stmt
        self.mode = mode
        self.armed = False
        self.fired = 0
        self.watch = PgWatch(self.on_sync)

    def on_sync(self, link, names):
        if not self.armed or self.stmt not in names:
            return None
        self.armed = False
        self.fired += 1
        if self.mode == "reset_after_sync":
            return RESET_AFTER
        link.state["lose_answer"] = b""
        return None

    def __call__(self, link, direction, data):
        if direction == "down" and "lose_answer" in link.state:
            link.state["lose_answer"] += data
            if READY_FOR_QUERY in link.state["lose_answer"]:
                return RESET_NOW     # committed; the answer never arrives
            return DROP
        return self.watch(link, direction, data)


@pytest.fixture
def setup(pg):
    proxy = TcpProxy(pg.port)
    # Installed before paced connects: the watch follows each link from
    # its startup message on.
    proxy.tap = CommitReset("activity_log", None)
    srv = start_paced(
        pg, lambda db: "host=127.0.0.1 port=%d dbname=%s user=postgres "
        "connect_timeout=5" % (proxy.port, db), "test_84_commit_reset")
    try:
        yield proxy, srv
    finally:
        proxy.stop()
        assert srv.check_exit() == 0


def strip_id(frame):
    f = wire.Frame()
    f.CopyFrom(frame)
    f.id = 0
    return f.SerializeToString()


@pytest.mark.parametrize("mode", ["reset_after_sync", "answer_lost"])
def test_commit_then_reset(setup, mode):
    proxy, srv = setup
    (login, cust), = small_org(srv.port, 1)
    from faults import PASSWORD
    c = wire.connect(srv.port, login, PASSWORD, timeout=30)
    tap = proxy.tap
    tap.mode = mode
    note = "commit-reset-" + mode
    frame = wire.make("activity_log", client_op_id=op_id(),
                      customer_id=cust, note=note,
                      kind=capture_pb2.ActivityKind.Value("VISIT"))
    mark = srv.log_mark()
    tap.armed = True
    answers = []
    first = c.call(frame, timeout=30)
    answers.append(first)
    assert tap.fired == 1, "the write's COMMIT never went through the proxy"
    # The client re-sends until it has an answer ...
    while wire.body(answers[-1]) == "error":
        err = answers[-1].error
        assert wire.code_name(err.code) in ("UNAVAILABLE",), err
        answers.append(c.call(frame, timeout=30))
    ok = answers[-1]
    expect(ok, "activity")
    # ... and once more, as a client that never got the answer would.
    again = c.call(frame, timeout=30)
    assert strip_id(again) == strip_id(ok), (again, ok)
    assert int(srv.psql("SELECT count(*) FROM pace.activity WHERE note = "
                        "'%s'" % note)) == 1
    assert int(srv.psql("SELECT id FROM pace.activity WHERE note = '%s'"
                        % note)) == ok.activity.id
    # paced saw the link die and got over it.
    assert srv.wait_log(r"db#\d+: connection lost", start=mark)
    assert poll(lambda: srv.log_matches(r"db#\d+: connected", start=mark),
                timeout=10)
    expect(c.rpc("activity_log", client_op_id=op_id(), customer_id=cust,
                 kind=capture_pb2.ActivityKind.Value("CALL"),
                 note="after " + mode), "activity")
    print("%s: first answer %s, %d answers" % (
        mode, wire.body(first), len(answers)))
    c.close()
