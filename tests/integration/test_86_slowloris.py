"""Fault 5: 2,000 connections dribbling bytes (slowloris).

A separate process opens 2,000 connections and sends each one byte every
half second of a frame that would never be complete before the deadline (a
header announcing 4,000 bytes). Meanwhile a normal client pings.

Promised: each dribbling connection is closed at the handshake deadline
(--handshake-timeout-s 3; the deadline is checked once a second, so between
3 and about 4.5 s after it connected), with the reason logged; and the
normal client's median ping latency under that load stays within 1.5x of
its median without it, measured in this same test (200 pings each; the
unloaded median is the mean of one run before and one after the load).
With two CPUs or more, the dribbling process runs on a CPU of its own and
paced and the measuring client on another, in both measurements: the
dribblers stand for laptops elsewhere, and what is measured is paced's
work for them, not the load generator's share of the machine.
"""

import json
import os
import statistics
import subprocess
import sys
import time

import wire
from pacedproc import ADMIN, ADMIN_PASSWORD

N = 2000
DEADLINE_S = 3
PINGS = 200

# The dribbling clients, in a process of their own so that they do not
# compete with the measuring client for the interpreter.
DRIBBLER = r"""
import json, selectors, socket, struct, sys, time
port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
payload = struct.pack(">I", 4000) + b"\x08\x01" + b"\x00" * 4000
sel = selectors.DefaultSelector()
conns = {}
for i in range(n):
    s = socket.socket()
    s.bind(("127.0.86.%d" % (1 + i % 250), 0))
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    conns[s] = [time.monotonic(), None, 0]     # opened, closed, bytes sent
    sel.register(s, selectors.EVENT_READ)
print("open", flush=True)
end = time.monotonic() + hold
next_tick = time.monotonic()
while time.monotonic() < end and any(v[1] is None for v in conns.values()):
    now = time.monotonic()
    if now >= next_tick:
        for s, v in conns.items():
            if v[1] is None:
                try:
                    s.send(payload[v[2]:v[2] + 1])
                    v[2] += 1
                except OSError:
                    v[1] = now
        next_tick = now + 0.5
    for key, _ in sel.select(timeout=0.05):
        s = key.fileobj
        v = conns[s]
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data and v[1] is None:
            v[1] = time.monotonic()
            sel.unregister(s)
print(json.dumps([[v[0], v[1], v[2]] for v in conns.values()]), flush=True)
"""


def ping_median(c, n=PINGS, gap=0.003):
    """Median ping round trip, the pings spread over about a second (so
    that they meet the dribblers' sends)."""
    lat = []
    for _ in range(n):
        t0 = time.perf_counter()
        c.ping()
        lat.append(time.perf_counter() - t0)
        time.sleep(gap)
    return statistics.median(lat)


def pin(pid, cpu):
    """Keep a process (every thread of it) on one CPU."""
    for tid in os.listdir("/proc/%d/task" % pid):
        os.sched_setaffinity(int(tid), {cpu})


def test_dribbling_connections_are_closed_at_the_deadline(paced_factory):
    srv = paced_factory(extra=["--handshake-timeout-s", str(DEADLINE_S),
                               "--max-clients", "10000"])
    c = wire.connect(srv.port, ADMIN, ADMIN_PASSWORD)
    # The dribblers stand for 2,000 laptops elsewhere: on a machine of two
    # CPUs or more they get a CPU of their own, and paced and the measuring
    # client share the other, in both measurements. What is measured is
    # then paced's work for the dribblers, not the load generator's CPU.
    cpus = sorted(os.sched_getaffinity(0))
    mine = os.sched_getaffinity(0)
    if len(cpus) >= 2:
        pin(srv.pid, cpus[0])
        pin(os.getpid(), cpus[0])
    ping_median(c, 50)                          # warm up
    unloaded = ping_median(c)
    mark = srv.log_mark()

    p = subprocess.Popen(
        [sys.executable, "-c", DRIBBLER, str(srv.port), str(N), "15"],
        stdout=subprocess.PIPE, text=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, {cpus[-1]}))
        if len(cpus) >= 2 else None)
    try:
        assert p.stdout.readline().strip() == "open"
        t_open = time.monotonic()
        time.sleep(0.3)
        loaded = ping_median(c)
        loaded_in = time.monotonic() - t_open
        out, _ = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    lives = json.loads(out.strip().splitlines()[-1])
    assert len(lives) == N
    still_open = [x for x in lives if x[1] is None]
    assert not still_open, "%d connections never closed" % len(still_open)
    durations = sorted(closed - opened for opened, closed, _ in lives)
    assert durations[0] >= DEADLINE_S - 0.1, durations[:5]
    assert durations[-1] <= DEADLINE_S + 2.0, durations[-5:]
    # Each had been dribbling all along (a byte every half second).
    assert min(x[2] for x in lives) >= 2 * DEADLINE_S - 1
    # One logged reason each.
    closed = srv.log_matches(r"closed: handshake not finished in %ds"
                             % DEADLINE_S, start=mark)
    assert len(closed) >= N, len(closed)
    # The measuring client measured while all of them were open.
    assert loaded_in < DEADLINE_S, loaded_in
    after = ping_median(c)
    unloaded = (unloaded + after) / 2
    ratio = loaded / unloaded
    print("slowloris: %d connections closed after %.2f-%.2f s; ping median "
          "%.0f us unloaded, %.0f us loaded (x%.2f)" % (
              N, durations[0], durations[-1], unloaded * 1e6, loaded * 1e6,
              ratio))
    assert ratio <= 1.5, "ping median %.0f us under load vs %.0f us" % (
        loaded * 1e6, unloaded * 1e6)
    c.ping()
    c.close()
    os.sched_setaffinity(0, mine)
