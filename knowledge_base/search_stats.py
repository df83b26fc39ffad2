"""Counting searches and searches that found nothing (shown to editors).

Searches are the busiest read in the portal, so counting them must not turn each one into a
database write: counts gather in memory per process and are added to the table in one short
transaction every few seconds (and at shutdown). Several processes add up correctly because
each flush increments. A crash loses at most one interval of counts, which is acceptable for
statistics.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.db import utcnow
from knowledge_base import buffered_writes
from knowledge_base.models import SearchStat

_SPACES = re.compile(r"\s+")
FLUSH_SECONDS = 5.0


def normalize(query: str) -> str:
    return _SPACES.sub(" ", query.strip().casefold())[:200]


class SearchStats:
    def __init__(self) -> None:
        self._searches: Counter[tuple[str, str]] = Counter()
        self._zero: Counter[tuple[str, str]] = Counter()

    def note(self, query: str, locale: str, results: int) -> None:
        key = (normalize(query), locale)
        if not key[0]:
            return
        self._searches[key] += 1
        if results == 0:
            self._zero[key] += 1

    async def flush(self, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        """Adds the gathered counts to the table; returns how many queries were written."""
        searches, zero = self._searches, self._zero
        if not searches:
            return 0
        self._searches, self._zero = Counter(), Counter()
        try:
            async with sessionmaker() as db, db.begin():
                for (query, locale), count in sorted(searches.items()):
                    await _add(db, query, locale, count, zero.get((query, locale), 0))
        except Exception:
            # Keep the counts for the next attempt rather than lose them.
            self._searches.update(searches)
            self._zero.update(zero)
            raise
        return len(searches)

    def flushing(
        self, sessionmaker: async_sessionmaker[AsyncSession], every: float = FLUSH_SECONDS
    ) -> contextlib.AbstractAsyncContextManager[None]:
        """Flushes in the background while the app runs, and once more at shutdown."""
        return buffered_writes.flushing(
            lambda: self.flush(sessionmaker), every, "search statistics"
        )


async def _add(db: AsyncSession, query: str, locale: str, searches: int, zero: int) -> None:
    insert = postgresql.insert if db.bind.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(SearchStat).values(
        query=query, locale=locale, searches=searches, zero_results=zero, last_at=utcnow()
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[SearchStat.query, SearchStat.locale],
        set_={
            "searches": SearchStat.searches + searches,
            "zero_results": SearchStat.zero_results + zero,
            "last_at": utcnow(),
        },
    )
    await db.execute(stmt)
