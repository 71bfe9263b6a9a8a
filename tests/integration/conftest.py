"""Fixtures for the integration tests (STYLE.md R17).

- `pg` (session): a throwaway PostgreSQL cluster (pgcluster.PgCluster),
  always stopped and removed at the end, also when tests fail.
- `paced` (module): one paced on a fresh database of that cluster, shared by
  the tests of a file; `paced_factory` (function) starts more, with extra
  flags, each on its own fresh database. Every paced is stopped with SIGTERM
  at teardown and must exit 0 unless the test said otherwise
  (srv.expect_exit).
- `admin`: a client logged in as the admin of the `paced` server.

Each test file runs in its own pytest process (one ctest test per file), so
each file has its own cluster and files can run in parallel.
"""

import os

import pytest

import wire
from pacedproc import ADMIN, ADMIN_PASSWORD, Paced, run_init
from pgcluster import PgCluster

_running = []  # every paced started and not yet stopped, for failure reports


def _logdir():
    """paced's stderr, one file per server, stays in the build tree."""
    base = os.path.join(os.environ["PACE_BUILD_DIR"], "tests", "logs")
    os.makedirs(base, exist_ok=True)
    return base


class PacedFactory:
    """Starts paced servers on fresh databases; stops them all in finish()."""

    seq = 0

    def __init__(self, pg, tag):
        self.pg = pg
        self.tag = tag
        self.started = []

    def __call__(self, extra=(), expect_exit=0):
        """`paced init` on a fresh database, then a running paced on it."""
        db = self.pg.createdb()
        conninfo = self.pg.conninfo(db)
        r = run_init(conninfo)
        assert r.returncode == 0, "paced init failed:\n" + r.stderr
        PacedFactory.seq += 1
        logpath = os.path.join(_logdir(), "%s-%d-%d.log" % (
            self.tag, os.getpid(), PacedFactory.seq))
        srv = Paced(conninfo, extra=extra, logpath=logpath,
                    expect_exit=expect_exit)
        srv.db = db
        srv.psql = lambda sql: self.pg.psql(sql, db=db)
        srv.start()
        self.started.append(srv)
        _running.append(srv)
        return srv

    def finish(self):
        first = None
        for srv in self.started:
            try:
                srv.check_exit()
            except AssertionError as e:
                first = first or e
            finally:
                if srv in _running:
                    _running.remove(srv)
        self.started = []
        if first:
            raise first


@pytest.fixture(scope="session")
def pg():
    cluster = PgCluster()
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="module")
def paced(pg, request):
    """The file's shared server; a test module may set PACED_ARGS to pass
    extra flags to it."""
    factory = PacedFactory(pg, request.module.__name__)
    try:
        yield factory(extra=getattr(request.module, "PACED_ARGS", ()))
    finally:
        factory.finish()


@pytest.fixture
def paced_factory(pg, request):
    factory = PacedFactory(pg, request.node.name.replace("/", "_"))
    try:
        yield factory
    finally:
        factory.finish()


@pytest.fixture
def admin(paced):
    c = wire.connect(paced.port, ADMIN, ADMIN_PASSWORD)
    try:
        yield c
    finally:
        c.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, attach the tail of every running paced's stderr."""
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for srv in _running:
            rep.sections.append((
                "paced stderr (%s, tail)" % (srv.logpath or "?"),
                "\n".join(srv.lines[-60:])))
