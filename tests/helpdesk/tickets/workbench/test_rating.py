"""The person's satisfaction rating, collected on their page, is shown to staff: on the
request's page and in the person page's list of requests (issue 12)."""

from __future__ import annotations

from sqlalchemy import update

from helpdesk.tickets.models import Ticket
from tests.helpdesk.tickets.workbench.test_pages import load, make_request, signed_in
from tests.support.http import page_text


async def _rate(sessionmaker, folio: str, score: int, comment: str | None) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(
            update(Ticket)
            .where(Ticket.folio == folio)
            .values(csat_score=score, csat_comment=comment)
        )


async def test_staff_see_the_rating_on_the_request_and_the_person(client, sessionmaker) -> None:
    rated = await make_request(sessionmaker, subject="Prórroga")
    unrated = await make_request(sessionmaker, subject="Otra")
    await _rate(sessionmaker, rated["folio"], 4, "Rápido <b>y</b> claro")
    await signed_in(client, sessionmaker)

    page = await client.get(f"/staff/solicitudes/{rated['folio']}")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Evaluación de la persona 4 de 5: «Rápido <b>y</b> claro»" in text  # as text
    assert "<b>y</b>" not in page.text

    other = await client.get(f"/staff/solicitudes/{unrated['folio']}")
    assert "Evaluación de la persona" not in page_text(other.text)

    person_id = (await load(sessionmaker, rated["folio"])).person_id
    person = await client.get(f"/staff/personas/{person_id}")
    assert person.status_code == 200
    assert "Evaluación" in page_text(person.text) and "4 de 5" in page_text(person.text)


async def test_the_rating_is_in_the_staff_members_language(client, sessionmaker) -> None:
    rated = await make_request(sessionmaker)
    await _rate(sessionmaker, rated["folio"], 5, None)
    await signed_in(client, sessionmaker)
    client.http.cookies.set("lang", "en")
    text = page_text((await client.get(f"/staff/solicitudes/{rated['folio']}")).text)
    assert "The person's rating 5 out of 5" in text
