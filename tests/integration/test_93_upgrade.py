"""Upgrades and backups.

- Migrations apply forward on start, once, under an advisory lock: two
  paced started together on an empty database both come up and every
  migration is recorded exactly once.
- A paced older than its database's schema refuses to start, with a clear
  message, and changes nothing.
- `paced backup --output FILE` writes a pg_dump custom-format file (mode
  0600, complete or absent), before and without any migration; pg_restore
  of it into a new database gives a working server with the same data.
"""

import os
import stat
import subprocess

from pacedproc import (ADMIN, ADMIN_PASSWORD, FAST_HASH, Paced, paced_binary,
                       run_init)
from wire import connect, expect, op_id


def run_paced(*args, timeout=60):
    """paced [subcommand] ARGS, with no config file and cheap hashing."""
    sub = [args[0]] if args and not args[0].startswith("-") else []
    return subprocess.run([paced_binary(), *sub, "--config-file=",
                           *FAST_HASH, *args[len(sub):]],
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def test_concurrent_starts_apply_migrations_once(pg, tmp_path):
    db = pg.createdb()
    conninfo = pg.conninfo(db)
    servers = [Paced(conninfo, logpath=str(tmp_path / ("p%d.log" % i)))
               for i in range(2)]
    # Both start at once on the empty database (no init first), from this
    # thread (see Paced.spawn).
    try:
        for s in servers:
            s.spawn()
        for s in servers:
            s.wait_ready(timeout=90)
        rows = pg.psql("SELECT count(*), count(DISTINCT version) FROM "
                       "pace.schema_migrations", db=db)
        total, distinct = map(int, rows.split("|"))
        assert total == distinct > 10
        applied = [s.log_matches(r"migration \S+ applied") for s in servers]
        assert len(applied[0]) + len(applied[1]) == total, \
            "a migration ran twice or not at all"
    finally:
        for s in servers:
            if s.proc:
                assert s.stop() == 0


def test_older_binary_refuses_newer_schema(pg):
    db = pg.createdb()
    conninfo = pg.conninfo(db)
    assert run_init(conninfo).returncode == 0
    have = pg.psql("SELECT max(version) FROM pace.schema_migrations", db=db)
    pg.psql("INSERT INTO pace.schema_migrations (version, name) "
            "VALUES (999, '999_from_the_future.sql')", db=db)
    r = run_paced("--db", conninfo, "--listen", "127.0.0.1:0")
    assert r.returncode != 0
    assert ("the database schema is at version 999, newer than this paced "
            "knows (%s): upgrade paced, or use the matching database"
            % have) in r.stderr, r.stderr
    assert "ready port=" not in r.stderr
    # Nothing was changed, and `paced init` refuses the same way.
    assert pg.psql("SELECT count(*) FROM pace.schema_migrations WHERE "
                   "version > %s" % have, db=db) == "1"
    r = subprocess.run([paced_binary(), "init", "--config-file=", "--org",
                        "X", "--admin", "x", "--password-stdin", "--db",
                        conninfo, *FAST_HASH], input="password-123\n",
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "newer than this paced knows" in r.stderr


def test_backup_and_restore(pg, paced_factory, tmp_path):
    srv = paced_factory()
    with connect(srv.port, ADMIN, ADMIN_PASSWORD) as c:
        expect(c.rpc("office_add", client_op_id=op_id(),
                     name="Shanghai 上海"), "office")
    out = tmp_path / "pace.dump"

    # While paced runs: a consistent snapshot (pg_dump's transaction).
    r = run_paced("backup", "--db", srv.conninfo, "--output", str(out))
    assert r.returncode == 0, r.stderr
    assert "backup written to %s" % out in r.stdout
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    with open(out, "rb") as f:
        assert f.read(5) == b"PGDMP"  # pg_dump's custom format
    assert not os.path.exists(str(out) + ".partial")

    # Restore into a new database and run a paced on it.
    restored = pg.createdb("restored")
    pg_restore = os.path.join(pg.bindir, "pg_restore")
    r = subprocess.run([pg_restore, "--no-owner", "--exit-on-error", "-h",
                        "127.0.0.1", "-p", str(pg.port), "-U", "postgres",
                        "-d", restored, str(out)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    srv2 = Paced(pg.conninfo(restored),
                 logpath=str(tmp_path / "restored.log")).start()
    try:
        assert srv2.log_matches(r"\(0 applied now\)")
        with connect(srv2.port, ADMIN, ADMIN_PASSWORD) as c:
            offices = expect(c.rpc("office_list"), "office_list_reply")
            assert "Shanghai 上海" in [o.name for o in offices.offices]
    finally:
        assert srv2.stop() == 0


def test_backup_errors(pg, tmp_path):
    r = run_paced("backup", "--db", pg.conninfo())
    assert r.returncode == 2 and "usage: paced backup" in r.stderr
    # Unreachable database: non-zero, nothing left behind.
    out = tmp_path / "x.dump"
    r = run_paced("backup", "--db", "host=127.0.0.1 port=1 dbname=x "
                  "user=postgres connect_timeout=2", "--output", str(out))
    assert r.returncode == 3, r.stderr
    assert "pg_dump failed" in r.stderr
    assert not out.exists() and not os.path.exists(str(out) + ".partial")
    # Unwritable destination.
    r = run_paced("backup", "--db", pg.conninfo(), "--output",
                  "/nonexistent-dir/x.dump")
    assert r.returncode == 3 and "/nonexistent-dir/x.dump" in r.stderr


def test_backup_of_a_newer_schema(pg, tmp_path):
    db = pg.createdb()
    assert run_init(pg.conninfo(db)).returncode == 0
    pg.psql("INSERT INTO pace.schema_migrations (version, name) "
            "VALUES (999, '999_from_the_future.sql')", db=db)
    out = tmp_path / "future.dump"
    r = run_paced("backup", "--db", pg.conninfo(db), "--output", str(out))
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 1000
