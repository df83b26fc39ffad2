"""Staff see a person's appointments beside their request and on their page, within their
region: a regional agent never sees another region's office's appointment."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.appointments import booking
from helpdesk.audit.service import Actor
from helpdesk.core.db import utcnow
from helpdesk.tickets.service import NewRequest, open_request
from tests.helpdesk.appointments.test_booking import ACTOR
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

SANTIAGO_OFFICE = "Dirección Regional Metropolitana"


async def _first_free(
    sessionmaker: async_sessionmaker[AsyncSession], office_id: int, tramite: str, email: str
) -> None:
    now = utcnow()
    async with sessionmaker() as db, db.begin():
        found = await booking.offer(db, office_id, tramite)
        assert found is not None
        [first, *_rest] = await booking.free_times(db, found, booking.window(now, 30))
        choice = booking.Choice(office_id, tramite, first.start, "persona_mayor")
        await booking.book(db, choice, booking.Booker(email, "es"), ACTOR, now=now, days_ahead=30)


async def test_agent_sees_the_persons_appointments_in_their_region(
    client, sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int]
) -> None:
    email = f"c.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        "consulta", "Mi cita", "¿Puedo ir antes?", "web", email, "es", region_code="RM"
    )
    async with sessionmaker() as db, db.begin():
        ticket = (await open_request(db, data, Actor("anonymous", None), "http://t")).ticket
        folio, person_id = ticket.folio, ticket.person_id
    await _first_free(sessionmaker, offices["santiago"], "registro-civil-cedula", email)
    await _first_free(sessionmaker, offices["iquique"], "pt-prorroga", email)

    agent = await staff_member(sessionmaker, "regional_agent", "santiago")
    await sign_in_staff(client, agent)
    for url in (f"/staff/solicitudes/{folio}", f"/staff/personas/{person_id}"):
        page = await client.get(url)
        assert page.status_code == 200
        section = page.text.split('id="citas-seccion"', 1)[1].split("</section>", 1)[0]
        text = page_text(section)
        assert "Cédula de identidad para extranjeros" in text and SANTIAGO_OFFICE in text
        assert "Persona mayor" in text
        assert "Prórroga de permanencia transitoria" not in text, url
