"""Staff see a person's applications beside their request and on their page, within their
region: a regional agent never sees another region's case."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select
from stdnum.cl import rut

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from helpdesk.cases import staff
from helpdesk.cases.models import Case
from helpdesk.people.models import Person
from helpdesk.tickets.service import NewRequest, open_request
from tests.helpdesk.cases.test_lookup import a_case
from tests.support.factories import sign_in_staff, staff_member


def a_run() -> str:
    body = str(secrets.randbelow(20_000_000) + 5_000_000)
    return f"{body}-{rut.calc_check_digit(body)}"


async def test_agent_sees_the_persons_cases_in_their_region(client, sessionmaker) -> None:
    email = f"p.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        "consulta", "Mi residencia", "¿Cómo va?", "web", email, "es", region_code="RM"
    )
    async with sessionmaker() as db, db.begin():
        ticket = (await open_request(db, data, Actor("anonymous", None), "http://t")).ticket
        folio, person_id = ticket.folio, ticket.person_id
        person = await db.get(Person, person_id)
        assert person is not None
        person.run = run = a_run()
    by_run = await a_case(sessionmaker, document_type="run", document_number=run)
    linked = await a_case(sessionmaker, document_number="HT5550001", person_id=person_id)
    elsewhere = await a_case(sessionmaker, document_number="HT5550002", person_id=person_id)
    async with sessionmaker() as db, db.begin():
        moved = await db.get(Case, elsewhere.id)
        assert moved is not None
        moved.region_code = "TA"

    agent = await staff_member(sessionmaker, "regional_agent", "santiago")
    await sign_in_staff(client, agent)
    page = await client.get(f"/staff/solicitudes/{folio}")
    assert page.status_code == 200
    assert by_run.number in page.text and linked.number in page.text
    assert elsewhere.number not in page.text
    assert "Solicitudes migratorias" in page.text
    person_page = await client.get(f"/staff/personas/{person_id}")
    assert by_run.number in person_page.text and elsewhere.number not in person_page.text

    # Central staff see every region's.
    async with sessionmaker() as db:
        person = await db.scalar(select(Person).where(Person.id == person_id))
        assert person is not None
        central = Viewer("staff", 1, "Central", "central_analyst", None)
        numbers = {c.number for c in await staff.cases_for_staff(db, central, person)}
    assert numbers == {by_run.number, linked.number, elsewhere.number}
