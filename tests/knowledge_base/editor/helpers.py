"""Helpers for the editor tests: staff viewers for direct service calls, and an HTML reader."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from html.parser import HTMLParser

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from knowledge_base import editorial
from knowledge_base.editor_forms import ArticleInput, TranslationInput
from knowledge_base.models import Article
from tests.support import factories


@dataclass(frozen=True)
class Staff:
    email: str
    viewer: Viewer

    @property
    def actor(self) -> Actor:
        return Actor("staff", self.viewer.id, "203.0.113.7")


async def staff(sessionmaker: async_sessionmaker[AsyncSession], role: str = "kb_editor") -> Staff:
    email = await factories.staff_member(sessionmaker, role)
    async with sessionmaker() as db:
        account = await db.scalar(select(StaffAccount).where(StaffAccount.email == email))
    assert account is not None
    return Staff(email, Viewer("staff", account.id, account.full_name, role=role))


def unique_slug(prefix: str = "articulo") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def new_article(
    db: AsyncSession, author: Staff, article_type: str = "ficha", title: str = "Multas", **fields
) -> Article:
    data = ArticleInput(
        type=article_type,
        category=fields.pop("category", "multas"),
        slug=fields.pop("slug", unique_slug()),
        title=title,
        video_url="https://video.example/1" if article_type == "video" else None,
        **fields,
    )
    return await editorial.create_article(db, author.viewer, author.actor, data)


async def publish(
    db: AsyncSession,
    article_id: int,
    locale: str,
    text: TranslationInput,
    author: Staff,
    reviewer: Staff,
) -> int:
    """Save, submit and approve by a second editor; returns the new version number."""
    await editorial.save_translation(db, author.viewer, author.actor, article_id, locale, text)
    await editorial.submit(db, author.viewer, author.actor, article_id, locale)
    version = await editorial.approve(db, reviewer.viewer, reviewer.actor, article_id, locale)
    return version.number


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text outside scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if values.get("id"):
            self.ids[str(values["id"])] = {"tag": tag, **values}

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser
