"""The capture commands of the real `pace` CLI against a real server:
customers, deals with their stage history, contracts, payments and
activities, amounts typed as people write them (12万, 1,234.56) and stored
as integer fen, times read in the local zone, errors naming the field, and
CSV import/export: a 10,000-row activity file with a BOM and 3 bad rows is
refused as a whole with the 3 line numbers, --skip-bad stores the 9,997
good ones, and importing again, or importing what `pace export` wrote,
stores nothing new."""

import datetime
import json
import os
import re
from zoneinfo import ZoneInfo

import pytest

from pacecli import PaceCli

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(delta=datetime.timedelta(0), fmt="%Y-%m-%d %H:%M"):
    """Now plus delta, as a Shanghai local time string."""
    return (datetime.datetime.now(SHANGHAI) + delta).strftime(fmt)


def us_of(text):
    """Microseconds since the epoch of a Shanghai local "YYYY-MM-DD HH:MM"."""
    t = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(
        tzinfo=SHANGHAI)
    return int(t.timestamp()) * 1000000


def count(srv, table, where="true"):
    return int(srv.psql("SELECT count(*) FROM pace.%s WHERE %s" % (
        table, where)))


@pytest.fixture
def cli(paced, tmp_path):
    c = PaceCli(tmp_path, paced.port)
    c.login()
    return c


def add_customer(cli, name, *extra):
    return cli.json("customer", "add", name, *extra)


def test_customer_add_update_list_show(paced, cli):
    c = add_customer(cli, "Acme 有限公司", "--industry", "manufacturing",
                     "--size", "large", "--region", "华东")
    assert c["id"] > 0 and c["name"] == "Acme 有限公司"
    assert (c["industry"], c["size_band"], c["region"], c["owner"]) == \
        ("manufacturing", "large", "华东", "admin")
    assert isinstance(c["created_at"], int) and c["created_at_iso"]
    assert paced.psql("SELECT region FROM pace.customer WHERE id = %d" %
                      c["id"]) == "华东"

    # Human output: what was stored, in an aligned block.
    r = cli.ok("customer", "add", "Beta 贸易")
    assert re.search(r"Added customer \d+: Beta 贸易", r.stdout)
    assert "Owner" in r.stdout and "admin" in r.stdout

    u = cli.json("customer", "update", c["id"], "--region", "华北",
                 "--size", "enterprise")
    assert (u["id"], u["region"], u["size_band"], u["industry"]) == \
        (c["id"], "华北", "enterprise", "manufacturing")
    assert cli.json("customer", "show", c["id"])["region"] == "华北"
    listed = cli.json("customer", "list", "--search", "Acme")
    assert [x["id"] for x in listed] == [c["id"]]
    table = cli.ok("customer", "list").stdout
    assert table.splitlines()[0].split()[:2] == ["ID", "NAME"]
    assert "Acme 有限公司" in table and "Beta 贸易" in table

    # Nothing to change, and ids that are not ids: usage errors.
    cli.run("customer", "update", c["id"], check=2)
    cli.run("customer", "show", "abc", check=2)
    r = cli.run("customer", "show", "999999", check=5)
    assert "999999" in r.stderr


def test_deal_lifecycle_contract_and_payments(paced, cli):
    cust = add_customer(cli, "Gamma 科技")
    d = cli.json("deal", "add", "ERP 上线", "--customer", cust["id"],
                 "--amount", "12万", "--expected-close", "2027-03-31",
                 "--source", "referral", "--product-line", "ERP")
    assert d["amount"] == 12000000 and d["stage"] == "lead"
    assert d["customer_id"] == cust["id"] and d["customer"] == "Gamma 科技"
    assert int(paced.psql("SELECT amount FROM pace.opportunity WHERE id = %d"
                          % d["id"])) == 12000000

    moved = cli.json("deal", "move", d["id"], "proposal")
    assert moved["stage"] == "proposal"
    # Moving back is refused by the server, which names the field.
    r = cli.run("deal", "move", d["id"], "lead", check=8)
    assert "(stage)" in r.stderr
    # won/lost are not stages one moves to, and unknown stages are refused
    # before anything is sent.
    cli.run("deal", "move", d["id"], "won", check=2)
    cli.run("deal", "move", d["id"], "closing", check=2)

    won = cli.json("deal", "win", d["id"], "--amount", "118,000.50")
    assert won["stage"] == "won" and won["closed_at"]
    assert won["contract"]["amount"] == 11800050

    plan = cli.json("payment", "plan", d["id"],
                    "--installment", "2026-12-31:6万",
                    "--installment", "2027-01-31:¥58,000.50")
    assert [(i["due_on"], i["amount_due"]) for i in plan["installments"]] \
        == [("2026-12-31", 6000000), ("2027-01-31", 5800050)]
    today = local(fmt="%Y-%m-%d")
    got = cli.json("payment", "receive", d["id"], "--amount", "50000",
                   "--date", today)
    assert got["received"] == 5000000
    assert [(x["received_on"], x["amount"]) for x in got["receipts"]] == \
        [(today, 5000000)]

    shown = cli.json("deal", "show", d["id"])
    stages = [(h["from"], h["to"]) for h in shown["history"]]
    assert stages == [(None, "lead"), ("lead", "proposal"),
                      ("proposal", "won")]
    assert all(h["actor"] == "admin" and h["at_iso"]
               for h in shown["history"])
    assert shown["contract"]["received"] == 5000000
    assert len(shown["contract"]["installments"]) == 2
    human = cli.ok("deal", "show", d["id"]).stdout
    for text in ("Stage history", "Installments", "Receipts", "¥120,000.00",
                 "¥118,000.50", "¥60,000.00", "¥50,000.00"):
        assert text in human, text

    rows = cli.json("payment", "list", "--deal", d["id"])
    assert sorted(r["amount_due"] for r in rows) == [5800050, 6000000]
    assert {r["deal_id"] for r in rows} == {d["id"]}
    assert "¥58,000.50" in cli.ok("payment", "list", "--deal",
                                  d["id"]).stdout


