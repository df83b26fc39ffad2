"""Fixed-window rate counters in the database, so every worker process shares them.

Counters are written in their own short transaction: a refused login must still count
even though the request that refused it rolls back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.accounts.models import RateCounter
from helpdesk.core.db import utcnow


async def hit(
    sessionmaker: async_sessionmaker[AsyncSession],
    key: str,
    limit: int,
    window: timedelta,
    now: datetime | None = None,
) -> bool:
    """Counts one event under ``key``; False once more than ``limit`` fall in the window."""
    now = now or utcnow()
    async with sessionmaker() as db, db.begin():
        dialect = db.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        expired = RateCounter.window_start < now - window
        stmt = insert(RateCounter).values(key=key, window_start=now, count=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[RateCounter.key],
            set_={
                "count": case((expired, 1), else_=RateCounter.count + 1),
                "window_start": case((expired, now), else_=RateCounter.window_start),
            },
        ).returning(RateCounter.count)
        count = (await db.execute(stmt)).scalar_one()
    return count <= limit
