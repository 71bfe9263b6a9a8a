"""The Debian packages, end to end (heavy: about 2-3 minutes, mostly the
build). As an operator would:

1. build with -DCMAKE_INSTALL_PREFIX=/usr and `cpack -G DEB`: pace-server,
   pace-cli and (with GTK 4) pace-desktop, dependencies from dpkg-shlibdeps
   (or take ready packages from $PACE_DEB_DIR);
2. `apt-get install ./*.deb`: every dependency resolves from Debian;
3. the files are where Debian keeps them, the config is protected, the
   `pace` user exists, `systemd-analyze verify` accepts the unit;
4. paced starts the way the unit starts it (its User, Group, UMask,
   Environment, ExecStart, NoNewPrivileges; systemd is not PID 1 here) after
   `paced init` as that user, says READY=1 on NOTIFY_SOCKET, and `pace`
   logs in; SIGHUP reloads, SIGTERM stops it and its embedded PostgreSQL;
   `paced backup` works as that user;
5. `apt-get purge` removes all of it: dpkg no longer lists the packages.

Skipped unless running as root on Linux with dpkg, apt-get and cpack, and
unless none of the packages is installed already. A summary of what ran is
written to <build>/tests/logs/packages.log.
"""

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

import pytest

from pgcluster import free_port

SRC = os.environ.get("PACE_SOURCE_DIR",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
PACKAGES = ["pace-server", "pace-cli", "pace-desktop"]
PASSWORD = "package-admin-1"
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
                       capture_output=True, text=True)
    return r.returncode == 0 and "ok installed" in r.stdout


def _why_skip():
    if not sys.platform.startswith("linux"):
        return "Linux only"
    if os.geteuid() != 0:
        return "needs root (apt-get install)"
    for tool in ("dpkg", "dpkg-deb", "apt-get", "cpack", "cmake"):
        if not shutil.which(tool):
            return "%s not found" % tool
    if not os.environ.get("PACE_DEB_DIR") and not shutil.which(
            "dpkg-shlibdeps"):
        return "dpkg-shlibdeps not found (apt-get install dpkg-dev)"
    present = [p for p in PACKAGES if installed(p)]
    if present:
        return "already installed here, not touching them: %s" % present
    return None


pytestmark = pytest.mark.skipif(_why_skip() is not None,
                                reason=_why_skip() or "")


class Log:
    """The commands and what they gave, for packages.log."""

    def __init__(self):
        base = os.path.join(os.environ.get("PACE_BUILD_DIR", "/tmp"),
                            "tests", "logs")
        os.makedirs(base, exist_ok=True)
        self.path = os.path.join(base, "packages.log")
        self.f = open(self.path, "w")
        self.t0 = time.monotonic()

    def __call__(self, text):
        self.f.write("[%6.1fs] %s\n" % (time.monotonic() - self.t0, text))
        self.f.flush()

    def run(self, cmd, check=True, timeout=600, **kw):
        shown = " ".join(cmd) if isinstance(cmd, list) else cmd
        self("$ " + shown)
        r = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout, **kw)
        tail = (r.stdout + r.stderr).strip().splitlines()[-6:]
        for line in tail:
            self("    " + line)
        self("    -> exit %d" % r.returncode)
        if check:
            assert r.returncode == 0, "%s: exit %d\n%s\n%s" % (
                shown, r.returncode, r.stdout[-3000:], r.stderr[-3000:])
        return r


def build_packages(log, workdir):
    given = os.environ.get("PACE_DEB_DIR")
    if given:
        debs = sorted(glob.glob(os.path.join(given, "*.deb")))
        assert debs, "no .deb in PACE_DEB_DIR=" + given
        log("using the packages in %s" % given)
        return debs
    # Kept between runs (only what changed is rebuilt): the first run
    # compiles everything, later ones take seconds.
    build = os.path.join(os.environ.get("PACE_BUILD_DIR", workdir), "tests",
                         "deb-build")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ASAN_", "UBSAN_", "LSAN_", "CC", "CFLAGS"))}
    log.run(["cmake", "-S", SRC, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
             "-DCMAKE_INSTALL_PREFIX=/usr", "-DBUILD_TESTS=OFF",
             "-DWERROR=ON", "-DSANITIZE="], env=env)
    log.run(["cmake", "--build", build, "-j%d" % (os.cpu_count() or 2)],
            env=env, timeout=1200)
    for old in glob.glob(os.path.join(build, "*.deb")):
        os.remove(old)
    log.run(["cpack", "-G", "DEB"], cwd=build, env=env)
    return sorted(glob.glob(os.path.join(build, "*.deb")))


def unit_service(path):
    """[Service] settings of a unit file: {key: [values]}."""
    out, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line
            elif section == "[Service]":
                k, _, v = line.partition("=")
                out.setdefault(k, []).append(v)
    return out


