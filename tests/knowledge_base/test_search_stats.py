"""Search statistics: counted in memory, written in the background and at shutdown."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from knowledge_base.models import SearchStat
from knowledge_base.search_stats import SearchStats


async def stat(sessionmaker, query: str, locale: str) -> SearchStat | None:
    async with sessionmaker() as db:
        return await db.scalar(
            select(SearchStat).where(SearchStat.query == query, SearchStat.locale == locale)
        )


async def test_background_flush_and_final_flush(sessionmaker) -> None:
    stats = SearchStats()
    query = f"visa {uuid.uuid4().hex[:6]}"
    async with stats.flushing(sessionmaker, every=0.05):
        stats.note(query, "ht", 3)
        stats.note(query.upper(), "ht", 0)
        await asyncio.sleep(0.3)
        row = await stat(sessionmaker, query, "ht")
        assert row is not None and (row.searches, row.zero_results) == (2, 1)
        stats.note(query, "ht", 0)  # written by the final flush at shutdown
    row = await stat(sessionmaker, query, "ht")
    assert row is not None and (row.searches, row.zero_results) == (3, 2)


async def test_two_processes_add_up(sessionmaker) -> None:
    query = f"multa {uuid.uuid4().hex[:6]}"
    first, second = SearchStats(), SearchStats()
    first.note(query, "es", 1)
    second.note(query, "es", 1)
    second.note(query, "es", 0)
    await first.flush(sessionmaker)
    await second.flush(sessionmaker)
    row = await stat(sessionmaker, query, "es")
    assert row is not None and (row.searches, row.zero_results) == (3, 1)
    assert await first.flush(sessionmaker) == 0
