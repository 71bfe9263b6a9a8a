"""Running the real `pace` binary in the integration tests.

Each PaceCli has its own configuration and data directories (so its own
session token and offline outbox), runs in English with no colour, in the
Asia/Shanghai time zone unless told otherwise, and talks to one server.
"""

import json
import os
import subprocess

from pacedproc import ADMIN, ADMIN_PASSWORD


def pace_binary():
    build = os.environ.get("PACE_BUILD_DIR")
    if not build:
        raise RuntimeError("PACE_BUILD_DIR is not set (run through ctest)")
    path = os.path.join(build, "client", "cli", "pace")
    if not os.access(path, os.X_OK):
        raise RuntimeError("%s is not built" % path)
    return path


class PaceCli:
    def __init__(self, tmp_path, port, tz="Asia/Shanghai"):
        self.home = str(tmp_path)
        self.port = port
        self.env = dict(os.environ)
        self.env.update({
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, "config"),
            "XDG_DATA_HOME": os.path.join(self.home, "data"),
            "TZ": tz,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "LANGUAGE": "",
            "NO_COLOR": "1",
        })
        for k in ("PACE_SERVER", "PACE_TLS_CA"):
            self.env.pop(k, None)

    @property
    def outbox_path(self):
        return os.path.join(self.env["XDG_DATA_HOME"], "pace", "outbox.db")

    def run(self, *args, stdin=None, check=None, timeout=120):
        """Run pace with --server; return the CompletedProcess (text). With
        check=N, assert the exit code is N."""
        cmd = [pace_binary(), "--server", "127.0.0.1:%d" % self.port,
               *[str(a) for a in args]]
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                           env=self.env, timeout=timeout)
        if check is not None:
            assert r.returncode == check, \
                "pace %s: exit %d, wanted %d\nstdout:\n%s\nstderr:\n%s" % (
                    " ".join(map(str, args)), r.returncode, check, r.stdout,
                    r.stderr)
        return r

    def ok(self, *args, **kw):
        return self.run(*args, check=0, **kw)

    def json(self, *args):
        """Run with --json, expect success, return the parsed output."""
        r = self.ok("--json", *args)
        return json.loads(r.stdout)

    def login(self, user=ADMIN, password=ADMIN_PASSWORD):
        return self.ok("login", user, "--password-stdin",
                       stdin=password + "\n")


def logged_in(tmp_path_factory, port, login, password="password-1"):
    """A PaceCli with a home of its own, logged in as login."""
    c = PaceCli(tmp_path_factory.mktemp("cli"), port)
    c.login(login, password)
    return c
