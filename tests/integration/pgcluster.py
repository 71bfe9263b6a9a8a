"""A throwaway PostgreSQL cluster for the integration tests.

initdb + pg_ctl in a fresh temporary directory, on a free TCP port of
127.0.0.1 (never 5432) with its own unix socket directory. PostgreSQL refuses
to run as root, and CI runs as root: then the directory is handed to the
`postgres` OS user and the server binaries run through `runuser`.
"""

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid


def pg_bindir():
    """The newest /usr/lib/postgresql/*/bin."""
    dirs = glob.glob("/usr/lib/postgresql/*/bin")

    def version(d):
        v = d.split("/")[-2]
        return tuple(int(x) for x in v.split(".") if x.isdigit())

    dirs = [d for d in dirs if os.path.exists(os.path.join(d, "initdb"))]
    if not dirs:
        raise RuntimeError("no PostgreSQL server in /usr/lib/postgresql/*/bin")
    return max(dirs, key=version)


def free_port():
    """A TCP port of 127.0.0.1 that nobody listens on right now."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != 5432:
            return port


class PgCluster:
    def __init__(self):
        self.bindir = pg_bindir()
        self.root = tempfile.mkdtemp(prefix="pace-pg-")
        self.data = os.path.join(self.root, "data")
        self.sockdir = os.path.join(self.root, "sock")
        self.logfile = os.path.join(self.root, "postgres.log")
        self.port = None
        self.running = False
        self.watchdog = None
        self.as_postgres = os.geteuid() == 0
        os.mkdir(self.sockdir)
        if self.as_postgres:
            pw = pwd.getpwnam("postgres")
            for d in (self.root, self.sockdir):
                os.chown(d, pw.pw_uid, pw.pw_gid)
            os.chmod(self.root, 0o755)

    # -- running server binaries --------------------------------------------
    def _run(self, prog, *args, check=True, timeout=60):
        cmd = [os.path.join(self.bindir, prog), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, cwd=self.root)
        if check and p.returncode != 0:
            raise RuntimeError("%s failed (%d):\n%s\n%s" % (
                " ".join(cmd), p.returncode, p.stdout.decode(errors="replace"),
                self.log_tail()))
        return p

    def log_tail(self, n=40):
        try:
            with open(self.logfile, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def _start_watchdog(self):
        """If this process dies without cleaning up (e.g. killed by a ctest
        timeout), stop the cluster and remove its directory anyway."""
        stop = [os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m",
                "immediate", "-w", "stop"]
        if self.as_postgres:
            stop = ["runuser", "-u", "postgres", "--", *stop]
        script = ("while kill -0 %d 2>/dev/null; do sleep 1; done; "
                  "%s; rm -rf %s" % (os.getpid(),
                                     " ".join(shlex.quote(a) for a in stop),
                                     shlex.quote(self.root)))
        self.watchdog = subprocess.Popen(
            ["/bin/sh", "-c", script], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

    def init(self):
        self._start_watchdog()
        self._run("initdb", "-D", self.data, "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--no-sync")
        # A port can be taken between free_port() and the bind: retry.
        last = None
        for _ in range(5):
            self.port = free_port()
            try:
                self.start()
                return self
            except RuntimeError as e:
                last = e
        raise last

    def start(self):
        """Start (again) on the same port."""
        opts = ("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c max_connections=100" % (self.port, self.sockdir))
        self._run("pg_ctl", "-D", self.data, "-l", self.logfile, "-w",
                  "-t", "30", "-o", opts, "start")
        self.running = True

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30",
                  "stop")
        self.running = False

    def kill_immediate(self):
        """Stop without a clean shutdown: clients see their sockets cut."""
        self.stop("immediate")

    def destroy(self):
        """Stop if running and remove everything (safe to call twice)."""
        if self.running:
            try:
                self.stop("immediate")
            except Exception:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
        if self.watchdog:
            self.watchdog.kill()
            self.watchdog.wait()
            self.watchdog = None

    # -- clients --------------------------------------------------------------
    def conninfo(self, dbname="postgres"):
        return ("host=127.0.0.1 port=%d dbname=%s user=postgres "
                "connect_timeout=5" % (self.port, dbname))

    def psql(self, sql, db="postgres"):
        """Run SQL; return the output (unaligned, tuples only) stripped."""
        psql = os.path.join(self.bindir, "psql")
        if not os.path.exists(psql):
            psql = shutil.which("psql")
        p = subprocess.run(
            [psql, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1",
             "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", db, "-c", sql],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("psql failed: %s\n%s" % (
                sql, p.stderr.decode(errors="replace")))
        return p.stdout.decode().strip()

    def createdb(self, prefix="pace"):
        """A fresh, empty database with a unique name."""
        name = "%s_%s" % (prefix, uuid.uuid4().hex[:12])
        self.psql('CREATE DATABASE "%s"' % name)
        return name
