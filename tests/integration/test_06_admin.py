"""Admin writes: idempotency by client_op_id (a replay is answered the same
and applied once; a reused id with other content is a conflict), the
client_op_id check, and the role check (a rep may not add offices)."""

from pacedproc import ADMIN, ADMIN_PASSWORD
from wire import Role, connect, expect, expect_error, op_id


def office_rows(paced, name):
    return int(paced.psql("SELECT count(*) FROM pace.office WHERE name = '%s'"
                          % name.replace("'", "''")))


def test_office_add_replay_is_applied_once(paced, admin):
    op = op_id()
    first = expect(admin.rpc("office_add", client_op_id=op, name="Shanghai",
                             region="East"), "office")
    assert first.id > 0 and first.name == "Shanghai" and \
        first.region == "East"
    again = expect(admin.rpc("office_add", client_op_id=op, name="Shanghai",
                             region="East"), "office")
    assert again == first
    # Also from another connection of the same user (a client's retry).
    with connect(paced.port, ADMIN, ADMIN_PASSWORD) as other:
        third = expect(other.rpc("office_add", client_op_id=op,
                                 name="Shanghai", region="East"), "office")
        assert third == first
    assert office_rows(paced, "Shanghai") == 1
    listed = expect(admin.rpc("office_list"), "office_list_reply")
    assert [o.id for o in listed.offices if o.name == "Shanghai"] == \
        [first.id]


def test_same_op_id_other_content_is_a_conflict(paced, admin):
    op = op_id()
    expect(admin.rpc("office_add", client_op_id=op, name="Beijing",
                     region="North"), "office")
    expect_error(admin.rpc("office_add", client_op_id=op, name="Beijing",
                           region="South"), "CONFLICT", field="client_op_id")
    expect_error(admin.rpc("office_add", client_op_id=op, name="Tianjin",
                           region="North"), "CONFLICT", field="client_op_id")
    assert office_rows(paced, "Beijing") == 1
    assert office_rows(paced, "Tianjin") == 0
    assert paced.psql(
        "SELECT region FROM pace.office WHERE name = 'Beijing'") == "North"


def test_missing_or_invalid_op_id(paced, admin):
    good = op_id()
    for bad in ("", "not-a-uuid", good[:-1], good + "0", good[:-1] + "g",
                good.replace("-", ""), "{%s}" % good[:34]):
        expect_error(admin.rpc("office_add", client_op_id=bad,
                               name="Nowhere"),
                     "INVALID_ARGUMENT", field="client_op_id")
        expect_error(admin.rpc("team_add", client_op_id=bad, name="Nobody",
                               office="Nowhere"),
                     "INVALID_ARGUMENT", field="client_op_id")
        expect_error(admin.rpc("user_add", client_op_id=bad, login="nobody",
                               name="Nobody", role=Role.Value("REP"),
                               team="Nobody", password="password-1"),
                     "INVALID_ARGUMENT", field="client_op_id")
    # Without the field at all.
    expect_error(admin.rpc("office_add", name="Nowhere"),
                 "INVALID_ARGUMENT", field="client_op_id")
    assert office_rows(paced, "Nowhere") == 0
    # Upper-case hex is still a UUID.
    expect(admin.rpc("office_add", client_op_id=good.upper(),
                     name="Somewhere"), "office")


def test_rep_may_not_add_an_office(paced, admin):
    expect(admin.rpc("office_add", client_op_id=op_id(), name="Rep office"),
           "office")
    expect(admin.rpc("team_add", client_op_id=op_id(), name="Rep team",
                     office="Rep office"), "team")
    rep = expect(admin.rpc("user_add", client_op_id=op_id(), login="rep1",
                           name="Rep One", role=Role.Value("REP"),
                           team="Rep team", password="rep1-password",
                           hired_on="2025-03-01", region="East"), "user")
    assert rep.role == Role.Value("REP") and rep.team == "Rep team"

    with connect(paced.port, "rep1", "rep1-password") as c:
        expect_error(c.rpc("office_add", client_op_id=op_id(),
                           name="Rogue office"), "PERMISSION_DENIED")
        expect_error(c.rpc("user_add", client_op_id=op_id(), login="rogue",
                           name="Rogue", role=Role.Value("ADMIN"),
                           password="rogue-password"), "PERMISSION_DENIED")
        # Reading is allowed.
        expect(c.rpc("office_list"), "office_list_reply")
    assert office_rows(paced, "Rogue office") == 0
    assert paced.psql("SELECT count(*) FROM pace.app_user "
                      "WHERE login = 'rogue'") == "0"
