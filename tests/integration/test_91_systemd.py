"""paced under systemd (deploy/paced.service), without systemd running:

- the unit passes `systemd-analyze verify`, is Type=notify with reload by
  SIGHUP, a dedicated user, a state directory and the usual hardening, and
  `systemd-analyze security` rates it well;
- the notify protocol as systemd sees it, on a NOTIFY_SOCKET of our own:
  READY=1 only once paced listens *and* a database connection is up (held
  back while PostgreSQL refuses the pool), RELOADING=1 then READY=1 on
  SIGHUP, STOPPING=1 on SIGTERM; no READY=1 at all when paced cannot listen.
"""

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import time

import pytest

from pacedproc import DIE_WITH_PARENT, FAST_HASH, paced_binary, run_init
from tcpproxy import TcpProxy

SRC = os.environ.get("PACE_SOURCE_DIR",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
UNIT = os.path.join(SRC, "deploy", "paced.service")


def unit_settings(path=UNIT):
    """{key: [values]} of the unit's [Service] section."""
    out, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line
                continue
            if section == "[Service]":
                k, _, v = line.partition("=")
                out.setdefault(k, []).append(v)
    return out


def test_unit_file_contents():
    s = unit_settings()
    assert s["Type"] == ["notify"]
    assert s["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert s["ExecStart"] == ["/usr/sbin/paced"]
    assert s["User"] == ["pace"] and s["Group"] == ["pace"]
    assert s["StateDirectory"] == ["pace"]
    assert "PACE_DATA_DIR=/var/lib/pace" in s["Environment"]
    # paced stops its embedded PostgreSQL itself.
    assert s["KillMode"] == ["mixed"]
    for k, v in {"NoNewPrivileges": "yes", "ProtectSystem": "strict",
                 "ProtectHome": "yes", "PrivateTmp": "yes",
                 "PrivateDevices": "yes", "ProtectKernelTunables": "yes",
                 "ProtectControlGroups": "yes", "RestrictSUIDSGID": "yes",
                 "LockPersonality": "yes",
                 "CapabilityBoundingSet": ""}.items():
        assert s.get(k) == [v], "%s=%s expected" % (k, v)


@pytest.fixture
def unit_copy(tmp_path):
    """The unit with ExecStart pointing at the paced under test (verify
    checks that the program exists)."""
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze not installed")
    with open(UNIT) as f:
        text = f.read().replace("/usr/sbin/paced", paced_binary())
    path = tmp_path / "paced.service"
    path.write_text(text)
    return path


def test_unit_verifies(unit_copy):
    r = subprocess.run(["systemd-analyze", "verify", str(unit_copy)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "paced.service" not in r.stdout + r.stderr, r.stdout + r.stderr


def test_unit_security_exposure(unit_copy):
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes",
                        str(unit_copy)], capture_output=True, text=True,
                       timeout=60)
    m = re.search(r"Overall exposure level for paced\.service: ([\d.]+)",
                  r.stdout)
    assert m, r.stdout + r.stderr
    # 10 is a service with no sandboxing at all; "OK" is below 4.
    assert float(m.group(1)) <= 3.0, r.stdout


class Notify:
    """A NOTIFY_SOCKET: collects the datagrams paced sends."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(self.path)
        self.got = []
        self.pids = set()

    def recv(self, timeout):
        self.sock.settimeout(timeout)
        creds = struct.calcsize("3i")
        try:
            msg, anc, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(creds))
        except socket.timeout:
            return None
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                self.pids.add(struct.unpack("3i", data[:creds])[0])
        msg = msg.decode()
        self.got.append(msg)
        return msg

    def close(self):
        self.sock.close()


def start(conninfo, notify, logpath, *extra):
    env = dict(os.environ, NOTIFY_SOCKET=notify.path)
    log = open(logpath, "w")
    p = subprocess.Popen(
        DIE_WITH_PARENT + [paced_binary(), "--db", conninfo, "--config-file=",
                           "--log-level", "debug", *FAST_HASH, *extra],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
        env=env)
    log.close()
    return p


def log_has(logpath, pattern):
    with open(logpath, errors="replace") as f:
        return re.search(pattern, f.read(), re.M)


def wait_log(logpath, pattern, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = log_has(logpath, pattern)
        if m:
            return m
        time.sleep(0.05)
    return None


def test_ready_only_when_listening_and_connected(pg, tmp_path):
    db = pg.createdb()
    r = run_init(pg.conninfo(db))
    assert r.returncode == 0, r.stderr
    notify = Notify(tmp_path / "notify.sock")
    logpath = tmp_path / "paced.log"
    with TcpProxy(pg.port) as proxy:
        # The first connection (migrations, at start) goes through; then
        # PostgreSQL "refuses" every new one until we say so.
        def tap(link, direction, data):
            if link.n == 1:
                proxy.refuse(True)
            return None
        proxy.tap = tap
        conninfo = "host=127.0.0.1 port=%d dbname=%s user=postgres " \
                   "connect_timeout=5" % (proxy.port, db)
        p = start(conninfo, notify, logpath, "--listen", "127.0.0.1:0",
                  "--pg-reconnect-max-ms", "300")
        try:
            assert wait_log(logpath, r"listening on", 30), \
                open(logpath).read()
            assert wait_log(logpath, r"db#1: connection lost|db#1: connect",
                            10), open(logpath).read()
            # Listening, but no database connection: not ready.
            assert notify.recv(1.5) is None, notify.got
            assert not log_has(logpath, r"ready port=")
            proxy.refuse(False)
            assert notify.recv(20) == "READY=1", open(logpath).read()
            assert log_has(logpath, r"ready port=\d+")
            assert log_has(logpath, r"db#\d: connected")

            p.send_signal(signal.SIGHUP)
            assert notify.recv(10) == "RELOADING=1"
            assert notify.recv(10) == "READY=1"
            p.send_signal(signal.SIGTERM)
            assert notify.recv(10) == "STOPPING=1"
            assert p.wait(timeout=30) == 0
            # NotifyAccess=main: every message came from paced itself.
            assert notify.pids == {p.pid}
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            notify.close()


def test_no_ready_when_it_cannot_listen(pg, tmp_path):
    db = pg.createdb()
    assert run_init(pg.conninfo(db)).returncode == 0
    notify = Notify(tmp_path / "notify.sock")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    logpath = tmp_path / "paced.log"
    p = start(pg.conninfo(db), notify, logpath, "--listen",
              "127.0.0.1:%d" % busy.getsockname()[1])
    try:
        assert p.wait(timeout=30) == 1
        assert log_has(logpath, r"listen on .*address already in use")
        while notify.recv(0.2) is not None:
            pass
        assert "READY=1" not in notify.got
    finally:
        busy.close()
        notify.close()
