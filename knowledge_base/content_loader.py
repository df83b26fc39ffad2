"""Loading the shipped sample articles (knowledge_base/content/) into the database.

Idempotent: articles already in the database are left as editors made them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.core.i18n import SUPPORTED_LOCALES
from helpdesk.reference.models import Tramite
from knowledge_base.models import (
    ARTICLE_TYPES,
    SOURCE_LOCALE,
    Article,
    ArticleRelation,
    ArticleTag,
    ArticleTramite,
    ContentChange,
    Translation,
    TranslationVersion,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"


class ContentError(ValueError):
    pass


@dataclass(frozen=True)
class ContentText:
    locale: str
    title: str
    summary: str
    body_md: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    transcript: str = ""


@dataclass(frozen=True)
class ContentArticle:
    slug: str
    type: str
    category: str
    tramites: list[str]
    tags: list[str]
    related: list[str]
    video_url: str
    texts: dict[str, ContentText]


def parse_markdown_file(path: Path) -> tuple[dict[str, Any], str]:
    """Splits TOML front matter (between ``+++`` lines) from the Markdown body."""
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("+++"):
        raise ContentError(f"{path}: missing +++ front matter")
    _, front, body = raw.split("+++", 2)
    try:
        return tomllib.loads(front), body.strip()
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path}: {exc}") from exc


def read_article(folder: Path) -> ContentArticle:
    meta = tomllib.loads((folder / "article.toml").read_text(encoding="utf-8"))
    if meta.get("type") not in ARTICLE_TYPES:
        raise ContentError(f"{folder.name}: type must be one of {ARTICLE_TYPES}")
    texts: dict[str, ContentText] = {}
    for locale in SUPPORTED_LOCALES:
        path = folder / f"{locale}.md"
        if not path.exists():
            continue
        front, body = parse_markdown_file(path)
        steps = [
            {
                "title": str(s.get("title", "")),
                "body": str(s.get("body", "")).strip(),
                "image": str(s.get("image", "")),
            }
            for s in front.get("steps", [])
        ]
        texts[locale] = ContentText(
            locale,
            str(front["title"]),
            str(front.get("summary", "")),
            body,
            steps,
            str(front.get("transcript", "")).strip(),
        )
    if SOURCE_LOCALE not in texts:
        raise ContentError(f"{folder.name}: no Spanish text")
    return ContentArticle(
        slug=folder.name,
        type=meta["type"],
        category=str(meta.get("category", "otros")),
        tramites=list(meta.get("tramites", [])),
        tags=[str(t).lower() for t in meta.get("tags", [])],
        related=list(meta.get("related", [])),
        video_url=str(meta.get("video_url", "")),
        texts=texts,
    )


def read_content(directory: Path = CONTENT_DIR) -> list[ContentArticle]:
    return [
        read_article(folder)
        for folder in sorted(directory.iterdir())
        if (folder / "article.toml").exists()
    ]


async def load_content(db: AsyncSession, directory: Path = CONTENT_DIR) -> int:
    """Creates every shipped article that is not in the database yet; returns how many."""
    articles = read_content(directory)
    existing = set((await db.scalars(select(Article.slug))).all())
    tramites = set((await db.scalars(select(Tramite.code))).all())
    created: dict[str, Article] = {}
    for item in articles:
        if item.slug in existing:
            continue
        article = Article(
            slug=item.slug,
            type=item.type,
            category=item.category,
            video_url=item.video_url or None,
            is_sample=True,
        )
        db.add(article)
        await db.flush()
        created[item.slug] = article
        for code in dict.fromkeys(item.tramites):
            if code in tramites:
                db.add(ArticleTramite(article_id=article.id, tramite_code=code))
        for tag in dict.fromkeys(item.tags):
            db.add(ArticleTag(article_id=article.id, tag=tag[:60]))
        for text in item.texts.values():
            await _publish_shipped(db, article, text)
        db.add(ContentChange(article_id=article.id))  # search indexes on every node catch up
    slugs = {a.slug: a.id for a in (await db.execute(select(Article.slug, Article.id))).all()}
    for item in articles:
        if item.slug not in created:
            continue
        for position, slug in enumerate(dict.fromkeys(item.related)):
            if slug in slugs and slug != item.slug:
                db.add(
                    ArticleRelation(
                        article_id=created[item.slug].id, related_id=slugs[slug], position=position
                    )
                )
    await db.flush()
    return len(created)


async def _publish_shipped(db: AsyncSession, article: Article, text: ContentText) -> None:
    source_version = None if text.locale == SOURCE_LOCALE else 1
    translation = Translation(
        article_id=article.id,
        locale=text.locale,
        status="published",
        title=text.title,
        summary=text.summary,
        body_md=text.body_md,
        steps=text.steps,
        transcript=text.transcript,
        source_version=source_version,
    )
    db.add(translation)
    await db.flush()
    version = TranslationVersion(
        translation_id=translation.id,
        number=1,
        title=text.title,
        summary=text.summary,
        body_md=text.body_md,
        steps=text.steps,
        transcript=text.transcript,
        source_version=source_version,
        note="sample content",
    )
    db.add(version)
    await db.flush()
    translation.published_version_id = version.id
