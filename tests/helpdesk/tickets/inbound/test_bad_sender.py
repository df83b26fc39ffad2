"""Incoming mail whose sender is not a valid address (core/email_address.py): no person, no
request, no answer. Called directly, nothing committed."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.notifications.models import OutboxMessage
from helpdesk.people.models import Person
from helpdesk.tickets.inbound.service import InboundOutcome, receive
from helpdesk.tickets.models import Ticket


def raw_mail(sender: str | None, subject: str) -> bytes:
    lines = [f"From: {sender}"] if sender is not None else []
    lines += [
        "To: oirs@migraciones.example",
        f"Subject: {subject}",
        f"Message-ID: <{uuid.uuid4().hex}@correo.example>",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Necesito ayuda con mi visa.",
    ]
    return "\r\n".join(lines).encode()


async def deliver(db: AsyncSession, raw: bytes, envelope_from: str, tmp_path: Path):
    return await receive(
        db,
        raw,
        envelope_from,
        our_addresses=["oirs@migraciones.example"],
        message_id_domain="portal-ayuda.local",
        attachments_dir=tmp_path,
        base_url="http://testserver",
    )


async def counts(db: AsyncSession, subject: str) -> tuple[int, int, int]:
    tickets = await db.scalar(select(func.count()).where(Ticket.subject == subject))
    people = await db.scalar(
        select(func.count()).where(Person.email.in_(["script", "", "alert(1)"]))
    )
    mail = await db.scalar(select(func.count()).select_from(OutboxMessage))
    return tickets or 0, people or 0, mail or 0


@pytest.mark.parametrize(
    ("sender", "envelope_from"),
    [
        ("<script>alert(1)</script>", "atacante@evil.example.cl"),
        ("script", "atacante@evil.example.cl"),
        ('r"><svg/onload=alert(777)>@evil.cl', "atacante@evil.example.cl"),
        ("Nombre <sin-arroba>", "sin-arroba"),
        (None, "script"),  # no From at all, and a malformed envelope sender
    ],
)
async def test_a_malformed_sender_creates_no_person_and_gets_no_answer(
    db: AsyncSession, tmp_path: Path, sender: str | None, envelope_from: str
) -> None:
    subject = f"Consulta {uuid.uuid4().hex[:8]}"
    before = await counts(db, subject)
    outcome = await deliver(db, raw_mail(sender, subject), envelope_from, tmp_path)
    assert outcome == InboundOutcome("ignored_bad_sender")
    assert await counts(db, subject) == before


async def test_without_a_from_header_the_envelope_sender_is_used(
    db: AsyncSession, tmp_path: Path
) -> None:
    subject = f"Consulta {uuid.uuid4().hex[:8]}"
    sender = f"Rose.{uuid.uuid4().hex[:6]}@Correo.example.cl"
    outcome = await deliver(db, raw_mail(None, subject), sender, tmp_path)
    assert outcome.action == "opened"
    ticket = await db.get(Ticket, outcome.request_id)
    assert ticket is not None and ticket.person_id is not None
    person = await db.get(Person, ticket.person_id)
    assert person is not None and person.email == sender.lower()
