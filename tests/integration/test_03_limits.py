"""Frame limits and bad input: pipelining, oversized and zero length
prefixes (refused before buffering, without disturbing other clients or
growing memory), the pre-login limit, and random garbage."""

import random
import struct

import pytest

import wire
from pacedproc import ADMIN, ADMIN_PASSWORD
from wire import connect, expect, expect_error

# 1,000 requests in one burst are more than the default per-session rate
# limit (burst 400) allows; that limit is not what these tests are about.
PACED_ARGS = ["--rate-limit-burst", "100000"]

PREAUTH = 4096
POSTAUTH = 1024 * 1024


def padded(frame, total):
    """frame serialized and padded with an unknown field to exactly total
    bytes (a valid Frame that paced must accept or refuse by size alone)."""
    data = frame.SerializeToString()
    key = bytes([0xC2, 0x3E])  # field 1000, wire type 2 (length-delimited)
    for n in range(total, 0, -1):
        ln = _varint(n)
        if len(data) + len(key) + len(ln) + n == total:
            out = data + key + ln + b"\0" * n
            assert len(out) == total
            return struct.pack(">I", total) + out
    raise AssertionError("cannot pad to %d" % total)


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def refused(c, code, timeout=5):
    """The frames the server sends until it closes: exactly one Error with
    this code (id 0: it is about the stream, not a request)."""
    frames = c.recv_until_closed(timeout)
    errors = [f for f in frames if wire.body(f) == "error"]
    assert len(errors) == 1, "expected one error frame, got %s" % frames
    expect_error(errors[0], code)
    assert errors[0].id == 0
    return errors[0].error


def test_pipelined_pings(paced):
    n = 1000
    for logged_in in (False, True):
        c = connect(paced.port, ADMIN if logged_in else None, ADMIN_PASSWORD)
        with c:
            first = c.next_id
            ids = list(range(first, first + n))
            burst = b"".join(wire.encode(wire.Frame(
                id=i, ping=wire.session_pb2.Ping(sent_at=i * 7)))
                for i in ids)
            c.send_raw(burst)  # one write
            seen = {}
            while len(seen) < n:
                f = c.recv(timeout=10)
                assert f.id not in seen, "id %d answered twice" % f.id
                pong = expect(f, "pong")
                assert pong.sent_at == f.id * 7
                seen[f.id] = True
            assert sorted(seen) == ids
            # Nothing more is coming, and the connection still works.
            c.next_id = first + n
            c.ping()


def _other_client_works(paced, other):
    other.ping()
    expect(other.rpc("whoami"), "identity")


@pytest.mark.parametrize("logged_in", [False, True])
def test_huge_length_prefix_is_refused_before_buffering(paced, logged_in):
    other = connect(paced.port, ADMIN, ADMIN_PASSWORD)
    rss_before = paced.rss_kib()
    with other, connect(paced.port, ADMIN if logged_in else None,
                        ADMIN_PASSWORD) as c:
        c.send_raw(struct.pack(">I", 0x7FFFFFFF))
        try:
            c.send_raw(b"\xAB" * 65536)  # the start of a "body"
        except OSError:
            pass  # already closed: fine
        err = refused(c, "RESOURCE_EXHAUSTED")
        assert str(0x7FFFFFFF) in err.message
        # Another client is not disturbed.
        _other_client_works(paced, other)
    rss_after = paced.rss_kib()
    # Nothing near the declared 2 GiB (nor even 32 MiB) was allocated.
    assert rss_after - rss_before < 32 * 1024, (rss_before, rss_after)
    assert paced.alive()


def test_limits_at_and_over_the_edge(paced):
    # Before login: exactly the pre-login limit is accepted ...
    with connect(paced.port) as c:
        c.send_raw(padded(wire.Frame(id=5, ping=wire.session_pb2.Ping(
            sent_at=5)), PREAUTH))
        assert expect(c.recv(), "pong").sent_at == 5
        # ... one byte more is refused and the connection closed.
        c.send_raw(padded(wire.Frame(id=6, ping=wire.session_pb2.Ping(
            sent_at=6)), PREAUTH + 1))
        err = refused(c, "RESOURCE_EXHAUSTED")
        assert "4097" in err.message
    # After login the pre-login limit no longer applies ...
    with connect(paced.port, ADMIN, ADMIN_PASSWORD) as c:
        c.send_raw(padded(wire.Frame(id=50, ping=wire.session_pb2.Ping(
            sent_at=50)), PREAUTH + 1))
        assert expect(c.recv(), "pong").sent_at == 50
        c.send_raw(padded(wire.Frame(id=51, ping=wire.session_pb2.Ping(
            sent_at=51)), POSTAUTH))
        assert expect(c.recv(timeout=10), "pong").sent_at == 51
        # ... but the post-login one does.
        c.send_raw(struct.pack(">I", POSTAUTH + 1))
        refused(c, "RESOURCE_EXHAUSTED")
    with connect(paced.port, ADMIN, ADMIN_PASSWORD) as c:
        c.ping()


def test_zero_length_prefix_is_refused(paced):
    for logged_in in (False, True):
        with connect(paced.port, ADMIN if logged_in else None,
                     ADMIN_PASSWORD) as c:
            c.send_raw(b"\0\0\0\0")
            refused(c, "INVALID_ARGUMENT")


# Frame body field numbers of the requests (proto/frame.proto).
_REQUEST_FIELDS = [f.number for f in wire.Frame.DESCRIPTOR.fields
                   if f.name in ("hello", "login", "resume", "logout", "ping",
                                 "whoami", "office_add", "office_list",
                                 "team_add", "team_list", "user_add",
                                 "user_list")]


def _garbage(seed):
    """Random bytes. Seeds not divisible by 3 send frames with plausible
    length prefixes instead: random bodies, and Frames with a real request
    field holding a few random bytes, so the garbage reaches the protobuf
    decoder, the dispatcher and the handlers before it ends in noise."""
    rng = random.Random(seed)

    def rand(n):
        return bytes(rng.getrandbits(8) for _ in range(n))

    if seed % 3 == 0:
        return rand(4096)
    out = bytearray()
    for i in range(60):
        if rng.random() < 0.05:
            data = rand(rng.randint(1, 200))
        else:
            inner = rand(rng.choice((0, 0, 0, 0, 0, 2, 3, 8)))
            data = (b"\x08" + _varint(i + 1) +
                    _varint(rng.choice(_REQUEST_FIELDS) << 3 | 2) +
                    _varint(len(inner)) + inner)
        out += struct.pack(">I", len(data)) + data
    return bytes(out + rand(16))


@pytest.mark.parametrize("seed", range(1, 9))
def test_garbage_closes_the_connection_only(paced, seed):
    logged_in = seed > 4
    with connect(paced.port, ADMIN if logged_in else None,
                 ADMIN_PASSWORD) as c:
        try:
            c.send_raw(_garbage(seed))
        except OSError:
            pass
        assert c.is_closed(timeout=5), "garbage did not close the connection"
    assert paced.alive()
    with connect(paced.port, ADMIN, ADMIN_PASSWORD) as c:
        c.ping()
