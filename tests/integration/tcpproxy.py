"""A small pausable TCP proxy for fault-injection tests (STYLE.md R17).

It stands between paced and PostgreSQL, or between a client and paced, on
127.0.0.1, and can, at any moment:

- pause() / resume(): stall the link. Bytes are held, not dropped; the
  sockets stay open, so neither side sees anything but silence (a
  partition). New connections are accepted but stalled too.
- refuse(True): reset every new connection at once (the peer looks down).
- cut(): close every open connection cleanly (FIN both ways).
- reset(): close every open connection with a TCP reset (RST both ways).
- tap: a function called with (link, direction, data) for every chunk
  before it is forwarded; it may return RESET_AFTER (forward this chunk,
  then reset the link), RESET_NOW (reset without forwarding it), DROP
  (swallow it) or None (forward). direction is
  "up" (client to server) or "down" (server to client).

PgWatch below parses the PostgreSQL frontend protocol on the "up" side to
find the Sync that ends a pipeline containing a given prepared statement:
the moment paced asks PostgreSQL to commit a write batch.

Threads, not asyncio: a handful of links, and the tests stay synchronous.
"""

import select
import socket
import struct
import threading
import time

RESET_AFTER = "reset-after"
RESET_NOW = "reset-now"
DROP = "drop"


def _rst(sock):
    """Close with a TCP reset instead of a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class Link:
    """One proxied connection: client socket `a`, server socket `b`."""

    def __init__(self, proxy, a, b, n):
        self.proxy = proxy
        self.a = a
        self.b = b
        self.n = n
        self.closed = False
        self.state = {}  # for taps
        self.bytes_up = 0
        self.bytes_down = 0
        self.lock = threading.Lock()

    def close(self, rst=False):
        with self.lock:
            if self.closed:
                return
            self.closed = True
        for s in (self.a, self.b):
            if rst:
                _rst(s)
            else:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                try:
                    s.close()
                except OSError:
                    pass
        self.proxy._forget(self)

    def _pump(self):
        """Forward both directions until either side closes."""
        p = self.proxy
        socks = [self.a, self.b]
        try:
            while not self.closed:
                with p.cond:
                    while p.paused and not self.closed:
                        p.cond.wait(0.05)
                if self.closed:
                    return
                try:
                    r, _, _ = select.select(socks, [], [], 0.05)
                except (OSError, ValueError):
                    return
                for s in r:
                    # A pause that began meanwhile holds this chunk back.
                    with p.cond:
                        while p.paused and not self.closed:
                            p.cond.wait(0.05)
                    if self.closed:
                        return
                    try:
                        data = s.recv(65536)
                    except OSError:
                        data = b""
                    if not data:
                        self.close()
                        return
                    up = s is self.a
                    action = None
                    if p.tap:
                        action = p.tap(self, "up" if up else "down", data)
                    if action == DROP:
                        continue
                    if action == RESET_NOW:
                        p.resets_done += 1
                        self.close(rst=True)
                        return
                    try:
                        (self.b if up else self.a).sendall(data)
                    except OSError:
                        self.close()
                        return
                    if up:
                        self.bytes_up += len(data)
                    else:
                        self.bytes_down += len(data)
                    if action == RESET_AFTER:
                        p.resets_done += 1
                        self.close(rst=True)
                        return
        finally:
            if not self.closed:
                self.close()


class TcpProxy:
    def __init__(self, target_port, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(256)
        self.port = self.lsock.getsockname()[1]
        self.cond = threading.Condition()
        self.paused = False
        self.refusing = False
        self.tap = None
        self.links = []
        self.accepted = 0
        self.resets_done = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    # -- controls -----------------------------------------------------------
    def pause(self):
        with self.cond:
            self.paused = True
            self.cond.notify_all()

    def resume(self):
        with self.cond:
            self.paused = False
            self.cond.notify_all()

    def refuse(self, on=True):
        self.refusing = on

    def cut(self):
        for link in list(self.links):
            link.close()

    def reset(self):
        for link in list(self.links):
            link.close(rst=True)

    def open_links(self):
        with self.cond:
            return len(self.links)

    def stop(self):
        self.stopping = True
        try:
            self.lsock.close()
        except OSError:
            pass
        self.resume()
        self.reset()
        self.thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- internals ------------------------------------------------------------
    def _forget(self, link):
        with self.cond:
            if link in self.links:
                self.links.remove(link)

    def _accept_loop(self):
        while not self.stopping:
            try:
                a, _ = self.lsock.accept()
            except OSError:
                return
            if self.refusing:
                _rst(a)
                continue
            try:
                b = socket.create_connection(self.target, timeout=5)
            except OSError:
                _rst(a)
                continue
            for s in (a, b):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s.settimeout(None)
            with self.cond:
                self.accepted += 1
                link = Link(self, a, b, self.accepted)
                self.links.append(link)
            threading.Thread(target=link._pump, daemon=True).start()


class PgWatch:
    """A tap that parses PostgreSQL frontend messages going up and calls
    on_sync(link, names) when a Sync ends a pipeline segment whose Binds
    used prepared statements `names`. on_sync returns a tap action
    (RESET_AFTER to reset the link right after the Sync is forwarded).

    Messages split across chunks are handled; the action applies to the
    chunk that completes the Sync (the Sync is its last message in practice:
    libpq flushes at each sync)."""

    SSL_REQUEST = 80877103
    GSS_REQUEST = 80877104

    def __init__(self, on_sync):
        self.on_sync = on_sync

    def __call__(self, link, direction, data):
        if direction != "up":
            return None
        st = link.state.setdefault("pg", {"buf": b"", "startup": True,
                                          "binds": []})
        st["buf"] += data
        action = None
        buf = st["buf"]
        while True:
            if st["startup"]:
                if len(buf) < 8:
                    break
                n = struct.unpack(">I", buf[:4])[0]
                if len(buf) < n:
                    break
                code = struct.unpack(">I", buf[4:8])[0]
                buf = buf[n:]
                if code not in (self.SSL_REQUEST, self.GSS_REQUEST):
                    st["startup"] = False
                continue
            if len(buf) < 5:
                break
            kind = buf[:1]
            n = struct.unpack(">I", buf[1:5])[0]
            if len(buf) < 1 + n:
                break
            body = buf[5:1 + n]
            buf = buf[1 + n:]
            if kind == b"B":
                portal_end = body.index(b"\0")
                stmt_end = body.index(b"\0", portal_end + 1)
                st["binds"].append(
                    body[portal_end + 1:stmt_end].decode(errors="replace"))
            elif kind == b"S":
                names, st["binds"] = st["binds"], []
                a = self.on_sync(link, names)
                if a:
                    action = a
        st["buf"] = buf
        return action


def wait_until(pred, timeout=10.0, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None