def test_lose_reopen_and_reasons(paced, cli):
    cust = add_customer(cli, "Delta 物流")
    d = cli.json("deal", "add", "Fleet", "--customer", cust["id"],
                 "--amount", "5000", "--stage", "quote")
    assert d["stage"] == "quote"
    cli.run("deal", "lose", d["id"], check=2)          # --reason missing
    r = cli.run("deal", "lose", d["id"], "--reason", "astrology", check=8)
    assert "reason" in r.stderr
    lost = cli.json("deal", "lose", d["id"], "--reason", "price")
    assert lost["stage"] == "lost" and lost["loss_reason"] == "price"
    back = cli.json("deal", "reopen", d["id"], "--stage", "negotiation")
    assert back["stage"] == "negotiation"
    assert paced.psql("SELECT stage FROM pace.opportunity WHERE id = %d" %
                      d["id"]) == "negotiation"


def test_log_activity_at_a_local_time(paced, cli):
    cust = add_customer(cli, "Epsilon 医药")
    deal = cli.json("deal", "add", "Lab kit", "--customer", cust["id"],
                    "--amount", "1.5万")
    when = local(-datetime.timedelta(hours=3))
    a = cli.json("log", "visit", "--customer", cust["id"], "--deal",
                 deal["id"], "--at", when, "--duration", "45", "--note",
                 "谈了价格")
    assert (a["kind"], a["customer_id"], a["deal_id"], a["duration_min"],
            a["note"]) == ("visit", cust["id"], deal["id"], 45, "谈了价格")
    assert a["at"] == us_of(when)
    assert a["at_iso"].endswith("+08:00")
    # The same instant written with an explicit offset.
    iso = datetime.datetime.strptime(when, "%Y-%m-%d %H:%M").strftime(
        "%Y-%m-%dT%H:%M:00+08:00")
    b = cli.json("log", "call", "--customer", cust["id"], "--at", iso)
    assert b["at"] == a["at"] and b["kind"] == "call"
    assert count(paced, "activity", "customer_id = %d" % cust["id"]) == 2
    r = cli.ok("log", "email", "--customer", cust["id"])
    assert "Logged: email with Epsilon 医药" in r.stdout


def test_refusals_store_nothing(paced, cli):
    cust = add_customer(cli, "Zeta 能源")
    where = "customer_id = %d" % cust["id"]
    for amount in ("-5", "1.234", "12k", "1,23", "abc", ""):
        r = cli.run("deal", "add", "X", "--customer", cust["id"],
                    "--amount", amount, check=2)
        assert "--amount" in r.stderr
    # A time in the future or too long ago: the server names `at`.
    r = cli.run("log", "call", "--customer", cust["id"], "--at",
                local(datetime.timedelta(days=2)), check=8)
    assert "(at)" in r.stderr
    r = cli.run("log", "call", "--customer", cust["id"], "--at",
                "2020-01-01", check=8)
    assert "(at)" in r.stderr
    cli.run("log", "call", "--customer", cust["id"], "--at",
            "yesterday", check=2)
    cli.run("log", "call", "--customer", "999999", check=5)
    assert count(paced, "opportunity", where) == 0
    assert count(paced, "activity", where) == 0


def test_org_show_and_set(cli):
    org = cli.json("admin", "org", "show")
    assert org["currency"] == "CNY" and org["timezone"] == "Asia/Shanghai"
    assert "price" in org["loss_reasons"]
    changed = cli.json("admin", "org", "set", "stale_days", "21")
    assert changed["stale_days"] == 21
    r = cli.run("admin", "org", "set", "colour", "blue", check=8)
    assert "key" in r.stderr


# --- import and export ---------------------------------------------------

BAD_LINES = (101, 5001, 9000)


