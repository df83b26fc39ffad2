"""What the search index and readers see of published articles, read from the database
(the source of truth: the index is derived from it and can be rebuilt on any node)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_base.models import (
    SOURCE_LOCALE,
    Article,
    ArticleTag,
    Translation,
    TranslationVersion,
)
from knowledge_base.rendering import to_text


@dataclass(frozen=True)
class LocalizedText:
    locale: str
    title: str
    summary: str
    text: str  # body, steps and transcript as plain text
    version: int
    source_version: int | None


@dataclass(frozen=True)
class IndexDocument:
    article_id: int
    slug: str
    type: str
    category: str
    tags: tuple[str, ...]
    texts: dict[str, LocalizedText]

    def outdated(self, locale: str) -> bool:
        """A translation made from an older Spanish version than the one published now."""
        text, source = self.texts.get(locale), self.texts.get(SOURCE_LOCALE)
        if text is None or source is None or locale == SOURCE_LOCALE:
            return False
        return (text.source_version or 0) < source.version


def plain_text(version: TranslationVersion) -> str:
    parts = [to_text(version.body_md)]
    for step in version.steps or []:
        parts.append(str(step.get("title", "")))
        parts.append(to_text(str(step.get("body", ""))))
    if version.transcript:
        parts.append(version.transcript)
    return " ".join(p for p in parts if p)


async def published_documents(
    db: AsyncSession, article_ids: Iterable[int] | None = None
) -> list[IndexDocument]:
    """Every article with at least one published, unarchived translation."""
    stmt = (
        select(Article, Translation.locale, TranslationVersion)
        .join(Translation, Translation.article_id == Article.id)
        .join(TranslationVersion, TranslationVersion.id == Translation.published_version_id)
        .where(Translation.status != "archived")
        .order_by(Article.id)
    )
    tag_stmt = select(ArticleTag.article_id, ArticleTag.tag)
    if article_ids is not None:
        ids = list(article_ids)
        stmt = stmt.where(Article.id.in_(ids))
        tag_stmt = tag_stmt.where(ArticleTag.article_id.in_(ids))
    tags: dict[int, list[str]] = {}
    for article_id, tag in (await db.execute(tag_stmt)).all():
        tags.setdefault(article_id, []).append(tag)
    documents: dict[int, IndexDocument] = {}
    for article, locale, version in (await db.execute(stmt)).all():
        document = documents.get(article.id)
        if document is None:
            document = IndexDocument(
                article.id,
                article.slug,
                article.type,
                article.category,
                tuple(sorted(tags.get(article.id, []))),
                {},
            )
            documents[article.id] = document
        document.texts[locale] = LocalizedText(
            locale,
            version.title,
            version.summary,
            plain_text(version),
            version.number,
            version.source_version,
        )
    return list(documents.values())
