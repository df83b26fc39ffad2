"""Incoming email (the OIRS mailbox) turned into requests and replies, in the caller's unit of work.

How mail arrives: the OIRS mailbox forwards every message to an SMTP listener built on
aiosmtpd (``inbound_listener``), which hands the raw bytes to ``receive`` inside one
transaction and answers 250 only after the commit. We chose push over polling IMAP: no
mailbox credentials in the app, no poll interval, and the sending server's own retry queue
(451 on a database error) gives at-least-once delivery for free. LMTP would fit the same
handler; SMTP is what every mail server can forward to, so it is what we listen on.

What ``receive`` does with one message:

- Our own mail come back (``is_loop``) and machine mail (``is_auto_reply``: out-of-office,
  bounces, lists) is dropped and logged, never answered: answering it is how mail loops start.
- A message whose Message-ID is already on a request message was delivered twice (the sender
  retried after losing our 250): it is dropped, so a retry never duplicates a reply.
- Threading: the request's secret reply address among the recipients, else In-Reply-To/
  References naming an outbox row (its ``context["folio"]``) or an earlier request message,
  else a folio in the subject. The match counts only when the sender is the request's person
  *and* that is proven (``trust``): our mail server's Authentication-Results (DKIM/DMARC for
  the From domain) or the reply address itself; a From header alone proves nothing. A message
  that names a request without that proof opens a new request held for an agent: not routed,
  not answered (no confirmation either), with a note saying what it named.
- A matched request gets the reply with quoted history and signature cut off, under the
  citizen's rules (``citizen_service.add_reply``): waiting on the citizen → abierto, resolved
  → reabierto within the window. A closed one, or a resolved one past the window, gets a new
  request that names the old folio (closed stays final, as in ``status_flow``).
- Anything else opens a request of channel "email", kind "consulta", with the whole text.

Attachments follow the upload rules (type from the content, size, count) file by file: a
refused file is dropped and noted in the message body, never a reason to refuse the mail.
Files are written before the database rows; the caller deletes ``InboundOutcome.stored``
should its commit fail.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.audit import service as audit
from helpdesk.core import email_address
from helpdesk.core.db import utcnow
from helpdesk.notifications.models import OutboxMessage
from helpdesk.notifications.reply_address import ReplyAddresses
from helpdesk.people.models import Person
from helpdesk.tickets import attachments
from helpdesk.tickets.attachment_store import Store, discard, store_attachment
from helpdesk.tickets.attachments import AttachmentPolicy, StoredAttachment
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.folios import find_folio
from helpdesk.tickets.inbound.parse import InboundMessage, parse_inbound
from helpdesk.tickets.inbound.robots import is_auto_reply, is_loop
from helpdesk.tickets.inbound.trust import InboundTrust, Proof, proof_of
from helpdesk.tickets.models import Ticket, TicketMessage
from helpdesk.tickets.service import NewRequest, create_request

log = logging.getLogger(__name__)

Action = Literal[
    "appended",
    "opened",
    "ignored_auto_reply",
    "ignored_loop",
    "ignored_duplicate",
    "ignored_bad_sender",
]

CHANNEL = "email"
KIND = "consulta"
DEFAULT_LOCALE = "es"
SUBJECT_MAX = 200
MESSAGE_ID_MAX = 200  # TicketMessage.email_message_id
BODY_MAX = 100_000  # a pasted log or a forwarded thread, not a denial of service
_MERGE_DEPTH = 10
# Stored data read by agents (like the body it is added to), so written once, in Spanish.
NO_SUBJECT = "(sin asunto)"
NO_TEXT = "(mensaje sin texto)"
REFUSED_HEADING = "Archivos adjuntos no aceptados (se descartaron):"
CONTINUES = "Continúa la solicitud {folio}, que estaba {status}."
UNPROVEN = (
    "Mensaje retenido: nombra la solicitud {folio}, pero nada prueba que lo envió su titular "
    "(el remitente puede ser falso). No se agregó a esa solicitud ni se respondió."
)
NO_TRUST = InboundTrust(frozenset(), ReplyAddresses("", "", ""))


@dataclass(frozen=True)
class InboundOutcome:
    action: Action
    request_id: int | None = None
    folio: str | None = None
    message_id: int | None = None  # the TicketMessage written, if any
    stored: tuple[StoredAttachment, ...] = ()  # files kept: the caller removes them on rollback
    refused: tuple[str, ...] = ()  # why each dropped file was dropped


async def receive(
    db: AsyncSession,
    raw: bytes,
    envelope_from: str,
    *,
    our_addresses: Iterable[str],
    message_id_domain: str,
    attachments_dir: Store,
    base_url: str,
    now: datetime | None = None,
    policy: AttachmentPolicy | None = None,
    peer_ip: str | None = None,
    recipients: Sequence[str] = (),
    trust: InboundTrust = NO_TRUST,
) -> InboundOutcome:
    """Record one received message; never commits. ``envelope_from`` is the SMTP MAIL FROM
    ("" for the null sender of bounces and auto-replies), ``recipients`` the RCPT TOs."""
    now = now or utcnow()
    message = parse_inbound(raw)
    if is_loop(message, our_addresses, message_id_domain):
        log.info("inbound %s from %r: our own mail, dropped", message.message_id, envelope_from)
        return InboundOutcome("ignored_loop")
    if is_auto_reply(message, envelope_from=envelope_from):
        log.info("inbound %s from %r: automatic reply, dropped", message.message_id, envelope_from)
        return InboundOutcome("ignored_auto_reply")
    message_id = (message.message_id or "")[:MESSAGE_ID_MAX] or None
    if message_id is not None:
        seen = await db.scalar(
            select(TicketMessage.request_id)
            .where(TicketMessage.email_message_id == message_id)
            .limit(1)
        )
        if seen is not None:
            log.info("inbound %s: already recorded on request %s", message_id, seen)
            return InboundOutcome("ignored_duplicate", request_id=seen)

    sender = email_address.normalized(message.from_address or envelope_from)
    if sender is None:  # no one to answer or to record as the person (core/email_address.py)
        log.info("inbound %s: no valid sender address, dropped", message.message_id)
        return InboundOutcome("ignored_bad_sender")
    proof = proof_of(message, sender, recipients, trust)
    stored, refused = await _store_files(message, attachments_dir, policy or AttachmentPolicy())
    try:
        return await _record(
            db, message, sender, proof, message_id, stored, refused, base_url, now, peer_ip
        )
    except BaseException:
        await discard(attachments_dir, stored)
        raise


async def _store_files(
    message: InboundMessage, directory: Store, policy: AttachmentPolicy
) -> tuple[list[StoredAttachment], list[str]]:
    stored: list[StoredAttachment] = []
    refused: list[str] = []
    for index, file in enumerate(message.attachments):
        if index >= policy.max_files:
            refused.append(f"{file.filename}: {attachments.TooMany(policy.max_files).message}")
            continue
        try:
            stored.append(await store_attachment(file.content, file.filename, directory, policy))
        except attachments.AttachmentError as refusal:
            refused.append(refusal.message)
    return stored, refused


async def _record(
    db: AsyncSession,
    message: InboundMessage,
    sender: str,
    proof: Proof,
    message_id: str | None,
    stored: list[StoredAttachment],
    refused: list[str],
    base_url: str,
    now: datetime,
    peer_ip: str | None,
) -> InboundOutcome:
    ticket, unproven = await _thread(db, message, sender, proof)
    if ticket is not None:
        actor = audit.Actor("citizen", ticket.person_id, peer_ip)
        body = _with_notes(message.reply_text or message.text, refused)
        try:
            written = await citizen_service.add_reply(db, ticket, body, stored, actor, now)
        except citizen_service.CitizenActionRefused:
            # Closed (or resolved too long ago): closed stays final, a new request follows it.
            note = CONTINUES.format(folio=ticket.folio, status=ticket.status)
            text = f"{note}\n\n{message.reply_text or message.text}"
            return await _open(
                db,
                message,
                sender,
                message_id,
                text,
                stored,
                refused,
                base_url,
                now,
                peer_ip,
                follows=ticket,
            )
        written.via = CHANNEL
        written.email_message_id = message_id
        log.info("inbound %s appended to %s", message_id, ticket.folio)
        return InboundOutcome(
            "appended", ticket.id, ticket.folio, written.id, tuple(stored), tuple(refused)
        )
    text = message.text
    if unproven is not None:
        text = f"{UNPROVEN.format(folio=unproven)}\n\n{text}"
    return await _open(
        db,
        message,
        sender,
        message_id,
        text,
        stored,
        refused,
        base_url,
        now,
        peer_ip,
        held=unproven,
    )


async def _open(
    db: AsyncSession,
    message: InboundMessage,
    sender: str,
    message_id: str | None,
    text: str,
    stored: list[StoredAttachment],
    refused: list[str],
    base_url: str,
    now: datetime,
    peer_ip: str | None,
    *,
    follows: Ticket | None = None,
    held: str | None = None,
) -> InboundOutcome:
    locale = await db.scalar(
        select(Person.preferred_locale)
        .where(Person.email == sender, Person.email_verified_at.is_not(None))
        .order_by(Person.id)
        .limit(1)
    )
    subject = " ".join(message.subject.split())[:SUBJECT_MAX] or NO_SUBJECT
    data = NewRequest(
        kind=KIND,
        subject=subject,
        body=_with_notes(text, refused),
        channel=CHANNEL,
        email=sender,  # proven by the mail itself, as this channel's rules say
        locale=locale or DEFAULT_LOCALE,
    )
    actor = audit.Actor("citizen", None, peer_ip)
    created = await create_request(db, data, actor, base_url, now, files=stored)
    first = await db.get(TicketMessage, created.first_message_id)
    assert first is not None
    if held is not None:
        await _hold(db, created.id, first.email_message_id, held, actor)
    first.email_message_id = message_id
    if follows is not None:
        audit.record(
            db, actor, "request.follows", "request", created.id, {"follows": [None, follows.folio]}
        )
    log.info("inbound %s opened %s", message_id, created.folio)
    return InboundOutcome(
        "opened", created.id, created.folio, first.id, tuple(stored), tuple(refused)
    )


async def _hold(
    db: AsyncSession, request_id: int, confirmation_id: str | None, named: str, actor: audit.Actor
) -> None:
    """For an agent only: no confirmation (it would answer a forged sender), no routing or
    automatic answer (intake), and an audit event naming the request it claimed."""
    await db.execute(delete(OutboxMessage).where(OutboxMessage.message_id == confirmation_id))
    await db.execute(update(Ticket).where(Ticket.id == request_id).values(intake_pending=False))
    audit.record(db, actor, "request.held", "request", request_id, {"names": [None, named]})
    log.info("inbound request %s held: names %s without proof", request_id, named)


def _with_notes(text: str, refused: Sequence[str]) -> str:
    body = text.strip() or NO_TEXT
    if refused:
        body += "\n\n" + "\n".join([REFUSED_HEADING, *(f"- {reason}" for reason in refused)])
    return body[:BODY_MAX]


async def _thread(
    db: AsyncSession, message: InboundMessage, sender: str, proof: Proof
) -> tuple[Ticket | None, str | None]:
    """The request this message answers, if its person is the proven sender; else None and
    the folio it named without proof (None when it named none: simply new)."""
    ticket = None
    for folio in proof.reply_folios:  # the secret address outranks headers anyone can write
        ticket = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        if ticket is not None:
            break
    if ticket is None:
        ticket = await _by_headers(db, message.thread_ids)
    if ticket is None:
        folio = find_folio(message.subject)
        if folio is not None:
            ticket = await db.scalar(select(Ticket).where(Ticket.folio == folio))
    if ticket is None:
        return None, None
    named = ticket.folio
    for _ in range(_MERGE_DEPTH):  # a merged duplicate lives on in its survivor
        if ticket is None or ticket.merged_into_id is None:
            break
        ticket = await db.get(Ticket, ticket.merged_into_id)
    if ticket is None:
        return None, None
    email = await db.scalar(select(Person.email).where(Person.id == ticket.person_id))
    if not sender or (email or "").strip().lower() != sender:
        log.info("inbound from %r names %s, not theirs: held", sender, ticket.folio)
        return None, named
    if not (proof.covers(named) or proof.covers(ticket.folio)):
        log.info("inbound from %r names %s, unproven (%s): held", sender, named, proof.describe())
        return None, named
    return ticket, None


async def _by_headers(db: AsyncSession, thread_ids: Sequence[str]) -> Ticket | None:
    ids = [value[:MESSAGE_ID_MAX] for value in thread_ids if value][:50]
    if not ids:
        return None
    folios: dict[str, str] = {}
    for row in await db.execute(
        select(OutboxMessage.message_id, OutboxMessage.context).where(
            OutboxMessage.message_id.in_(ids)
        )
    ):
        folio = (row.context or {}).get("folio")
        if isinstance(folio, str):
            folios[row.message_id] = folio
    request_ids: dict[str, int] = {}
    for email_id, request_id in await db.execute(
        select(TicketMessage.email_message_id, TicketMessage.request_id).where(
            TicketMessage.email_message_id.in_(ids)
        )
    ):
        if email_id is not None:
            request_ids[email_id] = request_id
    for value in ids:  # the most recent reference first
        if value in folios:
            found = await db.scalar(select(Ticket).where(Ticket.folio == folios[value]))
            if found is not None:
                return found
        if value in request_ids:
            return await db.get(Ticket, request_ids[value])
    return None
