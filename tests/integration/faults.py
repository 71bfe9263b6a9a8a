"""Shared pieces of the fault-injection tests (test_8x_*.py).

- Writer: a thread that logs activities (ActivityLog) one after another the
  way a careful client does: each write has its own client_op_id and is
  re-sent, byte for byte, until it is answered; connection loss, timeouts,
  UNAVAILABLE and RESOURCE_EXHAUSTED mean "send it again" (on a new
  connection if need be, to whatever port port_fn() says now).
- small_org(): an office, a team, reps and a customer per rep, made through
  the admin RPCs.
- start_paced(): a paced on a given conninfo (e.g. through a TcpProxy) on a
  database made and initialised like the conftest factory does.
- check_writes(): every acknowledged write is stored exactly once, with the
  answer it got.
"""

import os
import threading
import time
import uuid

import capture_pb2
import wire
from pacedproc import ADMIN, ADMIN_PASSWORD, Paced, run_init
from wire import expect, op_id

PASSWORD = "rep-password-1"
RETRYABLE = ("UNAVAILABLE", "RESOURCE_EXHAUSTED")


def sanitized():
    """paced built with AddressSanitizer: its allocator keeps freed memory
    in quarantine and pads every block, so its RSS says nothing about
    memory use."""
    from pacedproc import paced_binary
    with open(paced_binary(), "rb") as f:
        return b"AddressSanitizer" in f.read()


def small_org(port, nreps, tag=None):
    """Office, team, `nreps` reps (logins rep<tag>-<i>) and one customer
    each. Returns [(login, customer_id)]."""
    tag = tag or uuid.uuid4().hex[:5]
    with wire.connect(port, ADMIN, ADMIN_PASSWORD, timeout=30) as adm:
        expect(adm.rpc("office_add", client_op_id=op_id(),
                       name="Office " + tag), "office")
        expect(adm.rpc("team_add", client_op_id=op_id(), name="Team " + tag,
                       office="Office " + tag), "team")
        reps = []
        for i in range(nreps):
            login = "rep%s-%d" % (tag, i)
            expect(adm.rpc("user_add", client_op_id=op_id(), login=login,
                           name="Rep %d" % i,
                           role=wire.Role.Value("REP"),
                           team="Team " + tag, password=PASSWORD), "user")
            reps.append(login)
    out = []
    for login in reps:
        with wire.connect(port, login, PASSWORD, timeout=30) as c:
            cust = expect(c.rpc("customer_add", client_op_id=op_id(),
                                name="Customer of " + login), "customer")
            out.append((login, cust.id))
    return out


def start_paced(pg, conninfo_for, tag, extra=(), logdir=None):
    """A fresh database, `paced init` on it directly, then a paced whose
    --db is conninfo_for(dbname) (e.g. through a proxy). Returns the
    running Paced (with .db and .psql like the factory's)."""
    db = pg.createdb()
    r = run_init(pg.conninfo(db))
    assert r.returncode == 0, r.stderr
    logdir = logdir or os.path.join(os.environ["PACE_BUILD_DIR"], "tests",
                                    "logs")
    os.makedirs(logdir, exist_ok=True)
    srv = Paced(conninfo_for(db), extra=list(extra),
                logpath=os.path.join(logdir, "%s-%d.log" % (tag, os.getpid())))
    srv.db = db
    srv.psql = lambda sql: pg.psql(sql, db=db)
    srv.start()
    return srv


