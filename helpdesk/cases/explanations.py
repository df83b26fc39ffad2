"""What a status means for the person, in their language: knowledge-base content.

Each explanation is a shipped article (knowledge_base/content/estado-*), so editors write,
translate and review it with the articles' own workflow. ``estado-<status>-<type>`` explains a
status for one kind of application where it differs (a granted nationality is not a granted
residence); ``estado-<status>`` explains it for every other kind.

Beside the text, what the person must do now and by when is computed here from the case
itself: an answer to a request for documents is due five días hábiles after it (art. 31),
counted on the case's region's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.calendar.service import working_calendar
from helpdesk.calendar.working_days import add_working_days
from helpdesk.cases import statuses
from helpdesk.cases.models import Case
from helpdesk.core.errors import NotFound
from knowledge_base import service as articles
from knowledge_base.article_cache import ArticleCache
from knowledge_base.models import Article
from knowledge_base.service import ArticlePage

DOCUMENTS_DAYS = 5  # art. 31: días hábiles to send what was asked for


def slugs_for(case_type: str, status: str) -> tuple[str, str]:
    """The explanation's slugs, most specific first."""
    status_part = status.replace("_", "-")
    return f"estado-{status_part}-{case_type.replace('_', '-')}", f"estado-{status_part}"


async def explanation(
    db: AsyncSession, case: Case, locale: str, kept: ArticleCache | None = None
) -> ArticlePage | None:
    """The status's explanation in ``locale`` (or in Spanish, marked as such), or None when
    no article explains it yet. With ``kept`` (the web process's article cache) an
    explanation is read from the database once until an editor publishes a change."""
    wanted = slugs_for(case.case_type, case.status)
    # Most statuses have no type-specific article: one indexed read says which exist, so
    # the (kept) article is asked for only by a slug that is there.
    existing = set(await db.scalars(select(Article.slug).where(Article.slug.in_(wanted))))
    for slug in (s for s in wanted if s in existing):
        try:
            if kept is not None:
                return (await kept.page(lambda: db, slug, locale, None))[0]
            return await articles.article_page(db, slug, locale)
        except NotFound:
            continue
    return None


@dataclass(frozen=True)
class Deadline:
    """Something the person must do by a date."""

    what: str  # "antecedentes" for now; the template says it in words
    due_on: date


async def deadline(db: AsyncSession, case: Case) -> Deadline | None:
    if case.status != statuses.ANTECEDENTES_SOLICITADOS:
        return None
    calendar = await working_calendar(db, case.region_code)
    return Deadline("antecedentes", add_working_days(case.status_on, DOCUMENTS_DAYS, calendar))
