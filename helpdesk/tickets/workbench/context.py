"""The person's context beside a request on its staff page: who they are, their other
requests, and whatever later domains (cases, appointments, escalations) know about them.

Those domains register a section here from ``app.py`` (``register_section``), so the
workbench never imports them, as the person page does with ``people.sections``. A provider
gets ``(db, viewer, ticket)`` once the page has checked the viewer's access to the ticket,
keeps to the viewer's region itself, and returns a ``Section`` (its template reads
``section.data``) or None when it has nothing to show.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.people.sections import Section
from helpdesk.tickets.models import Ticket

RequestSection = Callable[[AsyncSession, Viewer, Ticket], Awaitable[Section | None]]

SECTIONS: list[RequestSection] = []
OTHER_REQUESTS = 5  # the newest few; the person page lists them all


def register_section(provider: RequestSection) -> None:
    """Registering a provider again changes nothing (tests build several apps)."""
    if provider not in SECTIONS:
        SECTIONS.append(provider)


async def sections(db: AsyncSession, viewer: Viewer, ticket: Ticket) -> list[Section]:
    found = [await provider(db, viewer, ticket) for provider in SECTIONS]
    return [section for section in found if section is not None]


@dataclass(frozen=True)
class OtherRequest:
    folio: str
    subject: str
    status: str


async def other_requests(db: AsyncSession, viewer: Viewer, ticket: Ticket) -> Section | None:
    """The person's other requests, newest first, within the viewer's region."""
    stmt = (
        select(Ticket.folio, Ticket.subject, Ticket.status)
        .where(Ticket.person_id == ticket.person_id, Ticket.id != ticket.id)
        .order_by(Ticket.received_at.desc(), Ticket.id.desc())
        .limit(OTHER_REQUESTS)
    )
    scope = region_scope(viewer)
    if scope is not None:
        stmt = stmt.where(Ticket.region_code == scope)
    rows = [OtherRequest(*row) for row in await db.execute(stmt)]
    return Section("tickets/workbench/_other_requests.html", rows)
