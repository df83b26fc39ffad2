"""Engine, declarative base and the per-request unit of work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from helpdesk.core import sqlite_driver as _custom_driver
from helpdesk.core.settings import SQLITE_DRIVERS
from helpdesk.core.wal_checkpoints import WalCheckpointer

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


MMAP_BYTES = 1 << 30


def _sqlite_pragmas(checkpoints_elsewhere: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_custom_driver.BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Pages read through a memory map rather than a read() call each: a queue page at a
        # million requests touches a few hundred pages scattered over the file (256 -> 194 µs
        # for a deep page). Address space only; the OS page cache holds the data either way.
        cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        if checkpoints_elsewhere:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    return on_connect


def make_engine(
    database_url: str,
    background_checkpoints: bool = False,
    sqlite_driver: str = "custom",
    **kwargs: Any,
) -> AsyncEngine:
    """The engine for ``database_url``. For a long-running SQLite process (the web app, the
    worker), ``background_checkpoints`` moves WAL checkpoints from its commits to a thread
    of their own (``wal_checkpoints``), stopped when the engine is disposed.

    On SQLite, ``sqlite_driver`` (the ``SQLITE_DRIVER`` setting) picks ``"custom"``, the
    one-hop wrapper of ``core/sqlite_driver.py``, or ``"stock"``: plain aiosqlite through
    SQLAlchemy's adapter, the fallback when an aiosqlite release breaks the wrapper."""
    if sqlite_driver not in SQLITE_DRIVERS:
        raise ValueError(f"sqlite_driver must be one of {SQLITE_DRIVERS}, got {sqlite_driver!r}")
    if database_url.startswith("sqlite"):
        if sqlite_driver == "custom":
            kwargs.setdefault("async_creator", _custom_driver.async_creator(database_url))
        engine = create_async_engine(database_url, **kwargs)
        path = engine.url.database
        on_file = bool(path) and path != ":memory:" and "mode=memory" not in database_url
        checkpointer = WalCheckpointer(str(path)) if background_checkpoints and on_file else None
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(checkpointer is not None))
        if checkpointer is not None:
            checkpointer.start()
            event.listen(engine.sync_engine, "engine_disposed", lambda _e: checkpointer.stop())
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(database_url, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


async def lock_in_order(db: AsyncSession, *rows: Any) -> None:
    """Re-reads ``rows`` locked (``FOR UPDATE`` on PostgreSQL), lowest id first so that two
    transactions locking the same pair cannot deadlock. Checks made after this see what
    a concurrent transaction committed (e.g. two agents merging A into B and B into A).
    SQLite has no row locks: there one writer at a time runs anyway."""
    for row in sorted(rows, key=lambda r: r.id):
        await db.refresh(row, with_for_update=True)
