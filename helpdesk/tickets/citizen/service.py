"""What a citizen may do with their requests, as plain functions over the caller's session.

Every function writes in the caller's unit of work and never commits: the request's change,
its status history, its audit event and any email are kept or dropped together. Files are
already stored (``attachment_store.store_attachments``) when these functions record them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.audit import service as audit
from helpdesk.calendar import snapshot as reference_cache
from helpdesk.calendar.snapshot import RegionInfo, TramiteInfo
from helpdesk.core import links
from helpdesk.core.db import utcnow
from helpdesk.core.i18n import gettext as _
from helpdesk.core.security import new_token, token_digest
from helpdesk.notifications import outbox
from helpdesk.people.models import Person
from helpdesk.tickets import status_flow, status_moves
from helpdesk.tickets.answers import templates as answer_templates
from helpdesk.tickets.attachments import StoredAttachment
from helpdesk.tickets.citizen import emails as person_emails
from helpdesk.tickets.kinds import KINDS, PORTAL, SIAC, RequestKind
from helpdesk.tickets.models import Ticket, TicketAttachment, TicketMessage

CITIZEN = status_flow.CITIZEN


class CitizenActionRefused(Exception):
    """A refused reply, closure or rating; ``message`` is for the person, already translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Reference data for the form.


def kind_groups() -> tuple[tuple[RequestKind, ...], tuple[RequestKind, ...]]:
    """SIAC tipos, then portal categories, in the catalogue's order."""
    kinds = tuple(KINDS.values())
    return (
        tuple(k for k in kinds if k.family == SIAC),
        tuple(k for k in kinds if k.family == PORTAL),
    )


async def regions(db: AsyncSession) -> list[RegionInfo]:
    return list((await reference_cache.current(db)).regions)


async def active_tramites(db: AsyncSession) -> list[TramiteInfo]:
    return list((await reference_cache.current(db)).tramites)


# --- Opening.


def _attachment_rows(
    request_id: int, message_id: int, stored: Sequence[StoredAttachment]
) -> list[TicketAttachment]:
    return [
        TicketAttachment(
            request_id=request_id,
            message_id=message_id,
            storage_name=s.storage_name,
            display_name=s.display_name,
            content_type=s.content_type,
            size=s.size,
            sha256=s.sha256,
        )
        for s in stored
    ]


@dataclass(frozen=True)
class Contact:
    email: str
    region_code: str | None


_PEOPLE = Person.__table__
_VERIFIED_CONTACT = select(_PEOPLE.c.email, _PEOPLE.c.region_code).where(
    _PEOPLE.c.id == bindparam("person_id"),
    _PEOPLE.c.email.is_not(None),
    _PEOPLE.c.email_verified_at.is_not(None),
)


async def verified_contact(db: AsyncSession, person_id: int) -> Contact | None:
    """Where a signed-in person's requests are answered: a verified email, or None (they
    must verify one first). Columns only: the request form asks on every submit."""
    row = (await db.execute(_VERIFIED_CONTACT, {"person_id": person_id})).first()
    return Contact(row.email, row.region_code) if row is not None and row.email else None


# --- Reading.


@dataclass
class ConversationEntry:
    message: TicketMessage
    attachments: list[TicketAttachment] = field(default_factory=list)

    @property
    def from_citizen(self) -> bool:
        return self.message.author_kind == "citizen"


async def conversation(db: AsyncSession, ticket: Ticket) -> list[ConversationEntry]:
    """The messages the citizen may see (never agents' internal notes), oldest first."""
    messages = (
        await db.scalars(
            select(TicketMessage)
            .where(TicketMessage.request_id == ticket.id, TicketMessage.internal.is_(False))
            .order_by(TicketMessage.created_at, TicketMessage.id)
        )
    ).all()
    entries = {m.id: ConversationEntry(m) for m in messages}
    if entries:
        files = await db.scalars(
            select(TicketAttachment)
            .where(TicketAttachment.message_id.in_(list(entries)))
            .order_by(TicketAttachment.id)
        )
        for attachment in files:
            entries[attachment.message_id].attachments.append(attachment)
    return list(entries.values())


