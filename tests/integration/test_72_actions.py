"""Action items (issue 7): their lifecycle, who sees and closes which, a
diagnosis turned into an item in one command, and the action_due alert an
overdue item raises once, to its owner, the owner's manager and the
directors.
"""

import pytest

import push_pb2
from pacecli import PaceCli
from pacedproc import poll
from review_fixture import NOW_US, ReviewOrg, content, cst_us, make
from wire import expect, expect_error

PACED_ARGS = ("--test-clock", "true")


@pytest.fixture(scope="module")
def org(paced):
    o = ReviewOrg(paced)
    o.set_clock(NOW_US)  # 2026-11-03 10:00 Asia/Shanghai
    yield o
    o.close()


def add(org, who, owner, due, text="Do it", **kw):
    return org.action(who, "action_add", owner=org.login(owner) if owner
                      else "", due_on=due, text=text, **kw)


def listed(org, who, **kw):
    r = expect(org.action(who, "action_list", **kw), "action_list_reply")
    return [i.id for i in r.items]


def alerts(org, who, entity):
    r = expect(org.c(who).call(make("alert_list", all=True, limit=1000)),
               "alert_list_reply")
    return [a for a in r.alerts if a.kind == push_pb2.ALERT_ACTION_DUE
            and a.entity_id == entity]


def test_lifecycle(org):
    it = expect(add(org, "ma", "busy", "2026-11-20", "Coach on closing"),
                "action_item")
    assert it.owner == org.login("busy") and it.owner_name == org.name("busy")
    assert it.team == org.team("A") and it.due_on == "2026-11-20"
    assert not it.done and it.outcome == "open" and it.closed_at == 0
    assert it.created_by == org.login("ma")
    assert abs(it.created_at - NOW_US) < 60 * 1000000
    done = expect(org.action("busy", "action_done", id=it.id,
                             note="two calls done"), "action_item")
    assert done.done and done.outcome == "on_time"
    assert done.closed_by == org.login("busy")
    assert abs(done.closed_at - NOW_US) < 60 * 1000000
    assert done.note == "two calls done"
    expect_error(org.action("busy", "action_done", id=it.id), "CONFLICT")
    again = expect(org.action("busy", "action_reopen", id=it.id),
                   "action_item")
    assert not again.done and again.closed_at == 0 and again.outcome == "open"
    assert again.note == "two calls done"
    expect_error(org.action("busy", "action_reopen", id=it.id), "CONFLICT")
    assert it.id in listed(org, "busy", open_only=True)
    expect(org.action("ma", "action_done", id=it.id), "action_item")
    assert it.id not in listed(org, "busy", open_only=True)
    assert it.id in listed(org, "busy")


def test_bad_input(org):
    expect_error(add(org, "ma", "busy", "2026-11-02"), "INVALID_ARGUMENT",
                 "due_on")  # in the past
    expect_error(add(org, "ma", "busy", "20261120"), "INVALID_ARGUMENT",
                 "due_on")
    expect_error(add(org, "ma", "busy", ""), "INVALID_ARGUMENT", "due_on")
    expect_error(add(org, "ma", "busy", "2026-11-20", text="  "),
                 "INVALID_ARGUMENT", "text")
    expect_error(add(org, "ma", "nobody", "2026-11-20"), "NOT_FOUND", "owner")
    expect_error(org.action("ma", "action_add", owner=org.login("busy"),
                            due_on="2026-11-20", text="x",
                            client_op_id="not-a-uuid"),
                 "INVALID_ARGUMENT", "client_op_id")


