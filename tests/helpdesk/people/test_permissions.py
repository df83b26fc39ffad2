"""Every role denial, checked in the service layer and through the pages."""

from __future__ import annotations

import pytest

from helpdesk.accounts.permissions import Viewer, check_person_access, region_scope
from helpdesk.core.errors import NotFound, PermissionDenied
from helpdesk.people import service as people
from tests.support import factories

RM_AGENT = Viewer("staff", 1, "a", role="regional_agent", region_code="RM")


@pytest.mark.parametrize(
    ("viewer", "region", "allowed"),
    [
        (RM_AGENT, "RM", True),
        (RM_AGENT, "TA", False),
        (RM_AGENT, None, False),
        (Viewer("staff", 2, "b", role="central_analyst"), "TA", True),
        (Viewer("staff", 3, "c", role="supervisor"), "MA", True),
        (Viewer("staff", 4, "d", role="admin"), "AP", True),
        (Viewer("staff", 5, "e", role="kb_editor"), "RM", False),
        (Viewer("staff", 6, "f", role="regional_agent", region_code=None), "RM", False),
        (Viewer("citizen", 7, "g", person_id=99), "RM", False),
        (Viewer("citizen", 8, "h", person_id=42), "TA", True),
    ],
)
def test_person_access_rules(viewer: Viewer, region: str | None, allowed: bool) -> None:
    if allowed:
        check_person_access(viewer, 42, region)
    else:
        with pytest.raises(PermissionDenied):
            check_person_access(viewer, 42, region)


def test_region_scope_by_role() -> None:
    assert region_scope(RM_AGENT) == "RM"
    assert region_scope(Viewer("staff", 2, "b", role="central_analyst")) is None
    with pytest.raises(PermissionDenied):
        region_scope(Viewer("staff", 5, "e", role="kb_editor"))
    with pytest.raises(PermissionDenied):
        region_scope(Viewer("citizen", 7, "g", person_id=1))


async def test_service_refuses_other_region_person(db, sessionmaker) -> None:
    other = await factories.person(sessionmaker, region="TA")
    with pytest.raises(NotFound):  # as a record that does not exist
        await people.get_person(db, RM_AGENT, other)
    mine = await factories.person(sessionmaker, region="RM")
    assert (await people.get_person(db, RM_AGENT, mine)).id == mine


async def test_service_list_is_region_scoped(db, sessionmaker) -> None:
    await factories.person(sessionmaker, region="TA")
    await factories.person(sessionmaker, region="RM")
    rows = await people.list_people(db, RM_AGENT, limit=500)
    assert rows and {p.region_code for p in rows} == {"RM"}


async def test_service_update_refuses_other_region(db, sessionmaker) -> None:
    other = await factories.person(sessionmaker, region="TA")
    person = await db.get(people.Person, other)
    with pytest.raises(PermissionDenied):
        await people.update_person(
            db, RM_AGENT, person, {"phone": "+56 9 1234 5678"}, people.audit.Actor("staff", 1)
        )


async def test_regional_agent_pages(client, sessionmaker) -> None:
    agent = await factories.staff_member(sessionmaker, "regional_agent", "santiago")
    mine = await factories.person(sessionmaker, region="RM", given_names="Mía")
    theirs = await factories.person(sessionmaker, region="TA", given_names="Ajena")
    await factories.sign_in_staff(client, agent)
    assert (await client.get(f"/staff/personas/{mine}")).status_code == 200
    assert (await client.get(f"/staff/personas/{theirs}")).status_code == 404
    listing = await client.get("/staff/personas")
    assert listing.status_code == 200
    assert f"/staff/personas/{mine}" in listing.text
    assert f"/staff/personas/{theirs}" not in listing.text
    assert (await client.get("/staff/auditoria")).status_code == 403
    assert (await client.get("/staff/admin/cuentas")).status_code == 403


async def test_analyst_sees_every_region_but_not_audit_or_admin(client, sessionmaker) -> None:
    analyst = await factories.staff_member(sessionmaker, "central_analyst")
    theirs = await factories.person(sessionmaker, region="TA")
    await factories.sign_in_staff(client, analyst)
    assert (await client.get(f"/staff/personas/{theirs}")).status_code == 200
    assert (await client.get("/staff/auditoria")).status_code == 403
    assert (await client.get("/staff/admin/cuentas")).status_code == 403


async def test_kb_editor_sees_no_people(client, sessionmaker) -> None:
    editor = await factories.staff_member(sessionmaker, "kb_editor")
    someone = await factories.person(sessionmaker, region="RM")
    await factories.sign_in_staff(client, editor)
    assert (await client.get("/staff/personas")).status_code == 403
    assert (await client.get(f"/staff/personas/{someone}")).status_code == 403


async def test_supervisor_reads_audit_but_cannot_manage_staff(client, sessionmaker) -> None:
    supervisor = await factories.staff_member(sessionmaker, "supervisor")
    await factories.sign_in_staff(client, supervisor)
    assert (await client.get("/staff/auditoria")).status_code == 200
    assert (await client.get("/staff/admin/cuentas")).status_code == 403
    token = await client.csrf("/staff")
    response = await client.post(
        "/staff/admin/cuentas/1/estado", data={"active": "0", "csrf_token": token}
    )
    assert response.status_code == 403


async def test_citizen_cannot_reach_staff_pages(client, sessionmaker) -> None:
    email, _ = await factories.citizen(sessionmaker)
    await factories.sign_in_citizen(client, email)
    assert (await client.get("/staff/personas")).status_code == 403
    assert (await client.get("/staff")).status_code == 403


async def test_anonymous_is_sent_to_sign_in(client) -> None:
    response = await client.get("/staff/personas")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/ingresar?next=/staff/personas")
    response = await client.get("/cuenta")
    assert response.headers["location"].startswith("/cuenta/ingresar")


async def test_person_page_lists_their_requests(client, sessionmaker) -> None:
    from helpdesk.audit.service import Actor
    from helpdesk.tickets.service import NewRequest, open_request

    agent = await factories.staff_member(sessionmaker, "regional_agent", "santiago")
    person_id = await factories.person(sessionmaker, region="RM")
    async with sessionmaker() as db, db.begin():
        data = NewRequest(
            "reclamo",
            "<b>Mi multa</b>",
            "Texto",
            "web",
            "x@test.portal",
            "es",
            person_id=person_id,
            region_code="RM",
        )
        opened = await open_request(db, data, Actor("citizen", person_id), "http://x")
    await factories.sign_in_staff(client, agent)
    page = await client.get(f"/staff/personas/{person_id}")
    assert opened.ticket.folio in page.text
    assert "&lt;b&gt;Mi multa&lt;/b&gt;" in page.text
