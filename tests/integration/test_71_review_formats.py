"""pace review generate|show|list and pace board --star (issue 7): the
review rendered by the CLI as md, json, csv and xlsx from the one stored on
the server. The xlsx is opened as a workbook (zipfile + the sheet XML) and
must hold the same numbers as the JSON.
"""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

from pacecli import PaceCli
from review_fixture import M, NOW_US, ReviewOrg

PACED_ARGS = ("--test-clock", "true")
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


@pytest.fixture(scope="module")
def org(paced):
    o = ReviewOrg(paced)
    o.previous_review()
    o.set_clock(NOW_US)
    yield o
    o.close()


@pytest.fixture(scope="module")
def cli(org, tmp_path_factory):
    def login(who):
        c = PaceCli(tmp_path_factory.mktemp(who), org.paced.port)
        c.login(org.login(who), "password-1")
        return c
    return {w: login(w) for w in ("ma", "dir", "busy")}


@pytest.fixture(scope="module")
def team_json(org, cli):
    r = cli["ma"].ok("review", "generate", "--period", "2026-10",
                     "--format", "json")
    return json.loads(r.stdout)


def read_xlsx(path):
    """{sheet name: [[cell value, ...], ...]} with numbers as floats."""
    z = zipfile.ZipFile(path)
    assert z.testzip() is None
    names = z.namelist()
    assert "[Content_Types].xml" in names and "xl/workbook.xml" in names
    shared = []
    if "xl/sharedStrings.xml" in names:
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall(
                "m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter(
                "{%s}t" % NS["m"])))
    rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(
        z.read("xl/_rels/workbook.xml.rels"))}
    book = ET.fromstring(z.read("xl/workbook.xml"))
    out = {}
    for sh in book.find("m:sheets", NS):
        target = rels[sh.get("{%s}id" % NS["r"])]
        xml = ET.fromstring(z.read("xl/" + target.lstrip("/").replace(
            "xl/", "")))
        rows = []
        for row in xml.iter("{%s}row" % NS["m"]):
            vals = {}
            for c in row.findall("m:c", NS):
                col = re.match(r"[A-Z]+", c.get("r")).group(0)
                idx = 0
                for ch in col:
                    idx = idx * 26 + ord(ch) - 64
                v = c.find("m:v", NS)
                if v is None:
                    val = None
                elif c.get("t") == "s":
                    val = shared[int(v.text)]
                elif c.get("t") in ("str", "inlineStr"):
                    val = v.text
                else:
                    val = float(v.text)
                vals[idx - 1] = val
            rows.append([vals.get(i) for i in range(max(vals) + 1)]
                        if vals else [])
        out[sh.get("name")] = rows
    return out


def table(rows):
    """Sheet rows -> list of dicts by the header row."""
    head = rows[0]
    return [{head[i]: r[i] if i < len(r) else None for i in range(len(head))}
            for r in rows[1:]]


def test_json_is_the_stored_review(org, cli, team_json):
    j = team_json
    assert j["id"] > 0 and j["version"] == 1
    assert j["generated_by"] == org.login("ma")
    assert j["generated_at"] == NOW_US or abs(j["generated_at"] - NOW_US) < 6e7
    assert int(j["summary"]["actual"]) == 46 * M
    assert [d["rule"] for d in j["diagnoses"]] == [
        "conversion", "collections", "prospecting", "stuck", "pipeline"]
    again = cli["ma"].json("review", "show", str(j["id"]))
    assert again == j
    assert cli["dir"].json("review", "show", "--team", org.team("A"),
                           "--period", "2026-10") == j


