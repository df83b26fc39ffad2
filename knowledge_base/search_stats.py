"""Counting searches and searches that found nothing (shown to editors)."""

from __future__ import annotations

import re

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.core.db import utcnow
from knowledge_base.models import SearchStat

_SPACES = re.compile(r"\s+")


def normalize(query: str) -> str:
    return _SPACES.sub(" ", query.strip().casefold())[:200]


async def record(db: AsyncSession, query: str, locale: str, results: int) -> None:
    key = normalize(query)
    if not key:
        return
    insert = postgresql.insert if db.bind.dialect.name == "postgresql" else sqlite.insert
    zero = 1 if results == 0 else 0
    stmt = insert(SearchStat).values(
        query=key, locale=locale, searches=1, zero_results=zero, last_at=utcnow()
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[SearchStat.query, SearchStat.locale],
        set_={
            "searches": SearchStat.searches + 1,
            "zero_results": SearchStat.zero_results + zero,
            "last_at": utcnow(),
        },
    )
    await db.execute(stmt)
