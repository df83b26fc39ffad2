"""What editors read: the article list, the review queue, outdated translations, a translation's
state and history, its versions and their differences, and the insight page (most viewed, worst
rated, searches that found nothing).

Read-only; every function checks the viewer's role like the workflow in ``editorial`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.models import AuditEvent
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import DEFAULT_TIMEZONE
from knowledge_base import diffing
from knowledge_base.editorial import (
    find_translation,
    get_article,
    is_outdated,
    require_editor,
    spanish_version,
    version_number,
)
from knowledge_base.models import (
    SOURCE_LOCALE,
    Article,
    ArticleView,
    ArticleVote,
    SearchStat,
    Translation,
    TranslationVersion,
)

HISTORY_SIZE = 20
RECENT_DAYS = 30
TOP = 10
LATEST_COMMENTS = 3


def today_in_chile() -> date:
    return datetime.now(DEFAULT_TIMEZONE).date()


# --- one translation: its state, history and versions


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str  # create | save | submit | send_back | publish | rollback | archive
    actor_name: str | None
    note: str
    version: int | None


@dataclass(frozen=True)
class TranslationState:
    """Everything the edit page shows about one locale of an article."""

    article: Article
    locale: str
    translation: Translation | None
    published_number: int | None
    published_source: int | None  # the Spanish version the published text was made from
    spanish: TranslationVersion | None  # the Spanish text readers see now
    outdated: bool
    own_text: bool  # the viewer submitted or last edited it: someone else must approve
    history: list[HistoryEntry]

    @property
    def status(self) -> str | None:
        return self.translation.status if self.translation else None


async def translation_state(
    db: AsyncSession, viewer: Viewer, article_id: int, locale: str
) -> TranslationState:
    article = await get_article(db, viewer, article_id)
    translation = await find_translation(db, article_id, locale)
    spanish = await spanish_version(db, article_id)
    published_number = published_source = None
    outdated = own = False
    history: list[HistoryEntry] = []
    if translation is not None:
        published_number = await version_number(db, translation.published_version_id)
        if published_number is not None:
            published_source = await db.scalar(
                select(TranslationVersion.source_version).where(
                    TranslationVersion.id == translation.published_version_id
                )
            )
            outdated = is_outdated(locale, published_source, spanish.number if spanish else None)
        own = viewer.id in (translation.submitted_by, translation.author_id)
        history = await _history(db, translation.id)
    return TranslationState(
        article, locale, translation, published_number, published_source, spanish, outdated, own,
        history,
    )  # fmt: skip


async def _history(db: AsyncSession, translation_id: int) -> list[HistoryEntry]:
    rows = await db.execute(
        select(AuditEvent, StaffAccount.full_name)
        .outerjoin(StaffAccount, StaffAccount.id == AuditEvent.actor_id)
        .where(AuditEvent.entity_type == "kb_translation", AuditEvent.entity_id == translation_id)
        .order_by(AuditEvent.id.desc())
        .limit(HISTORY_SIZE)
    )
    entries = []
    for event, name in rows.all():
        changes = event.changes or {}
        version = changes.get("version", [None, None])[1]
        entries.append(
            HistoryEntry(
                event.at,
                event.action.removeprefix("kb_translation."),
                name,
                str(changes.get("note", [None, ""])[1] or ""),
                version if isinstance(version, int) else None,
            )
        )
    return entries


@dataclass(frozen=True)
class VersionRow:
    number: int
    published_at: datetime
    published_by: str | None
    reviewer: str | None
    source_version: int | None
    note: str
    restored_from: int | None
    current: bool


async def _existing(db: AsyncSession, viewer: Viewer, article_id: int, locale: str) -> Translation:
    require_editor(viewer)
    translation = await find_translation(db, article_id, locale)
    if translation is None:
        raise NotFound("translation")
    return translation


async def list_versions(
    db: AsyncSession, viewer: Viewer, article_id: int, locale: str
) -> tuple[Translation, list[VersionRow]]:
    """Newest first."""
    translation = await _existing(db, viewer, article_id, locale)
    publisher, reviewer = aliased(StaffAccount), aliased(StaffAccount)
    rows = await db.execute(
        select(TranslationVersion, publisher.full_name, reviewer.full_name)
        .outerjoin(publisher, publisher.id == TranslationVersion.published_by)
        .outerjoin(reviewer, reviewer.id == TranslationVersion.reviewer_id)
        .where(TranslationVersion.translation_id == translation.id)
        .order_by(TranslationVersion.number.desc())
    )
    restored = await _restored_from(db, translation.id)
    versions = [
        VersionRow(
            v.number,
            v.published_at,
            published_by,
            reviewed_by,
            v.source_version,
            v.note,
            restored.get(v.number),
            v.id == translation.published_version_id,
        )
        for v, published_by, reviewed_by in rows.all()
    ]
    return translation, versions


async def _restored_from(db: AsyncSession, translation_id: int) -> dict[int, int]:
    """New version number -> the version it restored, from the rollbacks' audit events."""
    events = await db.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "kb_translation",
            AuditEvent.entity_id == translation_id,
            AuditEvent.action == "kb_translation.rollback",
        )
    )
    found = {}
    for event in events:
        new = event.changes.get("version", [None, None])[1]
        source = event.changes.get("restored_from", [None, None])[1]
        if isinstance(new, int) and isinstance(source, int):
            found[new] = source
    return found


