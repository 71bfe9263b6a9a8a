"""Running the real paced for the integration tests.

`paced init` creates the organisation and its admin (password on stdin), then
`paced --listen 127.0.0.1:0` is started and its stderr is read until the
`ready port=N` line. All of stderr is kept, in memory for assertions and in a
file for debugging. Stopping sends SIGTERM and checks the exit code.
"""

import os
import re
import shutil
import signal
import subprocess
import threading
import time

ADMIN = "admin"
ADMIN_PASSWORD = "admin-secret-1"
ORG = "Test"

# Cheap password hashing: tests log in often. These are real paced options.
FAST_HASH = ["--pwhash-mem-kib", "8192", "--pwhash-ops", "1"]

READY_RE = re.compile(r"\bready port=(\d+)")

# paced gets SIGTERM if the test process dies (e.g. killed by a ctest
# timeout), so no paced outlives a test run. setpriv execs paced in its own
# place: the pid stays paced's.
_SETPRIV = shutil.which("setpriv")
DIE_WITH_PARENT = [_SETPRIV, "--pdeathsig", "TERM", "--"] if _SETPRIV else []


def poll(pred, timeout=5.0, step=0.02):
    """Call pred until it returns something true (returned) or timeout
    seconds pass (then None)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            return None
        time.sleep(step)


def paced_binary():
    build = os.environ.get("PACE_BUILD_DIR")
    if not build:
        raise RuntimeError("PACE_BUILD_DIR is not set (run through ctest)")
    path = os.path.join(build, "server", "paced")
    if not os.access(path, os.X_OK):
        raise RuntimeError("%s is not built" % path)
    return path


def run_init(conninfo, org=ORG, admin=ADMIN, password=ADMIN_PASSWORD,
             timeout=60):
    """Run `paced init`; return the CompletedProcess (text output)."""
    cmd = [paced_binary(), "init", "--org", org, "--admin", admin,
           "--password-stdin", "--db", conninfo, *FAST_HASH]
    return subprocess.run(cmd, input=password + "\n", capture_output=True,
                          text=True, timeout=timeout)


class Paced:
    """One running paced."""

    def __init__(self, conninfo, extra=(), logpath=None, expect_exit=0):
        self.conninfo = conninfo
        self.extra = list(extra)
        self.logpath = logpath
        self.expect_exit = expect_exit
        self.lines = []
        self.cond = threading.Condition()
        self.port = None
        self.proc = None
        self.reader = None
        self.term_sent = False

    @property
    def pid(self):
        return self.proc.pid

    def start(self, timeout=30):
        return self.spawn().wait_ready(timeout)

    def spawn(self):
        """Start the process without waiting for it. Call it from the
        test's main thread: the parent-death signal (DIE_WITH_PARENT) goes
        to paced when the *thread* that started it ends."""
        cmd = [paced_binary(), "--db", self.conninfo, "--listen",
               "127.0.0.1:0", "--log-level", "debug", *FAST_HASH,
               *self.extra]
        self.proc = subprocess.Popen(DIE_WITH_PARENT + cmd,
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.reader.start()
        return self

    def wait_ready(self, timeout=30):
        m = self.wait_log(READY_RE, timeout=timeout)
        if m is None:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("paced did not become ready in %ss:\n%s" % (
                timeout, self.log_text()[-4000:]))
        self.port = int(m.group(1))
        return self

    def _read_stderr(self):
        logf = open(self.logpath, "w") if self.logpath else None
        try:
            for raw in self.proc.stderr:
                line = raw.decode(errors="replace").rstrip("\n")
                if logf:
                    logf.write(line + "\n")
                    logf.flush()
                with self.cond:
                    self.lines.append(line)
                    self.cond.notify_all()
        finally:
            if logf:
                logf.close()
            with self.cond:
                self.cond.notify_all()

    def log_text(self):
        with self.cond:
            return "\n".join(self.lines)

    def wait_log(self, pattern, timeout=10, start=0):
        """First match of pattern in stderr lines from index start, waiting
        up to timeout seconds; None if it never appears."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i])
                    if m:
                        return m
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and
                                 not self.reader.is_alive()):
                    return None
                self.cond.wait(min(left, 0.2))

    def log_matches(self, pattern, start=0, end=None):
        """Every match of pattern in stderr lines [start, end)."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        with self.cond:
            lines = self.lines[start:end]
        return [m for m in map(rx.search, lines) if m]

    def log_mark(self):
        """Index to pass as start= to wait_log, to see only newer lines."""
        with self.cond:
            return len(self.lines)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def signal(self, sig):
        if sig in (signal.SIGTERM, signal.SIGINT):
            self.term_sent = True
        self.proc.send_signal(sig)

    def wait(self, timeout=30):
        code = self.proc.wait(timeout=timeout)
        self.reader.join(timeout=5)
        return code

    def stop(self, timeout=30):
        """SIGTERM, wait, return the exit code (SIGKILL if it hangs)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            # One SIGTERM only: paced may be exiting already (a second one
            # after its signal handlers are gone would kill it).
            if not self.term_sent:
                self.signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("paced did not exit within %ss of "
                                     "SIGTERM" % timeout)
        self.reader.join(timeout=5)
        return self.proc.returncode

    def check_exit(self):
        """Stop and assert the exit code the test expects (and no sanitizer
        report in the log)."""
        code = self.stop()
        log = self.log_text()
        for marker in ("AddressSanitizer", "LeakSanitizer",
                       "runtime error:"):
            assert marker not in log, \
                "sanitizer report in paced's log:\n" + log[-6000:]
        if self.expect_exit is not None:
            assert code == self.expect_exit, \
                "paced exited with %r, expected %r; log tail:\n%s" % (
                    code, self.expect_exit, log[-4000:])
        return code
