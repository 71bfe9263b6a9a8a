"""Handshake: Hello/Welcome, the protocol version check, and the
per-connection log line written when a connection closes."""

import re

import wire
from wire import Client, expect, expect_error


def test_welcome_has_version_and_limits(paced):
    with Client(paced.port) as c:
        w = expect(c.hello(client_name="pytest 1.0"), "welcome")
        assert w.protocol_version == 1
        assert w.server_name.startswith("paced ")
        assert w.max_frame_bytes == 1024 * 1024
        assert w.max_frame_bytes_preauth == 4096
        assert w.idle_timeout_s == 300
        # The connection stays usable after the handshake.
        c.ping()


def test_ping_is_served_before_hello(paced):
    with Client(paced.port) as c:
        c.ping(sent_at=777)
        expect(c.hello(), "welcome")


def test_wrong_protocol_version_is_refused_and_closed(paced):
    for version in (2, 0, 0xFFFFFFFF):
        with Client(paced.port) as c:
            r = c.hello(version=version)
            err = expect_error(r, "INVALID_ARGUMENT", field="protocol_version")
            assert str(version) in err.message
            # Then the server closes the connection, whatever we send.
            try:
                c.send(wire.make("ping", sent_at=1))
            except OSError:
                pass
            assert c.is_closed(timeout=5), "server kept the connection open"


def _peer(c):
    return "127.0.0.1:%d" % c.sock.getsockname()[1]


def test_closed_connection_is_logged_with_id_and_reason(paced):
    with Client(paced.port) as c:
        expect(c.hello(), "welcome")
        c.ping()
        peer = _peer(c)
    # "c#<id> <peer>: closed: <reason>", one line per disconnect.
    m = paced.wait_log(r"c#\d+ %s: closed: (\S.*)$" % re.escape(peer),
                       timeout=5)
    assert m, "no 'c#N %s: closed: reason' line in paced's log" % peer
    assert m.group(1) == "client closed the connection"

    # A connection the server closes gets its reason logged too.
    with Client(paced.port) as c:
        peer = _peer(c)
        expect_error(c.hello(version=9), "INVALID_ARGUMENT")
        assert c.is_closed(timeout=5)
    assert paced.wait_log(r"c#\d+ %s: clos(ed|ing): .*protocol version 9"
                          % re.escape(peer), timeout=5), \
        "the reason for closing was not logged"
    assert paced.wait_log(r"c#\d+ %s: closed: " % re.escape(peer),
                          timeout=5)