def test_md(org, cli, team_json, tmp_path):
    out = tmp_path / "review.md"
    r = cli["ma"].ok("review", "show", str(team_json["id"]), "-o", str(out))
    assert "written to" in r.stderr
    md = out.read_text()
    assert md.startswith("# Review — team %s · 2026-10" % org.team("A"))
    for heading in ("## Summary", "## Trend against 2026-09",
                    "## Star of the month", "## Members",
                    "## Top three: what they did differently",
                    "## Diagnoses of the members below pace",
                    "## Action items of the previous review"):
        assert heading in md, heading
    # Status coloured: the scope is red, the star green, busy red.
    assert "| **%s** | ¥460,000.00 | ¥800,000.00 | 57.5%% | 0.57 | 🔴 red |" \
        % org.team("A") in md
    assert re.search(r"\| 1 \| %s \| ¥120,000.00 \| ¥100,000.00 \| 120.0%% "
                     r"\| 1.20 \| 🟢 green \|" % org.name("star"), md)
    assert re.search(r"\| %s \| ¥30,000.00 .*🔴 red" % org.name("busy"), md)
    assert "### 1. %s (%s) — 120.0%% of target" % (org.name("star"),
                                                   org.team("A")) in md
    assert "- Activity mix: visit 50.0% of follow-ups (team 27.0%)" in md
    assert ("1. **%s** (🔴 red, 30.0%%) — **Conversion coaching**: 90 "
            "follow-ups (team average 46.2) but a win rate of 16.7%% against "
            "the team's 60.0%% (1 won, 5 lost)" % org.name("busy")) in md
    assert "**Pipeline gap**: open pipeline of ¥20,000.00 covers 0.29" in md
    assert "   - #" in md and "slow-old-0" in md  # the stuck deals named
    assert "Below pace, no rule applies: %s." % org.name("third") in md
    assert "⭐ **%s** (%s): 120.0%% of target" % (org.name("star"),
                                                 org.team("A")) in md
    assert "✅ closed on time" in md and "☑️ closed late" in md
    assert "⏰ overdue" in md
    assert "Closed on time 1, closed late 1, overdue 1, open 1." in md
    assert "| Actual | ¥460,000.00 | ¥110,000.00 | +318.2% |" in md


