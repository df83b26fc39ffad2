"""Counting article views without a write per request.

A view counts once per reader, article and day (one ``kb_views`` row). The article page is the
most read page of the service, so it only notes the view in memory; the noted views are
inserted in batches from a background task every ``FLUSH_SECONDS``, or as soon as
``FLUSH_SIZE`` are waiting, and at shutdown (``buffered_writes``, as search statistics are).
Inserts ignore rows that exist already, so a reader counted by two processes, or on two
flushes, is still one view. The database stays the only truth: a process holds its views for
a few seconds at most, and a killed process loses at most those.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.sqlite_driver import off_loop
from knowledge_base import buffered_writes
from knowledge_base.models import ArticleView

log = logging.getLogger(__name__)

FLUSH_SECONDS = 2.0
FLUSH_SIZE = 1000
ROWS_PER_INSERT = 1000
# While the database is unreachable views are kept for the next attempt, up to this many;
# beyond it new views are dropped rather than let memory grow without bound.
MAX_PENDING = 200_000

ViewKey = tuple[int, str, date]  # article id, reader key, day


class ViewCounts:
    def __init__(self, flush_size: int = FLUSH_SIZE) -> None:
        self.flush_size = flush_size
        self._pending: dict[ViewKey, str] = {}  # -> locale of the text read
        self._due = asyncio.Event()
        self._dropped = 0

    def note(self, article_id: int, reader: str, locale: str, day: date) -> None:
        key = (article_id, reader, day)
        if key in self._pending:
            return
        if len(self._pending) >= MAX_PENDING:
            self._dropped += 1
            return
        self._pending[key] = locale
        if len(self._pending) >= self.flush_size:
            self._due.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def flush(self, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        """Inserts the noted views (in one transaction); returns how many were noted."""
        pending = self._pending
        if not pending:
            return 0
        self._pending = {}
        rows = [
            {"article_id": a, "reader_key": r, "day": d, "locale": locale}
            for (a, r, d), locale in sorted(pending.items())  # one order: no deadlocks
        ]
        try:
            # On SQLite, on the connection's thread: requests are served while it writes.
            with off_loop():
                async with sessionmaker() as db, db.begin():
                    dialect = db.bind.dialect.name
                    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
                    statement = insert(ArticleView).on_conflict_do_nothing()
                    for start in range(0, len(rows), ROWS_PER_INSERT):
                        await db.execute(statement, rows[start : start + ROWS_PER_INSERT])
        except Exception:
            # Keep them for the next attempt rather than lose them.
            for key, locale in pending.items():
                self._pending.setdefault(key, locale)
            raise
        if self._dropped:
            log.warning(
                "%d article views dropped while the database was unreachable", self._dropped
            )
            self._dropped = 0
        return len(rows)

    def flushing(
        self, sessionmaker: async_sessionmaker[AsyncSession], every: float = FLUSH_SECONDS
    ) -> contextlib.AbstractAsyncContextManager[None]:
        """Flushes in the background while the app runs, and once more at shutdown."""
        return buffered_writes.flushing(
            lambda: self.flush(sessionmaker), every, "article views", wake=self._due
        )
