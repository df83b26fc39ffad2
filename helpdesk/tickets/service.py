"""Opening requests (written by ``opening``) and finding them again by their private link.

One unit of work: the person (found or created), the request with its folio and deadlines,
the first message, the status history, the audit event and the confirmation email are
written together or not at all.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.audit import service as audit
from helpdesk.core.db import utcnow
from helpdesk.core.security import token_digest
from helpdesk.tickets.attachments import StoredAttachment
from helpdesk.tickets.citizen import private_links
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.opening.group import RequestOpener
from helpdesk.tickets.opening.writing import CreatedRequest as CreatedRequest
from helpdesk.tickets.opening.writing import NewRequest as NewRequest
from helpdesk.tickets.opening.writing import Opening
from helpdesk.tickets.opening.writing import create_request as create_request


@dataclass(frozen=True)
class OpenedRequest:
    ticket: Ticket
    access_token: str  # the private link's secret: sent by email, never stored


async def open_request(
    db: AsyncSession,
    data: NewRequest,
    actor: audit.Actor,
    base_url: str,
    now: datetime | None = None,
) -> OpenedRequest:
    """``create_request``, with the request loaded back for callers that go on working on it."""
    created = await create_request(db, data, actor, base_url, now)
    ticket = await db.get(Ticket, created.id)
    assert ticket is not None
    return OpenedRequest(ticket, created.access_token)


async def find_by_private_link(db: AsyncSession, folio: str, token: str) -> Ticket | None:
    """The request a private link opens: the token emailed with the confirmation (or a new
    link), or its signed form carried by every later email (``citizen.private_links``).
    The same None for a wrong folio or a wrong token."""
    ticket = await db.scalar(select(Ticket).where(Ticket.folio == folio.upper()))
    expected = ticket.access_digest if ticket is not None else "0" * 64
    random_token = hmac.compare_digest(expected, token_digest(token))
    signed = private_links.signed_token_matches(folio, expected, token)
    if ticket is None or not (random_token or signed):
        return None
    return ticket


async def open_in_group(
    opener: RequestOpener,
    data: NewRequest,
    actor: audit.Actor,
    base_url: str,
    files: Sequence[StoredAttachment] = (),
    *,
    before_waiting: Callable[[], Awaitable[None]] | None = None,
) -> CreatedRequest:
    """Opens ``data`` written together with the other requests waiting (``opening.group``).
    ``before_waiting`` lets the caller give up what it holds first (on SQLite, the web
    request's turn to write: the group's writer needs it)."""
    if before_waiting is not None:
        await before_waiting()
    return await opener.submit(Opening(data, actor, base_url, utcnow(), files))
