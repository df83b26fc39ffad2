"""The editorial workflow of the knowledge base: articles, working copies, review and publishing.

Plain functions over a session: each checks the viewer's role itself, records its audit event,
and never commits (the request's unit of work does). The rules:

- Only ``kb_editor`` and ``admin`` staff may use any of this, reads included.
- A translation's ``status`` describes its working copy: draft → in_review (submit) → published
  (approve) → archived. Saving a changed text makes the working copy a draft again, whatever its
  status, and clears the submission; the published version stays live for readers until the
  next publish. ``author_id`` is the last person who changed the working copy.
- **Approval is the publish step.** A second editor approves a text in review and that publishes
  it at once; nobody may approve a text they submitted or were the last to edit. A text can also
  be sent back to draft with a note (kept in the audit trail and shown on the edit page).
- Every publish freezes a ``TranslationVersion`` numbered after the translation's last one.
  ``published_by`` is the editor who submitted the text, ``reviewer_id`` the one who approved it.
  A non-Spanish text records as ``source_version`` the number of the Spanish version published
  at that moment; it is "outdated" once a later Spanish version is published.
- A rollback publishes an old version's text again as a new version: history is never rewritten.
  It needs no second review (that text was reviewed when first published); the editor who rolls
  back is recorded as publisher and reviewer. The text keeps the Spanish source version it was
  translated from, so it may show as outdated. The working copy follows the rolled-back text,
  unless it holds unpublished changes (draft or in review), which are kept.
- Archiving hides a translation from readers (its published version is unset, its versions are
  kept); saving it again starts a new draft, and publishing that shows it again.
- Publish, rollback, archive, and metadata changes of an article that readers can see append a
  ``ContentChange`` in the same transaction, so every search index follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, require_staff
from helpdesk.audit import service as audit
from helpdesk.core.db import utcnow
from helpdesk.core.errors import DomainError, NotFound
from helpdesk.core.i18n import SUPPORTED_LOCALES
from helpdesk.core.i18n import gettext as _
from knowledge_base.editor_forms import ArticleInput, TranslationInput
from knowledge_base.models import (
    SOURCE_LOCALE,
    Article,
    ArticleRelation,
    ArticleTag,
    ArticleTramite,
    ContentChange,
    Translation,
    TranslationVersion,
)
from knowledge_base.rendering import to_html

EDITOR_ROLES = ("kb_editor", "admin")
TEXT_FIELDS = ("title", "summary", "body_md", "steps", "transcript")


class EditorialError(DomainError):
    """A step the workflow refuses; the message is written for the editor."""

    status_code = 409


class OwnTextReview(EditorialError):
    """The four-eyes rule: an editor may not approve a text they submitted or last edited."""

    status_code = 403


class ArticleInputError(DomainError):
    """A form value the database refuses (a taken slug, unknown related articles)."""

    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def require_editor(viewer: Viewer | None) -> Viewer:
    return require_staff(viewer, *EDITOR_ROLES)


def is_outdated(locale: str, source_version: int | None, spanish_number: int | None) -> bool:
    """A translation made from an older Spanish version than the one published now."""
    if locale == SOURCE_LOCALE or spanish_number is None:
        return False
    return (source_version or 0) < spanish_number


# --- reading


async def get_article(db: AsyncSession, viewer: Viewer, article_id: int) -> Article:
    require_editor(viewer)
    article = await db.get(Article, article_id)
    if article is None:
        raise NotFound("article")
    return article


async def find_translation(
    db: AsyncSession, article_id: int, locale: str, lock: bool = False
) -> Translation | None:
    if locale not in SUPPORTED_LOCALES:
        raise NotFound("locale")
    stmt = select(Translation).where(
        Translation.article_id == article_id, Translation.locale == locale
    )
    if lock:  # serializes publishes of one translation on PostgreSQL (SQLite locks the file)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return await db.scalar(stmt)


async def _existing_translation(
    db: AsyncSession, viewer: Viewer, article_id: int, locale: str
) -> Translation:
    require_editor(viewer)
    translation = await find_translation(db, article_id, locale, lock=True)
    if translation is None:
        raise NotFound("translation")
    return translation


async def version_number(db: AsyncSession, version_id: int | None) -> int | None:
    if version_id is None:
        return None
    return await db.scalar(
        select(TranslationVersion.number).where(TranslationVersion.id == version_id)
    )


async def spanish_version(db: AsyncSession, article_id: int) -> TranslationVersion | None:
    """The Spanish text readers see now, if any."""
    return await db.scalar(
        select(TranslationVersion)
        .join(Translation, Translation.published_version_id == TranslationVersion.id)
        .where(
            Translation.article_id == article_id,
            Translation.locale == SOURCE_LOCALE,
            Translation.status != "archived",
        )
    )


@dataclass(frozen=True)
class ArticleMetadata:
    article: Article
    tramites: list[str]
    tags: list[str]
    related: list[str]  # slugs, in order


async def article_metadata(db: AsyncSession, viewer: Viewer, article_id: int) -> ArticleMetadata:
    article = await get_article(db, viewer, article_id)
    tramites = await db.scalars(
        select(ArticleTramite.tramite_code).where(ArticleTramite.article_id == article_id)
    )
    tags = await db.scalars(
        select(ArticleTag.tag).where(ArticleTag.article_id == article_id).order_by(ArticleTag.tag)
    )
    related = await db.scalars(
        select(Article.slug)
        .join(ArticleRelation, ArticleRelation.related_id == Article.id)
        .where(ArticleRelation.article_id == article_id)
        .order_by(ArticleRelation.position)
    )
    return ArticleMetadata(article, list(tramites), list(tags), list(related))


# --- articles


async def _related_ids(db: AsyncSession, slugs: tuple[str, ...], own_slug: str) -> list[int]:
    if own_slug in slugs:
        raise ArticleInputError("related", _("Un artículo no puede relacionarse consigo mismo."))
    found = dict(
        (await db.execute(select(Article.slug, Article.id).where(Article.slug.in_(slugs)))).all()
    )
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise ArticleInputError(
            "related",
            _("No hay artículos con estas direcciones: %(slugs)s", slugs=", ".join(missing)),
        )
    return [found[slug] for slug in slugs]


async def _replace_links(db: AsyncSession, article: Article, data: ArticleInput) -> None:
    related_ids = await _related_ids(db, data.related, article.slug)
    for model in (ArticleTramite, ArticleTag):
        await db.execute(delete(model).where(model.article_id == article.id))
    await db.execute(delete(ArticleRelation).where(ArticleRelation.article_id == article.id))
    if data.tramites:
        await db.execute(
            insert(ArticleTramite),
            [{"article_id": article.id, "tramite_code": code} for code in data.tramites],
        )
    if data.tags:
        await db.execute(
            insert(ArticleTag), [{"article_id": article.id, "tag": tag} for tag in data.tags]
        )
    if related_ids:
        await db.execute(
            insert(ArticleRelation),
            [
                {"article_id": article.id, "related_id": related_id, "position": position}
                for position, related_id in enumerate(related_ids)
            ],
        )


def _metadata_snapshot(article: Article, data: ArticleInput | ArticleMetadata) -> dict[str, Any]:
    return {
        "type": article.type,
        "category": article.category,
        "video_url": article.video_url,
        "tramites": ", ".join(sorted(data.tramites)),
        "tags": ", ".join(sorted(data.tags)),
        "related": ", ".join(data.related),
    }


async def create_article(
    db: AsyncSession, viewer: Viewer, actor: audit.Actor, data: ArticleInput
) -> Article:
    """The article and its Spanish working copy (a draft holding the title)."""
    require_editor(viewer)
    if await db.scalar(select(Article.id).where(Article.slug == data.slug)):
        raise ArticleInputError("slug", _("Ya existe un artículo con esta dirección."))
    article = Article(
        slug=data.slug, type=data.type, category=data.category, video_url=data.video_url
    )
    db.add(article)
    await db.flush()
    await _replace_links(db, article, data)
    translation = Translation(
        article_id=article.id,
        locale=SOURCE_LOCALE,
        status="draft",
        title=data.title,
        author_id=viewer.id,
        steps=[],
    )
    db.add(translation)
    await db.flush()
    audit.record(
        db,
        actor,
        "kb_article.create",
        "kb_article",
        article.id,
        audit.diff({}, {"slug": data.slug, **_metadata_snapshot(article, data)}),
    )
    _record(db, actor, "create", translation, status=[None, "draft"], locale=[None, SOURCE_LOCALE])
    return article


async def update_article(
    db: AsyncSession, viewer: Viewer, actor: audit.Actor, article_id: int, data: ArticleInput
) -> Article:
    before = await article_metadata(db, viewer, article_id)
    article = before.article
    old = _metadata_snapshot(article, before)
    article.type = data.type
    article.category = data.category
    article.video_url = data.video_url
    await _replace_links(db, article, data)
    changes = audit.diff(old, _metadata_snapshot(article, data))
    if changes:
        audit.record(db, actor, "kb_article.update", "kb_article", article.id, changes)
        if await _has_published_text(db, article.id):
            db.add(ContentChange(article_id=article.id))
    await db.flush()
    return article


async def _has_published_text(db: AsyncSession, article_id: int) -> bool:
    found = await db.scalar(
        select(Translation.id)
        .where(
            Translation.article_id == article_id,
            Translation.published_version_id.is_not(None),
            Translation.status != "archived",
        )
        .limit(1)
    )
    return found is not None


# --- the working copy


def _record(
    db: AsyncSession, actor: audit.Actor, step: str, translation: Translation, **changes: Any
) -> None:
    """One audit event per workflow step; each change is [before, after]."""
    changes = {name: value for name, value in changes.items() if value is not None}
    audit.record(db, actor, f"kb_translation.{step}", "kb_translation", translation.id, changes)


def _text_of(row: Translation | TranslationVersion) -> dict[str, Any]:
    return {
        "title": row.title,
        "summary": row.summary or "",
        "body_md": row.body_md or "",
        "steps": [dict(step) for step in row.steps or []],
        "transcript": row.transcript or "",
    }


def _text_of_input(text: TranslationInput) -> dict[str, Any]:
    return {
        "title": text.title,
        "summary": text.summary,
        "body_md": text.body_md,
        "steps": [dict(step) for step in text.steps],
        "transcript": text.transcript,
    }


def _apply_text(translation: Translation, text: dict[str, Any]) -> None:
    for name in TEXT_FIELDS:
        setattr(translation, name, text[name])


async def save_translation(
    db: AsyncSession,
    viewer: Viewer,
    actor: audit.Actor,
    article_id: int,
    locale: str,
    text: TranslationInput,
) -> Translation:
    """Saves the working copy; a changed text becomes a draft that must be submitted again."""
    await get_article(db, viewer, article_id)
    translation = await find_translation(db, article_id, locale, lock=True)
    new = _text_of_input(text)
    if translation is None:
        translation = Translation(
            article_id=article_id, locale=locale, status="draft", author_id=viewer.id
        )
        _apply_text(translation, new)
        db.add(translation)
        await db.flush()
        _record(db, actor, "create", translation, status=[None, "draft"], locale=[None, locale])
        return translation
    old = _text_of(translation)
    changed = [name for name in TEXT_FIELDS if old[name] != new[name]]
    if not changed:
        return translation
    before_status = translation.status
    _apply_text(translation, new)
    translation.status = "draft"
    translation.author_id = viewer.id
    translation.submitted_by = None
    await db.flush()
    fields = [None, ", ".join(changed)]
    _record(db, actor, "save", translation, status=[before_status, "draft"], fields=fields)
    return translation


@dataclass(frozen=True)
class PreviewStep:
    title: str
    html: Markup
    image: str


@dataclass(frozen=True)
class Preview:
    """A working copy as readers would see it; HTML only from rendering.to_html."""

    title: str
    summary: str
    body_html: Markup
    steps: tuple[PreviewStep, ...]
    transcript: str


def preview(viewer: Viewer, text: TranslationInput) -> Preview:
    require_editor(viewer)
    return Preview(
        text.title,
        text.summary,
        Markup(to_html(text.body_md)),  # noqa: S704 — sanitized by nh3 in to_html
        tuple(
            PreviewStep(s["title"], Markup(to_html(s["body"])), s["image"])  # noqa: S704
            for s in text.steps
        ),
        text.transcript,
    )


# --- the workflow


def _missing_content(article: Article, translation: Translation) -> str | None:
    if not translation.title.strip():
        return _("Escriba el título antes de enviarlo a revisión.")
    if article.type == "guia" and not translation.steps:
        return _("Una guía necesita al menos un paso antes de enviarse a revisión.")
    if article.type == "video" and not translation.transcript.strip():
        return _("Un video necesita su transcripción antes de enviarse a revisión.")
    if article.type in ("ficha", "tip") and not translation.body_md.strip():
        return _("Escriba el contenido antes de enviarlo a revisión.")
    return None


async def submit(
    db: AsyncSession, viewer: Viewer, actor: audit.Actor, article_id: int, locale: str
) -> Translation:
    translation = await _existing_translation(db, viewer, article_id, locale)
    if translation.status != "draft":
        raise EditorialError(_("Solo un borrador puede enviarse a revisión."))
    article = await get_article(db, viewer, article_id)
    problem = _missing_content(article, translation)
    if problem:
        raise EditorialError(problem)
    translation.status = "in_review"
    translation.submitted_by = viewer.id
    await db.flush()
    _record(db, actor, "submit", translation, status=["draft", "in_review"])
    return translation


async def send_back(
    db: AsyncSession, viewer: Viewer, actor: audit.Actor, article_id: int, locale: str, note: str
) -> Translation:
    translation = await _existing_translation(db, viewer, article_id, locale)
    if translation.status != "in_review":
        raise EditorialError(_("Solo un texto en revisión puede devolverse."))
    translation.status = "draft"
    translation.submitted_by = None
    await db.flush()
    _record(db, actor, "send_back", translation, status=["in_review", "draft"], note=[None, note])
    return translation


async def _new_version(
    db: AsyncSession,
    translation: Translation,
    text: dict[str, Any],
    source_version: int | None,
    published_by: int | None,
    reviewer_id: int,
    note: str,
) -> TranslationVersion:
    last = await db.scalar(
        select(func.max(TranslationVersion.number)).where(
            TranslationVersion.translation_id == translation.id
        )
    )
    version = TranslationVersion(
        translation_id=translation.id,
        number=(last or 0) + 1,
        source_version=source_version,
        published_by=published_by,
        reviewer_id=reviewer_id,
        published_at=utcnow(),
        note=note,
        **text,
    )
    db.add(version)
    await db.flush()
    translation.published_version_id = version.id
    translation.source_version = source_version
    translation.reviewer_id = reviewer_id
    translation.last_reviewed_at = version.published_at
    db.add(ContentChange(article_id=translation.article_id))
    await db.flush()
    return version


async def approve(
    db: AsyncSession,
    viewer: Viewer,
    actor: audit.Actor,
    article_id: int,
    locale: str,
    note: str = "",
) -> TranslationVersion:
    """A second editor's approval, which publishes the text as the next version."""
    translation = await _existing_translation(db, viewer, article_id, locale)
    if translation.status != "in_review":
        raise EditorialError(_("Solo un texto en revisión puede aprobarse."))
    if viewer.id in (translation.submitted_by, translation.author_id):
        raise OwnTextReview(
            _(
                "No puede aprobar un texto que usted envió o editó. "
                "Otra persona del equipo editorial debe revisarlo."
            )
        )
    previous = await version_number(db, translation.published_version_id)
    source = None
    if locale != SOURCE_LOCALE:
        spanish = await spanish_version(db, article_id)
        source = spanish.number if spanish else None
    version = await _new_version(
        db,
        translation,
        _text_of(translation),
        source,
        translation.submitted_by,
        viewer.id,
        note,
    )
    translation.status = "published"
    translation.submitted_by = None
    _record(
        db, actor, "publish", translation, status=["in_review", "published"],
        version=[previous, version.number], note=[None, note] if note else None,
    )  # fmt: skip
    return version