class Writer(threading.Thread):
    """Logs activities as `login` on `customer_id` until stopped; every
    write is retried until answered. Results:

    acked     op id -> (activity id, answer bytes without the frame id)
    notes     op id -> the note (unique per write, to find its row)
    codes     every error code seen (name -> count)
    retries   writes sent more than once
    """

    def __init__(self, port_fn, login, customer_id, tag, password=PASSWORD,
                 reply_timeout=5.0, max_ops=None):
        super().__init__(daemon=True)
        self.port_fn = port_fn
        self.login = login
        self.customer_id = customer_id
        self.tag = tag
        self.password = password
        self.reply_timeout = reply_timeout
        self.max_ops = max_ops
        self.token = None
        self.conn = None
        self.acked = {}
        self.notes = {}
        self.codes = {}
        self.retries = 0
        self.unexpected = []
        self.stop_flag = threading.Event()
        self.started_ops = 0
        self.lock = threading.Lock()

    # -- connection -------------------------------------------------------------
    def _connect(self):
        c = wire.Client(self.port_fn(), timeout=self.reply_timeout)
        try:
            expect(c.hello(), "welcome")
            if self.token:
                r = c.rpc("resume", token=self.token)
            else:
                r = c.login(self.login, self.password)
            if wire.body(r) == "error":
                self._code(r.error.code)
                c.close()
                return None
            expect(r, "login_ok")
            if not self.token:
                self.token = r.login_ok.token
            return c
        except Exception:
            c.close()
            raise

    def _code(self, code):
        name = wire.code_name(code)
        with self.lock:
            self.codes[name] = self.codes.get(name, 0) + 1
        return name

    # -- one write, until answered ---------------------------------------------
    def _write(self, frame, oid, deadline):
        sends = 0
        while time.monotonic() < deadline:
            try:
                if self.conn is None:
                    self.conn = self._connect()
                    if self.conn is None:
                        time.sleep(0.1)
                        continue
                f = wire.Frame()
                f.CopyFrom(frame)
                sends += 1
                if sends == 2:
                    self.retries += 1
                r = self.conn.call(f, timeout=self.reply_timeout)
            except (wire.Closed, TimeoutError, OSError, AssertionError):
                if self.conn:
                    self.conn.close()
                self.conn = None
                time.sleep(0.05)
                continue
            if wire.body(r) == "activity":
                r.id = 0
                self.acked[oid] = (r.activity.id, r.SerializeToString())
                return True
            name = self._code(r.error.code) if wire.body(r) == "error" \
                else wire.body(r)
            if name in RETRYABLE:
                time.sleep(min(r.error.retry_after_ms, 200) / 1000.0 + 0.01)
                continue
            self.unexpected.append((oid, str(r)))
            return False
        self.unexpected.append((oid, "not answered in time"))
        return False

    def run(self):
        i = 0
        while not self.stop_flag.is_set():
            if self.max_ops is not None and i >= self.max_ops:
                break
            oid = op_id()
            note = "%s-%s-%d" % (self.tag, self.login, i)
            frame = wire.make("activity_log", client_op_id=oid,
                              customer_id=self.customer_id,
                              kind=capture_pb2.ActivityKind.Value("CALL"),
                              note=note)
            self.notes[oid] = note
            self.started_ops += 1
            # An op once started is finished, even after stop().
            if not self._write(frame, oid, time.monotonic() + 60):
                break
            i += 1
        if self.conn:
            self.conn.close()

    def stop(self):
        self.stop_flag.set()


def check_writes(psql, writers):
    """Every acknowledged write is stored exactly once, as answered; and
    nothing else with the writers' notes was stored. Returns the total."""
    total = 0
    for w in writers:
        rows = psql(
            "SELECT coalesce(string_agg(note || '=' || id, ',' ORDER BY id),"
            " '') FROM pace.activity WHERE note LIKE '%s-%s-%%'"
            % (w.tag, w.login))
        stored = {}
        for item in filter(None, rows.split(",")):
            note, rid = item.rsplit("=", 1)
            stored.setdefault(note, []).append(int(rid))
        for oid, (aid, _) in w.acked.items():
            ids = stored.get(w.notes[oid], [])
            assert ids == [aid], "op %s (%s): answered id %d, stored %s" % (
                oid, w.notes[oid], aid, ids)
        doubled = {n: ids for n, ids in stored.items() if len(ids) > 1}
        assert not doubled, "stored twice: %s" % doubled
        # Everything stored was acknowledged (writers finish every op).
        acked_notes = {w.notes[o] for o in w.acked}
        assert set(stored) <= acked_notes | set(w.notes.values())
        total += len(stored)
    return total