def test_csv(org, cli, team_json):
    r = cli["ma"].ok("review", "show", str(team_json["id"]), "--format",
                     "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows[0]["level"] == "team" and rows[0]["name"] == org.team("A")
    assert rows[0]["actual"] == "460000.00"
    members = {x["login"]: x for x in rows if x["level"] == "member"}
    assert len(members) == 8
    for m in team_json["members"]:
        row = members[m["user"]["login"]]
        assert round(float(row["actual"]) * 100) == int(m["kpi"]["actual"])
        assert abs(float(row["attainment"]) - m["kpi"]["attainment"]) < 1e-6
        assert row["followups"] == str(m["kpi"]["followups"]["total"])
    assert members[org.login("busy")]["diagnoses"] == "conversion"
    assert members[org.login("third")]["below_pace"] == "true"
    assert members[org.login("third")]["diagnoses"] == ""


def test_xlsx_holds_the_json_numbers(org, cli, team_json, tmp_path):
    path = tmp_path / "review.xlsx"
    cli["ma"].ok("review", "show", str(team_json["id"]), "--format", "xlsx",
                 "-o", str(path))
    book = read_xlsx(path)
    assert list(book) == ["Summary", "Trend", "Members", "Top three",
                          "Diagnoses", "Star", "Previous actions", "Actions"]
    summary = {r[0]: r[1] for r in book["Summary"] if r}
    s = team_json["summary"]
    assert summary["Scope"] == org.team("A") and summary["Period"] == "2026-10"
    assert round(summary["Actual"] * 100) == int(s["actual"])
    assert round(summary["Target"] * 100) == int(s["target"])
    assert abs(summary["Attainment"] - s["attainment"]) < 1e-9
    assert summary["Follow-ups"] == s["followups"]["total"]
    assert abs(summary["Win rate"] - s["win_rate"]) < 1e-9
    members = table(book["Members"])
    assert [m["Login"] for m in members] == [
        m["user"]["login"] for m in team_json["members"]]
    for row, m in zip(members, team_json["members"]):
        k = m["kpi"]
        assert round(row["Actual"] * 100) == int(k["actual"])
        assert round(row["Target"] * 100) == int(k["target"])
        assert abs(row["Attainment"] - k["attainment"]) < 1e-9
        assert row["New leads"] == k["new_leads"]
        assert row["Follow-ups"] == k["followups"]["total"]
        assert round(row["Pipeline"] * 100) == int(k["pipeline"]["amount"])
        if k["coverage"] is None:
            assert row["Coverage"] is None
        else:
            assert abs(row["Coverage"] - k["coverage"]) < 1e-9
    top = table(book["Top three"])
    assert [t["Name"] for t in top] == [t["user"]["name"]
                                        for t in team_json["top"]]
    assert top[0]["Leading activity"] == "visit"
    diags = table(book["Diagnoses"])
    assert [(d["Number"], d["Name"]) for d in diags] == [
        (d["n"], d["user"]["name"]) for d in team_json["diagnoses"]]
    assert diags[3]["Rule"] == "Stuck deals" and "slow-old-0" in diags[3]["Deals"]
    prev = table(book["Previous actions"])
    assert sorted(p["Outcome"] for p in prev) == sorted(
        a["outcome"] for a in team_json["previous_actions"])
    star = table(book["Star"])
    assert star[0]["Role"] == "star" and star[0]["Name"] == org.name("star")


def test_org_xlsx_has_teams(org, cli, tmp_path):
    path = tmp_path / "org.xlsx"
    cli["dir"].ok("review", "generate", "--period", "2026-10", "--org",
                  "--format", "xlsx", "-o", str(path))
    j = cli["dir"].json("review", "show", "--org", "--period", "2026-10")
    book = read_xlsx(path)
    assert "Teams" in book
    teams = table(book["Teams"])
    assert [t["Team"] for t in teams] == [t["team"]["name"] for t in j["teams"]]
    for row, t in zip(teams, j["teams"]):
        assert round(row["Actual"] * 100) == int(t["kpi"]["actual"])
    assert len(table(book["Members"])) == 10


def test_usage_and_denials(org, cli):
    assert cli["ma"].run("review", "generate").returncode == 2  # no period
    r = cli["ma"].run("review", "generate", "--period", "2026-10",
                      "--format", "xlsx")
    assert r.returncode == 2 and "-o" in r.stderr
    assert cli["ma"].run("review", "generate", "--period", "2026-10",
                         "--format", "pdf").returncode == 2
    assert cli["busy"].run("review", "generate", "--period",
                           "2026-10").returncode == 4
    assert cli["ma"].run("review", "generate", "--period", "2026-10",
                         "--team", org.team("B")).returncode == 4
    assert cli["ma"].run("review", "show", "999999").returncode == 5


def test_generate_again_shows_the_stored_one(org, cli, team_json):
    r = cli["ma"].ok("review", "generate", "--period", "2026-10")
    assert "shown as it was" in r.stderr
    j = cli["ma"].json("review", "generate", "--period", "2026-10",
                       "--regenerate")
    assert j["id"] == team_json["id"] and j["version"] == 2


def test_list(org, cli, team_json):
    r = cli["ma"].ok("review", "list")
    assert "Scheduled reviews: weekly off, monthly off" in r.stdout
    assert org.team("A") in r.stdout and "2026-10" in r.stdout
    j = cli["dir"].json("review", "list", "--team", org.team("A"))
    assert [x["period"] for x in j["reviews"]] == ["2026-10", "2026-09"]
    assert j["reviews"][1]["actions_total"] == 4
    assert j["schedule"] == {"weekly": False, "monthly": False, "hour": 7,
                             "timezone": "Asia/Shanghai"}


def test_board_star(org, cli):
    r = cli["busy"].ok("board", "--star", "--period", "2026-10")
    assert "Star of 2026-10 · %s" % org.team("A") in r.stdout
    assert org.name("star") in r.stdout and "120.0%" in r.stdout
    assert "Runner-up: %s (100.0%%)" % org.name("second") in r.stdout
    j = cli["dir"].json("board", "--star", "--period", "2026-09")
    assert j["decided_by"] == "actual"
    assert [s["login"] for s in j["stars"]] == [org.login("second")]
    assert [s["login"] for s in j["tied"]] == [
        org.login("star"), org.login("bcalm"), org.login("bstar")]
    r = cli["dir"].ok("board", "--star", "--period", "2026-09")
    assert "Tied on attainment with %s" % org.name("star") in r.stdout
    r = cli["dir"].ok("board", "--star", "--period", "2026-09", "--team",
                      org.team("B"))
    assert "Shared" in r.stdout
