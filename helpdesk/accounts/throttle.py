"""Fixed-window rate counters in the database, so every worker process shares them.

Counters are written in their own short transaction: a refused login must still count
even though the request that refused it rolls back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from helpdesk.accounts.models import RateCounter
from helpdesk.core.db import utcnow


def _count(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    counters = RateCounter.__table__
    expired = counters.c.window_start < bindparam("window_opens")
    return (
        insert(counters)
        .values(key=bindparam("key"), window_start=bindparam("now"), count=1)
        .on_conflict_do_update(
            index_elements=[counters.c.key],
            set_={
                "count": case((expired, 1), else_=counters.c.count + 1),
                "window_start": case((expired, bindparam("now")), else_=counters.c.window_start),
            },
        )
        .returning(counters.c.count)
    )


# Built once (Core, not the ORM's bulk insert): every sign-in and lookup counts.
_COUNT = {dialect: _count(dialect) for dialect in ("postgresql", "sqlite")}


async def hit(
    engine: AsyncEngine,
    key: str,
    limit: int,
    window: timedelta,
    now: datetime | None = None,
) -> bool:
    """Counts one event under ``key``; False once more than ``limit`` fall in the window."""
    now = now or utcnow()
    async with engine.begin() as connection:  # its own transaction (see above), no ORM
        stmt = _COUNT[engine.dialect.name]
        values = {"key": key, "now": now, "window_opens": now - window}
        count = (await connection.execute(stmt, values)).scalar_one()
    return bool(count <= limit)
