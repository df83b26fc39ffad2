"""The OIRS listener through a real SMTP connection: threading, new requests, machine mail,
strangers and attachments, each checked in the database the listener committed to."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.audit.service import Actor
from helpdesk.core.db import make_engine, make_sessionmaker
from helpdesk.notifications.models import OutboxMessage
from helpdesk.notifications.reply_address import ReplyAddresses
from helpdesk.people.models import Person
from helpdesk.tickets.inbound.listener import OirsListener
from helpdesk.tickets.inbound.trust import InboundTrust
from helpdesk.tickets.models import Ticket, TicketAttachment, TicketMessage
from helpdesk.tickets.service import NewRequest, open_request

OIRS = "oirs@migraciones.example"
DOMAIN = "portal-ayuda.local"
MX = "mx.migraciones.example"  # our mail server's authserv-id
REPLIES = ReplyAddresses("test-secret-" * 4, "respuestas", "migraciones.example")
TRUST = InboundTrust(frozenset({MX}), REPLIES)
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
async def listener(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> AsyncIterator[OirsListener]:
    server = OirsListener(
        sessionmaker,
        "127.0.0.1",
        0,
        our_addresses=[OIRS],
        message_id_domain=DOMAIN,
        attachments_dir=tmp_path / "attachments",
        base_url="http://testserver",
        recipients=[OIRS],
        trust=TRUST,
    )
    await server.start()
    yield server
    await server.stop()


def an_email() -> str:
    return f"persona-{uuid.uuid4().hex[:10]}@correo.example"


def mail(
    sender: str, subject: str, body: str, *, authenticated: bool = True, **headers: str
) -> EmailMessage:
    """A message as our MTA hands it over: by default with its passing DMARC verdict."""
    message = EmailMessage()
    if authenticated:
        domain = sender.rpartition("@")[2]
        message["Authentication-Results"] = f"{MX}; spf=pass; dmarc=pass header.from={domain}"
    message["From"] = f"Persona <{sender}>"
    message["To"] = OIRS
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@correo.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


async def send(
    listener: OirsListener,
    message: EmailMessage,
    sender: str | None = None,
    recipients: tuple[str, ...] = (OIRS,),
) -> None:
    await aiosmtplib.send(
        message,
        hostname="127.0.0.1",
        port=listener.port,
        sender=sender,
        recipients=list(recipients),
        timeout=10,
    )


async def open_web_request(
    sessionmaker: async_sessionmaker[AsyncSession], email: str
) -> tuple[Ticket, OutboxMessage]:
    async with sessionmaker() as db, db.begin():
        data = NewRequest("consulta", "Mi visa", "Primera consulta", "web", email, "es")
        opened = await open_request(db, data, Actor("citizen", None), "http://testserver")
        await db.flush()
        row = await db.scalar(
            select(OutboxMessage).where(OutboxMessage.to_address == email).limit(1)
        )
        assert row is not None
        return opened.ticket, row


async def requests_of(sessionmaker: async_sessionmaker[AsyncSession], email: str) -> list[Ticket]:
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(Ticket)
            .join(Person, Person.id == Ticket.person_id)
            .where(Person.email == email)
            .order_by(Ticket.id)
        )
        return list(rows.all())


async def messages_of(
    sessionmaker: async_sessionmaker[AsyncSession], request_id: int
) -> list[TicketMessage]:
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(TicketMessage)
            .where(TicketMessage.request_id == request_id)
            .order_by(TicketMessage.id)
        )
        return list(rows.all())


async def outbox_count(sessionmaker: async_sessionmaker[AsyncSession], email: str) -> int:
    async with sessionmaker() as db:
        count = await db.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.to_address == email)
        )
        return int(count or 0)


async def test_a_reply_to_a_notification_is_appended_without_the_quote(
    listener: OirsListener, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    email = an_email()
    request, notification = await open_web_request(sessionmaker, email)
    reply = mail(
        email,
        "Re: Recibimos su solicitud",
        "Adjunto el dato que faltaba.\n\n"
        "El lun, 2 mar 2026 a las 10:15, Portal <no-responder@portal.example> escribió:\n"
        "> Recibimos su solicitud\n> Folio antiguo\n",
        In_Reply_To=notification.message_id,
        References=notification.message_id,
    )
    await send(listener, reply, sender=email)

    assert [r.id for r in await requests_of(sessionmaker, email)] == [request.id]
    _first, appended = await messages_of(sessionmaker, request.id)
    assert appended.body == "Adjunto el dato que faltaba."
    assert (appended.author_kind, appended.via) == ("citizen", "email")
    assert appended.email_message_id == reply["Message-ID"]
    assert await outbox_count(sessionmaker, email) == 1  # the confirmation only: no answer


async def test_a_new_message_opens_an_email_request_with_its_confirmation(
    listener: OirsListener, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    email = an_email()
    message = mail(email, "Consulta por permanencia", "¿Cuánto demora mi trámite?")
    await send(listener, message, sender=email)

    (request,) = await requests_of(sessionmaker, email)
    assert (request.channel, request.kind, request.subject) == (
        "email",
        "consulta",
        "Consulta por permanencia",
    )
    (first,) = await messages_of(sessionmaker, request.id)
    assert first.body == "¿Cuánto demora mi trámite?"
    assert (first.via, first.email_message_id) == ("email", message["Message-ID"])
    async with sessionmaker() as db:
        confirmation = await db.scalar(
            select(OutboxMessage).where(OutboxMessage.to_address == email)
        )
    assert confirmation is not None and confirmation.template == "request_received"
    assert confirmation.context["folio"] == request.folio

    await send(listener, message, sender=email)  # the sender retried: nothing new
    assert len(await requests_of(sessionmaker, email)) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Subject": "Respuesta automática: fuera de la oficina"},
    ],
)
async def test_an_out_of_office_reply_is_ignored(
    listener: OirsListener,
    sessionmaker: async_sessionmaker[AsyncSession],
    headers: dict[str, str],
) -> None:
    email = an_email()
    request, notification = await open_web_request(sessionmaker, email)
    subject = headers.pop("Subject", "Re: Recibimos su solicitud")
    message = mail(
        email, subject, "Estoy fuera hasta el lunes.", In_Reply_To=notification.message_id
    )
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    await send(listener, message, sender=email)

    assert len(await messages_of(sessionmaker, request.id)) == 1
    assert len(await requests_of(sessionmaker, email)) == 1
    assert await outbox_count(sessionmaker, email) == 1


async def test_our_own_mail_coming_back_is_ignored(
    listener: OirsListener, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    email = an_email()
    message = mail(email, "Recibimos su solicitud", "Texto de una notificación nuestra")
    message.replace_header("Message-ID", f"<{uuid.uuid4().hex}@{DOMAIN}>")
    await send(listener, message, sender=email)

    assert await requests_of(sessionmaker, email) == []
    assert await outbox_count(sessionmaker, email) == 0


async def test_a_stranger_with_someones_folio_gets_a_new_request_held_for_an_agent(
    listener: OirsListener, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    owner, stranger = an_email(), an_email()
    request, notification = await open_web_request(sessionmaker, owner)
    message = mail(
        stranger,
        f"Re: [{request.folio}] Mi visa",
        "Quiero ver esta solicitud.",
        In_Reply_To=notification.message_id,
    )
    await send(listener, message, sender=stranger)

    assert len(await messages_of(sessionmaker, request.id)) == 1
    (theirs,) = await requests_of(sessionmaker, stranger)
    assert theirs.id != request.id and theirs.channel == "email"
    assert not theirs.intake_pending  # neither routed nor answered automatically
    (note,) = await messages_of(sessionmaker, theirs.id)
    assert note.body.startswith(f"Mensaje retenido: nombra la solicitud {request.folio}")
    assert await outbox_count(sessionmaker, stranger) == 0


async def test_a_pdf_is_kept_and_an_html_named_pdf_is_dropped_with_a_note(
    listener: OirsListener, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    email = an_email()
    message = mail(email, "Documentos", "Envío mis documentos.")
    message.add_attachment(PDF_BYTES, maintype="application", subtype="pdf", filename="pase.pdf")
    message.add_attachment(
        b"<html><script>alert(1)</script></html>",
        maintype="application",
        subtype="pdf",
        filename="falso.pdf",
    )
    await send(listener, message, sender=email)

    (request,) = await requests_of(sessionmaker, email)
    (first,) = await messages_of(sessionmaker, request.id)
    assert first.body.startswith("Envío mis documentos.")
    assert "falso.pdf" in first.body and "no es PDF, JPEG ni PNG" in first.body
    async with sessionmaker() as db:
        files = list(
            await db.scalars(
                select(TicketAttachment).where(TicketAttachment.request_id == request.id)
            )
        )
    assert [(f.display_name, f.content_type, f.message_id) for f in files] == [
        ("pase.pdf", "application/pdf", first.id)
    ]
    assert (Path(listener.handler.attachments_dir) / files[0].storage_name).is_file()


async def test_a_database_failure_answers_451_so_the_sender_retries(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'db.sqlite3'}")
    server = OirsListener(
        make_sessionmaker(engine),
        "127.0.0.1",
        0,
        our_addresses=[OIRS],
        message_id_domain=DOMAIN,
        attachments_dir=tmp_path / "attachments",
        base_url="http://testserver",
    )
    await server.start()
    try:
        email = an_email()
        message = mail(email, "Consulta", "Hola")
        message.add_attachment(PDF_BYTES, maintype="application", subtype="pdf", filename="a.pdf")
        with pytest.raises(aiosmtplib.SMTPDataError) as refused:
            await send(server, message, sender=email)
        assert refused.value.code == 451
        assert not any((tmp_path / "attachments").glob("*"))
    finally:
        await server.stop()
        await engine.dispose()


async def test_unknown_recipients_are_refused(listener: OirsListener) -> None:
    email = an_email()
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await aiosmtplib.send(
            mail(email, "Hola", "Hola"),
            hostname="127.0.0.1",
            port=listener.port,
            recipients=["otra@migraciones.example"],
            timeout=10,
        )
