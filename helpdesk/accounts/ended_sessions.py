"""Sessions ended by signing out, so that a copy of the cookie stops working at once.

A session is a signed cookie: clearing it in the browser that signs out leaves any copy
valid. Each sign-in therefore gets a random session id, kept in the cookie, and signing out
writes that id here; every request that carries a viewer looks it up (one primary-key
read; requests without a viewer, like the article page's visitors, never do).

A row is needed only while a copy could still pass the cookie's own expiry. Starlette
signs the cookie again on each response, so a copy stays valid for ``session_max_age``
after the last request it was accepted on, and after the row is written none is. Rows
therefore expire ``session_max_age`` (plus a margin for a request already under way)
after the sign-out, and each sign-out deletes the expired ones.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import EndedSession
from helpdesk.core.db import utcnow

# A request accepted just before the sign-out may sign the cookie again just after it.
IN_FLIGHT_MARGIN = timedelta(minutes=10)

_ENDED = EndedSession.__table__
_IS_ENDED = select(_ENDED.c.id).where(_ENDED.c.id == bindparam("sid"))


def new_session_id() -> str:
    return secrets.token_urlsafe(16)


async def is_ended(db: AsyncSession, session_id: str) -> bool:
    return (await db.execute(_IS_ENDED, {"sid": session_id})).first() is not None


def _insert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Two sign-outs with the same cookie (a copy, a double click) end it once.
    return insert(_ENDED).on_conflict_do_nothing(index_elements=[_ENDED.c.id])


async def end(db: AsyncSession, session_id: str, max_age: int, now: datetime | None = None) -> None:
    """Ends the session for every copy of its cookie and deletes rows no cookie can need."""
    now = now or utcnow()
    expires_at = now + timedelta(seconds=max_age) + IN_FLIGHT_MARGIN
    await db.execute(delete(EndedSession).where(EndedSession.expires_at < now))
    stmt = _insert(db.get_bind().dialect.name)
    await db.execute(stmt, {"id": session_id, "expires_at": expires_at})
