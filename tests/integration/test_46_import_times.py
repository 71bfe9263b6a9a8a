"""Time cells of `pace import` files (docs/import.md, client/cli/csvkinds.c):
a plain integer is microseconds since the epoch, UTC, stored exactly as
written; it must lie between 2000-01-01 and 2100-01-01 UTC; times written
as people write them (local, or with an offset) are the same instant and
give the same row (importing the other form stores nothing new)."""

import datetime
import os
import re
import time

import pytest

from pacecli import PaceCli

HOUR_US = 3600 * 1000000


@pytest.fixture(scope="module")
def cli(paced, tmp_path_factory):
    c = PaceCli(tmp_path_factory.mktemp("imp"), paced.port)
    c.login()
    return c


def write(tmp_path, name, text):
    p = os.path.join(str(tmp_path), name)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)
    return p


def stored_us(paced, table, column, where):
    return int(paced.psql("SELECT pace.us(%s) FROM pace.%s WHERE %s" % (
        column, table, where)))


def iso_cst(us):
    """The same instant as ISO 8601 with +08:00, to the microsecond."""
    t = datetime.datetime.fromtimestamp(
        us // 1000000, datetime.timezone(datetime.timedelta(hours=8)))
    return t.replace(microsecond=us % 1000000).isoformat()


def test_microsecond_times_are_stored_exactly(paced, cli, tmp_path):
    at = int(time.time()) * 1000000 - 30 * HOUR_US + 123457
    closed = at + 5 * HOUR_US + 1
    p = write(tmp_path, "c.csv",
              "name,region,at\nMicro 客户,华南,%d\n" % at)
    r = cli.ok("import", "customers", p)
    assert "Imported 1 new rows" in r.stdout
    assert stored_us(paced, "customer", "created_at",
                     "name = 'Micro 客户'") == at

    # Deals: `at` and `closed_at`, both integers (with spaces around).
    p = write(tmp_path, "d.csv",
              "title,customer,amount,stage,at,closed_at\n"
              "Micro deal,Micro 客户,1200.50,won, %d ,%d\n" % (at, closed))
    r = cli.ok("import", "deals", p)
    assert "Imported 1 new rows" in r.stdout
    where = "title = 'Micro deal'"
    assert stored_us(paced, "opportunity", "created_at", where) == at
    assert stored_us(paced, "opportunity", "won_at", where) == closed
    assert paced.psql("SELECT amount FROM pace.opportunity WHERE " +
                      where) == "120050"

    # The same instant written with an offset is the same row.
    p = write(tmp_path, "c2.csv",
              "name,region,at\nMicro 客户,华南,%s\n" % iso_cst(at))
    r = cli.ok("import", "customers", p)
    assert "Imported 0 new rows (1 were already there)" in r.stdout
    assert paced.psql("SELECT count(*) FROM pace.customer WHERE "
                      "name = 'Micro 客户'") == "1"


@pytest.mark.parametrize("cell,why", [
    ("946684799999999", "between 2000-01-01 and 2100-01-01"),  # 1999
    ("4102444800000001", "between 2000-01-01 and 2100-01-01"),  # 2100+
    ("1767225600", "between 2000-01-01 and 2100-01-01"),  # seconds
    ("17672256000000000000", "between 2000-01-01 and 2100-01-01"),
    ("-1767225600000000", "not a date or time"),
    ("+1767225600000000", "not a date or time"),
    ("1767225600000000.5", "not a date or time"),
    ("17e14", "not a date or time"),
])
def test_bad_times_are_refused_with_their_line(paced, cli, tmp_path, cell,
                                               why):
    name = "Bad time %s" % cell
    p = write(tmp_path, "bad.csv", "name,at\n%s,%s\n" % (name, cell))
    r = cli.run("import", "customers", p, check=8)
    assert re.search(r"line 2\b.*\bat\b.*%s" % re.escape(why), r.stderr), \
        r.stderr
    assert paced.psql("SELECT count(*) FROM pace.customer WHERE name = "
                      "'%s'" % name) == "0"


def test_the_bounds_reach_the_server(paced, cli, tmp_path):
    """2000-01-01 itself is a time the client sends: the server then
    refuses it as older than the org's backfill window."""
    p = write(tmp_path, "old.csv", "name,at\nY2K,946684800000000\n")
    r = cli.run("import", "customers", p, check=8)
    assert "between 2000-01-01" not in r.stderr
    assert re.search(r"line 2\b.*\bat\b", r.stderr), r.stderr
    assert paced.psql("SELECT count(*) FROM pace.customer WHERE "
                      "name = 'Y2K'") == "0"