async def rollback(
    db: AsyncSession,
    viewer: Viewer,
    actor: audit.Actor,
    article_id: int,
    locale: str,
    number: int,
    note: str = "",
) -> TranslationVersion:
    """Publishes version ``number``'s text again, as a new version."""
    translation = await _existing_translation(db, viewer, article_id, locale)
    old = await db.scalar(
        select(TranslationVersion).where(
            TranslationVersion.translation_id == translation.id,
            TranslationVersion.number == number,
        )
    )
    if old is None:
        raise NotFound("version")
    if translation.published_version_id == old.id:
        raise EditorialError(_("Esa versión es la que está publicada."))
    previous = await version_number(db, translation.published_version_id)
    text = _text_of(old)
    version = await _new_version(db, translation, text, old.source_version, viewer.id,
                                 viewer.id, note)  # fmt: skip
    before_status = translation.status
    if translation.status in ("published", "archived"):
        _apply_text(translation, text)
        translation.status = "published"
    _record(
        db, actor, "rollback", translation, version=[previous, version.number],
        restored_from=[None, number], status=[before_status, translation.status],
        note=[None, note] if note else None,
    )  # fmt: skip
    return version


async def archive(
    db: AsyncSession, viewer: Viewer, actor: audit.Actor, article_id: int, locale: str
) -> Translation:
    translation = await _existing_translation(db, viewer, article_id, locale)
    if translation.status == "archived":
        raise EditorialError(_("Esta traducción ya está archivada."))
    previous = await version_number(db, translation.published_version_id)
    before_status = translation.status
    translation.status = "archived"
    translation.published_version_id = None
    translation.submitted_by = None
    db.add(ContentChange(article_id=article_id))
    await db.flush()
    _record(
        db, actor, "archive", translation,
        status=[before_status, "archived"], version=[previous, None],
    )  # fmt: skip
    return translation
