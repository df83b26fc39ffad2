"""The person's timeline: every source, newest first, notes as excerpts, a bounded number
of queries, sources that can be added, and the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from helpdesk.core.db import utcnow
from helpdesk.core.errors import PermissionDenied
from helpdesk.people import service as people
from helpdesk.people import timeline
from helpdesk.people.models import Person
from helpdesk.tickets.service import NewRequest, open_request
from helpdesk.tickets.workbench import service as agent_service
from tests.support import factories
from tests.support.http import page_text

LONG_NOTE = "Nota interna " + "muy larga " * 40


async def staff(sessionmaker, role: str = "central_analyst") -> tuple[Viewer, str]:
    email = await factories.staff_member(sessionmaker, role)
    async with sessionmaker() as db, db.begin():
        account = await db.scalar(select(StaffAccount).where(StaffAccount.email == email))
        assert account is not None
        account.full_name = "Ana Pérez"
        staff_id = account.id
    region = "RM" if role == "regional_agent" else None
    return Viewer("staff", staff_id, "Ana Pérez", role=role, region_code=region), email


async def busy_person(sessionmaker, viewer: Viewer, requests: int = 1) -> tuple[int, list[str]]:
    """A person with requests, each answered, noted and resolved; and a changed phone."""
    person_id = await factories.person(sessionmaker, "RM", email_verified_at=utcnow())
    actor = Actor("staff", viewer.id)
    folios = []
    start = utcnow() - timedelta(days=2)
    for n in range(requests):
        async with sessionmaker() as db, db.begin():
            person = await db.get(Person, person_id)
            assert person is not None and person.email
            data = NewRequest(
                "consulta", f"Asunto {n}", "Primer mensaje", "web", person.email, "es",
                person_id=person_id, region_code="RM",
            )  # fmt: skip
            at = start + timedelta(hours=n)
            opened = await open_request(db, data, Actor("citizen", None), "http://x", now=at)
            item = opened.ticket
            await agent_service.add_note(
                db, viewer, item, LONG_NOTE, actor, now=at + timedelta(minutes=1)
            )
            await agent_service.reply(
                db, viewer, item, "Respuesta", actor, "http://x", "resuelto",
                now=at + timedelta(minutes=2),
            )  # fmt: skip
            folios.append(item.folio)
    async with sessionmaker() as db, db.begin():
        person = await db.get(Person, person_id)
        assert person is not None
        await people.update_person(db, viewer, person, {"phone": "+56 2 2345 6789"}, actor)
    return person_id, folios


async def test_every_source_newest_first(sessionmaker) -> None:
    viewer, _ = await staff(sessionmaker)
    person_id, (folio,) = await busy_person(sessionmaker, viewer)
    async with sessionmaker() as db:
        person = await db.get(Person, person_id)
        assert person is not None
        entries = await timeline.timeline(db, viewer, person)
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    kinds = [e.kind for e in entries]
    assert {"request", "message", "note", "status", "audit"} <= set(kinds)
    # The phone change came last; the opening first.
    assert entries[0].kind == "audit" and "Teléfono" in entries[0].excerpt
    assert "+56" not in entries[0].excerpt  # which field changed, not its value
    assert entries[-1].kind in ("request", "message")
    opening = next(e for e in entries if e.kind == "request")
    assert opening.folio == folio and opening.excerpt == "Asunto 0"
    note = next(e for e in entries if e.kind == "note")
    assert note.title == "Nota interna de Ana Pérez"
    assert len(note.excerpt) <= timeline.NOTE_EXCERPT and note.excerpt.endswith("…")
    statuses = [e.title for e in entries if e.kind == "status"]
    assert "Estado: Abierto → Resuelto, por Ana Pérez" in statuses
    assert "Estado: Nuevo → Abierto, por Ana Pérez" in statuses
    assert all(e.folio == folio for e in entries if e.kind in ("message", "note", "status"))


async def test_limit_and_a_bounded_number_of_queries(sessionmaker, engine) -> None:
    viewer, _ = await staff(sessionmaker)
    person_id, _ = await busy_person(sessionmaker, viewer, requests=4)
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    async with sessionmaker() as db:
        person = await db.get(Person, person_id)
        assert person is not None
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            everything = await timeline.timeline(db, viewer, person)
            few = await timeline.timeline(db, viewer, person, limit=5)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
    # One query per source (the audit source asks again only for merged records).
    assert len(statements) <= 2 * (len(timeline.SOURCES) + 1)
    assert len(everything) > 5 and few == everything[:5]


async def test_sources_can_be_added(sessionmaker) -> None:
    viewer, _ = await staff(sessionmaker)
    person_id = await factories.person(sessionmaker, "RM")
    when = utcnow() + timedelta(days=1)

    async def appointments(
        db, person: Person, limit: int, scope: str | None
    ) -> list[timeline.TimelineEntry]:
        return [timeline.TimelineEntry(when, "appointment", f"Cita de {person.id}")]

    async with sessionmaker() as db:
        person = await db.get(Person, person_id)
        assert person is not None
        entries = await timeline.timeline(
            db, viewer, person, sources=[*timeline.SOURCES, appointments]
        )
    assert entries[0] == timeline.TimelineEntry(when, "appointment", f"Cita de {person_id}")


async def test_region_scoping(sessionmaker) -> None:
    regional, _ = await staff(sessionmaker, "regional_agent")
    elsewhere = await factories.person(sessionmaker, "TA")
    async with sessionmaker() as db:
        person = await db.get(Person, elsewhere)
        assert person is not None
        with pytest.raises(PermissionDenied):
            await timeline.timeline(db, regional, person)


async def test_the_page_shows_the_timeline(client, sessionmaker) -> None:
    viewer, email = await staff(sessionmaker, "regional_agent")
    person_id, (folio,) = await busy_person(sessionmaker, viewer)
    await factories.sign_in_staff(client, email)
    page = await client.get(f"/staff/personas/{person_id}")
    assert page.status_code == 200
    text = page_text(page.text)
    for words in ("Identidad", "Contacto", "Solicitudes", "Historial", "Asunto 0"):
        assert words in text
    assert f"Solicitud {folio} recibida" in text and "Nota interna de Ana Pérez" in text
    assert LONG_NOTE.strip() not in text  # the note's full text stays on the request's page
    assert f'href="/staff/solicitudes/{folio}"' in page.text
    assert "Datos de la ficha actualizados" in text


async def test_a_regional_agent_sees_only_their_regions_requests_of_a_person(
    client, sessionmaker
) -> None:
    """A person of RM who also wrote to Tarapacá: the Santiago agent's page shows the RM
    request and nothing of the other (folio, subject, messages, notes)."""
    analyst, _ = await staff(sessionmaker)
    person_id = await factories.person(sessionmaker, "RM", email_verified_at=utcnow())
    folios = {}
    for region, subject in (("RM", "Asunto de Santiago"), ("TA", "Asunto de Iquique")):
        async with sessionmaker() as db, db.begin():
            person = await db.get(Person, person_id)
            assert person is not None and person.email
            data = NewRequest(
                "consulta", subject, f"Cuerpo {region}", "web", person.email, "es",
                person_id=person_id, region_code=region,
            )  # fmt: skip
            opened = await open_request(db, data, Actor("citizen", None), "http://x")
            await agent_service.add_note(
                db, analyst, opened.ticket, f"Nota {region}", Actor("staff", analyst.id)
            )
            folios[region] = opened.ticket.folio
    _regional, email = await staff(sessionmaker, "regional_agent")
    await factories.sign_in_staff(client, email)
    page = page_text((await client.get(f"/staff/personas/{person_id}")).text)
    assert folios["RM"] in page and "Asunto de Santiago" in page
    assert folios["TA"] not in page
    assert "Iquique" not in page and "Cuerpo TA" not in page and "Nota TA" not in page
