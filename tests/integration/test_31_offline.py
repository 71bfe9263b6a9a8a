"""Offline writes with the real `pace` CLI: while the server is down (or its
database is), write commands go to the local SQLite outbox and say
"queued offline (N pending)"; `pace sync` (or any later command that
connects) replays them in order, each applied exactly once thanks to its
client_op_id; writes the server refuses stay in `pace outbox` as rejected,
with the server's reason, until cleared."""

import json
import os
import re
import shutil
import stat

import pytest

from pacecli import PaceCli
from pacedproc import Paced, poll


class Server:
    """A paced of its own that can be stopped and started again on the same
    port and database (the CLI remembers HOST:PORT)."""

    def __init__(self, first):
        self.current = first
        self.port = first.port
        self.psql = first.psql
        self.extra = []     # restarts, stopped and checked in finish()

    def stop(self):
        assert self.current.stop() == 0

    def start(self):
        srv = Paced(self.current.conninfo,
                    extra=["--listen", "127.0.0.1:%d" % self.port],
                    logpath=(self.current.logpath or "paced") + ".restart")
        srv.start()
        assert srv.port == self.port
        self.extra.append(srv)
        self.current = srv

    def finish(self):
        for srv in self.extra:
            srv.check_exit()


@pytest.fixture
def server(paced_factory):
    s = Server(paced_factory())
    try:
        yield s
    finally:
        s.finish()


@pytest.fixture
def cli(server, tmp_path):
    c = PaceCli(tmp_path, server.port)
    c.login()
    return c


def rows(server):
    """Customers, deals and activities in the database."""
    return sum(int(server.psql("SELECT count(*) FROM pace.%s" % t))
               for t in ("customer", "opportunity", "activity"))


def queue(cli, n, *args):
    """Run a write while the server is down: it must be queued as the n-th
    pending write, successfully."""
    r = cli.run(*args)
    assert r.returncode == 0, r.stderr
    assert "queued offline (%d pending)" % n in r.stderr, r.stderr
    assert r.stdout == ""
    return r


def outbox(cli):
    return cli.json("outbox")


def test_five_offline_writes_are_applied_exactly_once(server, cli):
    cust = cli.json("customer", "add", "Online 客户")
    deal = cli.json("deal", "add", "Online deal", "--customer", cust["id"],
                    "--amount", "10000")
    before = rows(server)

    server.stop()
    queue(cli, 1, "customer", "add", "Offline 一")
    queue(cli, 2, "customer", "add", "Offline 二", "--region", "华南")
    queue(cli, 3, "log", "call", "--customer", cust["id"], "--note", "离线")
    queue(cli, 4, "log", "visit", "--customer", cust["id"], "--deal",
          deal["id"], "--duration", "30")
    queue(cli, 5, "deal", "add", "Offline deal", "--customer", cust["id"],
          "--amount", "3万")
    items = outbox(cli)
    assert [i["command"] for i in items] == ["customer add", "customer add",
                                             "log call", "log visit",
                                             "deal add"]
    assert {i["status"] for i in items} == {"pending"}
    assert len({i["op_id"] for i in items}) == 5
    # The outbox is private to the user.
    assert stat.S_IMODE(os.stat(cli.outbox_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(
        cli.outbox_path)).st_mode) == 0o700
    # Reading needs the server: it fails, and queues nothing.
    cli.run("customer", "list", check=7)
    assert len(outbox(cli)) == 5

    server.start()
    r = cli.ok("sync")
    assert "Synced: 5 sent, 0 rejected, 0 still pending." in r.stdout
    assert rows(server) == before + 5
    assert server.psql("SELECT amount FROM pace.opportunity WHERE title = "
                       "'Offline deal'") == "3000000"
    assert server.psql("SELECT region FROM pace.customer WHERE name = "
                       "'Offline 二'") == "华南"
    assert outbox(cli) == []

    r = cli.ok("sync")
    assert "Synced: 0 sent, 0 rejected, 0 still pending." in r.stdout
    assert rows(server) == before + 5


def test_a_replay_of_the_same_queue_applies_nothing_twice(server, cli,
                                                          tmp_path):
    cust = cli.json("customer", "add", "Replay 客户")
    before = rows(server)
    server.stop()
    queue(cli, 1, "log", "meeting", "--customer", cust["id"])
    queue(cli, 2, "customer", "add", "Replay 二")
    saved = os.path.join(str(tmp_path), "outbox-copy.db")
    shutil.copy(cli.outbox_path, saved)
    server.start()
    assert "Synced: 2 sent" in cli.ok("sync").stdout
    assert rows(server) == before + 2
    # As if pace had died after sending and before forgetting the items:
    # the same writes, with the same op ids, are sent again.
    shutil.copy(saved, cli.outbox_path)
    assert "Synced: 2 sent" in cli.ok("sync").stdout
    assert rows(server) == before + 2


def test_any_command_replays_and_rejections_are_kept(server, cli):
    server.stop()
    queue(cli, 1, "log", "call", "--customer", "999999", "--note", "ghost")
    queue(cli, 2, "customer", "add", "Kept 客户")
    server.start()

    # The next command that connects replays the queue first, quietly.
    r = cli.ok("customer", "list")
    assert "synced 1 queued write" in r.stderr
    assert "1 queued write was rejected; see `pace outbox`" in r.stderr
    assert "Kept 客户" in r.stdout
    items = outbox(cli)
    assert len(items) == 1
    bad = items[0]
    assert bad["status"] == "rejected" and bad["command"] == "log call"
    assert bad["error"]["code"] == "NOT_FOUND"
    assert "999999" in bad["error"]["message"]
    human = cli.ok("outbox").stdout
    assert "rejected" in human and "999999" in human
    # A sync leaves rejected items alone.
    assert "Synced: 0 sent, 0 rejected, 0 still pending." in \
        cli.ok("sync").stdout
    assert len(outbox(cli)) == 1

    assert "Dropped 1 rejected writes." in \
        cli.ok("outbox", "--clear-rejected").stdout
    assert outbox(cli) == []
    assert "empty" in cli.ok("outbox").stdout


def test_database_down_queues_too(server, cli, pg):
    cust = cli.json("customer", "add", "DB 客户")
    before = rows(server)
    pg.stop()
    try:
        # The server is up and answers UNAVAILABLE: the write is queued.
        queue(cli, 1, "log", "call", "--customer", cust["id"])
    finally:
        pg.start()
    # Once the database is back, the next write replays the queue first.
    assert poll(lambda: cli.run("customer", "list").returncode == 0,
                timeout=20, step=0.2)
    r = cli.ok("log", "email", "--customer", cust["id"])
    assert rows(server) == before + 2
    assert outbox(cli) == []
    assert re.search(r"Logged: email with DB 客户", r.stdout)


def test_queued_write_as_json(server, cli):
    server.stop()
    r = cli.run("--json", "customer", "add", "JSON 客户")
    assert r.returncode == 0
    out = json.loads(r.stdout)
    assert out["queued"] is True and out["pending"] == 1
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]"
                        r"{3}-[0-9a-f]{12}", out["op_id"])
    server.start()
    assert json.loads(cli.ok("--json", "sync").stdout) == \
        {"sent": 1, "rejected": 0, "pending": 0}
