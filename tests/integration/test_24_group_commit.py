"""Group commit under many concurrent writers: every acknowledged write is
in the database (also when paced is killed mid-stream), bad writes in the
same batches fail alone, and writes really are committed together (rows
share transaction ids: count(DISTINCT xmin) < rows)."""

import re
import signal
import threading
import time
import urllib.request

import pytest

import wire
from capture_org import PASSWORD, Org, make, now_us
from pacedproc import poll
from wire import expect, op_id

CLIENTS = 32
PER_CLIENT = 100
BAD_EVERY = 20          # every 20th write of a client is refused (future at)

# Prometheus metrics on a port of the server's choosing (its log names it).
PACED_ARGS = ("--metrics-listen", "127.0.0.1:0")
METRICS_RE = re.compile(r"metrics on http://\S+ \(port (\d+)\)")


def batch_counters(paced):
    """(batches, items) of group commit from /metrics, or None when this
    paced serves no metrics."""
    m = paced.wait_log(METRICS_RE, timeout=0.1)
    if m is None:
        return None
    url = "http://127.0.0.1:%s/metrics" % m.group(1)
    with urllib.request.urlopen(url, timeout=10) as r:
        text = r.read().decode()
    get = lambda name: int(float(re.search(  # noqa: E731
        r"^%s (\S+)$" % name, text, re.M).group(1)))
    return get("pace_db_batches_total"), get("pace_db_batch_items_total")


@pytest.fixture(scope="module")
def org(paced):
    o = Org(paced)
    yield o
    o.close()


def add_reps(org, n, prefix):
    adm = org.c("admin")
    logins = []
    for k in range(n):
        login = "%s%s%02d" % (prefix, org.tag, k)
        expect(adm.rpc("user_add", client_op_id=op_id(), login=login,
                       name=login, role=wire.Role.Value("REP"),
                       team=org.team("A"), password=PASSWORD), "user")
        logins.append(login)
    return logins


def connect_all(port, logins):
    """Log every writer in and give it a customer, one after the other
    (many logins at once can outlast the handshake deadline on a busy
    machine; the writes are what runs concurrently)."""
    clients = {}
    for login in logins:
        c = wire.connect(port, login, PASSWORD, timeout=120)
        cust = expect(c.rpc("customer_add", client_op_id=op_id(),
                            name="GC " + login), "customer")
        clients[login] = (c, cust.id)
    return clients


def writer(c, login, cust_id, n, out, errors, live=None):
    """Log n activities pipelined on one connection; record acks."""
    try:
        frames, bad = [], set()
        for k in range(n):
            at = 0
            if k % BAD_EVERY == BAD_EVERY - 1:
                at = now_us() + 3600 * 10 ** 6
            f = make("activity_log", client_op_id=op_id(), kind=1 + k % 4,
                     customer_id=cust_id, at=at, note="%s #%d" % (login, k))
            rid = c.assign_id(f)
            if at:
                bad.add(rid)
            frames.append((rid, f))
        c.send_raw(b"".join(wire.encode(f) for _, f in frames))
        acked, refused = [], 0
        for rid, _ in frames:
            try:
                r = c.wait_for(rid)
            except (wire.Closed, TimeoutError, OSError):
                break                       # the server went away
            if rid in bad:
                assert wire.body(r) == "error" and r.error.field == "at", r
                refused += 1
            else:
                acked.append(expect(r, "activity").id)
                if live is not None:
                    live.append(acked[-1])
        out[login] = (cust_id, acked, refused)
    except Exception as e:  # noqa: BLE001  (reported by the main thread)
        errors.append("%s: %r" % (login, e))
    finally:
        c.close()


def run_writers(port, logins, n):
    clients = connect_all(port, logins)
    out, errors = {}, []
    threads = [threading.Thread(target=writer, args=(c, login, cust, n, out,
                                                     errors))
               for login, (c, cust) in clients.items()]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return out, errors, time.monotonic() - t0


def test_every_acknowledged_write_is_stored(org):
    logins = add_reps(org, CLIENTS, "gc")
    counters0 = batch_counters(org.paced)
    out, errors, secs = run_writers(org.paced.port, logins, PER_CLIENT)
    counters1 = batch_counters(org.paced)
    assert not errors, errors
    acked = [i for _, ids, _ in out.values() for i in ids]
    per_client_good = PER_CLIENT - PER_CLIENT // BAD_EVERY
    assert len(acked) == CLIENTS * per_client_good
    assert all(r == PER_CLIENT // BAD_EVERY for _, _, r in out.values())
    ids = ",".join(map(str, acked))
    assert org.count("activity", "id IN (%s)" % ids) == len(acked)
    custs = ",".join(str(c) for c, _, _ in out.values())
    assert org.count("activity", "customer_id IN (%s)" % custs) == len(acked)
    # Group commit: the rows share far fewer transactions than there are.
    xacts = int(org.sql("SELECT count(DISTINCT xmin::text) FROM pace.activity "
                        "WHERE id IN (%s)" % ids))
    print("\n%d writes from %d clients in %.2f s (%.0f acknowledged/s), "
          "%d transactions" % (len(acked), CLIENTS, secs, len(acked) / secs,
                               xacts))
    assert xacts < len(acked) / 2, "writes were not batched"
    if counters0 and counters1:
        batches = counters1[0] - counters0[0]
        items = counters1[1] - counters0[1]
        print("group commit: %d items in %d batches" % (items, batches))
        assert items >= len(acked) and items > 2 * batches
    # Rollups: one call/visit/email/meeting per acknowledged write.
    assert int(org.sql(
        "SELECT sum(calls + visits + emails + meetings) FROM pace.rollup_day r"
        " JOIN pace.app_user u ON u.id = r.user_id WHERE u.login LIKE 'gc%s%%'"
        % org.tag)) == len(acked)
    assert org.rollups_consistent()


def test_acknowledged_writes_survive_a_killed_server(org, paced_factory):
    srv = paced_factory(expect_exit=None)
    o = Org(srv)
    logins = add_reps(o, 8, "kill")
    o.close()
    clients = connect_all(srv.port, logins)
    out, errors, live = {}, [], []
    threads = [threading.Thread(target=writer, args=(c, login, cust, 200, out,
                                                     errors, live))
               for login, (c, cust) in clients.items()]
    for t in threads:
        t.start()
    # Kill it while writes are being committed: once some have been
    # acknowledged (a user's pipelined writes commit in a few large
    # batches, so rows in the table do not mean answers received yet).
    assert poll(lambda: len(live) > 50, timeout=60)
    stored = o.count("activity", "note LIKE 'kill%%'")
    srv.signal(signal.SIGKILL)
    print("killed with %d acknowledged, %d stored, %d of %d not yet stored"
          % (len(live), stored, 8 * 200 - stored, 8 * 200))
    for t in threads:
        t.join(120)
    # Connection errors while connecting are fine; lost acks are not.
    acked = [i for _, ids, _ in out.values() for i in ids]
    assert acked, errors
    assert o.count("activity", "id IN (%s)" % ",".join(
        map(str, acked))) == len(acked)
