"""Articles as readers get them, read from the database once and kept while nothing changes.

Every publish, archive or rollback appends a ``kb_changes`` row in its transaction (the search
index follows the same table). A process asks for the newest change at most once per
``check_every`` seconds, and at once after it committed such a row itself; a new change
empties what it kept, so a published text reaches readers of the editor's process at once and
of every other process within about a second. What lives outside the articles (a trámite's
name) is read again after ``max_age`` seconds at most.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from knowledge_base import service
from knowledge_base.models import ContentChange

CHECK_SECONDS = 1.0
_local_changes = 0  # content changes this process committed (a hint to look again now)


@event.listens_for(Session, "after_flush")
def _note_content_change(session: Session, _context: object) -> None:
    if any(isinstance(row, ContentChange) for row in session.new):
        session.info["kb_content_changed"] = True


@event.listens_for(Session, "after_commit")
def _count_local_change(session: Session) -> None:
    global _local_changes
    if session.info.pop("kb_content_changed", False):
        _local_changes += 1


@event.listens_for(Session, "after_rollback")
def _forget_change(session: Session) -> None:
    session.info.pop("kb_content_changed", None)


MAX_AGE_SECONDS = 60.0

Key = tuple[str, str, str | None]  # slug, reader's language, language of the text asked for


class ArticleCache:
    def __init__(
        self,
        maxsize: int = 1024,
        check_every: float = CHECK_SECONDS,
        max_age: float = MAX_AGE_SECONDS,
    ) -> None:
        self.maxsize = maxsize
        self.check_every = check_every
        self.max_age = max_age
        self._pages: OrderedDict[Key, tuple[int, float, service.ArticlePage]] = OrderedDict()
        self._last_change = -1
        self._checked = -math.inf
        self._local_changes_seen = _local_changes

    async def _content_generation(self, open_db: Callable[[], AsyncSession]) -> int:
        now = time.monotonic()
        if now - self._checked >= self.check_every or self._local_changes_seen != _local_changes:
            self._local_changes_seen = _local_changes
            last = await open_db().scalar(select(func.coalesce(func.max(ContentChange.id), 0)))
            self._checked = now
            if last != self._last_change:
                self._last_change = int(last or 0)
                self._pages.clear()
        return self._last_change

    async def page(
        self,
        open_db: Callable[[], AsyncSession],
        slug: str,
        locale: str,
        text_locale: str | None,
    ) -> tuple[service.ArticlePage, Hashable]:
        """The page and a token that changes whenever the page may have (for a cache of the
        rendered HTML). Raises ``NotFound`` like ``service.article_page``. ``open_db`` is
        called only when the database is needed: a kept page opens no session at all."""
        generation = await self._content_generation(open_db)
        key = (slug, locale, text_locale)
        entry = self._pages.get(key)
        now = time.monotonic()
        if entry is not None and entry[0] == generation and now - entry[1] < self.max_age:
            self._pages.move_to_end(key)
            return entry[2], (generation, entry[1])
        page = await service.article_page(open_db(), slug, locale, text_locale)
        self._pages[key] = (generation, now, page)
        self._pages.move_to_end(key)
        while len(self._pages) > self.maxsize:
            self._pages.popitem(last=False)
        return page, (generation, now)
