"""A person's timeline: what happened with them, newest first, gathered from sources.

Each source is one bounded query (newest ``limit`` rows, staff names joined in) that turns
rows into ``TimelineEntry`` values; the page shows the newest ``limit`` of them all. Later
domains add a source to ``SOURCES`` (see the comment there) and nothing else changes.
Internal notes appear as a short excerpt only: the request's page has the full text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer, check_person_access, region_scope
from helpdesk.audit.models import AuditEvent
from helpdesk.core.i18n import gettext as _
from helpdesk.people.models import Person
from helpdesk.tickets.models import StatusChange, Ticket, TicketMessage
from helpdesk.tickets.status_flow import status_names

LIMIT: Final = 100
NOTE_EXCERPT: Final = 80
MESSAGE_EXCERPT: Final = 200


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # request | message | note | status | audit (later: appointment, escalation, case)
    title: str
    excerpt: str = ""
    folio: str | None = None  # links the entry to its request
    person_id: int | None = None  # links the entry to another person's record (merges)


# (db, person, limit, region scope): a regional agent sees only their region's requests of
# a person who also has requests elsewhere.
TimelineSource = Callable[[AsyncSession, Person, int, str | None], Awaitable[list[TimelineEntry]]]


def in_scope(scope: str | None) -> list[ColumnElement[bool]]:
    """The request conditions for a viewer limited to one region (none for the rest)."""
    return [] if scope is None else [Ticket.region_code == scope]


def excerpt(text: str, length: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


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


def _field_labels() -> dict[str, str]:
    return {
        "run": "RUN",
        "document_type": _("Tipo de documento"),
        "document_number": _("Número de documento"),
        "document_country": _("País que emitió el documento"),
        "birth_date": _("Fecha de nacimiento"),
        "given_names": _("Nombres"),
        "surnames": _("Apellidos"),
        "country_of_birth": _("País de nacimiento"),
        "email": _("Correo electrónico"),
        "email_verified_at": _("Confirmación del correo"),
        "phone": _("Teléfono"),
        "preferred_locale": _("Idioma"),
        "sex_gender": _("Sexo o género"),
        "region_code": _("Región"),
    }


def _audit_entry(event: AuditEvent, person: Person) -> TimelineEntry:
    changes: dict[str, Any] = event.changes or {}
    if event.action == "person.merge" and "merged_into" in changes:
        kept = changes["merged_into"][1]
        return TimelineEntry(
            event.at,
            "audit",
            _("Ficha fusionada con la ficha N° %(id)s", id=kept),
            person_id=kept if isinstance(kept, int) else None,
        )
    if event.action == "person.merge" and "merged_from" in changes:
        merged = changes["merged_from"][1]
        return TimelineEntry(
            event.at,
            "audit",
            _("Se fusionó aquí la ficha N° %(id)s", id=merged),
            person_id=merged if isinstance(merged, int) else None,
        )
    titles = {
        "person.create": _("Ficha creada"),
        "person.update": _("Datos de la ficha actualizados"),
    }
    title = titles.get(event.action, event.action)
    if event.entity_id != person.id:
        title = _("%(what)s (ficha N° %(id)s, fusionada aquí)", what=title, id=event.entity_id)
    labels = _field_labels()
    # Which fields changed, never their values: the page above shows the current ones.
    fields = ", ".join(labels.get(name, name) for name in changes if name != "source")
    return TimelineEntry(event.at, "audit", title, fields, person_id=None)


async def person_events(
    db: AsyncSession, person: Person, limit: int, scope: str | None = None
) -> list[TimelineEntry]:
    """Audit events on the person, and on the records merged into it (history kept)."""
    own = list(await _events(db, [person.id], limit))
    merged_ids = [
        e.changes["merged_from"][1]
        for e in own
        if e.action == "person.merge" and isinstance((e.changes or {}).get("merged_from"), list)
    ]
    merged = [e for e in await _events(db, merged_ids, limit) if e.action != "person.merge"]
    return [_audit_entry(e, person) for e in [*own, *merged]]


async def _events(db: AsyncSession, ids: Sequence[int], limit: int) -> Sequence[AuditEvent]:
    ids = [i for i in ids if isinstance(i, int)]
    if not ids:
        return []
    rows = await db.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "person", AuditEvent.entity_id.in_(ids))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return rows.all()


# Appointments, escalations and linked cases plug in here: each later issue writes a source
# (one bounded query returning TimelineEntry values of its own kind) and appends it.
SOURCES: list[TimelineSource] = [request_openings, request_messages, status_changes, person_events]


async def timeline(
    db: AsyncSession,
    viewer: Viewer,
    person: Person,
    limit: int = LIMIT,
    sources: Sequence[TimelineSource] = SOURCES,
) -> list[TimelineEntry]:
    """The newest ``limit`` entries of every source, newest first."""
    check_person_access(viewer, person.id, person.region_code)
    scope = region_scope(viewer)
    entries = [entry for source in sources for entry in await source(db, person, limit, scope)]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]