@dataclass(frozen=True)
class VersionComparison:
    old: TranslationVersion
    new: TranslationVersion
    fields: list[diffing.FieldDiff]


async def compare_versions(
    db: AsyncSession, viewer: Viewer, article_id: int, locale: str, old: int, new: int
) -> VersionComparison:
    translation = await _existing(db, viewer, article_id, locale)
    found = {
        v.number: v
        for v in await db.scalars(
            select(TranslationVersion).where(
                TranslationVersion.translation_id == translation.id,
                TranslationVersion.number.in_((old, new)),
            )
        )
    }
    if old not in found or new not in found:
        raise NotFound("version")
    return VersionComparison(found[old], found[new], diffing.compare(found[old], found[new]))


# --- lists


@dataclass(frozen=True)
class OutdatedTranslation:
    article_id: int
    slug: str
    locale: str
    title: str
    source_version: int | None
    spanish_number: int


async def outdated_translations(db: AsyncSession, viewer: Viewer) -> list[OutdatedTranslation]:
    """Published translations whose Spanish source was published again after them."""
    require_editor(viewer)
    spanish = aliased(Translation)
    spanish_v, own_v = aliased(TranslationVersion), aliased(TranslationVersion)
    rows = await db.execute(
        select(
            Article.id,
            Article.slug,
            Translation.locale,
            own_v.title,
            own_v.source_version,
            spanish_v.number,
        )
        .join(Translation, Translation.article_id == Article.id)
        .join(own_v, own_v.id == Translation.published_version_id)
        .join(spanish, (spanish.article_id == Article.id) & (spanish.locale == SOURCE_LOCALE))
        .join(spanish_v, spanish_v.id == spanish.published_version_id)
        .where(
            Translation.locale != SOURCE_LOCALE,
            Translation.status != "archived",
            spanish.status != "archived",
            func.coalesce(own_v.source_version, 0) < spanish_v.number,
        )
        .order_by(Article.slug, Translation.locale)
    )
    return [OutdatedTranslation(*row) for row in rows.all()]


@dataclass(frozen=True)
class ArticleRow:
    id: int
    slug: str
    type: str
    category: str
    title: str  # the Spanish working title
    statuses: dict[str, str]  # locale -> status of the working copy
    outdated: frozenset[str]


async def list_articles(
    db: AsyncSession, viewer: Viewer, article_id: int | None = None
) -> list[ArticleRow]:
    """Every article (or the one asked for) with the status of each locale's working copy."""
    require_editor(viewer)
    statuses: dict[int, dict[str, str]] = {}
    titles: dict[int, str] = {}
    stmt = select(Translation.article_id, Translation.locale, Translation.status, Translation.title)
    articles_stmt = select(Article).order_by(Article.slug)
    if article_id is not None:
        stmt = stmt.where(Translation.article_id == article_id)
        articles_stmt = articles_stmt.where(Article.id == article_id)
    rows = await db.execute(stmt)
    for article_id, locale, status, title in rows.all():
        statuses.setdefault(article_id, {})[locale] = status
        if locale == SOURCE_LOCALE:
            titles[article_id] = title
    outdated: dict[int, set[str]] = {}
    for item in await outdated_translations(db, viewer):
        outdated.setdefault(item.article_id, set()).add(item.locale)
    articles = await db.scalars(articles_stmt)
    return [
        ArticleRow(
            a.id,
            a.slug,
            a.type,
            a.category,
            titles.get(a.id, a.slug),
            statuses.get(a.id, {}),
            frozenset(outdated.get(a.id, set())),
        )
        for a in articles
    ]


@dataclass(frozen=True)
class ReviewItem:
    article_id: int
    slug: str
    locale: str
    title: str
    submitted_by: str | None
    updated_at: datetime


