"""Where an agent goes after a request: the next one in the queue they came from.

The queue's links to a request may carry the queue's own query string (view, filters, search)
in one parameter, ``cola``; without it, the queue's address the browser sends as Referer says
the same. The request page keeps it in its links and in the reply form, so that
"Enviar y siguiente" and the ``j`` shortcut open the request after this one in that same
queue, computed by the queue's service (same order, filters and region scoping).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import QueryParams

from helpdesk.accounts.permissions import Viewer
from helpdesk.core import links
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue import forms as queue_forms
from helpdesk.tickets.queue import service as queues
from helpdesk.tickets.queue import tools as queue_tools

PARAM = "cola"
MAX_LENGTH = 600  # a queue's query string: a view, a few filters, a search
# The page of the queue is not part of where one is in it; the request itself is the cursor.
_DROPPED = frozenset({"antes", "hecho", queue_tools.DONE_PARAM})


def clean(text: str | None) -> str:
    """The queue's query string as the request page keeps it (``""``: the plain queue)."""
    pairs = parse_qsl((text or "")[:MAX_LENGTH], keep_blank_values=False)
    return urlencode([(k, v) for k, v in pairs if k not in _DROPPED])


def from_referer(referer: str | None) -> str:
    """The queue's query string when the agent came from the queue by a plain link (the
    browser sends the queue's address: Referrer-Policy same-origin), ``""`` otherwise."""
    if not referer:
        return ""
    parts = urlsplit(referer)
    return clean(parts.query) if parts.path == links.url_path("staff_queue") else ""


def queue_url(cola: str) -> str:
    return links.url_path("staff_queue", query=parse_qsl(cola))


def request_url(folio: str, cola: str, **extra: str) -> str:
    query = {PARAM: cola, **extra} if cola else dict(extra)
    return links.url_path("staff_request", folio=folio, query=query)


async def next_folio(
    db: AsyncSession, viewer: Viewer, ticket: Ticket, cola: str, today: date
) -> str | None:
    """The request after ``ticket`` in the queue ``cola`` describes; None at its end."""
    query = queue_forms.parse_queue_query(QueryParams(cola))
    view = query.queue.view
    due = ticket.legal_due_on if view in queues.DUE_ORDERED_VIEWS else None
    if view in queues.DUE_ORDERED_VIEWS and due is None:
        return None  # a paused request is in no due-ordered view: nowhere to continue from
    cursor = queues.Cursor(ticket.id, due)
    # Search results continue from ``antes`` too (queue_tools.rows reads it for a search).
    params = QueryParams([*QueryParams(cola).multi_items(), ("antes", str(cursor))])
    after = queue_forms.QueueQuery(query.queue, cursor)
    rows = await queue_tools.rows(db, viewer, params, after, today, 1)
    return rows[0].folio if rows else None
