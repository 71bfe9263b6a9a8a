"""Scale-out on loopback: deploy/cluster/cluster.sh starts PostgreSQL,
PgBouncer (session pooling), two paced and HAProxy (TCP mode), and the
push and capture checks run through HAProxy:

- the pool connections go through PgBouncer, the LISTEN/leader connection
  (listen_db) straight to PostgreSQL; one instance leads;
- a write on one instance is pushed to a subscriber on the other;
- one instance is killed (SIGKILL): its clients see the connection close,
  reconnect through HAProxy to the survivor, resume their session and
  subscription, and get the alert raised meanwhile (by the survivor, now
  the leader) and a snapshot with what was written meanwhile; a write
  whose answer was lost is retried with the same client_op_id and applied
  once; the survivor takes the leader lock;
- the killed instance comes back and takes clients again.

Skipped when haproxy or pgbouncer is not installed.
"""

import datetime
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import urllib.request
import zoneinfo

import pytest

import wire
from capture_org import PASSWORD, Org
from pacedproc import ADMIN, ADMIN_PASSWORD, FAST_HASH, paced_binary, poll
from pgcluster import free_port, pg_bindir
from wire import Closed, body, expect, op_id

SRC = os.environ.get("PACE_SOURCE_DIR",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(SRC, "deploy", "cluster", "cluster.sh")

pytestmark = pytest.mark.skipif(
    not (shutil.which("haproxy") or os.path.exists("/usr/sbin/haproxy")) or
    not (shutil.which("pgbouncer") or os.path.exists("/usr/sbin/pgbouncer")),
    reason="haproxy and pgbouncer are needed (apt-get install haproxy "
           "pgbouncer)")


class Cluster:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pace-cluster-")
        os.chmod(self.dir, 0o755)  # the postgres user works in it
        ports = set()
        while len(ports) < 7:
            ports.add(free_port())
        ports = sorted(ports)
        self.pg_port, self.bouncer_port, self.port = ports[:3]
        self.paced_ports = ports[3:5]
        self.metrics_ports = ports[5:7]
        self.env = dict(os.environ)
        self.env.update({
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin:" + os.environ["PATH"],
            "PACED": paced_binary(),
            "PG_PORT": str(self.pg_port),
            "BOUNCER_PORT": str(self.bouncer_port),
            "HAPROXY_PORT": str(self.port),
            "PACED_PORTS": " ".join(map(str, self.paced_ports)),
            "METRICS_PORTS": " ".join(map(str, self.metrics_ports)),
            "PACED_EXTRA": " ".join(FAST_HASH + ["--log-level", "debug"]),
            "ADMIN": ADMIN,
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
        })
        self.watchdog = None

    def run(self, *args, check=True, timeout=120):
        r = subprocess.run(["/bin/sh", SCRIPT, *args], env=self.env,
                           capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        if check:
            assert r.returncode == 0, "cluster.sh %s:\n%s%s\n%s" % (
                " ".join(args), r.stdout, r.stderr, self.logs())
        return r

    def up(self):
        # Whatever happens to this process, the cluster is taken down.
        script = "while kill -0 %d 2>/dev/null; do sleep 1; done; %s; " \
                 "rm -rf %s" % (os.getpid(), " ".join(map(shlex.quote, [
                     "/bin/sh", SCRIPT, "down", self.dir])),
                     shlex.quote(self.dir))
        self.watchdog = subprocess.Popen(
            ["/bin/sh", "-c", script], env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        return self.run("up", self.dir, timeout=240)

    def down(self):
        """Stop everything; return sanitizer reports found in paced's logs
        (empty when clean)."""
        r = self.run("down", self.dir, check=False)
        if self.watchdog:
            self.watchdog.kill()
            self.watchdog.wait()
        reports = []
        for n in (1, 2):
            try:
                log = self.log(n)
            except OSError:
                continue
            for marker in ("AddressSanitizer", "LeakSanitizer",
                           "runtime error:"):
                if marker in log:
                    reports.append("paced%d: %s" % (n, log[-4000:]))
        shutil.rmtree(self.dir, ignore_errors=True)
        assert r.returncode == 0, r.stdout + r.stderr
        return reports

    def logs(self):
        out = []
        for name in ("paced1.log", "paced2.log", "init.log", "haproxy.log",
                     "bouncer/pgbouncer.log"):
            try:
                with open(os.path.join(self.dir, name),
                          errors="replace") as f:
                    out.append("--- %s\n%s" % (name, "".join(
                        f.readlines()[-30:])))
            except OSError:
                pass
        return "\n".join(out)

    def log(self, n):
        with open(os.path.join(self.dir, "paced%d.log" % n),
                  errors="replace") as f:
            return f.read()

    def psql(self, sql, port=None, db="pace"):
        p = subprocess.run(
            [os.path.join(pg_bindir(), "psql"), "-X", "-A", "-t", "-q",
             "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
             str(port or self.pg_port), "-U", "postgres", "-d", db,
             "-c", sql], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        return p.stdout.strip()

    def metrics(self, n):
        """{name{labels}: value} of instance n (1-based); None if down."""
        url = "http://127.0.0.1:%d/metrics" % self.metrics_ports[n - 1]
        try:
            with urllib.request.urlopen(url, timeout=3) as r:
                text = r.read().decode()
        except OSError:
            return None
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                k, _, v = line.rpartition(" ")
                out[k] = float(v)
        return out

    def opened(self):
        return [(self.metrics(n) or {}).get(
            "pace_connections_opened_total", -1) for n in (1, 2)]


@pytest.fixture(scope="module")
def cluster():
    c = Cluster()
    try:
        c.up()
        yield c
    finally:
        reports = c.down()
    assert not reports, "\n".join(reports)


class Shim:
    """What capture_org.Org needs of a server: its port and SQL."""

    def __init__(self, cl):
        self.port = cl.port
        self.psql = cl.psql


def connect_on(cl, login, password):
    """Log in through HAProxy; return (client, instance number)."""
    before = cl.opened()
    c = wire.connect(cl.port, login, password, timeout=20)
    after = poll(lambda: (lambda a: a if a != before else None)(
        cl.opened()), timeout=5)
    assert after, "no instance saw the connection"
    n = 1 if after[0] > before[0] else 2
    return c, n


def connect_on_instance(cl, login, password, want, tries=40):
    """Log in through HAProxy until the connection lands on instance want.

    HAProxy balances by least connections: a connection that lands on the
    other instance is held open until the end, so that the other instance
    soon holds more and HAProxy turns to the one wanted."""
    held = []
    try:
        for _ in range(tries):
            c, n = connect_on(cl, login, password)
            if n == want:
                return c
            held.append(c)
    finally:
        for c in held:
            c.close()
    raise AssertionError("HAProxy never chose instance %d" % want)


def subscribe_org(c, resume_from=None):
    """Subscribe to the org's current month; resume_from (even 0) asks
    for the alerts raised since that sequence number first."""
    f = wire.make("subscribe", period="", resume_from=resume_from or 0,
                  resume=resume_from is not None)
    f.subscribe.scope.kind = 4  # the org
    return expect(c.call(f), "subscribed")


def wait_snapshot(c, pred, timeout=15, seen=None):
    """Pushes until a snapshot satisfies pred; return it. Every push read
    on the way is appended to `seen` when given."""
    deadline = time.monotonic() + timeout
    while True:
        while c.pushes:
            f = c.pushes.pop(0)
            if seen is not None and body(f) == "push":
                seen.append(f.push)
            if body(f) == "push" and f.push.WhichOneof("body") == \
                    "snapshot" and pred(f.push.snapshot):
                return f.push
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no snapshot as expected in %ss" % timeout)
        try:
            c.pushes.append(c.recv(timeout=left))
        except TimeoutError:
            pass


def reconnect(cl, token, timeout=20):
    """A new connection through HAProxy, resuming the session."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            c = wire.connect(cl.port, timeout=10)
            r = c.rpc("resume", token=token)
            expect(r, "login_ok")
            return c
        except (OSError, Closed, TimeoutError, AssertionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_layout(cluster):
    cl = cluster
    for n in (1, 2):
        m = cl.metrics(n)
        assert m["pace_db_connections_ready"] == 4
        assert m["pace_db_listen_up"] == 1
    # Exactly one leader.
    assert poll(lambda: sum(cl.metrics(n)["pace_leader"] for n in (1, 2))
                == 1, timeout=10)
    # The pools go through PgBouncer in session mode ...
    pools = cl.psql("SHOW POOLS", port=cl.bouncer_port, db="pgbouncer")
    row = [r.split("|") for r in pools.splitlines() if r.startswith("pace|")]
    assert row, pools
    assert row[0][1] == "postgres" and row[0][-1] == "session"
    assert int(row[0][2]) == 8  # cl_active: 2 instances x pg_pool_size 4
    servers = cl.psql("SHOW SERVERS", port=cl.bouncer_port, db="pgbouncer")
    nservers = len([r for r in servers.splitlines() if "|pace|" in r])
    # ... and each LISTEN connection straight to PostgreSQL.
    backends = int(cl.psql("SELECT count(*) FROM pg_stat_activity WHERE "
                           "datname = 'pace' AND pid <> pg_backend_pid()"))
    assert backends == nservers + 2
    listening = cl.psql("SELECT count(*) FROM pg_stat_activity WHERE "
                        "datname = 'pace' AND query ILIKE '%advisory_lock%'")
    assert int(listening) >= 1


def test_push_capture_and_losing_an_instance(cluster):
    cl = cluster
    org = Org(Shim(cl))
    try:
        _run_scenario(cl, org)
    finally:
        org.close()


def _run_scenario(cl, org):
    # A director watching the org, and a rep on the other instance.
    # The instance to lose is the leader: its time-driven work must move.
    leaders = [n for n in (1, 2) if cl.metrics(n)["pace_leader"] == 1]
    assert len(leaders) == 1
    victim = leaders[0]
    survivor = 3 - victim
    sub = connect_on_instance(cl, org.login("d1"), PASSWORD, victim)
    print("subscriber on paced #%d, the leader; that one will be killed"
          % victim)
    ok = subscribe_org(sub)
    seq = ok.seq  # the alert sequence number when it subscribed
    base = wait_snapshot(sub, lambda k: True).snapshot.actual
    rep = connect_on_instance(cl, org.login("r1"), PASSWORD, survivor)
    # A rep on the victim too, with a write in flight when it dies.
    rep2 = connect_on_instance(cl, org.login("r2"), PASSWORD, victim)

    # Capture on one instance, push to the other.
    cust = expect(rep.rpc("customer_add", client_op_id=op_id(),
                          name="Cluster customer"), "customer")
    deal = expect(rep.rpc("deal_add", client_op_id=op_id(), title="D1",
                          customer_id=cust.id, amount=70000), "deal")
    expect(rep.rpc("deal_win", client_op_id=op_id(), id=deal.id), "deal")
    p = wait_snapshot(sub, lambda k: k.actual == base + 70000)
    seq = max(seq, p.seq)
    print("deal won on #%d pushed to the subscriber on #%d: actual %d -> "
          "%d" % (survivor, victim, base, p.snapshot.actual))

    # Lose the victim: a write is on its way there when it dies.
    pending_op = op_id()
    f = wire.make("customer_add", client_op_id=pending_op,
                  name="Written while dying")
    rep2.assign_id(f)
    rep2.send(f)
    cl.run("kill", cl.dir, str(victim))
    t0 = time.monotonic()
    for c in (sub, rep2):
        with pytest.raises(Closed):
            while True:
                c.recv(timeout=10)
    assert time.monotonic() - t0 < 10, "clients were not told at once"
    print("paced #%d killed (SIGKILL); its clients saw the close in %.2f s"
          % (victim, time.monotonic() - t0))

    # Meanwhile, on the survivor: a write, and a target that puts r1 in
    # the red, which raises an alert for the directors (raised by the
    # survivor, the leader by then).
    deal = expect(rep.rpc("deal_add", client_op_id=op_id(), title="D2",
                          customer_id=cust.id, amount=30000), "deal")
    expect(rep.rpc("deal_win", client_op_id=op_id(), id=deal.id), "deal")
    boss = wire.connect(cl.port, org.login("d1"), PASSWORD, timeout=20)
    month = datetime.datetime.now(
        zoneinfo.ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    f = wire.make("target_set", client_op_id=op_id(), period=month,
                  metric="revenue", amount=10 ** 10)
    f.target_set.scope.kind = 1  # a user
    f.target_set.scope.name = org.login("r1")
    expect(boss.call(f), "ok")
    boss.close()
    assert poll(lambda: cl.psql("SELECT count(*) FROM pace.alert WHERE "
                                "kind = 'status'") == "1", timeout=20), \
        cl.log(survivor)[-3000:]

    # The subscriber comes back through HAProxy (to the survivor), resumes
    # its session and subscription from the last sequence number it saw,
    # and gets what it missed: the alert, then a fresh snapshot.
    sub2 = reconnect(cl, sub.token)
    ok = subscribe_org(sub2, resume_from=seq)
    t1 = time.monotonic()
    seen = []
    wait_snapshot(sub2, lambda k: k.actual == base + 100000, seen=seen)
    alerts = [p.alert for p in seen if p.WhichOneof("body") == "alert"]
    assert len(alerts) == 1, seen
    assert alerts[0].subject.name and alerts[0].to == 3  # RED
    assert seen[0].WhichOneof("body") == "alert"  # missed alerts first
    print("subscriber resumed on #%d %.2f s after the kill (resume_from=%d):"
          " the alert raised meanwhile (%s), then a snapshot with the deal "
          "won meanwhile (actual %d)" % (survivor, t1 - t0, seq,
                                         alerts[0].title, base + 100000))

    # The rep retries its unanswered write: applied exactly once.
    rep2b = reconnect(cl, rep2.token)
    first = expect(rep2b.rpc("customer_add", client_op_id=pending_op,
                             name="Written while dying"), "customer")
    again = expect(rep2b.rpc("customer_add", client_op_id=pending_op,
                             name="Written while dying"), "customer")
    assert first.id == again.id
    assert cl.psql("SELECT count(*) FROM pace.customer WHERE name = "
                   "'Written while dying'") == "1"
    print("write in flight at the kill, retried with its client_op_id: "
          "customer %d, stored once" % first.id)
    # Both reconnected clients are on the survivor; it leads now.
    m = cl.metrics(survivor)
    assert m["pace_connections"] >= 3
    assert poll(lambda: cl.metrics(survivor)["pace_leader"] == 1,
                timeout=15), cl.log(survivor)[-3000:]
    assert cl.metrics(victim) is None
    print("paced #%d took over the time-driven work (leader lock)"
          % survivor)

    # The victim comes back and takes new clients again.
    cl.run("start", cl.dir, str(victim))
    assert re.search(r"ready port=", cl.log(victim))
    assert poll(lambda: (cl.metrics(victim) or {}).get(
        "pace_db_listen_up") == 1, timeout=10)
    time.sleep(2.5)  # HAProxy: rise 2 checks at 1 s
    c = connect_on_instance(cl, org.login("d1"), PASSWORD, victim)
    expect(c.rpc("whoami"), "identity")
    # Its pushes work: a write on the survivor reaches a subscriber on it.
    ok = subscribe_org(c)
    now = wait_snapshot(c, lambda k: True).snapshot.actual
    deal = expect(rep.rpc("deal_add", client_op_id=op_id(), title="D3",
                          customer_id=cust.id, amount=5000), "deal")
    expect(rep.rpc("deal_win", client_op_id=op_id(), id=deal.id), "deal")
    wait_snapshot(c, lambda k: k.actual == now + 5000)
    print("paced #%d restarted, took a new client, and its pushes work"
          % victim)
    for x in (c, rep, rep2, rep2b, sub, sub2):
        x.close()
