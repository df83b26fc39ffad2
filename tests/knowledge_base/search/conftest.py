"""Articles made through the models, as the editorial workflow leaves them: every publish or
archive adds a ContentChange row in the same transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_base.models import Article, ContentChange, Translation, TranslationVersion
from knowledge_base.search.index import KnowledgeIndex


@dataclass(frozen=True)
class Text:
    title: str
    summary: str = ""
    body: str = ""


class Editor:
    """Publishes and archives articles the way the editorial workflow does."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def publish(
        self,
        slug: str,
        texts: dict[str, Text],
        *,
        type: str = "ficha",
        category: str = "otros",
    ) -> int:
        """Creates the article if needed and publishes a new version of each given text."""
        async with self.sessionmaker() as db, db.begin():
            article = await db.scalar(select(Article).where(Article.slug == slug))
            if article is None:
                article = Article(slug=slug, type=type, category=category)
                db.add(article)
                await db.flush()
            for locale, text in texts.items():
                translation = await db.scalar(
                    select(Translation).where(
                        Translation.article_id == article.id, Translation.locale == locale
                    )
                )
                if translation is None:
                    translation = Translation(
                        article_id=article.id, locale=locale, title=text.title
                    )
                    db.add(translation)
                    await db.flush()
                numbers = await db.scalars(
                    select(TranslationVersion.number).where(
                        TranslationVersion.translation_id == translation.id
                    )
                )
                version = TranslationVersion(
                    translation_id=translation.id,
                    number=max(numbers.all(), default=0) + 1,
                    title=text.title,
                    summary=text.summary,
                    body_md=text.body,
                    source_version=None if locale == "es" else 1,
                )
                db.add(version)
                await db.flush()
                translation.status = "published"
                translation.title, translation.summary, translation.body_md = (
                    text.title,
                    text.summary,
                    text.body,
                )
                translation.published_version_id = version.id
            db.add(ContentChange(article_id=article.id))
            return article.id

    async def archive(self, article_id: int) -> None:
        async with self.sessionmaker() as db, db.begin():
            for translation in await db.scalars(
                select(Translation).where(Translation.article_id == article_id)
            ):
                translation.status = "archived"
            db.add(ContentChange(article_id=article_id))


@pytest.fixture
def editor(sessionmaker: async_sessionmaker[AsyncSession]) -> Editor:
    return Editor(sessionmaker)


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "var" / "kb-index"


@pytest.fixture
def knowledge_index(index_dir: Path) -> Iterator[KnowledgeIndex]:
    index = KnowledgeIndex(index_dir, sync_interval=0)
    yield index
    index.close()
