"""Opening a request: one unit of work with its person, folio, deadlines, history and email."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.calendar.models import Closure
from helpdesk.notifications.models import OutboxMessage
from helpdesk.people.models import Person
from helpdesk.tickets.models import StatusChange, TicketMessage
from helpdesk.tickets.service import NewRequest, find_by_private_link, open_request

SANTIAGO = ZoneInfo("America/Santiago")
CITIZEN = Actor("anonymous", None, "203.0.113.9")


def new(email: str, **changes: object) -> NewRequest:
    values: dict[str, object] = {
        "kind": "consulta", "subject": "Estado de mi residencia", "body": "¿Cuándo sale mi visa?",
        "channel": "web", "email": email, "locale": "ht", "region_code": "RM",
    }  # fmt: skip
    values.update(changes)
    return NewRequest(**values)  # type: ignore[arg-type]


async def test_open_request_writes_everything_together(sessionmaker) -> None:
    email = f"r.{uuid.uuid4().hex[:8]}@test.portal"
    received = datetime(2025, 9, 12, 10, 0, tzinfo=SANTIAGO)
    async with sessionmaker() as db, db.begin():
        opened = await open_request(db, new(email), CITIZEN, "https://ayuda.example.cl", received)
        request_id = opened.ticket.id
    async with sessionmaker() as db:
        request = opened.ticket
        assert request.folio.startswith("SIAC-2025-")
        assert request.legal_due_on == date(2025, 9, 30)  # DOMAIN.md: 10 días hábiles
        assert request.status == "nuevo"
        person = await db.get(Person, request.person_id)
        assert person is not None and person.email == email and person.email_verified_at
        messages = (
            await db.scalars(select(TicketMessage).where(TicketMessage.request_id == request_id))
        ).all()
        assert [m.body for m in messages] == ["¿Cuándo sale mi visa?"]
        history = (
            await db.scalars(select(StatusChange).where(StatusChange.request_id == request_id))
        ).all()
        assert [(h.from_status, h.to_status) for h in history] == [(None, "nuevo")]
        mail = await db.scalar(select(OutboxMessage).where(OutboxMessage.to_address == email))
        assert mail is not None and mail.template == "request_received" and mail.locale == "ht"
        assert mail.context["folio"] == request.folio
        assert mail.context["link"].endswith(f"/solicitudes/{request.folio}/{opened.access_token}")
        assert mail.context["due"] == "30 septanm 2025"
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.entity_type == "request", AuditEvent.entity_id == request_id
            )
        )
        assert event is not None and event.ip_address == "203.0.113.9"


async def test_same_verified_email_is_the_same_person(sessionmaker) -> None:
    email = f"r.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        first = await open_request(db, new(email), CITIZEN, "http://x")
        second = await open_request(db, new(email.upper(), kind="multas"), CITIZEN, "http://x")
    assert first.ticket.person_id == second.ticket.person_id
    assert second.ticket.folio.startswith("AYU-")
    assert second.ticket.target_due_on is not None  # portal tickets also have an internal target


async def test_admin_closures_move_the_deadline(sessionmaker) -> None:
    async with sessionmaker() as db, db.begin():
        db.add(Closure(day=date(2031, 3, 4), region_code="VS", reason="Cierre por mudanza"))
    received = datetime(2031, 3, 3, 9, 0, tzinfo=SANTIAGO)  # Monday
    async with sessionmaker() as db, db.begin():
        valparaiso = await open_request(
            db, new("a@b.cl", region_code="VS"), CITIZEN, "http://x", received
        )
        santiago = await open_request(
            db, new("a@b.cl", region_code="RM"), CITIZEN, "http://x", received
        )
    assert (valparaiso.ticket.legal_due_on - santiago.ticket.legal_due_on).days == 1


async def test_private_link_needs_both_folio_and_token(sessionmaker) -> None:
    async with sessionmaker() as db, db.begin():
        opened = await open_request(db, new("link@test.portal"), CITIZEN, "http://x")
    folio, token = opened.ticket.folio, opened.access_token
    async with sessionmaker() as db:
        found = await find_by_private_link(db, folio, token)
        assert found is not None and found.id == opened.ticket.id
        assert await find_by_private_link(db, folio.lower(), token) is not None
        assert await find_by_private_link(db, folio, token[:-1] + "x") is None
        assert await find_by_private_link(db, "SIAC-1999-000001", token) is None
