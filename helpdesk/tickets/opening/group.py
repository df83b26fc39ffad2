"""Requests opened over HTTP are written in groups (``core.group_commit``).

The form and the API each validate on their own, then hand the request to
``tickets.service.open_in_group`` and wait for its folio: under load, the requests waiting
are written together, one statement per table and one commit, instead of one transaction
each. A request's rows are still written together or not at all, and the answer is given
only once they are committed. ``app.py`` makes the one opener a process has.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.group_commit import GroupCommit
from helpdesk.tickets.opening.writing import CreatedRequest, Opening, create_requests

RequestOpener = GroupCommit[Opening, CreatedRequest]


def make_opener(
    sessionmaker: async_sessionmaker[AsyncSession], write_lock: asyncio.Lock | None
) -> RequestOpener:
    return GroupCommit(sessionmaker, create_requests, write_lock)
