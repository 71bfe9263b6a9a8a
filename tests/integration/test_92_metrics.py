"""Prometheus metrics on metrics_listen (server/metrics_http.c).

- GET /metrics is valid Prometheus text (every sample under its TYPE,
  histograms cumulative with _count equal to the +Inf bucket) and holds
  every metric operators need;
- counters move with what happens: connections, requests and errors by
  type, latency, writes acknowledged, batch sizes, database round trips,
  pushes, subscriptions, the NOTIFY queue sample;
- the responder is small and safe: 404 elsewhere, 405 for other methods,
  HEAD, an oversized request head (431), a stalled one (closed after a
  deadline), too many at once, and none of it blocks the clients' port.
"""

import re
import socket
import time

import pytest

from capture_org import Org
from pacedproc import ADMIN, ADMIN_PASSWORD, poll
from wire import connect, expect, expect_error, make, op_id

PACED_ARGS = ["--metrics-listen", "127.0.0.1:0", "--rate-limit-rps", "0"]

REQUIRED = {
    "pace_connections": "gauge",
    "pace_connections_opened_total": "counter",
    "pace_requests_received_total": "counter",
    "pace_requests_total": "counter",
    "pace_request_errors_total": "counter",
    "pace_errors_total": "counter",
    "pace_request_seconds": "histogram",
    "pace_writes_committed_total": "counter",
    "pace_db_batch_size": "histogram",
    "pace_db_txn_seconds": "histogram",
    "pace_db_connections": "gauge",
    "pace_db_connections_ready": "gauge",
    "pace_db_queue": "gauge",
    "pace_db_inflight": "gauge",
    "pace_db_listen_up": "gauge",
    "pace_leader": "gauge",
    "pace_pushes_total": "counter",
    "pace_pushes_dropped_total": "counter",
    "pace_subscriptions": "gauge",
    "pace_subscriber_queue_bytes": "gauge",
    "pace_subscriber_queue_bytes_max": "gauge",
    "pace_alerts_total": "counter",
    "pace_notify_queue_usage": "gauge",
    "pace_build_info": "gauge",
}

SAMPLE_RE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})?'
    r' (-?[0-9.e+-]+|\+Inf|NaN)$')


@pytest.fixture(scope="module")
def mport(paced):
    m = paced.wait_log(r"metrics on http://\S+ \(port (\d+)\)", timeout=5)
    assert m, "paced did not say where metrics are"
    return int(m.group(1))