def test_roles(org):
    mine = expect(add(org, "busy", None, "2026-11-20", "My own"),
                  "action_item")
    assert mine.owner == org.login("busy")
    by_ma = expect(add(org, "ma", "slow", "2026-11-20", "For slow"),
                   "action_item")
    by_mb = expect(add(org, "mb", "bcalm", "2026-11-20", "For bcalm"),
                   "action_item")
    # A rep writes only for themselves, a manager only for their team.
    expect_error(add(org, "busy", "slow", "2026-11-20"), "PERMISSION_DENIED",
                 "owner")
    expect_error(add(org, "ma", "bcalm", "2026-11-20"), "PERMISSION_DENIED",
                 "owner")
    expect(add(org, "dir", "bcalm", "2026-11-21", "From the director"),
           "action_item")
    # A rep sees and closes only their own.
    seen = listed(org, "busy")
    assert mine.id in seen and by_ma.id not in seen and by_mb.id not in seen
    expect_error(org.action("busy", "action_done", id=by_ma.id), "NOT_FOUND")
    expect_error(org.action("busy", "action_reopen", id=by_ma.id),
                 "NOT_FOUND")
    expect_error(org.action("busy", "action_list", team=org.team("A")),
                 "PERMISSION_DENIED", "team")
    # A manager: the team's, not the other team's.
    seen = listed(org, "ma")
    assert mine.id in seen and by_ma.id in seen and by_mb.id not in seen
    assert listed(org, "ma", mine=True) == []
    expect_error(org.action("ma", "action_list", team=org.team("B")),
                 "PERMISSION_DENIED", "team")
    expect_error(org.action("ma", "action_done", id=by_mb.id), "NOT_FOUND")
    expect(org.action("ma", "action_done", id=mine.id), "action_item")
    # The director: everyone's, by team if asked.
    seen = listed(org, "dir")
    assert {mine.id, by_ma.id, by_mb.id} <= set(seen)
    seen = listed(org, "dir", team=org.team("B"))
    assert by_mb.id in seen and by_ma.id not in seen
    expect(org.action("dir", "action_done", id=by_mb.id), "action_item")


def test_from_diagnosis(org):
    rv = expect(org.generate("ma", "2026-10"), "review")
    diags = content(rv)["diagnoses"]
    d1 = diags[0]
    assert d1["rule"] == "conversion"
    it = expect(org.action("ma", "action_from_diagnosis", review_id=rv.id,
                           diagnosis=1), "action_item")
    assert it.owner == org.login("busy") and it.rule == "conversion"
    assert it.review_id == rv.id and it.diagnosis == 1
    assert it.text == d1["suggestion"]
    assert it.due_on == "2026-11-10"  # a week from today by default
    expect_error(org.action("ma", "action_from_diagnosis", review_id=rv.id,
                            diagnosis=1), "CONFLICT", "diagnosis")
    expect_error(org.action("ma", "action_from_diagnosis", review_id=rv.id,
                            diagnosis=99), "NOT_FOUND", "diagnosis")
    expect_error(org.action("mb", "action_from_diagnosis", review_id=rv.id,
                            diagnosis=2), "NOT_FOUND", "review_id")
    expect_error(org.action("busy", "action_from_diagnosis",
                            review_id=rv.id, diagnosis=2), "NOT_FOUND")
    own = expect(org.action("ma", "action_from_diagnosis", review_id=rv.id,
                            diagnosis=2, due_on="2026-11-30",
                            text="Call the customer about the invoice"),
                 "action_item")
    assert own.owner == org.login("debtor") and own.due_on == "2026-11-30"
    assert own.text == "Call the customer about the invoice"
    # The review shows its items as they are now.
    got = expect(org.c("ma").call(make("review_get", id=rv.id)), "review")
    assert [a.id for a in got.actions] == [it.id, own.id]
    assert listed(org, "ma", review_id=rv.id) == [it.id, own.id]


