"""Rate counters in the database, so every worker process shares them: fixed windows
(``hit``) and failures in a row (``record_failure``), for sign-in delays.

Counters are written in their own short transaction: a refused login must still count
even though the request that refused it rolls back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

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


async def hit_all(
    engine: AsyncEngine,
    limits: list[tuple[str, int]],
    window: timedelta,
    now: datetime | None = None,
) -> bool:
    """Counts one event under each (key, limit) in one transaction; False when any key is
    over its limit (every key still counts)."""
    now = now or utcnow()
    allowed = True
    async with engine.begin() as connection:
        stmt = _COUNT[engine.dialect.name]
        for key, limit in limits:
            values = {"key": key, "now": now, "window_opens": now - window}
            count = (await connection.execute(stmt, values)).scalar_one()
            allowed = allowed and count <= limit
    return allowed


# Failures in a row under one key (an email or an address), for sign-in delays: the row's
# ``window_start`` is the last failure, and a count older than ``forget_after`` starts over.
def _fail(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    counters = RateCounter.__table__
    stale = counters.c.window_start < bindparam("forget_before")
    return (
        insert(counters)
        .values(key=bindparam("key"), window_start=bindparam("now"), count=1)
        .on_conflict_do_update(
            index_elements=[counters.c.key],
            set_={
                "count": case((stale, 1), else_=counters.c.count + 1),
                "window_start": bindparam("now"),
            },
        )
    )


_FAIL = {dialect: _fail(dialect) for dialect in ("postgresql", "sqlite")}


async def failures(db: AsyncSession, keys: list[str]) -> dict[str, tuple[int, datetime]]:
    """The failures in a row and the last failure's time, for the keys that have any."""
    counters = RateCounter.__table__
    query = select(counters.c.key, counters.c.count, counters.c.window_start).where(
        counters.c.key.in_(keys)
    )
    rows = (await db.execute(query)).all()
    return {key: (count, last) for key, count, last in rows}


async def record_failure(
    db: AsyncSession, keys: list[str], now: datetime, forget_after: timedelta
) -> None:
    """Counts one failure under each key, in the caller's transaction."""
    stmt = _FAIL[(await db.connection()).dialect.name]
    for key in keys:
        await db.execute(stmt, {"key": key, "now": now, "forget_before": now - forget_after})


async def forget(db: AsyncSession, key: str) -> None:
    await db.execute(delete(RateCounter.__table__).where(RateCounter.key == key))


async def claim(db: AsyncSession, key: str, last_failure: datetime, now: datetime) -> bool:
    """Takes the one attempt a finished wait allows: False if a concurrent request took it
    (moved the last failure) first, so parallel guesses cannot share one opening."""
    counters = RateCounter.__table__
    taken = await db.execute(
        update(counters)
        .where(counters.c.key == key, counters.c.window_start == last_failure)
        .values(window_start=now)
    )
    return bool(taken.rowcount == 1)
