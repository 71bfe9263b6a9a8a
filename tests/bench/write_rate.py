#!/usr/bin/python3
"""Acknowledged writes per second from concurrent clients (issue 3's
closing note): C clients (default 32), each on its own connection as its
own rep, pipeline W ActivityLog writes (default 200) and wait for every
answer. A write counts once its answer arrived, which paced sends only
after the group-committed transaction holding it is durable.

    PACE_BUILD_DIR=build PYTHONPATH=build/tests/pyproto:tests/integration \\
        /usr/bin/python3 tests/bench/write_rate.py [--clients 32] [--writes 200]
        [--bad-every N]   # every Nth write is refused (future `at`)

Starts its own PostgreSQL and paced (the integration tests' helpers; that
PostgreSQL runs with fsync=off, so this is CPU-bound: tests/bench/run
measures with a durable one), and checks with psql that every acknowledged
write is stored.
"""

import argparse
import os
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import wire  # noqa: E402
from wire import expect, op_id  # noqa: E402


def writer(c, cust, n, bad_every, go, out, login):
    frames = []
    for k in range(n):
        at = 0
        if bad_every and k % bad_every == bad_every - 1:
            at = int(time.time() * 1e6) + 3600 * 10 ** 6
        f = wire.make("activity_log", client_op_id=op_id(), kind=1 + k % 4,
                      customer_id=cust.id, at=at)
        c.assign_id(f)
        frames.append(f)
    data = b"".join(wire.encode(f) for f in frames)
    go.wait()
    c.send_raw(data)
    acked = [wire.body(c.wait_for(f.id)) == "activity" for f in frames]
    out[login] = sum(acked)
    c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--writes", type=int, default=200)
    ap.add_argument("--bad-every", type=int, default=0)
    args = ap.parse_args()
    from pacedproc import ADMIN, ADMIN_PASSWORD, Paced, run_init
    from pgcluster import PgCluster
    pg = PgCluster()
    srv = None
    try:
        pg.init()
        db = pg.createdb()
        r = run_init(pg.conninfo(db))
        assert r.returncode == 0, r.stderr
        # No per-session rate limit: this measures the server.
        srv = Paced(pg.conninfo(db), extra=["--rate-limit-rps", "0"]).start()
        adm = wire.connect(srv.port, ADMIN, ADMIN_PASSWORD)
        tag = uuid.uuid4().hex[:4]
        expect(adm.rpc("office_add", client_op_id=op_id(), name="B"), "office")
        expect(adm.rpc("team_add", client_op_id=op_id(), name="B",
                       office="B"), "team")
        logins = []
        for k in range(args.clients):
            login = "w%s%03d" % (tag, k)
            expect(adm.rpc("user_add", client_op_id=op_id(), login=login,
                           name=login, role=wire.Role.Value("REP"), team="B",
                           password="bench-password"), "user")
            logins.append(login)
        go = threading.Barrier(args.clients + 1)
        out = {}
        clients = []
        for login in logins:        # log in one by one, then write at once
            c = wire.connect(srv.port, login, "bench-password", timeout=300)
            cust = expect(c.rpc("customer_add", client_op_id=op_id(),
                                name="Bench " + login), "customer")
            clients.append((c, cust, login))
        threads = [threading.Thread(target=writer, args=(
            c, cust, args.writes, args.bad_every, go, out, login))
            for c, cust, login in clients]
        for t in threads:
            t.start()
        go.wait()
        t0 = time.monotonic()
        for t in threads:
            t.join()
        secs = time.monotonic() - t0
        acked = sum(out.values())
        stored = int(pg.psql("SELECT count(*) FROM pace.activity", db=db))
        xacts = int(pg.psql("SELECT count(DISTINCT xmin::text) FROM "
                            "pace.activity", db=db))
        print("clients:   %d x %d writes (every %s refused)" % (
            args.clients, args.writes, args.bad_every or "none"))
        print("acked:     %d in %.2f s = %.0f acknowledged writes/s" % (
            acked, secs, acked / secs))
        print("stored:    %d activities in %d transactions (psql)" % (
            stored, xacts))
        assert stored == acked
        adm.close()
    finally:
        if srv:
            srv.stop()
        pg.destroy()


if __name__ == "__main__":
    main()
