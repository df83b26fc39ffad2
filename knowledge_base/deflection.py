"""Deflection: articles suggested while someone writes a request.

A suggestion the person opens, followed by no submission of that request, counts as deflected:
they found their answer. Each request being written has a random ``draft_key``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, distinct, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from knowledge_base.models import Article, DeflectionEvent

DRAFT_KEY_LENGTH = 64
MIN_QUERY_LENGTH = 12  # below this a request says too little to suggest anything


async def suggest(
    index: Any, db: AsyncSession, text: str, locale: str, draft_key: str | None, limit: int = 3
) -> list[Any]:
    """The most relevant published articles for what the person typed; logged as suggested."""
    if len(text.strip()) < MIN_QUERY_LENGTH:
        return []
    hits = list(await index.search(db, text[:500], locale, limit=limit))
    if draft_key:
        for hit in hits:
            db.add(
                DeflectionEvent(draft_key=draft_key, kind="suggested", article_id=hit.article_id)
            )
    return hits


async def opened(db: AsyncSession, draft_key: str, slug: str) -> None:
    article_id = await db.scalar(select(Article.id).where(Article.slug == slug))
    if article_id is not None:
        db.add(
            DeflectionEvent(
                draft_key=draft_key[:DRAFT_KEY_LENGTH], kind="opened", article_id=article_id
            )
        )


def submitted(db: AsyncSession, draft_key: str) -> None:
    """Called by the request form when the request is sent after all (next issue)."""
    db.add(DeflectionEvent(draft_key=draft_key[:DRAFT_KEY_LENGTH], kind="submitted"))


@dataclass(frozen=True)
class DeflectionSummary:
    drafts_with_suggestions: int
    drafts_that_opened: int
    deflected: int


async def summary(db: AsyncSession) -> DeflectionSummary:
    suggested = await db.scalar(
        select(func.count(distinct(DeflectionEvent.draft_key))).where(
            DeflectionEvent.kind == "suggested"
        )
    )
    opened_count = await db.scalar(
        select(func.count(distinct(DeflectionEvent.draft_key))).where(
            DeflectionEvent.kind == "opened"
        )
    )
    later = aliased(DeflectionEvent)
    deflected = await db.scalar(
        select(func.count(distinct(DeflectionEvent.draft_key))).where(
            DeflectionEvent.kind == "opened",
            ~exists().where(
                and_(later.draft_key == DeflectionEvent.draft_key, later.kind == "submitted")
            ),
        )
    )
    return DeflectionSummary(int(suggested or 0), int(opened_count or 0), int(deflected or 0))
