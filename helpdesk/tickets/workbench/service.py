"""What staff may do with a request, as plain functions over the caller's session.

Every function checks the viewer's role and region itself (routes and tests call them
directly), writes in the caller's unit of work and never commits: the change, its status
history, its audit event and any email are kept or dropped together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.audit import service as audit
from helpdesk.core import links
from helpdesk.core.db import utcnow
from helpdesk.core.errors import NotFound, PermissionDenied
from helpdesk.core.i18n import gettext as _
from helpdesk.notifications import outbox
from helpdesk.people.models import Person
from helpdesk.tickets import status_flow, status_moves
from helpdesk.tickets.answers import templates as answer_templates
from helpdesk.tickets.answers.models import AutoAnswer
from helpdesk.tickets.citizen import emails as person_emails
from helpdesk.tickets.citizen import private_links
from helpdesk.tickets.models import StatusChange, Ticket, TicketAttachment, TicketMessage

AGENT = status_flow.AGENT
REPLY_TEMPLATE = "request_reply"
# Where a reply may leave the request; None keeps its status (after opening a new one).
REPLY_TARGETS = (status_flow.EN_ESPERA_CIUDADANO, status_flow.RESUELTO)
# An agent may also close with the reply (a respuesta tipo may not): one email says both.
AGENT_REPLY_TARGETS = (*REPLY_TARGETS, status_flow.CERRADO)
# Moves a reply's email announces (the person otherwise gets an email of the move itself).
_TOLD_IN_REPLY = frozenset({status_flow.RESUELTO, status_flow.CERRADO})
# Moves that end the work on a request: refused while the person waits for a reply.
ENDING_MOVES = (status_flow.RESUELTO, status_flow.CERRADO)
# Who may take a request from a colleague or release someone else's.
REASSIGN_ROLES = frozenset({"supervisor", "admin"})


class AgentActionRefused(Exception):
    """A refused action; ``message`` is for the agent, already translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Access.


def check_access(viewer: Viewer, ticket: Ticket) -> None:
    """Staff who work requests, within their region (raises PermissionDenied)."""
    scope = region_scope(viewer)  # refuses citizens and roles without requests
    if scope is not None and ticket.region_code != scope:
        raise PermissionDenied("outside your region")


async def get_for_staff(db: AsyncSession, viewer: Viewer, folio: str) -> Ticket:
    """The request a staff member may work; another region's folio is answered exactly as
    one that does not exist (NotFound), so its existence is not revealed."""
    region_scope(viewer)  # refuse before revealing whether the folio exists
    ticket = await db.scalar(select(Ticket).where(Ticket.folio == folio.upper()))
    if ticket is None:
        raise NotFound("request")
    try:
        check_access(viewer, ticket)
    except PermissionDenied:
        raise NotFound("request") from None
    return ticket


# --- Reading.


@dataclass
class StaffEntry:
    message: TicketMessage
    author_name: str
    attachments: list[TicketAttachment] = field(default_factory=list)