async def review_queue(db: AsyncSession, viewer: Viewer) -> list[ReviewItem]:
    """Texts waiting for a second editor, oldest first."""
    require_editor(viewer)
    rows = await db.execute(
        select(
            Article.id,
            Article.slug,
            Translation.locale,
            Translation.title,
            StaffAccount.full_name,
            Translation.updated_at,
        )
        .join(Translation, Translation.article_id == Article.id)
        .outerjoin(StaffAccount, StaffAccount.id == Translation.submitted_by)
        .where(Translation.status == "in_review")
        .order_by(Translation.updated_at)
    )
    return [ReviewItem(*row) for row in rows.all()]


# --- the insight page


@dataclass(frozen=True)
class ViewCount:
    article_id: int
    slug: str
    title: str
    views: int


@dataclass(frozen=True)
class Rating:
    article_id: int
    slug: str
    title: str
    votes: int
    helpful: int
    comments: list[str] = field(default_factory=list)

    @property
    def helpful_share(self) -> float:
        return self.helpful / self.votes if self.votes else 0.0


@dataclass(frozen=True)
class ZeroResultSearch:
    query: str
    locale: str
    searches: int
    zero_results: int
    last_at: datetime


@dataclass(frozen=True)
class Insight:
    since: date
    viewed_recently: list[ViewCount]
    viewed_all_time: list[ViewCount]
    worst_rated: list[Rating]
    zero_result_searches: list[ZeroResultSearch]
    outdated: list[OutdatedTranslation]


async def _titles(db: AsyncSession, article_ids: list[int]) -> dict[int, tuple[str, str]]:
    """article id -> (slug, Spanish title)."""
    if not article_ids:
        return {}
    rows = await db.execute(
        select(Article.id, Article.slug, Translation.title)
        .outerjoin(
            Translation,
            (Translation.article_id == Article.id) & (Translation.locale == SOURCE_LOCALE),
        )
        .where(Article.id.in_(article_ids))
    )
    return {a_id: (slug, title or slug) for a_id, slug, title in rows.all()}


async def most_viewed(db: AsyncSession, since: date | None, limit: int = TOP) -> list[ViewCount]:
    views = func.count().label("views")
    stmt = select(ArticleView.article_id, views).group_by(ArticleView.article_id)
    if since is not None:
        stmt = stmt.where(ArticleView.day >= since)
    rows = await db.execute(stmt.order_by(views.desc(), ArticleView.article_id).limit(limit))
    counts = list(rows.all())
    titles = await _titles(db, [a_id for a_id, _count in counts])
    return [ViewCount(a_id, *titles[a_id], count) for a_id, count in counts]


async def worst_rated(db: AsyncSession, min_votes: int = 1, limit: int = TOP) -> list[Rating]:
    """Lowest share of "helpful" first; among equals, the most voted first."""
    votes = func.count().label("votes")
    helpful = func.sum(cast(ArticleVote.helpful, Integer)).label("helpful")
    share = helpful * 1.0 / votes
    rows = await db.execute(
        select(ArticleVote.article_id, votes, helpful)
        .group_by(ArticleVote.article_id)
        .having(func.count() >= min_votes)
        .order_by(share, votes.desc(), ArticleVote.article_id)
        .limit(limit)
    )
    counts = list(rows.all())
    ids = [a_id for a_id, _votes, _helpful in counts]
    titles = await _titles(db, ids)
    comments: dict[int, list[str]] = {}
    if ids:
        latest = await db.execute(
            select(ArticleVote.article_id, ArticleVote.comment)
            .where(ArticleVote.article_id.in_(ids), ArticleVote.comment != "")
            .order_by(ArticleVote.created_at.desc(), ArticleVote.id.desc())
        )
        for a_id, comment in latest.all():
            kept = comments.setdefault(a_id, [])
            if len(kept) < LATEST_COMMENTS:
                kept.append(comment)
    return [
        Rating(a_id, *titles[a_id], total, int(yes or 0), comments.get(a_id, []))
        for a_id, total, yes in counts
    ]


async def zero_result_searches(db: AsyncSession, limit: int = 20) -> list[ZeroResultSearch]:
    rows = await db.scalars(
        select(SearchStat)
        .where(SearchStat.zero_results > 0)
        .order_by(SearchStat.zero_results.desc(), SearchStat.last_at.desc())
        .limit(limit)
    )
    return [
        ZeroResultSearch(s.query, s.locale, s.searches, s.zero_results, s.last_at) for s in rows
    ]


async def insight(db: AsyncSession, viewer: Viewer, today: date | None = None) -> Insight:
    require_editor(viewer)
    since = (today or today_in_chile()) - timedelta(days=RECENT_DAYS - 1)
    return Insight(
        since=since,
        viewed_recently=await most_viewed(db, since),
        viewed_all_time=await most_viewed(db, None),
        worst_rated=await worst_rated(db),
        zero_result_searches=await zero_result_searches(db),
        outdated=await outdated_translations(db, viewer),
    )
