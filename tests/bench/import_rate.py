#!/usr/bin/python3
"""Rows per second of a bulk activity import (issue 3's closing note).

Starts a throwaway PostgreSQL and paced (the integration tests' helpers),
creates a rep with 50 customers, then imports N activity rows the way
`pace import activities` does: ImportBegin, ImportRows frames of 5,000
rows, ImportCommit. Prints the time to stage, the time to commit and the
end-to-end rows per second, and checks that every row was stored.

    PACE_BUILD_DIR=build PYTHONPATH=build/tests/pyproto:tests/integration \\
        /usr/bin/python3 tests/bench/import_rate.py [--rows 100000]

The PostgreSQL it starts is the integration tests' (fsync=off), so the
figure is the server's and PostgreSQL's CPU cost, not the disk's. With
--port (and --user/--password of an admin), it uses a running paced
instead (its database is then not checked).
"""

import argparse
import os
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import wire  # noqa: E402
from wire import expect, op_id  # noqa: E402

FRAME_ROWS = 5000


def setup(port, user, password):
    adm = wire.connect(port, user, password, timeout=60)
    tag = uuid.uuid4().hex[:6]
    office, team, rep = "bench-" + tag, "bench-" + tag, "bench" + tag
    expect(adm.rpc("office_add", client_op_id=op_id(), name=office), "office")
    expect(adm.rpc("team_add", client_op_id=op_id(), name=team,
                   office=office), "team")
    expect(adm.rpc("user_add", client_op_id=op_id(), login=rep, name=rep,
                   role=wire.Role.Value("REP"), team=team,
                   password="bench-password"), "user")
    c = wire.connect(port, rep, "bench-password", timeout=600)
    customers = [expect(c.rpc("customer_add", client_op_id=op_id(),
                              name="Customer %s %d" % (tag, i)),
                        "customer").id for i in range(50)]
    return adm, c, rep, customers


def run(port, user, password, nrows):
    adm, c, rep, customers = setup(port, user, password)
    now_us = int(time.time() * 1e6)
    kinds = ("call", "visit", "email", "meeting")
    rows = []
    for i in range(nrows):
        at = now_us - (i % (80 * 24)) * 3600 * 1000000  # the last 80 days
        rows.append((i + 2, str(uuid.uuid4()), [
            "", kinds[i % 4], str(customers[i % len(customers)]), "",
            str(at), str(i % 60), "bench row %d" % i]))

    t0 = time.monotonic()
    b = expect(c.rpc("import_begin", client_op_id=op_id(),
                     kind="activities"), "import_started")
    for off in range(0, nrows, FRAME_ROWS):
        f = wire.make("import_rows", import_id=b.import_id)
        for line, op, cells in rows[off:off + FRAME_ROWS]:
            r = f.import_rows.rows.add()
            r.line = line
            r.op_id = op
            r.cells.extend(cells)
        expect(c.call(f, timeout=120), "ok")
    t1 = time.monotonic()
    res = expect(c.call(wire.make("import_commit", client_op_id=op_id(),
                                  import_id=b.import_id), timeout=600),
                 "import_result")
    t2 = time.monotonic()
    assert res.committed and res.applied == nrows, res
    print("rows:      %d" % nrows)
    print("staging:   %.2f s (%d frames of %d rows)" % (
        t1 - t0, (nrows + FRAME_ROWS - 1) // FRAME_ROWS, FRAME_ROWS))
    print("commit:    %.2f s (validate + store, one transaction)" % (t2 - t1))
    print("total:     %.2f s" % (t2 - t0))
    print("rate:      %.0f rows/s end to end, %.0f rows/s commit" % (
        nrows / (t2 - t0), nrows / (t2 - t1)))
    c.close()
    adm.close()
    return rep


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--port", type=int, help="use a running paced")
    ap.add_argument("--user", default="admin")
    ap.add_argument("--password", default="admin-secret-1")
    args = ap.parse_args()
    if args.port:
        run(args.port, args.user, args.password, args.rows)
        return
    from pacedproc import ADMIN, ADMIN_PASSWORD, Paced, run_init
    from pgcluster import PgCluster
    pg = PgCluster()
    srv = None
    try:
        pg.init()
        db = pg.createdb()
        r = run_init(pg.conninfo(db))
        assert r.returncode == 0, r.stderr
        srv = Paced(pg.conninfo(db)).start()
        rep = run(srv.port, ADMIN, ADMIN_PASSWORD, args.rows)
        n = pg.psql("SELECT count(*) FROM pace.activity a JOIN pace.app_user "
                    "u ON u.id = a.user_id WHERE u.login = '%s'" % rep, db=db)
        assert int(n) == args.rows, n
        print("stored:    %s activities (checked with psql)" % n)
    finally:
        if srv:
            srv.stop()
        pg.destroy()


if __name__ == "__main__":
    main()