async def visible_attachment(
    db: AsyncSession, ticket: Ticket, attachment_id: int
) -> TicketAttachment | None:
    """An attachment of this request on a message the citizen may see; None otherwise."""
    return await db.scalar(
        select(TicketAttachment)
        .join(TicketMessage, TicketMessage.id == TicketAttachment.message_id)
        .where(
            TicketAttachment.id == attachment_id,
            TicketAttachment.request_id == ticket.id,
            TicketMessage.internal.is_(False),
        )
    )


async def requests_of(
    db: AsyncSession, person_id: int, region_code: str | None = None
) -> list[Ticket]:
    """A person's requests, newest first (merged duplicates live on in their survivor);
    ``region_code`` limits them to one region (a regional agent's scope)."""
    stmt = (
        select(Ticket)
        .where(Ticket.person_id == person_id, Ticket.merged_into_id.is_(None))
        .order_by(Ticket.received_at.desc(), Ticket.id.desc())
    )
    if region_code is not None:
        stmt = stmt.where(Ticket.region_code == region_code)
    return list((await db.scalars(stmt)).all())


async def find_for_person(db: AsyncSession, person_id: int, folio: str) -> Ticket | None:
    return await db.scalar(
        select(Ticket).where(Ticket.folio == folio.upper(), Ticket.person_id == person_id)
    )


def can_close(ticket: Ticket) -> bool:
    return status_flow.is_allowed(
        ticket.status, status_flow.CERRADO, CITIZEN, merged=ticket.merged_into_id is not None
    )


def can_reply(ticket: Ticket) -> bool:
    return ticket.status != status_flow.CERRADO and ticket.merged_into_id is None


def asks_if_resolved(ticket: Ticket, now: datetime | None = None) -> bool:
    """Whether the page of a resolved request asks the person if the answer solved it: while
    she may still reopen it (``status_flow.REOPEN_WINDOW``)."""
    return ticket.status == status_flow.RESUELTO and status_flow.is_allowed(
        ticket.status,
        status_flow.REABIERTO,
        CITIZEN,
        resolved_at=ticket.resolved_at,
        now=now or utcnow(),
        merged=ticket.merged_into_id is not None,
    )


def can_rate(ticket: Ticket) -> bool:
    return ticket.resolved_at is not None and ticket.csat_score is None


# --- Changing.


async def add_reply(
    db: AsyncSession,
    ticket: Ticket,
    body: str,
    stored: Sequence[StoredAttachment],
    actor: audit.Actor,
    now: datetime | None = None,
) -> TicketMessage:
    """The citizen writes more. Waiting on them: the request opens again and the clock runs.
    Resolved: it is reopened (within the flow's window). Closed: refused, a new request is due.
    """
    now = now or utcnow()
    if ticket.merged_into_id is not None:
        raise CitizenActionRefused(
            _("Esta solicitud se fusionó con otra; la conversación sigue en la que la reúne.")
        )
    if not can_reply(ticket):
        raise CitizenActionRefused(
            _("Esta solicitud está cerrada. Puede abrir una nueva solicitud.")
        )
    if ticket.status == status_flow.EN_ESPERA_CIUDADANO:
        await status_moves.move(db, ticket, status_flow.ABIERTO, CITIZEN, actor, now)
    elif ticket.status == status_flow.RESUELTO:
        try:
            await status_moves.move(db, ticket, status_flow.REABIERTO, CITIZEN, actor, now)
        except status_flow.TransitionNotAllowed as refusal:
            raise CitizenActionRefused(refusal.message) from refusal
    message = TicketMessage(
        request_id=ticket.id,
        author_kind="citizen",
        author_id=ticket.person_id,
        body=body,
        via="web",
        created_at=now,
    )
    db.add(message)
    await db.flush()
    db.add_all(_attachment_rows(ticket.id, message.id, stored))
    ticket.updated_at = now
    audit.record(
        db,
        actor,
        "request.citizen_reply",
        "request",
        ticket.id,
        {"message": [None, message.id], "attachments": [None, len(stored)]},
    )
    return message


