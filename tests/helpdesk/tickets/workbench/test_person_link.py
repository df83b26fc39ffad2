"""A regional agent who opens a request for an email whose record lies in another region
learns nothing of that record and does not attach the request to it; an analyst or a
supervisor links it after confirming, audited."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from helpdesk.accounts.staff import create_api_token, find_by_email
from helpdesk.audit.models import AuditEvent
from helpdesk.core.db import utcnow
from helpdesk.people.models import Person
from helpdesk.tickets.models import PendingPersonLink, Ticket, TicketMessage
from tests.support import factories
from tests.support.http import page_text

SECRET_NAME = ("Wilnick", "Desravines-Toussaint")


async def staff_token(sessionmaker, email: str) -> dict[str, str]:
    async with sessionmaker() as db, db.begin():
        account = await find_by_email(db, email)
        assert account is not None
        token = await create_api_token(db, account.id, "test")
    return {"Authorization": f"Bearer {token}"}


async def someone_in(sessionmaker, region: str) -> tuple[int, str]:
    email = f"p.{uuid.uuid4().hex[:8]}@test.portal"
    person_id = await factories.person(
        sessionmaker,
        region,
        given_names=SECRET_NAME[0],
        surnames=SECRET_NAME[1],
        email=email,
        email_verified_at=utcnow(),
    )
    return person_id, email


async def open_for(client, auth: dict[str, str], email: str) -> dict:
    body = {
        "kind": "consulta",
        "subject": "Estado de mi residencia",
        "body": "¿Cuándo responden?",
        "region_code": "RM",
        "email": email,
        "channel": "presencial",
    }
    response = await client.post("/api/v1/requests", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


async def stored(sessionmaker, folio: str) -> tuple[Ticket, PendingPersonLink | None, Person]:
    async with sessionmaker() as db:
        ticket = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        assert ticket is not None
        pending = await db.get(PendingPersonLink, ticket.id)
        person = await db.get(Person, ticket.person_id)
        assert person is not None
        return ticket, pending, person


async def test_another_regions_email_is_neither_revealed_nor_linked(client, sessionmaker) -> None:
    other_id, other_email = await someone_in(sessionmaker, "TA")
    agent = await factories.staff_member(sessionmaker, "regional_agent", "santiago")
    auth = await staff_token(sessionmaker, agent)
    opened = await open_for(client, auth, other_email)
    fresh = await open_for(client, auth, f"nueva.{uuid.uuid4().hex[:8]}@test.portal")
    assert set(opened) == set(fresh) and SECRET_NAME[1] not in str(opened)

    ticket, pending, person = await stored(sessionmaker, opened["folio"])
    assert ticket.person_id != other_id and person.full_name == ""
    assert person.email == other_email and person.region_code == "RM"
    assert pending is not None and pending.candidate_id == other_id
    # Exactly as a new email's record, so the agent cannot tell the two apart.
    _f_ticket, f_pending, f_person = await stored(sessionmaker, fresh["folio"])
    assert f_pending is None and f_person.full_name == ""
    assert (person.email_verified_at is None) == (f_person.email_verified_at is None)

    await factories.sign_in_staff(client, agent)
    page = await client.get(f"/staff/solicitudes/{opened['folio']}")
    assert page.status_code == 200
    assert SECRET_NAME[0] not in page.text and SECRET_NAME[1] not in page.text
    assert "vincular-persona" not in page.text
    record = await client.get(f"/staff/personas/{ticket.person_id}")
    assert record.status_code == 200 and SECRET_NAME[1] not in record.text
    # The agent cannot link it either.
    refused = await client.submit(
        f"/staff/solicitudes/{opened['folio']}/persona", {}, f"/staff/solicitudes/{opened['folio']}"
    )
    assert refused.status_code == 403
    assert (await stored(sessionmaker, opened["folio"]))[0].person_id == ticket.person_id


async def test_own_regions_email_and_analysts_link_at_once(client, sessionmaker) -> None:
    mine_id, mine_email = await someone_in(sessionmaker, "RM")
    other_id, other_email = await someone_in(sessionmaker, "TA")
    agent = await factories.staff_member(sessionmaker, "regional_agent", "santiago")
    analyst = await factories.staff_member(sessionmaker, "central_analyst")
    cases = [(agent, mine_email, mine_id), (analyst, other_email, other_id)]
    for staff_email, email, expected in cases:
        opened = await open_for(client, await staff_token(sessionmaker, staff_email), email)
        ticket, pending, _person = await stored(sessionmaker, opened["folio"])
        assert (ticket.person_id, pending) == (expected, None)


async def test_a_supervisor_confirms_the_link(client, sessionmaker) -> None:
    other_id, other_email = await someone_in(sessionmaker, "TA")
    agent = await factories.staff_member(sessionmaker, "regional_agent", "santiago")
    opened = await open_for(client, await staff_token(sessionmaker, agent), other_email)
    held_at = (await stored(sessionmaker, opened["folio"]))[0].person_id

    await factories.sign_in_staff(client, await factories.staff_member(sessionmaker, "supervisor"))
    url = f"/staff/solicitudes/{opened['folio']}"
    page = await client.get(url)
    assert "vincular-persona" in page.text
    assert f"{SECRET_NAME[0]} {SECRET_NAME[1]}" in page_text(page.text)
    response = await client.submit(url + "/persona", {}, url)
    assert response.status_code == 303
    ticket, pending, person = await stored(sessionmaker, opened["folio"])
    assert (ticket.person_id, pending, person.id) == (other_id, None, other_id)
    async with sessionmaker() as db:
        authors = set(
            await db.scalars(
                select(TicketMessage.author_id).where(
                    TicketMessage.request_id == ticket.id, TicketMessage.author_kind == "citizen"
                )
            )
        )
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "request.person", AuditEvent.entity_id == ticket.id
            )
        )
    assert authors == {other_id}
    assert event is not None and event.changes == {"person_id": [held_at, other_id]}
    after = await client.get(url + "?hecho=persona")
    assert "vincular-persona" not in after.text
    assert "Solicitud vinculada a la persona." in page_text(after.text)
    # Once linked, confirming again changes nothing.
    assert (await client.submit(url + "/persona", {}, url)).status_code == 303
    assert (await stored(sessionmaker, opened["folio"]))[0].person_id == other_id
