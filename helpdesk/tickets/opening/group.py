"""Requests opened over HTTP are written in groups (``core.group_commit``).

The form and the API each validate on their own, then hand the request here and wait for
its folio: under load, the requests waiting are written together, one statement per table
and one commit, instead of one transaction each. A request's rows are still written
together or not at all, and the answer is given only once they are committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from helpdesk.audit.service import Actor
from helpdesk.core.db import utcnow
from helpdesk.core.group_commit import GroupCommit
from helpdesk.core.unit_of_work import unit_of_work
from helpdesk.tickets.attachments import StoredAttachment
from helpdesk.tickets.opening.writing import CreatedRequest, NewRequest, Opening, create_requests

RequestOpener = GroupCommit[Opening, CreatedRequest]


def make_opener(
    sessionmaker: async_sessionmaker[AsyncSession], write_lock: asyncio.Lock | None
) -> RequestOpener:
    return GroupCommit(sessionmaker, create_requests, write_lock)


async def open_for(
    conn: HTTPConnection,
    data: NewRequest,
    actor: Actor,
    files: Sequence[StoredAttachment] = (),
) -> CreatedRequest:
    """Opens ``data`` for this HTTP request, written with the others waiting. What the
    request's own unit of work wrote before (little: it reads and validates) commits first."""
    await unit_of_work(conn).hand_over_writes()  # the group's writer takes the turn
    opener: RequestOpener = conn.app.state.request_opener
    base_url = conn.app.state.settings.base_url
    return await opener.submit(Opening(data, actor, base_url, utcnow(), files))