async def close_by_citizen(
    db: AsyncSession, ticket: Ticket, actor: audit.Actor, now: datetime | None = None
) -> None:
    try:
        await status_moves.move(db, ticket, status_flow.CERRADO, CITIZEN, actor, now or utcnow())
    except status_flow.TransitionNotAllowed as refusal:
        raise CitizenActionRefused(refusal.message) from refusal


async def rate(
    db: AsyncSession, ticket: Ticket, score: int, comment: str | None, actor: audit.Actor
) -> None:
    """CSAT, once, after the request was resolved."""
    if not 1 <= score <= 5:
        raise ValueError("a CSAT score goes from 1 to 5")
    if ticket.resolved_at is None:
        raise CitizenActionRefused(_("Podrá evaluar la atención cuando su solicitud se resuelva."))
    if ticket.csat_score is not None:
        raise CitizenActionRefused(_("Ya evaluó esta atención. ¡Gracias!"))
    ticket.csat_score = score
    ticket.csat_comment = comment
    audit.record(db, actor, "request.csat", "request", ticket.id, {"csat_score": [None, score]})


async def renew_link(
    db: AsyncSession, email: str, folio: str, base_url: str, actor: audit.Actor
) -> bool:
    """A fresh private link for a lost one, emailed to the request's person.

    Only when the folio's person has that email (verified); the old link stops working. The
    caller answers the same either way, so the result is for tests and logs only.
    """
    ticket = await db.scalar(
        select(Ticket)
        .join(Person, Person.id == Ticket.person_id)
        .where(
            Ticket.folio == folio.upper(),
            Person.email == email.strip().lower(),
            Person.email_verified_at.is_not(None),
        )
    )
    if ticket is None:
        return False
    token = new_token()
    ticket.access_digest = token_digest(token)
    link = links.absolute_url(base_url, "request_private", folio=ticket.folio, token=token)
    to = await person_emails.recipient(db, ticket)
    outbox.enqueue(
        db,
        "request_link",
        email.strip().lower(),
        to.locale if to is not None else ticket.locale,
        {"folio": ticket.folio, "subject": ticket.subject, "link": link},
    )
    audit.record(db, actor, "request.link_renewed", "request", ticket.id, {})
    return True


async def awaiting_confirmation(db: AsyncSession, ticket: Ticket) -> bool:
    """Whether the page asks "¿Resolvió su consulta?" about an automatic answer."""
    return await answer_templates.awaiting(db, ticket) is not None


async def answer_resolution(
    db: AsyncSession,
    ticket: Ticket,
    resolved: bool,
    actor: audit.Actor,
    now: datetime | None = None,
) -> None:
    """The person's word on an agent's resolution. Yes: the request is closed (she says it is
    done). No: it is reopened for an agent, who must write to her before resolving or closing
    it again (``workbench.service.reply_owed``). Neither sends her an email: she is on her
    page."""
    now = now or utcnow()
    if not asks_if_resolved(ticket, now):
        raise CitizenActionRefused(_("Esta respuesta ya fue contestada."))
    target = status_flow.CERRADO if resolved else status_flow.REABIERTO
    try:
        await status_moves.move(db, ticket, target, CITIZEN, actor, now)
    except status_flow.TransitionNotAllowed as refusal:
        raise CitizenActionRefused(refusal.message) from refusal


async def confirm_auto_answer(
    db: AsyncSession,
    ticket: Ticket,
    resolved: bool,
    actor: audit.Actor,
    now: datetime | None = None,
) -> None:
    """The person's yes (resolved) or no (to an agent, priority kept) to an automatic answer."""
    try:
        await answer_templates.confirm(db, ticket, resolved, actor, now)
    except answer_templates.ConfirmationRefused as refusal:
        raise CitizenActionRefused(refusal.message) from refusal
