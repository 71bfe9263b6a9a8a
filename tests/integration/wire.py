"""A tiny Pace wire client for the tests: 4-byte big-endian length, then one
protobuf Frame (proto/frame.proto). Requests may be pipelined; responses may
come back in any order and carry their request's id; pushes (and errors about
the stream itself) carry id 0.
"""

import socket
import struct
import time
import uuid

import frame_pb2
import session_pb2

Frame = frame_pb2.Frame
ErrorCode = session_pb2.ErrorCode
Role = session_pb2.Role


class Closed(Exception):
    """The server closed the connection."""


def op_id():
    return str(uuid.uuid4())


def body(frame):
    """Name of the frame's body field, e.g. 'pong' or 'error'."""
    return frame.WhichOneof("body")


def make(kind, /, **fields):
    """A Frame whose body is the request `kind` (a Frame body field name,
    e.g. 'office_add') with the given fields."""
    f = Frame()
    sub = getattr(f, kind)
    sub.SetInParent()
    for k, v in fields.items():
        setattr(sub, k, v)
    return f


def encode(frame):
    data = frame.SerializeToString()
    return struct.pack(">I", len(data)) + data


def code_name(code):
    return ErrorCode.Name(code)


def expect_error(frame, code, field=None):
    """Assert frame is an Error with this code (name or number)."""
    if isinstance(code, str):
        code = ErrorCode.Value(code)
    assert body(frame) == "error", "expected error %s, got %s" % (
        code_name(code), frame)
    assert frame.error.code == code, "expected %s, got %s (%s)" % (
        code_name(code), code_name(frame.error.code), frame.error.message)
    if field is not None:
        assert frame.error.field == field, \
            "expected field %r, got %r" % (field, frame.error.field)
    return frame.error


def expect(frame, name):
    """Assert the frame's body is `name`; return the body message."""
    got = body(frame)
    if got != name:
        detail = ""
        if got == "error":
            detail = " (%s: %s)" % (code_name(frame.error.code),
                                    frame.error.message)
        raise AssertionError("expected %s, got %s%s" % (name, got, detail))
    return getattr(frame, name)


class Client:
    def __init__(self, port, host="127.0.0.1", source=None, timeout=5.0):
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if source:
            # Any 127.x.y.z reaches loopback: a distinct client address.
            self.sock.bind((source, 0))
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.buf = bytearray()
        self.next_id = 1
        self.waiting = {}   # id -> frame that arrived before it was asked for
        self.pushes = []    # frames with id 0
        self.token = None
        self.eof = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- raw I/O -------------------------------------------------------------
    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, frame):
        self.send_raw(encode(frame))

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no frame from the server in time")
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError("no frame from the server in time")
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
            raise Closed()
        self.buf += chunk

    def recv(self, timeout=None):
        """The next frame; raises Closed at EOF, TimeoutError on timeout."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.buf) < 4:
            self._fill(deadline)
        n = struct.unpack(">I", bytes(self.buf[:4]))[0]
        while len(self.buf) < 4 + n:
            self._fill(deadline)
        f = Frame()
        f.ParseFromString(bytes(self.buf[4:4 + n]))
        del self.buf[:4 + n]
        return f

    def recv_until_closed(self, timeout=None):
        """Frames received until the server closes; TimeoutError if it
        does not close within timeout."""
        frames = []
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            try:
                frames.append(self.recv(max(0.001,
                                            deadline - time.monotonic())))
            except Closed:
                return frames

    def is_closed(self, timeout=2.0):
        """True if the server closes the connection within timeout
        (frames that arrive meanwhile are dropped)."""
        try:
            self.recv_until_closed(timeout)
            return True
        except TimeoutError:
            return False

    # -- requests ------------------------------------------------------------
    def assign_id(self, frame):
        frame.id = self.next_id
        self.next_id += 1
        return frame.id

    def wait_for(self, rid, timeout=None):
        """The response with id rid; other frames are kept for later."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while rid not in self.waiting:
            f = self.recv(max(0.001, deadline - time.monotonic()))
            if f.id == 0:
                self.pushes.append(f)
            else:
                assert f.id not in self.waiting, \
                    "two responses for id %d" % f.id
                self.waiting[f.id] = f
        return self.waiting.pop(rid)

    def call(self, frame, timeout=None):
        """Send frame with a fresh id; return the response with that id."""
        rid = self.assign_id(frame)
        self.send(frame)
        return self.wait_for(rid, timeout)

    def rpc(self, kind, /, **fields):
        """call() with a frame built by make(kind, **fields)."""
        return self.call(make(kind, **fields))

    def hello(self, version=1, client_name="pytest"):
        return self.rpc("hello", protocol_version=version,
                        client_name=client_name)

    def login(self, user, password):
        r = self.rpc("login", user=user, password=password)
        if body(r) == "login_ok":
            self.token = r.login_ok.token
        return r

    def ping(self, sent_at=12345):
        r = self.rpc("ping", sent_at=sent_at)
        pong = expect(r, "pong")
        assert pong.sent_at == sent_at
        return pong


def connect(port, user=None, password=None, source=None, timeout=5.0):
    """A connected client past Hello and, given a user, logged in."""
    c = Client(port, source=source, timeout=timeout)
    w = c.hello()
    expect(w, "welcome")
    if user is not None:
        r = c.login(user, password)
        expect(r, "login_ok")
    return c
