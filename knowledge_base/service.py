"""Reader-side rules: which text a reader gets, categories, related articles, votes and views."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.core.errors import NotFound
from helpdesk.reference import service as reference
from helpdesk.reference.models import Tramite
from knowledge_base.models import (
    SOURCE_LOCALE,
    Article,
    ArticleRelation,
    ArticleTramite,
    ArticleView,
    ArticleVote,
    Translation,
    TranslationVersion,
)
from knowledge_base.rendering import to_html

BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|bingpreview|facebookexternalhit|curl|wget|python-|httpx|"
    r"go-http-client|java/|libwww|headless|monitor|uptime|scan|preview",
    re.IGNORECASE,
)


def is_bot(user_agent: str | None) -> bool:
    return not user_agent or bool(BOT_PATTERN.search(user_agent))


def reader_key(secret: str, reader_id: str) -> str:
    """A stable, non-reversible key for an anonymous reader (from a random cookie)."""
    return hashlib.sha256(f"{secret}:{reader_id}".encode()).hexdigest()


@dataclass(frozen=True)
class Step:
    title: str
    html: str
    image: str


@dataclass(frozen=True)
class ArticlePage:
    article_id: int
    slug: str
    type: str
    category: str
    video_url: str | None
    is_sample: bool
    locale: str  # the language of the text shown
    requested_locale: str
    title: str
    summary: str
    body_html: str
    steps: list[Step]
    transcript: str
    last_reviewed_at: datetime | None
    published_at: datetime
    outdated: bool
    available_locales: list[str]
    tramites: list[tuple[str, str, str]] = field(default_factory=list)  # code, name, lang
    related: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_fallback(self) -> bool:
        return self.locale != self.requested_locale


async def _published(db: AsyncSession, article_id: int) -> dict[str, tuple[Translation, Any]]:
    rows = await db.execute(
        select(Translation, TranslationVersion)
        .join(TranslationVersion, TranslationVersion.id == Translation.published_version_id)
        .where(Translation.article_id == article_id, Translation.status != "archived")
    )
    return {t.locale: (t, v) for t, v in rows.all()}


async def titles_for(db: AsyncSession, article_ids: list[int], locale: str) -> dict[int, str]:
    """Published titles in the reader's language, Spanish where missing."""
    if not article_ids:
        return {}
    rows = await db.execute(
        select(Translation.article_id, Translation.locale, TranslationVersion.title)
        .join(TranslationVersion, TranslationVersion.id == Translation.published_version_id)
        .where(
            Translation.article_id.in_(article_ids),
            Translation.status != "archived",
            Translation.locale.in_([locale, SOURCE_LOCALE]),
        )
    )
    titles: dict[int, str] = {}
    for article_id, row_locale, title in rows.all():
        if row_locale == locale or article_id not in titles:
            titles[article_id] = title
    return titles


async def article_page(
    db: AsyncSession, slug: str, locale: str, text_locale: str | None = None
) -> ArticlePage:
    """The article in the reader's language, or in Spanish with the fact marked."""
    article = await db.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound("article")
    published = await _published(db, article.id)
    if not published:
        raise NotFound("article")
    wanted = text_locale if text_locale in published else locale
    shown = wanted if wanted in published else SOURCE_LOCALE
    if shown not in published:
        shown = sorted(published)[0]
    translation, version = published[shown]
    source = published.get(SOURCE_LOCALE)
    outdated = (
        shown != SOURCE_LOCALE
        and source is not None
        and (version.source_version or 0) < source[1].number
    )
    tramite_codes = await db.scalars(
        select(Tramite.code)
        .join(ArticleTramite, ArticleTramite.tramite_code == Tramite.code)
        .where(ArticleTramite.article_id == article.id)
        .order_by(Tramite.ordinal)
    )
    ordered = list(tramite_codes.all())
    tramite_names = await reference.tramite_names(db, ordered, locale)
    related_rows = await db.execute(
        select(ArticleRelation.related_id, Article.slug)
        .join(Article, Article.id == ArticleRelation.related_id)
        .where(ArticleRelation.article_id == article.id)
        .order_by(ArticleRelation.position)
    )
    related_pairs = related_rows.all()
    titles = await titles_for(db, [rid for rid, _ in related_pairs], locale)
    steps = [
        Step(str(s.get("title", "")), to_html(str(s.get("body", ""))), str(s.get("image", "")))
        for s in version.steps or []
    ]
    return ArticlePage(
        article_id=article.id,
        slug=article.slug,
        type=article.type,
        category=article.category,
        video_url=article.video_url,
        is_sample=article.is_sample,
        locale=shown,
        requested_locale=locale,
        title=version.title,
        summary=version.summary,
        body_html=to_html(version.body_md),
        steps=steps,
        transcript=version.transcript,
        last_reviewed_at=translation.last_reviewed_at or version.published_at,
        published_at=version.published_at,
        outdated=outdated,
        available_locales=sorted(published),
        tramites=[(code, *tramite_names[code]) for code in ordered],
        related=[(slug, titles[rid]) for rid, slug in related_pairs if rid in titles],
    )


