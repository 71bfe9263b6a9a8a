"""Issue 5: `pace watch --json` prints one JSON object per push, one per
line, and reconnects by itself when the server restarts, resuming from the
last sequence number it saw (an alert stored meanwhile arrives once).
"""

import json
import queue
import subprocess
import threading

from kpi_org import KPI_KEYS as KEYS
from kpi_org import PASSWORD, KpiOrg
from pacecli import PaceCli, pace_binary
from pacedproc import Paced
from pgcluster import free_port


class Watch:
    """`pace watch --json` in the background; its lines in a queue."""

    def __init__(self, cli, *args):
        cmd = [pace_binary(), "--server", "127.0.0.1:%d" % cli.port,
               "--json", "watch", *args]
        self.proc = subprocess.Popen(cmd, env=cli.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def next(self, timeout=15):
        line = self.lines.get(timeout=timeout)
        assert line is not None, "pace watch ended: %s" % (
            self.proc.stderr.read())
        return json.loads(line)     # exactly one object per line

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def test_watch_json_and_reconnect(paced_factory, tmp_path):
    port = free_port()
    listen = ("--listen", "127.0.0.1:%d" % port)
    srv = paced_factory(extra=listen)
    org = KpiOrg(srv, offices=[("HQ", "")], teams=[("A", "HQ")],
                 people=[("r1", "REP", "A", {})])
    cust = org.customer("r1", "Watch Co")
    cli = PaceCli(tmp_path, port)
    cli.login(org.login("r1"), PASSWORD)
    w = Watch(cli, "--exit-after", "5")
    second = None
    try:
        first = w.next()
        assert first["type"] == "snapshot"
        assert set(first["kpi"]) == KEYS
        assert first["kpi"]["followups"]["total"] == 0
        org.activity("r1", "call", cust, 0)
        two = w.next()
        assert two["type"] == "snapshot"
        assert two["kpi"]["followups"]["total"] == 1
        assert two["seq"] >= first["seq"]
        org.close()
        # The server goes away; an alert is stored meanwhile (as the
        # leader of another instance would); the server comes back on the
        # same address.
        srv.stop()
        srv.psql("SELECT pace.alert_raise(%d, 'stale_deal', 'user', %d, "
                 "'watch-test', now(), 'Watch test alert', '')"
                 % (org.org_id, org.ids["r1"]))
        second = Paced(srv.conninfo, extra=listen,
                       logpath=srv.logpath + ".restarted")
        second.start()
        alert = w.next(30)
        assert alert["type"] == "alert"
        assert alert["alert"]["title"] == "Watch test alert"
        assert alert["seq"] == alert["alert"]["id"]
        again = w.next()
        assert again["type"] == "snapshot"
        assert again["kpi"]["followups"]["total"] == 1
        org.paced = second
        org.activity("r1", "visit", cust, 0)
        last = w.next()
        assert last["kpi"]["followups"] == {"total": 2, "call": 1,
                                            "visit": 1, "email": 0,
                                            "meeting": 0}
        # --exit-after 5: it stops by itself, successfully.
        assert w.proc.wait(timeout=10) == 0
        assert w.lines.get(timeout=5) is None
    finally:
        w.stop()
        org.close()
        if second:
            assert second.stop() == 0
            log = second.log_text()
            assert "AddressSanitizer" not in log and \
                "runtime error:" not in log
        srv.expect_exit = 0


def test_watch_refused_scope_exits(paced, tmp_path):
    org = KpiOrg(paced, offices=[("HQ", "")], teams=[("A", "HQ"),
                                                    ("B", "HQ")],
                 people=[("r1", "REP", "A", {}), ("r2", "REP", "B", {})])
    try:
        cli = PaceCli(tmp_path, paced.port)
        cli.login(org.login("r1"), PASSWORD)
        r = cli.run("watch", "--json", "--team", org.team("B"), timeout=20)
        assert r.returncode != 0
        assert r.stdout == ""
        assert "not allowed" in r.stderr
    finally:
        org.close()