async def staff_names(db: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await db.execute(
        select(StaffAccount.id, StaffAccount.full_name).where(StaffAccount.id.in_(wanted))
    )
    return {row.id: row.full_name for row in rows}


async def conversation(db: AsyncSession, ticket: Ticket) -> list[StaffEntry]:
    """Every message, internal notes included, oldest first, with their authors' names."""
    messages = (
        await db.scalars(
            select(TicketMessage)
            .where(TicketMessage.request_id == ticket.id)
            .order_by(TicketMessage.created_at, TicketMessage.id)
        )
    ).all()
    person = await db.get(Person, ticket.person_id)
    staff = await staff_names(db, (m.author_id for m in messages if m.author_kind == "staff"))
    entries: dict[int, StaffEntry] = {}
    for m in messages:
        if m.author_kind == "citizen":
            name = person.full_name if person and person.full_name else _("Ciudadano/a")
        elif m.author_kind == "staff":
            name = staff.get(m.author_id or 0, _("Personal"))
        else:
            name = _("Sistema")
        entries[m.id] = StaffEntry(m, name)
    if entries:
        files = await db.scalars(
            select(TicketAttachment)
            .where(TicketAttachment.request_id == ticket.id)
            .order_by(TicketAttachment.id)
        )
        for attachment in files:
            if attachment.message_id in entries:
                entries[attachment.message_id].attachments.append(attachment)
    return list(entries.values())


async def status_history(db: AsyncSession, ticket: Ticket) -> list[StatusChange]:
    rows = await db.scalars(
        select(StatusChange)
        .where(StatusChange.request_id == ticket.id)
        .order_by(StatusChange.at, StatusChange.id)
    )
    return list(rows.all())


async def attachment_for_staff(
    db: AsyncSession, viewer: Viewer, ticket: Ticket, attachment_id: int
) -> TicketAttachment | None:
    check_access(viewer, ticket)
    return await db.scalar(
        select(TicketAttachment).where(
            TicketAttachment.id == attachment_id, TicketAttachment.request_id == ticket.id
        )
    )


def allowed_targets(ticket: Ticket) -> tuple[str, ...]:
    return status_flow.allowed_targets(
        ticket.status, AGENT, merged=ticket.merged_into_id is not None
    )


# --- Status.


async def change_status(
    db: AsyncSession,
    viewer: Viewer,
    ticket: Ticket,
    target: str,
    actor: audit.Actor,
    now: datetime | None = None,
    *,
    merging: bool = False,
) -> None:
    """One move by the flow's rules; raises ``status_flow.TransitionNotAllowed`` (409),
    also when it would resolve or close a request whose person said the answer did not help
    and has had no reply since. ``merging``: a merge closing a duplicate, whose conversation
    goes on in the request kept, neither refused for that nor emailed as a closure."""
    check_access(viewer, ticket)
    if target not in status_flow.STATUSES:
        raise ValueError(f"unknown status {target!r}")
    if not merging and target in ENDING_MOVES and await reply_owed(db, ticket):
        raise status_flow.TransitionNotAllowed(
            "reply_owed",
            _(
                "La persona respondió que la respuesta automática no resolvió su consulta. "
                "Escríbale una respuesta antes de resolver o cerrar la solicitud."
            ),
            ticket.status,
            target,
            AGENT,
        )
    await status_moves.move(db, ticket, target, AGENT, actor, now or utcnow(), notify=not merging)


async def reply_owed(db: AsyncSession, ticket: Ticket) -> bool:
    """Whether the person said the answer did not help ("No, necesito ayuda" to an automatic
    answer, or reopening a resolved request) and no agent has written to her since."""
    last = (
        await db.execute(
            select(AutoAnswer.outcome, AutoAnswer.outcome_at)
            .where(AutoAnswer.request_id == ticket.id, AutoAnswer.outcome_at.is_not(None))
            .order_by(AutoAnswer.outcome_at.desc(), AutoAnswer.id.desc())
            .limit(1)
        )
    ).first()
    reopened = await db.scalar(
        select(func.max(StatusChange.at)).where(
            StatusChange.request_id == ticket.id,
            StatusChange.to_status == status_flow.REABIERTO,
            StatusChange.actor_kind == status_flow.CITIZEN,
        )
    )
    said_no = last.outcome_at if last is not None and last.outcome == answer_templates.NO else None
    since = max((t for t in (said_no, reopened) if t is not None), default=None)
    if since is None:
        return False
    replied = await db.scalar(
        select(TicketMessage.id)
        .where(
            TicketMessage.request_id == ticket.id,
            TicketMessage.author_kind == "staff",
            TicketMessage.internal.is_(False),
            TicketMessage.created_at >= since,
        )
        .limit(1)
    )
    return replied is None


def _reply_moves(current: str, then_status: str | None) -> list[str]:
    """The moves a reply makes: the first answer opens a new request, and resolving a request
    that waits on the citizen passes through abierto (the flow never skips it)."""
    moves: list[str] = []
    if current == status_flow.NUEVO:
        moves.append(status_flow.ABIERTO)
        current = status_flow.ABIERTO
    if then_status is None or then_status == current:
        return moves
    if current == status_flow.EN_ESPERA_CIUDADANO and then_status == status_flow.RESUELTO:
        moves.append(status_flow.ABIERTO)
    moves.append(then_status)
    return moves


# --- Writing.


def _check_writable(ticket: Ticket) -> None:
    if ticket.merged_into_id is not None:
        raise AgentActionRefused(
            _("Esta solicitud se fusionó con otra; escriba en la solicitud que la reemplaza.")
        )
    if ticket.status == status_flow.CERRADO:
        raise AgentActionRefused(
            _("La solicitud está cerrada. Reábrala antes de responder a la persona.")
        )


async def reply(
    db: AsyncSession,
    viewer: Viewer,
    ticket: Ticket,
    body: str,
    actor: audit.Actor,
    base_url: str,
    then_status: str | None = None,
    now: datetime | None = None,
) -> TicketMessage:
    """An answer to the person: a message, an email threaded on the conversation, and
    optionally a move to en espera del ciudadano or resuelto."""
    check_access(viewer, ticket)
    if then_status is not None and then_status not in AGENT_REPLY_TARGETS:
        raise ValueError(f"a reply cannot move a request to {then_status!r}")
    now = now or utcnow()
    _check_writable(ticket)
    moves = _reply_moves(ticket.status, then_status)
    status_moves.check(ticket, moves, AGENT, now)

    message = TicketMessage(
        request_id=ticket.id,
        author_kind="staff",
        author_id=viewer.id,
        body=body,
        internal=False,
        via="web",
        created_at=now,
    )
    to = await person_emails.recipient(db, ticket)
    if to is not None:
        email = outbox.enqueue(
            db,
            REPLY_TEMPLATE,
            to.email,
            to.locale,
            {
                "folio": ticket.folio,
                "subject": ticket.subject,
                "body": body,
                # The request's own page, opened without signing in (private_links).
                "link": private_links.url_for(ticket, base_url),
                "status": moves[-1] if moves and moves[-1] in _TOLD_IN_REPLY else None,
                "lost_link": links.absolute_url(base_url, "request_lost_link"),
            },
            in_reply_to=await person_emails.last_email_id(db, ticket),
        )
        message.email_message_id = email.message_id
    db.add(message)
    await db.flush()
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    ticket.updated_at = now
    audit.record(
        db,
        actor,
        "request.staff_reply",
        "request",
        ticket.id,
        {"message": [None, message.id], "emailed": [None, message.email_message_id is not None]},
    )
    for target in moves:
        # The reply's email tells the person of the move: one email, not two.
        await status_moves.move(db, ticket, target, AGENT, actor, now, notify=False)
    return message


async def add_note(
    db: AsyncSession,
    viewer: Viewer,
    ticket: Ticket,
    body: str,
    actor: audit.Actor,
    now: datetime | None = None,
) -> TicketMessage:
    """An internal note: seen by staff only, never emailed, allowed in any status."""
    check_access(viewer, ticket)
    now = now or utcnow()
    note = TicketMessage(
        request_id=ticket.id,
        author_kind="staff",
        author_id=viewer.id,
        body=body,
        internal=True,
        via="web",
        created_at=now,
    )
    db.add(note)
    await db.flush()
    audit.record(db, actor, "request.note", "request", ticket.id, {"message": [None, note.id]})
    return note


async def claim(
    db: AsyncSession,
    viewer: Viewer,
    ticket: Ticket,
    actor: audit.Actor,
    now: datetime | None = None,
) -> None:
    """Assign to me. Taking a new request opens it; taking one from a colleague is for
    supervisors and admins only."""
    check_access(viewer, ticket)
    now = now or utcnow()
    if ticket.merged_into_id is not None:
        raise AgentActionRefused(_("Esta solicitud se fusionó con otra y ya no se atiende."))
    before = ticket.assignee_id
    if before == viewer.id:
        return
    if before is not None and viewer.role not in REASSIGN_ROLES:
        raise AgentActionRefused(
            _("Otra persona ya tiene esta solicitud. Pida a un supervisor que la reasigne.")
        )
    ticket.assignee_id = viewer.id
    ticket.updated_at = now
    audit.record(
        db, actor, "request.assign", "request", ticket.id, {"assignee_id": [before, viewer.id]}
    )
    if ticket.status == status_flow.NUEVO:
        await status_moves.move(db, ticket, status_flow.ABIERTO, AGENT, actor, now)


async def unassign(
    db: AsyncSession,
    viewer: Viewer,
    ticket: Ticket,
    actor: audit.Actor,
    now: datetime | None = None,
) -> None:
    """Back to the unassigned queue: by its assignee, a supervisor or an admin."""
    check_access(viewer, ticket)
    before = ticket.assignee_id
    if before is None:
        return
    if before != viewer.id and viewer.role not in REASSIGN_ROLES:
        raise AgentActionRefused(
            _("Solo quien tiene la solicitud asignada o un supervisor puede liberarla.")
        )
    ticket.assignee_id = None
    ticket.updated_at = now or utcnow()
    audit.record(
        db, actor, "request.unassign", "request", ticket.id, {"assignee_id": [before, None]}
    )