def write_activities(path, customer, n=10000):
    """n activity rows with a BOM; the rows on BAD_LINES are bad: a date
    that does not exist, a row with too few cells, an unknown customer."""
    now = datetime.datetime.now(SHANGHAI).replace(second=0, microsecond=0)
    lines = ["\ufeffuser,kind,customer,deal,at,duration_min,note"]
    for i in range(1, n + 1):
        line = i + 1
        at = (now - datetime.timedelta(hours=1, minutes=7 * i)).strftime(
            "%Y-%m-%d %H:%M")
        cells = ["admin", ("call", "visit", "email", "meeting")[i % 4],
                 str(customer), "", at, str(i % 90),
                 '"note %d, with ""quotes"" and 中文"' % i]
        if line == BAD_LINES[0]:
            cells[4] = "2026-02-30 10:00"
        if line == BAD_LINES[2]:
            cells[2] = "999999"
        row = ",".join(cells)
        if line == BAD_LINES[1]:
            row = ",".join(cells[:5])
        lines.append(row)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")


def test_import_10k_activities_all_or_nothing_then_skip_bad(
        paced_factory, tmp_path):
    srv = paced_factory()   # its own database: only imported activities
    cli = PaceCli(tmp_path, srv.port)
    cli.login()
    cust = add_customer(cli, "Import 客户")
    path = os.path.join(str(tmp_path), "activities.csv")
    write_activities(path, cust["id"])

    # All or nothing (the default): refused, every bad line named.
    r = cli.run("import", "activities", path)
    assert r.returncode == 8, r.stderr
    for line in BAD_LINES:
        assert re.search(r"\bline %d\b" % line, r.stderr), r.stderr
    assert "nothing imported" in r.stderr
    assert count(srv, "activity") == 0
    js = cli.run("--json", "import", "activities", path)
    assert js.returncode == 8
    res = json.loads(js.stdout)
    assert [e["line"] for e in res["errors"]] == list(BAD_LINES)
    assert res["committed"] is False
    assert count(srv, "activity") == 0

    # --skip-bad: the 9,997 good rows are stored, the bad ones reported.
    r = cli.run("import", "activities", path, "--skip-bad", check=0)
    assert "Imported 9997 new rows (0 were already there)" in r.stdout
    assert "Skipped 3 bad rows" in r.stdout
    for line in BAD_LINES:
        assert re.search(r"\bline %d\b" % line, r.stderr)
    assert count(srv, "activity") == 9997
    assert count(srv, "activity", "note = 'note 7, with \"quotes\" and 中文'") \
        == 1

    # Again: nothing new.
    r = cli.run("import", "activities", path, "--skip-bad", check=0)
    assert "Imported 0 new rows (9997 were already there)" in r.stdout
    assert count(srv, "activity") == 9997

    # Export (a .csv file: with a BOM for Excel) and import that: nothing new.
    out = os.path.join(str(tmp_path), "exported.csv")
    cli.ok("export", "activities", "-o", out)
    with open(out, "rb") as f:
        data = f.read()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == 9997 + 1
    r = cli.ok("import", "activities", out)
    assert "Imported 0 new rows (9997 were already there)" in r.stdout
    assert count(srv, "activity") == 9997


def test_import_header_rules(paced, cli, tmp_path):
    def write(name, text):
        p = os.path.join(str(tmp_path), name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    # Columns in any order and any case; missing ones are empty.
    p = write("c1.csv", "Region,NAME,industry\n华南,Omega 电子,electronics\n"
                        "\n华西,\"Sigma, Ltd\",retail\n")
    r = cli.ok("import", "customers", p)
    assert "Imported 2 new rows" in r.stdout
    assert paced.psql("SELECT region FROM pace.customer WHERE name = "
                      "'Sigma, Ltd'") == "华西"
    # An unknown column refuses the file, naming it.
    p = write("c2.csv", "name,colour\nX,blue\n")
    r = cli.run("import", "customers", p, check=8)
    assert "colour" in r.stderr and "line 1" in r.stderr
    # An empty file, and a broken quote (with its line).
    r = cli.run("import", "customers", write("c3.csv", ""), check=8)
    assert "empty" in r.stderr
    r = cli.run("import", "customers",
                write("c4.csv", "name\nA\n\"B\nC\n"), check=8)
    assert "line 3" in r.stderr
    # A bad amount in a deal file is caught here, with its line and column.
    p = write("d1.csv", "title,customer,amount\nGood,%s,12万\nBad,%s,-3\n" %
              ("1", "1"))
    r = cli.run("import", "deals", p, check=8)
    assert re.search(r"line 3: amount: .*negative", r.stderr), r.stderr


def test_export_to_stdout_has_no_bom(cli):
    add_customer(cli, "Stdout 客户")
    r = cli.ok("export", "customers")
    assert r.stdout.splitlines()[0] == \
        "name,industry,size_band,region,owner,at"
    assert not r.stdout.startswith("\ufeff")
    assert "Stdout 客户" in r.stdout
