"""A request's lifecycle events: recorded by the extension and the scheduled jobs, read by
the request's page beside its status history."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.core.i18n import gettext as _
from helpdesk.tickets.lifecycle.models import RequestEvent
from helpdesk.tickets.models import Ticket

EXTENDED: Final = "deadline_extended"
WARNED: Final = "abandonment_warned"
LIFTED: Final = "abandonment_lifted"
AUTO_CLOSED: Final = "auto_closed"
ABANDONED: Final = "abandoned"
KINDS: Final = (EXTENDED, WARNED, LIFTED, AUTO_CLOSED, ABANDONED)


def event_names() -> dict[str, str]:
    """Each event in words, in the active locale."""
    return {
        EXTENDED: _("Plazo prorrogado"),
        WARNED: _("Aviso de abandono enviado a la persona"),
        LIFTED: _("Aviso de abandono sin efecto: la persona respondió o dejó de esperarse"),
        AUTO_CLOSED: _("Cerrada automáticamente tras su resolución"),
        ABANDONED: _("Cerrada por abandono (Ley 19.880, art. 43)"),
    }


def record(
    db: AsyncSession,
    ticket: Ticket,
    kind: str,
    actor_kind: str,
    actor_id: int | None,
    at: datetime,
    **details: Any,
) -> RequestEvent:
    if kind not in KINDS:
        raise ValueError(f"unknown lifecycle event {kind!r}")
    event = RequestEvent(
        request_id=ticket.id,
        kind=kind,
        actor_kind=actor_kind,
        actor_id=actor_id,
        at=at,
        details=details,
    )
    db.add(event)
    return event


async def events_of(db: AsyncSession, ticket: Ticket) -> list[RequestEvent]:
    rows = await db.scalars(
        select(RequestEvent)
        .where(RequestEvent.request_id == ticket.id)
        .order_by(RequestEvent.at, RequestEvent.id)
    )
    return list(rows.all())
