"""``inbound_service.receive`` called directly: the status rules a reply by email follows,
threading by folio, merged requests and retried deliveries. Nothing is committed."""

from __future__ import annotations

import uuid
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.audit.service import Actor
from helpdesk.core.db import utcnow
from helpdesk.notifications.reply_address import ReplyAddresses
from helpdesk.tickets import status_flow
from helpdesk.tickets.inbound.service import InboundOutcome, receive
from helpdesk.tickets.inbound.trust import InboundTrust
from helpdesk.tickets.models import Ticket, TicketMessage
from helpdesk.tickets.service import NewRequest, open_request

DOMAIN = "portal-ayuda.local"
# Our mail server vouches for every sender here (trust is test_trust's subject).
TRUST = InboundTrust(frozenset({"mx.migraciones.example"}), ReplyAddresses("s" * 32, "", ""))


def raw_mail(sender: str, subject: str, body: str, message_id: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "oirs@migraciones.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@correo.example>"
    message["Authentication-Results"] = (
        "mx.migraciones.example; dmarc=pass header.from=" + (sender.rpartition("@")[2])
    )
    message.set_content(body)
    return message.as_bytes()


async def deliver(db: AsyncSession, raw: bytes, tmp_path: Path, sender: str) -> InboundOutcome:
    return await receive(
        db,
        raw,
        sender,
        our_addresses=["oirs@migraciones.example"],
        message_id_domain=DOMAIN,
        attachments_dir=tmp_path,
        base_url="http://testserver",
        trust=TRUST,
    )


async def a_request(db: AsyncSession, status: str = status_flow.ABIERTO) -> tuple[Ticket, str]:
    email = f"p-{uuid.uuid4().hex[:10]}@correo.example"
    data = NewRequest("consulta", "Mi visa", "Primera", "web", email, "es")
    opened = await open_request(db, data, Actor("citizen", None), "http://testserver")
    opened.ticket.status = status
    if status == status_flow.RESUELTO:
        opened.ticket.resolved_at = utcnow() - timedelta(days=1)
    await db.flush()
    return opened.ticket, email


async def test_a_reply_by_folio_while_waiting_reopens_the_request(
    db: AsyncSession, tmp_path: Path
) -> None:
    request, email = await a_request(db, status_flow.EN_ESPERA_CIUDADANO)
    raw = raw_mail(email, f"Re: [{request.folio}] Mi visa", "Aquí está el dato.\n-- \nPersona")
    outcome = await deliver(db, raw, tmp_path, email)
    assert (outcome.action, outcome.request_id, outcome.folio) == (
        "appended",
        request.id,
        request.folio,
    )
    assert request.status == status_flow.ABIERTO
    message = await db.get(TicketMessage, outcome.message_id)
    assert message is not None and message.body == "Aquí está el dato."


async def test_a_reply_to_a_resolved_request_reopens_it(db: AsyncSession, tmp_path: Path) -> None:
    request, email = await a_request(db, status_flow.RESUELTO)
    outcome = await deliver(
        db, raw_mail(email, f"Re: {request.folio}", "No funcionó"), tmp_path, email
    )
    assert outcome.action == "appended"
    assert request.status == status_flow.REABIERTO


async def test_a_reply_to_a_closed_request_opens_a_new_one_that_names_it(
    db: AsyncSession, tmp_path: Path
) -> None:
    request, email = await a_request(db, status_flow.CERRADO)
    outcome = await deliver(
        db, raw_mail(email, f"Re: {request.folio}", "Otra duda"), tmp_path, email
    )
    assert outcome.action == "opened" and outcome.request_id != request.id
    assert request.status == status_flow.CERRADO
    message = await db.get(TicketMessage, outcome.message_id)
    assert message is not None and request.folio in message.body and "Otra duda" in message.body


async def test_a_reply_to_a_merged_request_goes_to_its_survivor(
    db: AsyncSession, tmp_path: Path
) -> None:
    survivor, email = await a_request(db)
    duplicate = Ticket(
        **{
            column: getattr(survivor, column)
            for column in ("kind", "channel", "priority", "subject", "person_id", "locale")
        },
        folio=f"SIAC-2099-{uuid.uuid4().int % 10**6:06d}",
        status=status_flow.CERRADO,
        access_digest=uuid.uuid4().hex,
        merged_into_id=survivor.id,
    )
    db.add(duplicate)
    await db.flush()
    outcome = await deliver(db, raw_mail(email, f"Re: {duplicate.folio}", "Sigo"), tmp_path, email)
    assert (outcome.action, outcome.request_id) == ("appended", survivor.id)


async def test_a_retried_delivery_is_recorded_once(db: AsyncSession, tmp_path: Path) -> None:
    email = f"p-{uuid.uuid4().hex[:10]}@correo.example"
    raw = raw_mail(email, "Consulta", "Hola")
    first = await deliver(db, raw, tmp_path, email)
    again = await deliver(db, raw, tmp_path, email)
    assert first.action == "opened"
    assert (again.action, again.request_id) == ("ignored_duplicate", first.request_id)
    count = await db.scalars(select(Ticket.id).where(Ticket.id == first.request_id))
    assert len(count.all()) == 1


async def test_a_bounce_from_the_null_sender_is_ignored(db: AsyncSession, tmp_path: Path) -> None:
    request, email = await a_request(db)
    outcome = await deliver(db, raw_mail(email, f"Re: {request.folio}", "..."), tmp_path, "")
    assert outcome.action == "ignored_auto_reply"