@dataclass(frozen=True)
class ArticleSummary:
    slug: str
    type: str
    title: str
    summary: str
    locale: str


async def category_articles(db: AsyncSession, category: str, locale: str) -> list[ArticleSummary]:
    rows = await db.execute(
        select(Article.slug, Article.type, Translation.locale, TranslationVersion)
        .join(Translation, Translation.article_id == Article.id)
        .join(TranslationVersion, TranslationVersion.id == Translation.published_version_id)
        .where(
            Article.category == category,
            Translation.status != "archived",
            Translation.locale.in_([locale, SOURCE_LOCALE]),
        )
        .order_by(Article.slug)
    )
    chosen: dict[str, ArticleSummary] = {}
    for slug, type_, row_locale, version in rows.all():
        if row_locale == locale or slug not in chosen:
            chosen[slug] = ArticleSummary(slug, type_, version.title, version.summary, row_locale)
    return sorted(chosen.values(), key=lambda a: a.title.casefold())


async def category_counts(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(
        select(Article.category, func.count(func.distinct(Article.id)))
        .join(Translation, Translation.article_id == Article.id)
        .where(Translation.published_version_id.is_not(None), Translation.status != "archived")
        .group_by(Article.category)
    )
    return dict(rows.all())


def _insert(db: AsyncSession) -> Any:
    return postgresql.insert if db.bind.dialect.name == "postgresql" else sqlite.insert


async def count_view(
    db: AsyncSession, article_id: int, reader: str, locale: str, day: date
) -> None:
    """Once per reader, article and day; later views that day change nothing."""
    stmt = _insert(db)(ArticleView).values(
        article_id=article_id, reader_key=reader, day=day, locale=locale
    )
    await db.execute(stmt.on_conflict_do_nothing())


async def vote(
    db: AsyncSession, article_id: int, reader: str, locale: str, helpful: bool, comment: str
) -> None:
    """One vote per reader per article: voting again replaces the earlier vote."""
    stmt = _insert(db)(ArticleVote).values(
        article_id=article_id, reader_key=reader, locale=locale, helpful=helpful, comment=comment
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[ArticleVote.article_id, ArticleVote.reader_key],
        set_={"helpful": helpful, "comment": comment, "locale": locale},
    )
    await db.execute(stmt)


async def reader_vote(db: AsyncSession, article_id: int, reader: str) -> ArticleVote | None:
    return await db.scalar(
        select(ArticleVote).where(
            ArticleVote.article_id == article_id, ArticleVote.reader_key == reader
        )
    )


async def vote_totals(db: AsyncSession, article_id: int) -> tuple[int, int]:
    rows = await db.execute(
        select(ArticleVote.helpful, func.count())
        .where(ArticleVote.article_id == article_id)
        .group_by(ArticleVote.helpful)
    )
    counts = dict(rows.all())
    return counts.get(True, 0), counts.get(False, 0)


async def view_count(db: AsyncSession, article_id: int) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(ArticleView)
            .where(ArticleView.article_id == article_id)
        )
        or 0
    )
