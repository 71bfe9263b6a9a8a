"""pace-desk, the GTK4 dashboard, under Xvfb against the real paced and
PostgreSQL (issue 6).

pace-desk runs with --test-report FILE: after every change of the model, once
the views have updated, it writes what its widgets show (label texts, bar
fractions, status classes, leaderboard rows, alerts, link state) as JSON.
The tests wait for a state of the widgets (reading that file whenever it
changes, up to a deadline), never for a fixed time.

Each test module gets its own X server (Xvfb -displayfd) and its own D-Bus
session bus (dbus-daemon), so notifications are real D-Bus calls that
dbus-monitor can see. GTK and fontconfig keep caches for the life of the
process by design: pace-desk runs with detect_leaks=0 in ASAN_OPTIONS (its
own process only; every other sanitizer check stays on).
"""

import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from zoneinfo import ZoneInfo

import pytest

import wire
from capture_org import PASSWORD, Org
from pacecli import PaceCli
from pacedproc import DIE_WITH_PARENT, Paced, poll
from wire import expect, op_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIMEOUT = 60  # seconds for pace-desk to show a state (ASan builds are slow)


def desk_binary():
    path = os.path.join(os.environ["PACE_BUILD_DIR"], "client", "desk",
                        "pace-desk")
    if not os.access(path, os.X_OK):
        pytest.skip("pace-desk is not built (no GTK4?)")
    return path


def this_month():
    return datetime.datetime.now(SHANGHAI).strftime("%Y-%m")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- X server and session bus ------------------------------------------------