def test_overdue_alert_once(org):
    it = expect(add(org, "ma", "quiet", "2026-11-04", "Ten new leads"),
                "action_item")
    later = expect(add(org, "ma", "quiet", "2026-11-05", "Ten more"),
                   "action_item")
    done_in_time = expect(add(org, "ma", "thin", "2026-11-04", "Pipeline"),
                          "action_item")
    expect(org.action("thin", "action_done", id=done_in_time.id),
           "action_item")
    count = ("SELECT count(*) FROM pace.alert WHERE kind = 'action_due' AND "
             "entity_id = %d")

    # 5 November: the first is overdue, the second due today.
    org.set_clock(cst_us(2026, 11, 5), evaluate=True)
    assert poll(lambda: org.sql(count % it.id) == "1", timeout=10)
    for who in ("quiet", "ma", "dir"):
        got = poll(lambda: alerts(org, who, it.id), timeout=10)
        assert got and len(got) == 1, who
        assert got[0].subject.name == org.name("quiet")
        assert "#%d" % it.id in got[0].title and got[0].detail == "Ten new leads"
    assert alerts(org, "mb", it.id) == []
    assert alerts(org, "busy", it.id) == []
    assert org.sql(count % later.id) == "0"
    assert org.sql(count % done_in_time.id) == "0"
    lst = expect(org.action("quiet", "action_list"), "action_list_reply")
    outcome = {i.id: i.outcome for i in lst.items}
    assert outcome[it.id] == "overdue" and outcome[later.id] == "open"

    # Later evaluations raise nothing more for it, even closed and reopened.
    org.set_clock(cst_us(2026, 11, 6), evaluate=True)
    assert poll(lambda: org.sql(count % later.id) == "1", timeout=10)
    expect(org.action("quiet", "action_done", id=it.id), "action_item")
    expect(org.action("quiet", "action_reopen", id=it.id), "action_item")
    # A sentinel falls due in between: once its alert is there, the later
    # evaluations have run.
    sentinel = expect(add(org, "ma", "quiet", "2026-11-07", "Sentinel"),
                      "action_item")
    org.set_clock(cst_us(2026, 11, 7), evaluate=True)
    org.set_clock(cst_us(2026, 11, 8), evaluate=True)
    assert poll(lambda: org.sql(count % sentinel.id) == "1", timeout=10)
    assert org.sql(count % it.id) == "1"
    assert alerts(org, "quiet", it.id)[0].id == alerts(org, "ma", it.id)[0].id
    closed = expect(org.action("quiet", "action_done", id=it.id),
                    "action_item")
    assert closed.outcome == "late"
    org.set_clock(NOW_US)


def test_cli(org, tmp_path_factory):
    ma = PaceCli(tmp_path_factory.mktemp("ma"), org.paced.port)
    ma.login(org.login("ma"), "password-1")
    busy = PaceCli(tmp_path_factory.mktemp("busy"), org.paced.port)
    busy.login(org.login("busy"), "password-1")
    j = ma.json("action", "add", "Visit the three biggest customers",
                "--owner", org.login("busy"), "--due", "2026-11-25")
    assert j["owner"] == org.login("busy") and j["status"] == "open"
    assert j["due_on"] == "2026-11-25" and j["review_id"] is None
    r = busy.ok("action", "list", "--open")
    assert "Visit the three biggest customers" in r.stdout
    # Not a rep's to close: someone else's item is not found.
    other = ma.json("action", "add", "Review the pipeline", "--owner",
                    org.login("slow"), "--due", "2026-11-25")
    r = busy.run("action", "done", str(other["id"]))
    assert r.returncode == 5, r.stderr
    j = busy.json("action", "done", str(j["id"]), "--note", "visited two")
    assert j["status"] == "done" and j["note"] == "visited two"
    assert j["outcome"] == "on_time"
    j = busy.json("action", "reopen", str(j["id"]))
    assert j["status"] == "open"
    assert busy.run("action", "list", "--team", org.team("A")).returncode == 4
    assert ma.run("action", "add", "x", "--owner", org.login("busy")
                  ).returncode == 2  # --due is required
    assert ma.run("action", "add", "x", "--due", "2026-02-30").returncode == 2
    # From a diagnosis, in one command, worded as the review says it.
    rid = ma.json("review", "show", "--period", "2026-10")["id"]
    j = ma.json("action", "from-diagnosis", str(rid), "4", "--due",
                "2026-11-20")
    assert j["owner"] == org.login("slow") and j["rule"] == "stuck"
    assert j["text"].startswith(org.name("slow") + " — Stuck deals: median "
                                "cycle 90.0 days against the team's 20.0")
    assert "slow-old-0" in j["text"]
    r = ma.run("action", "from-diagnosis", str(rid), "4")
    assert r.returncode == 6, r.stderr  # already an item
    r = ma.ok("action", "list", "--review", str(rid))
    assert "Stuck deals" in r.stdout
