"""Who reads which audit log, by table: role × record → 200, 403 or 404. A record outside
the viewer's region answers like one that does not exist."""

from __future__ import annotations

import pytest

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit import access
from tests.helpdesk.tickets.workbench.test_pages import make_request
from tests.support import factories
from tests.support.http import page_text

ROLES = ("regional_agent", "central_analyst", "supervisor", "admin", "kb_editor")
TARGETS = ("all", "request_here", "request_elsewhere", "request_missing",
           "person_here", "person_elsewhere", "person_missing", "person_garbled")  # fmt: skip
EXPECTED = {
    #                  all  req  req-TA miss  per  per-TA miss  garbled
    "regional_agent": (403, 200, 404, 404, 200, 404, 404, 404),
    "central_analyst": (403, 200, 200, 404, 200, 200, 404, 404),
    "supervisor": (200, 200, 200, 404, 200, 200, 404, 404),
    "admin": (200, 200, 200, 404, 200, 200, 404, 404),
    "kb_editor": (403, 403, 403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize("role", ROLES)
async def test_role_by_record(client, sessionmaker, role: str) -> None:
    here = await make_request(sessionmaker, "RM", subject="Historial en la región")
    elsewhere = await make_request(sessionmaker, "TA", subject="Historial en otra región")
    person_here = await factories.person(sessionmaker, "RM")
    person_elsewhere = await factories.person(sessionmaker, "TA")
    params = {
        "all": {},
        "request_here": {"solicitud": here["folio"]},
        "request_elsewhere": {"solicitud": elsewhere["folio"]},
        "request_missing": {"solicitud": "SIAC-1999-999999"},
        "person_here": {"persona": str(person_here)},
        "person_elsewhere": {"persona": str(person_elsewhere)},
        "person_missing": {"persona": "999999999"},
        "person_garbled": {"persona": "abc"},
    }
    await factories.sign_in_staff(client, await factories.staff_member(sessionmaker, role))
    got = []
    bodies = {}
    for target in TARGETS:
        response = await client.get("/staff/auditoria", params=params[target])
        got.append(response.status_code)
        bodies[target] = page_text(response.text)
    assert tuple(got) == EXPECTED[role]
    # Not yours and not there read alike: the same words, whatever the record.
    if EXPECTED[role][2] == 404:
        assert bodies["request_elsewhere"] == bodies["request_missing"].replace(
            "SIAC-1999-999999", elsewhere["folio"]
        )
    if EXPECTED[role][1] == 200:
        # The request's history in words, with the address column for the full log's readers.
        text = bodies["request_here"]
        assert f"Solicitud {here['folio']} recibida, de tipo" in text
        assert "request.create" not in text
        assert ("Desde" in text) is (role in ("supervisor", "admin"))


@pytest.mark.parametrize(
    ("role", "full", "record"),
    [
        ("regional_agent", False, True),
        ("central_analyst", False, True),
        ("supervisor", True, True),
        ("admin", True, True),
        ("kb_editor", False, False),
    ],
)
def test_rules(role: str, full: bool, record: bool) -> None:
    viewer = Viewer("staff", 1, "X", role=role, region_code="RM")
    assert access.may_read_full_log(viewer) is full
    assert access.shows_addresses(viewer) is full
    assert access.may_read_record_log(viewer) is record
    citizen = Viewer("citizen", 1, "C", person_id=1)
    assert not access.may_read_full_log(citizen) and not access.may_read_record_log(citizen)