def http(port, raw, timeout=5.0):
    """Send raw bytes; return (status, headers dict, body) once the
    server closes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(raw)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in
               (line.partition(":") for line in lines[1:])}
    return status, headers, body


def get(port, path="/metrics"):
    return http(port, ("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())


def parse(text):
    """{family: type} and {(name, labels): value}, checking the format."""
    types, samples = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert name not in types, "TYPE twice for " + name
            types[name] = kind
            continue
        if line.startswith("#") or not line:
            continue
        m = SAMPLE_RE.match(line)
        assert m, "not a Prometheus sample: %r" % line
        name = m.group(1)
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in types or family in types, "no TYPE for " + line
        samples[(name, m.group(2) or "")] = float(m.group(3))
    return types, samples


def scrape(port):
    status, headers, body = get(port)
    assert status == 200
    assert headers["content-type"].startswith("text/plain; version=0.0.4")
    assert int(headers["content-length"]) == len(body)
    return parse(body.decode())


def value(samples, name, labels=""):
    return samples.get((name, labels), 0.0)


def check_histograms(types, samples):
    for fam, kind in types.items():
        if kind != "histogram":
            continue
        groups = {}
        for (name, labels), v in samples.items():
            if name == fam + "_bucket":
                rest = re.sub(r',?le="[^"]*"', "", labels)
                le = re.search(r'le="([^"]*)"', labels).group(1)
                groups.setdefault(rest, []).append(
                    (float("inf") if le == "+Inf" else float(le), v))
        assert groups, "histogram %s has no buckets" % fam
        for rest, buckets in groups.items():
            buckets.sort()
            counts = [v for _, v in buckets]
            assert counts == sorted(counts), "%s not cumulative" % fam
            assert buckets[-1][0] == float("inf")
            count = samples[(fam + "_count", rest if rest != "{}" else "")]
            assert count == counts[-1], fam


def test_scrape_is_valid_and_complete(paced, mport):
    # The NOTIFY queue gauge appears with the first sample (within 1 s).
    assert poll(lambda: "pace_notify_queue_usage" in scrape(mport)[0],
                timeout=10)
    types, samples = scrape(mport)
    for name, kind in REQUIRED.items():
        assert types.get(name) == kind, "%s (%s) missing" % (name, kind)
    check_histograms(types, samples)
    assert value(samples, "pace_db_listen_up") == 1
    assert value(samples, "pace_leader") == 1  # the only instance
    assert 0 <= value(samples, "pace_notify_queue_usage") < 0.5
    assert value(samples, "pace_db_connections_ready") == \
        value(samples, "pace_db_connections") > 0


def test_counters_follow_the_traffic(paced, mport):
    _, before = scrape(mport)
    org = Org(paced)
    try:
        c = connect(paced.port, ADMIN, ADMIN_PASSWORD)
        with c:
            _, during = scrape(mport)
            assert value(during, "pace_connections") >= \
                value(before, "pace_connections") + 1
            for _ in range(5):
                expect(c.rpc("whoami"), "identity")
            for _ in range(3):
                expect(c.rpc("office_list"), "office_list_reply")
            # Refused before any work, and refused by the database.
            expect_error(c.call(make("user_add", login="")),
                         "INVALID_ARGUMENT")
            expect_error(c.rpc("office_add", client_op_id=op_id(),
                               name="HQ-" + org.tag), "CONFLICT")
        # Writes, group-committed and acknowledged; a subscription with
        # its snapshot push.
        for _ in range(3):
            org.won_deal("r1", amount=50000)
        d1 = org.c("d1")
        f = make("subscribe", period="")
        f.subscribe.scope.kind = 4  # the org
        expect(d1.call(f), "subscribed")
        push = d1.pushes[0] if d1.pushes else d1.recv(timeout=10)
        assert push.id == 0 and push.WhichOneof("body") == "push"
        _, after = poll(lambda: (lambda r: r if value(
            r[1], "pace_pushes_total") > value(before, "pace_pushes_total")
            else None)(scrape(mport)), timeout=10)
        assert value(after, "pace_subscriptions") >= 1
    finally:
        org.close()
    d = lambda name, labels="": value(after, name, labels) - \
        value(before, name, labels)  # noqa: E731
    assert d("pace_requests_received_total", '{type="whoami"}') >= 5
    assert d("pace_requests_received_total", '{type="user_add"}') >= 1
    assert d("pace_requests_total", '{type="office_list"}') >= 3
    assert d("pace_request_errors_total", '{type="office_add"}') >= 1
    assert any(k[0] == "pace_errors_total" and v > value(before, *k)
               for k, v in after.items())
    assert d("pace_request_seconds_count") >= 4
    assert d("pace_writes_committed_total") >= 9  # customer, deal, win
    assert d("pace_db_batch_size_count") >= 1
    assert d("pace_db_batch_size_sum") >= d("pace_db_batch_size_count")
    assert d("pace_db_txn_seconds_count", '{kind="read"}') >= 1
    assert d("pace_db_txn_seconds_count", '{kind="write"}') >= 1
    assert d("pace_db_txn_seconds_sum", '{kind="write"}') > 0
    assert d("pace_pushes_total") >= 1
    assert d("pace_connections_opened_total") >= 2


def test_http_edges(paced, mport):
    status, _, body = get(mport, "/")
    assert status == 404 and b"/metrics" in body
    status, _, _ = get(mport, "/metrics/x")
    assert status == 404
    status, _, _ = get(mport, "/metrics?name[]=pace_connections")
    assert status == 200
    status, headers, _ = http(mport, b"POST /metrics HTTP/1.1\r\n"
                              b"Content-Length: 0\r\n\r\n")
    assert status == 405 and headers["allow"] == "GET, HEAD"
    status, headers, body = http(mport, b"HEAD /metrics HTTP/1.1\r\n\r\n")
    assert status == 200 and body == b"" and \
        int(headers["content-length"]) > 1000
    status, _, _ = http(mport, b"nonsense\r\n\r\n")
    assert status == 400
    # HTTP/1.0 and bare LF line ends are fine.
    status, _, _ = http(mport, b"GET /metrics HTTP/1.0\n\n")
    assert status == 200
    # A request head that fills the 8 KiB buffer: refused, not buffered.
    head = b"GET /metrics HTTP/1.1\r\nX: "
    status, _, _ = http(mport, head + b"a" * (8191 - len(head)))
    assert status == 431
    # Far past it: refused too (the reset of unread input may eat the 431).
    try:
        status, _, _ = http(mport, head + b"a" * 100000)
    except (ConnectionResetError, BrokenPipeError):
        status = None
    assert status in (431, None)
    assert get(mport)[0] == 200


def test_slow_and_many_scrapers_do_not_hurt(paced, mport):
    c = connect(paced.port, ADMIN, ADMIN_PASSWORD)
    hogs = []
    try:
        # Half a request, then silence: closed after the deadline.
        slow = socket.create_connection(("127.0.0.1", mport), timeout=15)
        slow.sendall(b"GET /metr")
        # Many idle connections at once: beyond the cap they are closed
        # at once; the ones under it wait for their deadline.
        for _ in range(60):
            hogs.append(socket.create_connection(("127.0.0.1", mport)))
        # Clients are served meanwhile: the loop is not blocked.
        t0 = time.monotonic()
        for _ in range(20):
            c.ping()
        assert time.monotonic() - t0 < 2
        closed_now = 0
        for h in hogs:
            h.settimeout(0.5)
            try:
                if h.recv(1) == b"":
                    closed_now += 1
            except socket.timeout:
                pass
        assert closed_now >= 20, "the connection cap did not apply"
        t0 = time.monotonic()
        assert slow.recv(100) == b""
        assert time.monotonic() - t0 < 8
    finally:
        for h in hogs:
            h.close()
        c.close()
    # Once they are gone, scraping works again.
    assert poll(lambda: get(mport)[0] == 200, timeout=10)
    assert paced.alive()