class Notify:
    """A NOTIFY_SOCKET as systemd keeps it for NotifyAccess=main: only the
    main process's messages count (the sender's pid comes with each)."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(path)
        os.chmod(path, 0o666)  # paced runs as pace
        self.main_pid = None
        self.ignored = []

    def wait(self, want, timeout):
        deadline = time.monotonic() + timeout
        creds = struct.calcsize("3i")
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                msg, anc, _, _ = self.sock.recvmsg(
                    4096, socket.CMSG_SPACE(creds))
            except socket.timeout:
                break
            pid = None
            for level, kind, data in anc:
                if level == socket.SOL_SOCKET and \
                        kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("3i", data[:creds])[0]
            if pid != self.main_pid:
                self.ignored.append((pid, msg))
                continue
            if msg.decode() == want:
                return True
        return False


def test_packages_install_run_and_purge():
    log = Log()
    workdir = tempfile.mkdtemp(prefix="pace-deb-")
    os.chmod(workdir, 0o755)
    user_existed = True
    try:
        pwd.getpwnam("pace")
    except KeyError:
        user_existed = False
    state = None
    state_created = False
    proc = None
    try:
        debs = build_packages(log, workdir)
        names = {re.sub(r"_.*", "", os.path.basename(d)): d for d in debs}
        assert {"pace-server", "pace-cli"} <= set(names), debs
        for name, deb in names.items():
            deps = log.run(["dpkg-deb", "-f", deb, "Depends"]).stdout
            if name != "pace-cli":
                assert "libc6" in deps, deps
        server_deps = log.run(["dpkg-deb", "-f", names["pace-server"],
                               "Depends"]).stdout
        for lib in ("libuv1", "libpq5", "libprotobuf-c1", "libsodium23",
                    "postgresql-client", "adduser"):
            assert lib in server_deps, server_deps

        # -- install -------------------------------------------------------
        log.run(["apt-get", "install", "-y", "--no-install-recommends",
                 *["./" + os.path.basename(d) for d in debs]],
                cwd=os.path.dirname(debs[0]),
                env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        for name in names:
            assert installed(name), name
        for path in ("/usr/sbin/paced", "/usr/bin/pace",
                     "/usr/lib/systemd/system/paced.service",
                     "/etc/pace/paced.conf",
                     "/usr/share/pace/sql/001_base.sql",
                     "/usr/share/locale/zh_CN/LC_MESSAGES/pace.mo",
                     "/usr/share/doc/pace-server/OPERATIONS.md"):
            assert os.path.exists(path), path
        if "pace-desktop" in names:
            assert os.path.exists("/usr/bin/pace-desk")
            assert os.path.exists(
                "/usr/share/applications/org.pace.Desk.desktop")
        pw = pwd.getpwnam("pace")
        st = os.stat("/etc/pace/paced.conf")
        assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == \
            (0, pw.pw_gid, 0o640)
        r = log.run(["dpkg-query", "--control-show", "pace-server",
                     "conffiles"], check=False)
        if r.returncode == 0:
            assert "/etc/pace/paced.conf" in r.stdout

        unit = "/usr/lib/systemd/system/paced.service"
        if shutil.which("systemd-analyze"):
            r = log.run(["systemd-analyze", "verify", unit], check=False)
            assert r.returncode == 0 and "paced.service" not in \
                r.stdout + r.stderr, r.stdout + r.stderr
        else:
            log("systemd-analyze not installed: verify skipped")

        # -- run it the way the unit does ------------------------------------
        s = unit_service(unit)
        assert s["Type"] == ["notify"]
        user, group = s["User"][0], s["Group"][0]
        execstart = s["ExecStart"][0].split()
        env = {"PATH": SYSTEMD_PATH, "HOME": pw.pw_dir, "USER": user,
               "LOGNAME": user, "SHELL": pw.pw_shell, "LANG": "C.UTF-8"}
        for e in s.get("Environment", []):
            k, _, v = e.partition("=")
            env[k] = v
        umask = int(s.get("UMask", ["0022"])[0], 8)
        state = "/var/lib/" + s["StateDirectory"][0]
        if os.path.exists(state):
            # Someone's data lives there: run in a directory of our own.
            state = tempfile.mkdtemp(prefix="pace-state-", dir=workdir)
            log("%s exists: using %s as the state directory" % (
                "/var/lib/" + s["StateDirectory"][0], state))
            for k, v in list(env.items()):
                env[k] = v.replace("/var/lib/" + s["StateDirectory"][0],
                                   state)
        else:
            os.mkdir(state)
            state_created = True
        # What systemd does for StateDirectory=: owned by the user.
        os.chown(state, pw.pw_uid, pw.pw_gid)
        os.chmod(state, int(s.get("StateDirectoryMode", ["0755"])[0], 8))
        # The operator's part: a port in the config file.
        port = free_port()
        with open("/etc/pace/paced.conf", "a") as f:
            f.write("\n# test_99_packages\nlisten = 127.0.0.1:%d\n" % port)
        run_as = ["setpriv", "--reuid", user, "--regid", group,
                  "--init-groups"]
        if s.get("NoNewPrivileges") == ["yes"]:
            run_as.append("--no-new-privs")

        def as_unit(args, **kw):
            return log.run(run_as + args, env=env, cwd="/",
                           preexec_fn=lambda: os.umask(umask), **kw)

        r = as_unit([*execstart, "--check-config"])
        assert "config_file = /etc/pace/paced.conf" in r.stdout
        assert "listen = 127.0.0.1:%d" % port in r.stdout
        as_unit([execstart[0], "init", "--org", "Packaged", "--admin",
                 "admin", "--password-stdin"], input=PASSWORD + "\n",
                timeout=300)

        notify = Notify(os.path.join(workdir, "notify.sock"))
        env["NOTIFY_SOCKET"] = notify.path
        log("$ " + " ".join(run_as + execstart) + "   (NOTIFY_SOCKET set)")
        logf = open(os.path.join(workdir, "paced.log"), "w")
        proc = subprocess.Popen(run_as + execstart, env=env, cwd="/",
                                preexec_fn=lambda: os.umask(umask),
                                stdin=subprocess.DEVNULL, stdout=logf,
                                stderr=logf)
        logf.close()
        notify.main_pid = proc.pid  # setpriv execs paced: same pid
        assert notify.wait("READY=1", 180), open(
            os.path.join(workdir, "paced.log")).read()
        log("    READY=1 received from the main pid %d" % proc.pid)
        assert not notify.ignored, "others spoke: %s" % notify.ignored

        # A person logs in with the packaged CLI.
        home = tempfile.mkdtemp(prefix="pace-home-", dir=workdir)
        cli_env = {"PATH": SYSTEMD_PATH, "HOME": home, "LANG": "C.UTF-8",
                   "NO_COLOR": "1"}
        log.run(["pace", "--server", "127.0.0.1:%d" % port, "login",
                 "admin", "--password-stdin"], input=PASSWORD + "\n",
                env=cli_env)
        r = log.run(["pace", "--server", "127.0.0.1:%d" % port, "whoami"],
                    env=cli_env)
        assert "admin" in r.stdout
        # The translations are found where the package put them.
        if "zh_CN.utf8" in subprocess.run(["locale", "-a"],
                                          capture_output=True,
                                          text=True).stdout:
            en = log.run(["pace", "--help"], env=cli_env).stdout
            zh = log.run(["pace", "--help"], env=dict(
                cli_env, LANG="zh_CN.UTF-8", LANGUAGE="zh_CN")).stdout
            assert en != zh and re.search(r"[\u4e00-\u9fff]", zh)

        proc.send_signal(signal.SIGHUP)
        assert notify.wait("READY=1", 30)
        proc.send_signal(signal.SIGTERM)
        assert notify.wait("STOPPING=1", 30)
        assert proc.wait(timeout=120) == 0
        log("    paced stopped, exit 0")
        proc = None
        out = subprocess.run(["pgrep", "-f", "-a", state],
                             capture_output=True, text=True).stdout
        assert out.strip() == "", "left running:\n" + out

        dump = os.path.join(state, "pace.dump")
        as_unit([execstart[0], "backup", "--output", dump], timeout=300)
        assert os.stat(dump).st_uid == pw.pw_uid

        # -- remove ------------------------------------------------------------
        log.run(["apt-get", "purge", "-y", *names],
                env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        for name in names:
            assert not installed(name), name
        r = log.run(["dpkg", "-l", *names], check=False)
        assert not re.search(r"^ii\s", r.stdout, re.M), r.stdout
        for path in ("/usr/sbin/paced", "/usr/bin/pace", unit,
                     "/etc/pace/paced.conf", "/etc/pace"):
            assert not os.path.exists(path), path
        log("all removed")
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if any(installed(p) for p in PACKAGES):
            subprocess.run(["apt-get", "purge", "-y", *PACKAGES],
                           capture_output=True,
                           env=dict(os.environ,
                                    DEBIAN_FRONTEND="noninteractive"))
        if state:
            # An embedded cluster left by a failure: stop it first.
            pgdata = os.path.join(state, "pg")
            if os.path.exists(os.path.join(pgdata, "postmaster.pid")):
                bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
                subprocess.run(["setpriv", "--reuid", "pace", "--regid",
                                "pace", "--init-groups",
                                os.path.join(bindir, "pg_ctl"), "-D", pgdata,
                                "-m", "immediate", "stop"],
                               capture_output=True)
            if state_created:
                shutil.rmtree(state, ignore_errors=True)
        if not user_existed:
            subprocess.run(["userdel", "pace"], capture_output=True)
            subprocess.run(["groupdel", "pace"], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
        log("cleaned up (log: %s)" % log.path)
