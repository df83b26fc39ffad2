"""Several requests written together: one statement per table, each request whole."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.notifications.models import OutboxMessage
from helpdesk.people.models import Person
from helpdesk.tickets.attachments import StoredAttachment
from helpdesk.tickets.models import StatusChange, Ticket, TicketAttachment, TicketMessage
from helpdesk.tickets.opening.writing import NewRequest, Opening, create_requests

SANTIAGO = ZoneInfo("America/Santiago")
CITIZEN = Actor("anonymous", None, "203.0.113.9")
BASE = "https://ayuda.example.cl"
RECEIVED = datetime(2025, 9, 12, 10, 0, tzinfo=SANTIAGO)


def opening(email: str, kind: str = "consulta", **changes: object) -> Opening:
    files = changes.pop("files", ())
    values: dict[str, object] = {
        "kind": kind, "subject": f"Asunto {uuid.uuid4().hex[:6]}", "body": "¿Cuándo?",
        "channel": "web", "email": email, "locale": "es", "region_code": "RM",
    }  # fmt: skip
    values.update(changes)
    return Opening(NewRequest(**values), CITIZEN, BASE, RECEIVED, files)  # type: ignore[arg-type]


async def test_a_group_writes_each_request_whole_and_in_order(sessionmaker) -> None:
    shared, other = (f"g.{uuid.uuid4().hex[:8]}@test.portal" for _ in range(2))
    pdf = StoredAttachment(
        uuid.uuid4().hex + "a" * 11, "carta.pdf", "application/pdf", 10, "0" * 64
    )
    group = [
        opening(shared),
        opening(other, kind="multas"),
        opening(shared, files=[pdf]),  # the same new person: made once
        opening(other),
    ]
    async with sessionmaker() as db, db.begin():
        created = await create_requests(db, group)
    assert [c.kind for c in created] == [o.data.kind for o in group]
    siac = [c.folio for c in created if c.folio.startswith("SIAC-2025-")]
    assert len(siac) == 3 and [int(f[-6:]) for f in siac] == sorted(int(f[-6:]) for f in siac)
    assert created[1].folio.startswith("AYU-2025-")
    assert len({c.access_token for c in created}) == 4
    async with sessionmaker() as db:
        rows = {
            r.id: r
            for r in await db.scalars(select(Ticket).where(Ticket.id.in_([c.id for c in created])))
        }
        for made, asked in zip(created, group, strict=True):
            row = rows[made.id]
            assert (row.folio, row.subject, row.intake_pending) == (
                made.folio, asked.data.subject, True
            )  # fmt: skip
            first = await db.get(TicketMessage, made.first_message_id)
            assert first is not None and first.request_id == made.id
            mail = await db.scalar(
                select(OutboxMessage).where(OutboxMessage.message_id == first.email_message_id)
            )
            assert mail is not None and mail.context["folio"] == made.folio
            assert mail.context["link"] == f"{BASE}/solicitudes/{made.folio}/{made.access_token}"
            history = await db.scalar(
                select(func.count()).where(StatusChange.request_id == made.id)
            )
            audit = await db.scalar(
                select(func.count()).where(
                    AuditEvent.entity_type == "request", AuditEvent.entity_id == made.id
                )
            )
            assert (history, audit) == (1, 1)
        people = (await db.scalars(select(Person).where(Person.email.in_([shared, other])))).all()
        assert len(people) == 2
        assert rows[created[0].id].person_id == rows[created[2].id].person_id
        files = (
            await db.scalars(
                select(TicketAttachment).where(TicketAttachment.request_id == created[2].id)
            )
        ).all()
        assert [(f.display_name, f.message_id) for f in files] == [
            ("carta.pdf", created[2].first_message_id)
        ]


async def test_an_unknown_person_fails_the_whole_call(sessionmaker) -> None:
    async with sessionmaker() as db:
        with pytest.raises(ValueError, match="unknown person"):
            await create_requests(db, [opening("x@test.portal", person_id=2_000_000_000)])
        await db.rollback()
