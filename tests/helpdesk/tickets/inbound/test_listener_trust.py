"""The OIRS listener through a real SMTP connection, against forged senders: a From header
alone never writes into a request; our mail server's verdict or the secret reply address does,
and anything else is a new request held for an agent (issue 13, item 5)."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.audit.models import AuditEvent
from helpdesk.tickets.inbound.listener import OirsListener
from helpdesk.tickets.models import Ticket
from tests.helpdesk.tickets.inbound.test_listener import (
    OIRS,
    REPLIES,
    an_email,
    listener,  # noqa: F401 (the fixture)
    mail,
    messages_of,
    open_web_request,
    outbox_count,
    requests_of,
    send,
)


async def forged_reply(
    sessionmaker: async_sessionmaker[AsyncSession], **headers: str
) -> tuple[str, Ticket, EmailMessage]:
    """A citizen's request, and a reply in their name threaded onto it by every header."""
    email = an_email()
    request, notification = await open_web_request(sessionmaker, email)
    message = mail(
        email,
        f"Re: [{request.folio}] Mi visa",
        "Cambien mi correo de contacto a atacante@evil.example",
        authenticated=False,
        In_Reply_To=notification.message_id,
        References=notification.message_id,
        **headers,
    )
    return email, request, message


async def assert_held(
    sessionmaker: async_sessionmaker[AsyncSession],
    email: str,
    request: Ticket,
    named: str | None = None,
) -> None:
    """Nothing written into ``request``; a new request, unanswered, that names the request
    it claimed (``named``, by default ``request``)."""
    named = named or request.folio
    assert len(await messages_of(sessionmaker, request.id)) == 1
    original, held = await requests_of(sessionmaker, email)
    assert original.id == request.id and held.channel == "email"
    assert not held.intake_pending  # no routing, no automatic answer
    (first,) = await messages_of(sessionmaker, held.id)
    assert first.body.startswith(f"Mensaje retenido: nombra la solicitud {named}")
    assert "atacante@evil.example" in first.body  # the agent sees what was sent
    assert await outbox_count(sessionmaker, email) == 1  # the first confirmation only
    async with sessionmaker() as db:
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "request.held", AuditEvent.entity_id == held.id
            )
        )
    assert event is not None and event.changes == {"names": [None, named]}


async def test_a_forged_from_with_the_folio_is_held_not_appended(
    listener: OirsListener,  # noqa: F811
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    email, request, message = await forged_reply(sessionmaker)
    await send(listener, message, sender=email)
    await assert_held(sessionmaker, email, request)


async def test_a_pass_from_a_server_we_do_not_trust_is_held(
    listener: OirsListener,  # noqa: F811
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    email, request, message = await forged_reply(
        sessionmaker,
        Authentication_Results="mx.evil.example; dmarc=pass header.from=correo.example",
    )
    await send(listener, message, sender=email)
    await assert_held(sessionmaker, email, request)


async def test_our_server_failing_dkim_is_held(
    listener: OirsListener,  # noqa: F811
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    email, request, message = await forged_reply(
        sessionmaker,
        Authentication_Results="mx.migraciones.example; dkim=fail header.d=correo.example; "
        "dmarc=fail header.from=correo.example",
    )
    await send(listener, message, sender=email)
    await assert_held(sessionmaker, email, request)


async def test_our_server_passing_dkim_for_the_from_domain_appends(
    listener: OirsListener,  # noqa: F811
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    email, request, message = await forged_reply(
        sessionmaker,
        Authentication_Results="mx.migraciones.example; dkim=pass header.d=correo.example",
    )
    await send(listener, message, sender=email)
    assert [r.id for r in await requests_of(sessionmaker, email)] == [request.id]
    assert len(await messages_of(sessionmaker, request.id)) == 2


async def test_a_reply_to_the_secret_address_appends_without_dkim(
    listener: OirsListener,  # noqa: F811
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    email, request, message = await forged_reply(sessionmaker)
    address = REPLIES.address(request.folio)
    assert address is not None
    message.replace_header("To", address)
    await send(listener, message, sender=email, recipients=(address,))

    assert [r.id for r in await requests_of(sessionmaker, email)] == [request.id]
    _first, appended = await messages_of(sessionmaker, request.id)
    assert appended.body.startswith("Cambien mi correo") and appended.via == "email"
    assert await outbox_count(sessionmaker, email) == 1


async def test_a_guessed_token_proves_nothing(
    listener: OirsListener,  # noqa: F811
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    email, request, message = await forged_reply(sessionmaker)
    guessed = f"respuestas+{request.folio.lower()}.{'0' * 20}@migraciones.example"
    message.replace_header("To", guessed)
    await send(listener, message, sender=email, recipients=(guessed,))  # accepted at RCPT
    await assert_held(sessionmaker, email, request)


async def test_someone_elses_reply_address_claims_their_request_and_is_held(
    listener: OirsListener,  # noqa: F811
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    email, request, message = await forged_reply(sessionmaker)
    other, _notification = await open_web_request(sessionmaker, an_email())
    genuine = REPLIES.address(other.folio) or ""  # leaked, or guessed right: still not theirs
    message.replace_header("To", genuine)
    await send(listener, message, sender=email, recipients=(OIRS,))

    assert len(await messages_of(sessionmaker, other.id)) == 1
    await assert_held(sessionmaker, email, request, named=other.folio)
