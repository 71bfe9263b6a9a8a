"""Configuration: one table, three sources, checked and reloaded.

- deploy/paced.conf.example is what `paced --example-config` prints, and its
  keys and defaults are exactly those of `paced --dump-config`;
- the config file: a missing default file is fine, a missing named one is an
  error; PACE_* beats the file, flags beat both;
- `paced --check-config` prints the effective configuration and exits
  non-zero on any error (unknown key, out of bounds, unreadable TLS file);
- SIGHUP re-reads the file: a rate limit and the log format change live,
  a key that cannot change live is reported, a broken file changes nothing.
"""

import os
import re
import signal
import subprocess

from pacedproc import ADMIN, ADMIN_PASSWORD, paced_binary, poll
from wire import body, connect, expect, expect_error, make

SRC = os.environ.get("PACE_SOURCE_DIR",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLE = os.path.join(SRC, "deploy", "paced.conf.example")
LINE_RE = re.compile(r"^#?([a-z0-9_]+) =(?: (.*))?$")


def clean_env(**extra):
    """The environment without any PACE_* variable (plus extra)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACE_")}
    env.update(extra)
    return env


def paced(*args, env=None, check=None):
    r = subprocess.run([paced_binary(), *args], capture_output=True,
                       text=True, timeout=30,
                       env=env if env is not None else clean_env())
    if check is not None:
        assert r.returncode == check, "paced %s: exit %d\n%s%s" % (
            " ".join(args), r.returncode, r.stdout, r.stderr)
    return r


def dump(*args, env=None):
    """`paced --dump-config ARGS` as an ordered list of (key, value)."""
    out = paced("--dump-config", *args, env=env, check=0).stdout
    pairs = []
    for line in out.splitlines():
        k, _, v = line.partition(" = ")
        pairs.append((k, v.rstrip()))
    return pairs


def example_pairs(text):
    pairs = []
    for line in text.splitlines():
        m = LINE_RE.match(line)
        if m:
            pairs.append((m.group(1), (m.group(2) or "").rstrip()))
    return pairs


def test_example_is_generated_from_the_table():
    with open(EXAMPLE) as f:
        text = f.read()
    printed = paced("--example-config", check=0).stdout
    assert text == printed, (
        "deploy/paced.conf.example is out of date with paced's option "
        "table: run `cmake --build <build> --target config-example`")
    # Every key, in table order, with the default --dump-config shows when
    # nothing overrides it.
    defaults = dump("--config-file=")
    assert example_pairs(text) == defaults
    # Every line of the example is a comment, so installing it as
    # /etc/pace/paced.conf changes nothing.
    assert all(not line.strip() or line.startswith("#")
               for line in text.splitlines())
    # Each key says its bounds or kind, and the reloadable ones say so.
    blocks = text.split("\n\n")[1:]
    assert len(blocks) == len(defaults)
    for block, (key, _) in zip(blocks, defaults):
        assert re.search(r"# (integer -?\d+\.\.\d+|true or false|text, at "
                         r"most \d+ bytes)", block), block
    assert "; reload" in [b for b in blocks if "#rate_limit_rps" in b][0]
    assert "; reload" not in [b for b in blocks if "#pg_pool_size" in b][0]


def test_help_lists_every_key_with_bounds():
    out = paced("--help", check=0).stdout
    for key, _ in dump("--config-file="):
        assert "--" + key.replace("_", "-") in out, key
    assert re.search(r"--rate-limit-rps.*\n.*\(default 200, 0\.\.1000000\)",
                     out)
    assert "paced backup --output FILE" in out
    assert "--check-config" in out


def test_config_file_sources_and_precedence(tmp_path):
    conf = tmp_path / "paced.conf"
    conf.write_text("# a comment\n"
                    "rate_limit_rps = 10\n"
                    "idle_timeout_s = 77   # trailing comment\n"
                    'listen = "127.0.0.1:7999"\n'
                    "log_format = json\n")
    got = dict(dump("--config-file", str(conf)))
    assert got["rate_limit_rps"] == "10"
    assert got["idle_timeout_s"] == "77"
    assert got["listen"] == "127.0.0.1:7999"
    assert got["config_file"] == str(conf)
    # PACE_CONFIG_FILE names the file too.
    got = dict(dump(env=clean_env(PACE_CONFIG_FILE=str(conf))))
    assert got["rate_limit_rps"] == "10"
    # The environment beats the file; a flag beats both.
    env = clean_env(PACE_RATE_LIMIT_RPS="20")
    got = dict(dump("--config-file", str(conf), env=env))
    assert got["rate_limit_rps"] == "20"
    assert got["idle_timeout_s"] == "77"
    got = dict(dump("--config-file", str(conf), "--rate-limit-rps", "30",
                    env=env))
    assert got["rate_limit_rps"] == "30"
    # An empty name means no file at all.
    got = dict(dump("--config-file="))
    assert got["config_file"] == ""
    assert got["rate_limit_rps"] == "200"


def test_missing_files():
    # A file named explicitly must exist, by flag or environment.
    r = paced("--check-config", "--config-file", "/nonexistent/paced.conf")
    assert r.returncode != 0
    assert "/nonexistent/paced.conf" in r.stderr
    assert "No such file" in r.stderr
    r = paced("--check-config",
              env=clean_env(PACE_CONFIG_FILE="/nonexistent/x.conf"))
    assert r.returncode != 0 and "/nonexistent/x.conf" in r.stderr
    # The default file may be missing: defaults then.
    default = re.search(r"\(([^()]*paced\.conf)\s+unless",
                        paced("--help", check=0).stdout.replace("\n", " "))
    assert default, "paced --help names its default config file"
    if not os.path.exists(default.group(1)):
        r = paced("--check-config")
        assert r.returncode == 0, r.stderr
        assert "config_file = \n" in r.stdout
        assert "no config file" in r.stderr


def test_check_config_validates(tmp_path):
    conf = tmp_path / "paced.conf"

    def check(text, *args):
        conf.write_text(text)
        return paced("--check-config", "--config-file", str(conf), *args)

    r = check("rate_limit_rps = 50\n")
    assert r.returncode == 0, r.stderr
    assert "rate_limit_rps = 50\n" in r.stdout
    assert "configuration OK" in r.stderr
    # The effective configuration: secrets masked.
    r = check('db = "host=db password=s3cret"\n')
    assert r.returncode == 0 and "db = ********" in r.stdout
    assert "s3cret" not in r.stdout + r.stderr

    bad = {
        "no_such_key = 1\n": "unknown setting 'no_such_key'",
        "pg_pool_size = 0\n": "pg_pool_size: 0 is outside 1..256",
        "max_frame_bytes = 12x\n": "not a number",
        "listen = localhost\n": "listen: 'localhost' is not HOST:PORT",
        "metrics_listen = :abc\n": "metrics_listen",
        "log_level = loud\n": "log_level",
        "log_format = xml\n": "log_format",
        "listen_db = host=x\n": "listen_db needs db",
        "outbuf_soft_bytes = 9m\noutbuf_hard_bytes = 8m\n":
            "outbuf_soft_bytes exceeds outbuf_hard_bytes",
        "tls_cert = /nonexistent.pem\ntls_key = /nonexistent.key\n":
            "/nonexistent.pem",
        "just words\n": "expected key = value",
    }
    for text, msg in bad.items():
        r = check(text)
        assert r.returncode == 2, "accepted: %r" % text
        assert msg in r.stderr, (text, r.stderr)
        assert r.stdout == "", "printed a config despite the error"
    # A bad flag or environment value is refused the same way.
    r = paced("--check-config", "--config-file=", "--pg-pool-size", "999")
    assert r.returncode == 2 and "outside" in r.stderr
    r = paced("--check-config", "--config-file=",
              env=clean_env(PACE_IDLE_TIMEOUT_S="soon"))
    assert r.returncode == 2 and "PACE_IDLE_TIMEOUT_S" in r.stderr


def rate_limited(c, n=12):
    """Send n requests at once; how many were refused as too many."""
    ids = []
    for _ in range(n):
        f = make("whoami")
        ids.append(c.assign_id(f))
        c.send(f)
    refused = 0
    for rid in ids:
        r = c.wait_for(rid)
        if body(r) == "error":
            expect_error(r, "RESOURCE_EXHAUSTED")
            refused += 1
        else:
            expect(r, "identity")
    return refused


def test_sighup_reloads_live_settings(paced_factory, tmp_path):
    conf = tmp_path / "paced.conf"
    conf.write_text("rate_limit_rps = 0\nlog_format = text\n")
    srv = paced_factory(extra=["--config-file", str(conf)])
    c = connect(srv.port, ADMIN, ADMIN_PASSWORD)
    with c:
        assert rate_limited(c) == 0

        # Tighter limits and JSON logs, plus a key that needs a restart.
        conf.write_text("rate_limit_rps = 1\nrate_limit_burst = 2\n"
                        "log_format = json\npg_pool_size = 7\n")
        mark = srv.log_mark()
        srv.signal(signal.SIGHUP)
        assert srv.wait_log(r"configuration reloaded", start=mark)
        # The same connection is now limited: a burst of 2, then 1/s.
        assert rate_limited(c) >= 9
        assert srv.wait_log(r'^\{"ts":"[^"]+","level":"info",'
                            r'"app":"paced",.*"msg":"', start=mark)
        assert srv.log_matches(r"pg_pool_size changed; it takes effect on "
                               r"restart", start=mark)

        # A broken file changes nothing and the server carries on.
        conf.write_text("rate_limit_rps = 0\nbogus_key = 1\n")
        mark = srv.log_mark()
        srv.signal(signal.SIGHUP)
        assert srv.wait_log(r"reload failed: configuration kept", start=mark)
        assert srv.log_matches(r"bogus_key", start=mark)
        assert rate_limited(c) >= 9

        # Back to no limit.
        conf.write_text("rate_limit_rps = 0\n")
        mark = srv.log_mark()
        srv.signal(signal.SIGHUP)
        assert srv.wait_log(r"configuration reloaded", start=mark)
        assert poll(lambda: rate_limited(c) == 0, timeout=5)
    assert srv.alive()