class Xvfb:
    def __init__(self, width=1600, height=1000):
        if not shutil.which("Xvfb"):
            pytest.skip("Xvfb is not installed")
        r, w = os.pipe()
        self.proc = subprocess.Popen(
            DIE_WITH_PARENT + ["Xvfb", "-displayfd", str(w), "-screen", "0",
                               "%dx%dx24" % (width, height), "-nolisten",
                               "tcp", "-noreset"],
            pass_fds=(w,), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as f:
            num = f.readline().strip()
        assert num, "Xvfb did not start"
        self.display = ":" + num

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class SessionBus:
    def __init__(self):
        if not shutil.which("dbus-daemon"):
            pytest.skip("dbus-daemon is not installed")
        self.proc = subprocess.Popen(
            DIE_WITH_PARENT + ["dbus-daemon", "--session", "--nofork",
                               "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.address = self.proc.stdout.readline().strip()
        assert self.address, "dbus-daemon did not start"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Monitor:
    """dbus-monitor watching the desktop notifications that are sent."""

    def __init__(self, bus):
        self.lines = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(
            DIE_WITH_PARENT + ["dbus-monitor", "--address", bus.address,
                               "interface='org.freedesktop.Notifications'"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_text(self, text, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not any(text in l for l in self.lines):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return True

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def xdisplay():
    x = Xvfb()
    try:
        yield x
    finally:
        x.stop()


@pytest.fixture(scope="module")
def bus():
    b = SessionBus()
    try:
        yield b
    finally:
        b.stop()


# --- pace-desk ------------------------------------------------------------------

class Desk:
    """One running pace-desk with its own configuration directory (unless
    given one), reporting its widgets to a JSON file."""

    def __init__(self, home, port, xdisplay, bus, args=(), password=None,
                 env=None, lang="C.UTF-8"):
        self.home = str(home)
        os.makedirs(self.home, exist_ok=True)
        self.report_path = os.path.join(self.home, "desk-report.json")
        if os.path.exists(self.report_path):
            os.unlink(self.report_path)
        self.errpath = os.path.join(self.home, "desk-stderr.log")
        e = dict(os.environ)
        for k in ("PACE_SERVER", "PACE_TLS_CA", "PACE_DESK_SERVER",
                  "PACE_DESK_USER", "PACE_DESK_PASSWORD"):
            e.pop(k, None)
        e.update({
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, "config"),
            "XDG_DATA_HOME": os.path.join(self.home, "data"),
            "XDG_CACHE_HOME": os.path.join(self.home, "cache"),
            "XDG_RUNTIME_DIR": self.home,
            "DISPLAY": xdisplay.display,
            "DBUS_SESSION_BUS_ADDRESS": bus.address,
            "TZ": "Asia/Shanghai",
            "LANG": lang, "LC_ALL": lang, "LANGUAGE": "",
            "GDK_BACKEND": "x11",
            "GSK_RENDERER": "cairo",   # no GL under Xvfb
            "GTK_A11Y": "none",        # no accessibility bus in tests
            "NO_AT_BRIDGE": "1",
            "GSETTINGS_BACKEND": "memory",
        })
        # GTK, GLib and fontconfig keep caches until exit by design: leak
        # checking off for this process only.
        asan = e.get("ASAN_OPTIONS", "")
        e["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "detect_leaks=0"
        e.update(env or {})
        self.env = e
        cmd = [desk_binary(), "--test-report", self.report_path]
        if port is not None:
            cmd += ["--server", "127.0.0.1:%d" % port]
        cmd += list(args)
        if password is not None:
            cmd.append("--password-stdin")
        self.err = open(self.errpath, "w")
        self.proc = subprocess.Popen(
            DIE_WITH_PARENT + cmd, env=e, stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=self.err, text=True)
        self.proc.stdin.write((password or "") + "\n")
        self.proc.stdin.close()
        self.last = None

    def report(self):
        try:
            with open(self.report_path) as f:
                self.last = json.load(f)
        except (OSError, ValueError):
            pass
        return self.last

    def wait(self, pred, what, timeout=TIMEOUT):
        """Wait until pred(report) is true; return the report."""
        deadline = time.monotonic() + timeout
        seen = None
        while True:
            st = None
            try:
                st = os.stat(self.report_path)
            except OSError:
                pass
            key = st and (st.st_mtime_ns, st.st_size, st.st_ino)
            if key != seen:
                seen = key
                r = self.report()
                try:
                    if r is not None and pred(r):
                        return r
                except (KeyError, IndexError, TypeError):
                    pass
            if self.proc.poll() is not None:
                raise AssertionError("pace-desk exited (%s) waiting for %s:\n%s"
                                     % (self.proc.returncode, what,
                                        self.stderr()[-3000:]))
            if time.monotonic() > deadline:
                raise AssertionError(
                    "pace-desk did not show %s within %ss; last report:\n%s\n"
                    "stderr:\n%s" % (what, timeout,
                                     json.dumps(self.last, indent=1,
                                                ensure_ascii=False)[-6000:],
                                     self.stderr()[-2000:]))
            time.sleep(0.05)

    def stderr(self):
        with open(self.errpath, errors="replace") as f:
            return f.read()

    def stop(self):
        """SIGTERM: pace-desk quits cleanly with 0 and no sanitizer report."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("pace-desk did not exit on SIGTERM")
        self.err.close()
        log = self.stderr()
        for marker in ("AddressSanitizer", "runtime error:", "CRITICAL"):
            assert marker not in log, "pace-desk stderr:\n" + log[-6000:]
        assert self.proc.returncode == 0, \
            "pace-desk exited %d:\n%s" % (self.proc.returncode, log[-3000:])

    def activate(self, action, *args, path="/org/pace/Desk"):
        """Activate an action over D-Bus (org.gtk.Actions): the
        application's, as a click on a notification's button does, or with
        path=/org/pace/Desk/window/1 the window's, as its menu does."""
        r = self.report()
        name = r["bus_name"]
        params = "[%s]" % ", ".join(args)
        subprocess.run(["gdbus", "call", "--session", "--dest", name,
                        "--object-path", path, "--method",
                        "org.gtk.Actions.Activate", action, params, "{}"],
                       env=self.env, check=True, capture_output=True,
                       timeout=30)


def win(r):
    return r["window"]


def online(r):
    return r["link"] == "online" and win(r)["page"] == "dashboard"


# --- the org ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def org(paced):
    """Team A: manager m1, reps r1 and r2, each rep held to ¥100,000 this
    month; team B: m2 and r3; director d1."""
    o = Org(paced)
    for who in ("r1", "r2", "r3"):
        set_target(o, who)
    try:
        yield o
    finally:
        o.close()


def set_target(o, who, amount=10000000):
    """who's revenue target for this month (fen), locked."""
    import kpi_pb2
    f = wire.make("target_set", client_op_id=op_id(), period=this_month(),
                  metric="revenue", amount=amount, lock=True)
    f.target_set.scope.CopyFrom(kpi_pb2.Scope(kind=kpi_pb2.SCOPE_USER,
                                              name=o.login(who)))
    expect(o.c("admin").call(f), "ok")


def cli_as(tmp_path, paced, org, who):
    c = PaceCli(tmp_path / ("cli-" + who), paced.port)
    c.login(org.login(who), PASSWORD)
    return c


@pytest.fixture
def desks():
    started = []
    try:
        yield started
    finally:
        first = None
        for d in started:
            try:
                d.stop()
            except AssertionError as e:
                first = first or e
        if first:
            raise first


def shot_dir():
    d = os.path.join(os.environ["PACE_BUILD_DIR"], "desk")
    os.makedirs(d, exist_ok=True)
    return d


# --- tests -----------------------------------------------------------------------------

def test_signs_in_and_attainment_follows_a_cli_write(paced, org, tmp_path,
                                                     xdisplay, bus, desks):
    """r1 signs in with --user/--password-stdin; the dashboard shows r1's
    numbers; after `pace deal win` through the CLI the progress label, the
    bar, the leaderboard, the funnel and the chart show the new attainment.
    The status change raises an alert: a desktop notification goes out on
    the session bus, and acknowledging it (the notification's button action)
    marks it acknowledged in the list. A screenshot is written."""
    mon = Monitor(bus)
    shot = os.path.join(shot_dir(), "dashboard.png")
    if os.path.exists(shot):
        os.unlink(shot)
    d = Desk(tmp_path / "desk", paced.port, xdisplay, bus,
             args=["--user", org.login("r1"), "--screenshot", shot],
             password=PASSWORD)
    desks.append(d)
    r = d.wait(lambda r: online(r) and win(r)["progress"]["target"] ==
               "¥100,000.00", "r1's dashboard")
    p = win(r)["progress"]
    assert "R1" in p["title"] and this_month() in p["title"]
    before = p["attainment"]
    assert r["identity"]["login"] == org.login("r1")

    cli = cli_as(tmp_path, paced, org, "r1")
    cust = cli.json("customer", "add", "Desk 客户")
    deal = cli.json("deal", "add", "Desk deal", "--customer", cust["id"],
                    "--amount", "100000")
    cli.json("deal", "win", deal["id"], "--amount", "100000")

    r = d.wait(lambda r: win(r)["progress"]["actual"] == "¥100,000.00" and
               win(r)["progress"]["attainment"] == "100.0%",
               "attainment 100.0% after the CLI write")
    p = win(r)["progress"]
    assert before != p["attainment"]
    # A laptop-sized window: two columns of cards.
    assert win(r)["columns"] == 2 and win(r)["size_class"] == "size-m"
    assert p["bar_fraction"] == pytest.approx(1.0)
    assert p["bar_status"] == "green" and p["status_text"] == "on track"
    # The leaderboard (BoardGet after the snapshot): r1 first, marked.
    r = d.wait(lambda r: any(row["name"] == "R1" and
                             row["attainment"] == "100.0%"
                             for row in win(r)["board"]["rows"]),
               "the leaderboard with R1 at 100.0%")
    rows = win(r)["board"]["rows"]
    assert rows[0]["name"] == "R1" and rows[0]["rank"] == "★ 1"
    assert rows[0]["top3"] and rows[0]["me"] and rows[0]["status"] == "green"
    assert {row["name"] for row in rows} == {"R1", "R2"}
    # Funnel: the deal was a lead and was won.
    stages = {s["stage"]: s for s in win(r)["funnel"]["stages"]}
    assert stages["lead"]["count"] == "1" and stages["won"]["count"] == "1"
    # Pipeline and collections are shown (nothing open, nothing due).
    assert win(r)["money"]["pipeline_count"] == "0"
    assert win(r)["money"]["collection_rate"] == "—"
    # The chart ends at the new cumulative actual, with the pace line.
    r = d.wait(lambda r: win(r)["chart"]["actual"][-1] == 10000000,
               "the chart's actual line at ¥100,000")
    ch = win(r)["chart"]
    assert ch["target"] == 10000000 and r["session"]["series"] >= 1
    # One point per day so far (Kpi.daily from KpiGet) after the origin.
    assert ch["points"] == datetime.datetime.now(SHANGHAI).day + 1
    assert ch["days"] in (28, 29, 30, 31)

    # red/none -> green: an alert for r1, pushed, notified.
    r = d.wait(lambda r: r["notifications"] and
               win(r)["alerts"]["items"], "a notification for the new alert")
    aid = r["notifications"][0]
    item = next(a for a in win(r)["alerts"]["items"] if a["id"] == aid)
    assert not item["acknowledged"]
    assert mon.wait_text("member=Notify"), "no Notify call on the bus"
    assert mon.wait_text(item["title"]), "the notification has the title"
    d.activate("ack-alert", "<uint64 %d>" % aid)
    d.wait(lambda r: next(a for a in win(r)["alerts"]["items"]
                          if a["id"] == aid)["acknowledged"],
           "the alert acknowledged")
    acked = org.sql("SELECT count(*) FROM pace.alert_ack WHERE alert_id = %d"
                    % aid)
    assert acked == "1"
    mon.stop()

    # The screenshot of the dashboard, once it had its numbers.
    r = d.wait(lambda r: r["screenshot"] == shot, "the screenshot")
    with open(shot, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(shot) > 20000

    # The server and the session token are where pace keeps them.
    cfg = open(os.path.join(d.home, "config", "pace", "config")).read()
    assert "server=127.0.0.1:%d" % paced.port in cfg
    assert re.search(r"^token=\S+", cfg, re.M)
    assert "login=%s" % org.login("r1") in cfg
    assert oct(os.stat(os.path.join(d.home, "config", "pace",
                                    "config")).st_mode & 0o777) == "0o600"


def test_next_start_goes_straight_to_the_dashboard(paced, org, tmp_path,
                                                   xdisplay, bus, desks):
    """The second start has no credentials: it resumes the stored session
    (the same file the CLI uses, so the CLI is signed in too)."""
    home = tmp_path / "desk"
    d = Desk(home, paced.port, xdisplay, bus,
             args=["--user", org.login("r2")], password=PASSWORD)
    desks.append(d)
    d.wait(lambda r: online(r) and r["identity"]["login"] == org.login("r2"),
           "r2 signed in")
    d.stop()
    desks.remove(d)
    d = Desk(home, None, xdisplay, bus)
    desks.append(d)
    r = d.wait(lambda r: online(r) and win(r)["progress"]["target"] ==
               "¥100,000.00", "the dashboard without signing in")
    assert r["identity"]["login"] == org.login("r2")
    assert r["session"]["server"] == "127.0.0.1:%d" % paced.port
    # pace, with the same configuration directory, uses that session.
    cli = PaceCli(home, paced.port)
    cli.env = dict(cli.env, XDG_CONFIG_HOME=str(home / "config"))
    assert cli.json("whoami")["login"] == org.login("r2")
    # Sign out (the menu's action): the form, and no session for either.
    d.activate("sign-out", path="/org/pace/Desk/window/1")
    r = d.wait(lambda r: win(r)["page"] == "signin" and
               r["link"] == "signed_out", "the form after signing out")
    assert r["identity"] is None and not win(r)["toolbar_visible"]
    cfg = open(home / "config" / "pace" / "config").read()
    assert "token=" not in cfg and "login=%s" % org.login("r2") in cfg
    assert cli.run("whoami").returncode == 3  # not logged in


def test_without_a_session_the_sign_in_form(paced, org, tmp_path, xdisplay,
                                            bus, desks):
    """No stored session, no credentials: the form, prefilled with the
    server. Wrong credentials from the environment: the form again, saying
    why."""
    d = Desk(tmp_path / "a", paced.port, xdisplay, bus)
    desks.append(d)
    r = d.wait(lambda r: win(r)["page"] == "signin", "the sign-in form")
    assert r["link"] == "signed_out"
    assert win(r)["signin"]["server"] == "127.0.0.1:%d" % paced.port
    d2 = Desk(tmp_path / "b", paced.port, xdisplay, bus,
              env={"PACE_DESK_USER": org.login("r1"),
                   "PACE_DESK_PASSWORD": "wrong-password"})
    desks.append(d2)
    r = d2.wait(lambda r: win(r)["page"] == "signin" and
                win(r)["signin"]["error"], "the form with the refusal")
    assert win(r)["signin"]["login"] == org.login("r1")
    assert not os.path.exists(tmp_path / "b" / "config" / "pace" / "config")


def test_manager_wall_mode_shows_the_team_board(paced, org, tmp_path,
                                                xdisplay, bus, desks):
    """m1 in wall mode: full screen (the monitor's size), no toolbar, the
    team's progress and the team board in two columns, large type."""
    d = Desk(tmp_path / "wall", paced.port, xdisplay, bus,
             args=["--user", org.login("m1"), "--wall"], password=PASSWORD)
    desks.append(d)
    r = d.wait(lambda r: online(r) and len(win(r)["board"]["rows"]) == 2 and
               win(r)["width"] >= 1600, "the wall")
    w = win(r)
    assert w["wall"] and not w["toolbar_visible"]
    assert w["board"]["visible"] and not w["funnel"]["visible"]
    assert not w["alerts"]["visible"]
    assert w["columns"] == 2
    assert w["progress"]["title"].startswith("Team " + org.team("A"))
    assert w["progress"]["target"] == "¥200,000.00"  # the reps' sum
    assert [row["top3"] for row in w["board"]["rows"]] == [True, True]


def test_chinese(paced, org, tmp_path, xdisplay, bus, desks):
    """zh_CN.UTF-8: the words in Chinese, money with ¥."""
    d = Desk(tmp_path / "zh", paced.port, xdisplay, bus,
             args=["--user", org.login("r3")], password=PASSWORD,
             lang="zh_CN.UTF-8")
    desks.append(d)
    r = d.wait(lambda r: online(r) and win(r)["progress"]["target"] ==
               "¥100,000.00", "r3's dashboard in Chinese")
    assert win(r)["link_text"] == "在线"
    assert win(r)["progress"]["status_text"] in ("进度落后", "有风险",
                                                 "进度正常", "暂无进度")
    assert win(r)["board"]["title"].startswith("排行榜")


def test_server_down_offline_then_connects_and_resumes(pg, paced_factory,
                                                       tmp_path, xdisplay,
                                                       bus, desks):
    """Started while the server is down: the dashboard says "offline —
    reconnecting"; when the server starts it connects by itself. When the
    link is lost again it says so, and on reconnecting it resumes from the
    last sequence number: an alert raised while it was away arrives."""
    port = free_port()
    srv = paced_factory(extra=["--listen", "127.0.0.1:%d" % port])
    assert srv.port == port
    o = Org(srv)
    set_target(o, "r1")
    # Sign in once (stores the session), then stop the server.
    home = tmp_path / "desk"
    d = Desk(home, port, xdisplay, bus, args=["--user", o.login("r1")],
             password=PASSWORD)
    desks.append(d)
    d.wait(online, "the first sign-in")
    d.stop()
    desks.remove(d)
    o.close()
    srv.stop()

    d = Desk(home, port, xdisplay, bus)
    desks.append(d)
    r = d.wait(lambda r: r["link"] == "offline" and
               win(r)["banner_visible"], "the offline state")
    assert win(r)["banner"] == "offline — reconnecting"
    assert win(r)["page"] == "dashboard"

    srv2 = Paced(srv.conninfo, extra=["--listen", "127.0.0.1:%d" % port],
                 logpath=srv.logpath + ".2")
    srv2.start()
    try:
        r = d.wait(lambda r: online(r) and win(r)["progress"]["target"] ==
                   "¥100,000.00", "connected once the server is up")
        assert not win(r)["banner_visible"]
        seq0 = r["session"]["seq"]
        connects = r["session"]["connects"]

        # Lose the link; while away, r1 reaches the target: green alert.
        srv2.stop()
        d.wait(lambda r: r["link"] == "offline", "offline again")
        srv3 = Paced(srv.conninfo, extra=["--listen", "127.0.0.1:%d" % port],
                     logpath=srv.logpath + ".3")
        # The write happens before pace-desk gets back (it is backing off).
        srv3.start()
        try:
            o2 = Org.__new__(Org)
            o2.paced, o2.conns = srv3, {}
            o2.tag = o.tag
            o2.won_deal("r1", amount=10000000)
            r = d.wait(lambda r: online(r) and
                       r["session"]["connects"] > connects and
                       win(r)["progress"]["attainment"] == "100.0%",
                       "reconnected with the new numbers")
            r = d.wait(lambda r: r["notifications"] and
                       r["session"]["seq"] > seq0,
                       "the alert raised while away")
            o2.close()
        finally:
            srv3.stop()
    finally:
        srv2.stop()


def test_alerts_raised_while_away_come_even_if_none_was_seen(
        pg, paced_factory, tmp_path, xdisplay, bus, desks):
    """Subscribe.resume: a desk that had seen no alert yet (sequence 0)
    still gets, on reconnecting, the alerts raised while it was away, as
    pushes. The alert is raised through another server on another port, so
    it exists before the desk can get back."""
    port = free_port()
    srv = paced_factory(extra=["--listen", "127.0.0.1:%d" % port])
    o = Org(srv)
    d = Desk(tmp_path / "desk", port, xdisplay, bus,
             args=["--user", o.login("r1")], password=PASSWORD)
    desks.append(d)
    r = d.wait(lambda r: online(r) and r["session"]["snapshots"] >= 1,
               "signed in and subscribed")
    assert r["session"]["seq"] == 0 and r["session"]["alerts"] == 0, \
        "the premise: no alert seen yet"
    connects = r["session"]["connects"]
    srv.stop()
    d.wait(lambda r: r["link"] == "offline", "offline")

    # Meanwhile, elsewhere: r1 gets a target and reaches it (green alert).
    other = Paced(srv.conninfo, logpath=srv.logpath + ".other")
    other.start()
    try:
        o2 = Org.__new__(Org)
        o2.paced, o2.conns, o2.tag = other, {}, o.tag
        o2.paced.psql = srv.psql
        set_target(o2, "r1")
        o2.won_deal("r1", amount=10000000)
        assert poll(lambda: int(srv.psql(
            "SELECT count(*) FROM pace.alert WHERE subject_kind = 'user' "
            "AND subject_id = %d" % o.ids["r1"])) > 0,
            timeout=30), "no alert raised"
        o2.close()
    finally:
        other.stop()

    back = Paced(srv.conninfo, extra=["--listen", "127.0.0.1:%d" % port],
                 logpath=srv.logpath + ".back")
    back.start()
    try:
        d.wait(lambda r: online(r) and r["session"]["connects"] > connects and
               r["session"]["alerts"] >= 1,
               "the alerts raised while away, pushed on resuming")
    finally:
        back.stop()
