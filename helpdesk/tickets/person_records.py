"""What the inbox adds to a person's record: the timeline's requests, messages, notes and
status moves; the person page's list of requests; and, when two records of one person are
merged, the move of the duplicate's requests to the record kept.

``app.py`` registers these with ``helpdesk.people`` (which imports nothing from here). Each
timeline source is one bounded query (newest ``limit`` rows, staff names joined in); a
regional agent's ``scope`` keeps out a person's requests in other regions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.audit import service as audit
from helpdesk.core.i18n import gettext as _
from helpdesk.people.models import Person
from helpdesk.people.sections import Section
from helpdesk.people.timeline import (
    MESSAGE_EXCERPT,
    NOTE_EXCERPT,
    TimelineEntry,
    TimelineSource,
    excerpt,
)
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.models import StatusChange, Ticket, TicketMessage
from helpdesk.tickets.status_flow import status_names

# --- Timeline sources.


def in_scope(scope: str | None) -> list[ColumnElement[bool]]:
    """The request conditions for a viewer limited to one region (none for the rest)."""
    return [] if scope is None else [Ticket.region_code == scope]


async def request_openings(
    db: AsyncSession, person: Person, limit: int, scope: str | None = None
) -> list[TimelineEntry]:
    rows = await db.execute(
        select(Ticket.folio, Ticket.subject, Ticket.received_at)
        .where(Ticket.person_id == person.id, *in_scope(scope))
        .order_by(Ticket.received_at.desc())
        .limit(limit)
    )
    return [
        TimelineEntry(
            r.received_at,
            "request",
            _("Solicitud %(folio)s recibida", folio=r.folio),
            r.subject,
            r.folio,
        )
        for r in rows
    ]


def _message_title(kind: str, internal: bool, name: str | None) -> str:
    if kind == "citizen":
        return _("Mensaje de la persona")
    if kind == "staff":
        staff = name or _("Personal")
        if internal:
            return _("Nota interna de %(name)s", name=staff)
        return _("Respuesta de %(name)s", name=staff)
    return _("Mensaje automático")


async def request_messages(
    db: AsyncSession, person: Person, limit: int, scope: str | None = None
) -> list[TimelineEntry]:
    rows = await db.execute(
        select(
            TicketMessage.created_at,
            TicketMessage.author_kind,
            TicketMessage.internal,
            TicketMessage.body,
            Ticket.folio,
            StaffAccount.full_name,
        )
        .join(Ticket, Ticket.id == TicketMessage.request_id)
        .outerjoin(
            StaffAccount,
            and_(TicketMessage.author_kind == "staff", StaffAccount.id == TicketMessage.author_id),
        )
        .where(Ticket.person_id == person.id, *in_scope(scope))
        .order_by(TicketMessage.created_at.desc(), TicketMessage.id.desc())
        .limit(limit)
    )
    return [
        TimelineEntry(
            r.created_at,
            "note" if r.internal else "message",
            _message_title(r.author_kind, r.internal, r.full_name),
            excerpt(r.body, NOTE_EXCERPT if r.internal else MESSAGE_EXCERPT),
            r.folio,
        )
        for r in rows
    ]


async def status_changes(
    db: AsyncSession, person: Person, limit: int, scope: str | None = None
) -> list[TimelineEntry]:
    """Moves after the opening (the opening is its own entry)."""
    names = status_names()
    rows = await db.execute(
        select(
            StatusChange.at,
            StatusChange.from_status,
            StatusChange.to_status,
            StatusChange.actor_kind,
            Ticket.folio,
            StaffAccount.full_name,
        )
        .join(Ticket, Ticket.id == StatusChange.request_id)
        .outerjoin(
            StaffAccount,
            and_(StatusChange.actor_kind == "agent", StaffAccount.id == StatusChange.actor_id),
        )
        .where(
            Ticket.person_id == person.id, StatusChange.from_status.is_not(None), *in_scope(scope)
        )
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())
        .limit(limit)
    )
    entries = []
    for r in rows:
        if r.actor_kind == "citizen":
            by = _("la persona")
        elif r.full_name:
            by = r.full_name
        else:
            by = _("el sistema") if r.actor_kind == "system" else _("el personal")
        title = _(
            "Estado: %(before)s → %(after)s, por %(by)s",
            before=names.get(r.from_status, r.from_status),
            after=names.get(r.to_status, r.to_status),
            by=by,
        )
        entries.append(TimelineEntry(r.at, "status", title, folio=r.folio))
    return entries


# In this order: a reply and the status move it makes share their instant, and the timeline
# keeps the sources' order for entries of the same instant.
TIMELINE_SOURCES: Final[tuple[TimelineSource, ...]] = (
    request_openings,
    request_messages,
    status_changes,
)


# --- The person page.


@dataclass(frozen=True)
class PersonRequests:
    """What ``tickets/_person_requests.html`` reads as ``section.data``."""

    requests: list[Ticket]
    status_names: Mapping[str, str]


async def requests_section(db: AsyncSession, viewer: Viewer, person: Person) -> Section:
    """The person's requests, newest first, within the viewer's region; the page has checked
    access to ``person``."""
    requests = await citizen_service.requests_of(db, person.id, region_scope(viewer))
    return Section("tickets/_person_requests.html", PersonRequests(requests, status_names()))


# --- Merging two records of one person.


async def move_requests(
    db: AsyncSession, duplicate: Person, kept: Person, actor: audit.Actor
) -> list[int]:
    """The duplicate's requests now belong to the record kept, each move an audit event;
    returns their ids (kept with the merge, for an undo). Runs inside
    ``people.merging.merge_people``'s unit of work, after its checks."""
    moved = []
    for row in await db.scalars(select(Ticket).where(Ticket.person_id == duplicate.id)):
        row.person_id = kept.id
        audit.record(
            db, actor, "request.person", "request", row.id, {"person_id": [duplicate.id, kept.id]}
        )
        moved.append(row.id)
    return moved


async def restore_requests(
    db: AsyncSession, ids: Sequence[int], duplicate: Person, kept: Person, actor: audit.Actor
) -> int:
    """Undoing a merge: the requests it moved (``ids``) that are still on the kept record go
    back to the restored duplicate, so replies reach that person again."""
    restored = 0
    if not ids:
        return restored
    rows = await db.scalars(
        select(Ticket).where(Ticket.id.in_(list(ids)), Ticket.person_id == kept.id)
    )
    for row in rows:
        row.person_id = duplicate.id
        audit.record(
            db, actor, "request.person", "request", row.id, {"person_id": [kept.id, duplicate.id]}
        )
        restored += 1
    return restored
