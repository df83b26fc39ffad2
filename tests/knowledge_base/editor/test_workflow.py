"""The editorial workflow, through the service functions: each step, its versions, its
ContentChange rows and its audit events. Every test works in its own uncommitted session."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.models import AuditEvent
from helpdesk.core.errors import NotFound, PermissionDenied
from knowledge_base import editorial, insight
from knowledge_base.documents import published_documents
from knowledge_base.editor_forms import ArticleInput, TranslationInput
from knowledge_base.models import (
    ArticleRelation,
    ArticleTag,
    ArticleTramite,
    ContentChange,
    Translation,
    TranslationVersion,
)
from tests.knowledge_base.editor.helpers import Staff, new_article, publish, staff, unique_slug

FIRST = TranslationInput("Multas migratorias", "Qué son.", "Primera línea.\nSegunda línea.")
SECOND = TranslationInput("Multas migratorias", "Qué son.", "Primera línea.\nSegunda corregida.")


@pytest.fixture
async def db(sessionmaker):  # type: ignore[no-untyped-def]
    """Rolled back at the end: nothing these tests write outlives them."""
    async with sessionmaker() as session:
        yield session
        await session.rollback()


async def translation(db: AsyncSession, article_id: int, locale: str) -> Translation:
    row = await db.scalar(
        select(Translation)
        .where(Translation.article_id == article_id, Translation.locale == locale)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def changes(db: AsyncSession, article_id: int) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(ContentChange)
            .where(ContentChange.article_id == article_id)
        )
        or 0
    )


async def actions(db: AsyncSession, entity_type: str, entity_id: int) -> list[str]:
    rows = await db.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.id)
    )
    return list(rows)


async def test_create_article_with_its_spanish_draft(db, author: Staff) -> None:
    related = await new_article(db, author)
    slug = unique_slug()
    article = await new_article(
        db,
        author,
        "guia",
        "Cómo pagar una multa",
        slug=slug,
        tramites=("multas-calculo-pago",),
        tags=("multa", "pago"),
        related=(related.slug,),
    )
    assert article.slug == slug and article.type == "guia"
    spanish = await translation(db, article.id, "es")
    assert (spanish.status, spanish.title, spanish.author_id) == (
        "draft",
        "Cómo pagar una multa",
        author.viewer.id,
    )
    assert list(await db.scalars(select(ArticleTramite.tramite_code).where(
        ArticleTramite.article_id == article.id))) == ["multas-calculo-pago"]  # fmt: skip
    tags = await db.scalars(select(ArticleTag.tag).where(ArticleTag.article_id == article.id))
    assert sorted(tags) == ["multa", "pago"]
    relation = await db.scalar(
        select(ArticleRelation.related_id).where(ArticleRelation.article_id == article.id)
    )
    assert relation == related.id
    assert await actions(db, "kb_article", article.id) == ["kb_article.create"]
    assert await actions(db, "kb_translation", spanish.id) == ["kb_translation.create"]
    assert await changes(db, article.id) == 0  # nothing for readers yet


async def test_slug_must_be_unique_and_related_articles_must_exist(db, author: Staff) -> None:
    article = await new_article(db, author)
    with pytest.raises(editorial.ArticleInputError) as taken:
        await new_article(db, author, slug=article.slug)
    assert taken.value.field == "slug"
    with pytest.raises(editorial.ArticleInputError) as missing:
        await new_article(db, author, related=("no-existe-" + unique_slug(),))
    assert missing.value.field == "related" and "no-existe-" in missing.value.message
    data = ArticleInput(type="ficha", category="multas", related=(article.slug,))
    with pytest.raises(editorial.ArticleInputError):  # an article is not related to itself
        await editorial.update_article(db, author.viewer, author.actor, article.id, data)


async def test_full_workflow_with_a_second_editor(db, author: Staff, reviewer: Staff) -> None:
    article = await new_article(db, author)
    es = "es"
    await editorial.save_translation(db, author.viewer, author.actor, article.id, es, FIRST)
    row = await translation(db, article.id, es)
    assert row.status == "draft" and row.published_version_id is None

    submitted = await editorial.submit(db, author.viewer, author.actor, article.id, es)
    assert submitted.status == "in_review" and submitted.submitted_by == author.viewer.id

    with pytest.raises(editorial.OwnTextReview):
        await editorial.approve(db, author.viewer, author.actor, article.id, es)
    assert (await translation(db, article.id, es)).status == "in_review"

    version = await editorial.approve(db, reviewer.viewer, reviewer.actor, article.id, es)
    row = await translation(db, article.id, es)
    assert version.number == 1
    assert row.status == "published" and row.published_version_id == version.id
    assert row.reviewer_id == reviewer.viewer.id and row.last_reviewed_at is not None
    assert version.published_by == author.viewer.id and version.reviewer_id == reviewer.viewer.id
    assert version.body_md == FIRST.body_md and version.source_version is None
    assert await changes(db, article.id) == 1

    # Editing the published text: a draft again, while readers keep version 1.
    await editorial.save_translation(db, reviewer.viewer, reviewer.actor, article.id, es, SECOND)
    row = await translation(db, article.id, es)
    assert row.status == "draft" and row.published_version_id == version.id
    docs = await published_documents(db, [article.id])
    assert docs[0].texts[es].version == 1 and "Segunda línea" in docs[0].texts[es].text

    await editorial.submit(db, reviewer.viewer, reviewer.actor, article.id, es)
    with pytest.raises(editorial.OwnTextReview):  # the last editor cannot approve either
        await editorial.approve(db, reviewer.viewer, reviewer.actor, article.id, es)
    second = await editorial.approve(db, author.viewer, author.actor, article.id, es)
    assert second.number == 2
    assert await changes(db, article.id) == 2
    docs = await published_documents(db, [article.id])
    assert docs[0].texts[es].version == 2 and "Segunda corregida" in docs[0].texts[es].text

    assert await actions(db, "kb_translation", row.id) == [
        "kb_translation.create",
        "kb_translation.save",
        "kb_translation.submit",
        "kb_translation.publish",
        "kb_translation.save",
        "kb_translation.submit",
        "kb_translation.publish",
    ]
    publish_event = await db.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "kb_translation.publish", AuditEvent.entity_id == row.id)
        .order_by(AuditEvent.id.desc())
    )
    assert publish_event is not None
    assert publish_event.changes["version"] == [1, 2]
    assert (publish_event.actor_type, publish_event.actor_id) == ("staff", author.viewer.id)


async def test_an_admin_may_approve_and_unchanged_saves_do_nothing(
    db, sessionmaker, author: Staff
) -> None:
    admin = await staff(sessionmaker, "admin")
    article = await new_article(db, author)
    await editorial.save_translation(db, author.viewer, author.actor, article.id, "es", FIRST)
    row = await translation(db, article.id, "es")
    events = len(await actions(db, "kb_translation", row.id))
    await editorial.save_translation(db, author.viewer, author.actor, article.id, "es", FIRST)
    assert len(await actions(db, "kb_translation", row.id)) == events
    await editorial.submit(db, author.viewer, author.actor, article.id, "es")
    version = await editorial.approve(db, admin.viewer, admin.actor, article.id, "es")
    assert version.number == 1


async def test_send_back_with_a_note(db, author: Staff, reviewer: Staff) -> None:
    article = await new_article(db, author)
    await editorial.save_translation(db, author.viewer, author.actor, article.id, "es", FIRST)
    await editorial.submit(db, author.viewer, author.actor, article.id, "es")
    note = "Falta explicar dónde se paga."
    back = await editorial.send_back(db, reviewer.viewer, reviewer.actor, article.id, "es", note)
    assert back.status == "draft" and back.submitted_by is None
    state = await insight.translation_state(db, author.viewer, article.id, "es")
    assert state.history[0].action == "send_back" and state.history[0].note == note
    with pytest.raises(editorial.EditorialError):  # only a text in review can be approved
        await editorial.approve(db, reviewer.viewer, reviewer.actor, article.id, "es")
    with pytest.raises(editorial.EditorialError):
        await editorial.send_back(db, reviewer.viewer, reviewer.actor, article.id, "es", note)


@pytest.mark.parametrize(
    ("article_type", "text", "allowed"),
    [
        ("ficha", TranslationInput("Título"), False),
        ("ficha", TranslationInput("Título", body_md="Texto"), True),
        ("guia", TranslationInput("Título", body_md="Intro"), False),
        ("guia", TranslationInput("Título", steps=({"title": "Uno", "body": "", "image": ""},)),
         True),
        ("video", TranslationInput("Título", body_md="Texto"), False),
        ("video", TranslationInput("Título", transcript="Hola."), True),
    ],
)  # fmt: skip
async def test_submit_needs_the_content_of_its_type(
    db, author: Staff, article_type: str, text: TranslationInput, allowed: bool
) -> None:
    article = await new_article(db, author, article_type)
    await editorial.save_translation(db, author.viewer, author.actor, article.id, "es", text)
    if allowed:
        await editorial.submit(db, author.viewer, author.actor, article.id, "es")
    else:
        with pytest.raises(editorial.EditorialError):
            await editorial.submit(db, author.viewer, author.actor, article.id, "es")


async def test_versions_diff_and_rollback(db, author: Staff, reviewer: Staff) -> None:
    article = await new_article(db, author)
    assert await publish(db, article.id, "es", FIRST, author, reviewer) == 1
    assert await publish(db, article.id, "es", SECOND, author, reviewer) == 2
    row, versions = await insight.list_versions(db, author.viewer, article.id, "es")
    assert [(v.number, v.current) for v in versions] == [(2, True), (1, False)]

    comparison = await insight.compare_versions(db, author.viewer, article.id, "es", 1, 2)
    body = next(f for f in comparison.fields if f.field == "body_md")
    assert body.changed and not next(f for f in comparison.fields if f.field == "title").changed
    removed = [line for line in body.lines if line.kind == "removed"]
    added = [line for line in body.lines if line.kind == "added"]
    assert [line.text for line in removed] == ["Segunda línea."]
    assert [line.text for line in added] == ["Segunda corregida."]
    assert [s.text for s in added[0].segments if s.changed] == ["corregida."]

    before = await changes(db, article.id)
    restored = await editorial.rollback(db, reviewer.viewer, reviewer.actor, article.id, "es", 1)
    assert restored.number == 3 and restored.body_md == FIRST.body_md
    row = await translation(db, article.id, "es")
    assert row.published_version_id == restored.id and row.body_md == FIRST.body_md
    assert row.status == "published"
    assert await changes(db, article.id) == before + 1
    old = await db.scalar(
        select(TranslationVersion).where(
            TranslationVersion.translation_id == row.id, TranslationVersion.number == 2
        )
    )
    assert old is not None and old.body_md == SECOND.body_md  # history is never rewritten
    _row, versions = await insight.list_versions(db, author.viewer, article.id, "es")
    assert [(v.number, v.restored_from) for v in versions] == [(3, 1), (2, None), (1, None)]
    assert (await actions(db, "kb_translation", row.id))[-1] == "kb_translation.rollback"

    with pytest.raises(editorial.EditorialError):  # already the published one
        await editorial.rollback(db, reviewer.viewer, reviewer.actor, article.id, "es", 3)
    with pytest.raises(NotFound):
        await editorial.rollback(db, reviewer.viewer, reviewer.actor, article.id, "es", 9)


async def test_rollback_keeps_a_pending_draft(db, author: Staff, reviewer: Staff) -> None:
    article = await new_article(db, author)
    await publish(db, article.id, "es", FIRST, author, reviewer)
    await publish(db, article.id, "es", SECOND, author, reviewer)
    draft = TranslationInput("Multas", "Nuevo resumen.", "Borrador en curso.")
    await editorial.save_translation(db, author.viewer, author.actor, article.id, "es", draft)
    version = await editorial.rollback(db, author.viewer, author.actor, article.id, "es", 1)
    row = await translation(db, article.id, "es")
    assert version.number == 3 and row.published_version_id == version.id
    assert row.status == "draft" and row.body_md == "Borrador en curso."


async def test_outdated_when_spanish_is_published_again(db, author: Staff, reviewer: Staff) -> None:
    article = await new_article(db, author)
    await publish(db, article.id, "es", FIRST, author, reviewer)
    haitian = TranslationInput("Amann", "Sa yo ye.", "Premye liy.")
    await publish(db, article.id, "ht", haitian, author, reviewer)
    ht_version = await db.scalar(
        select(TranslationVersion)
        .join(Translation, Translation.published_version_id == TranslationVersion.id)
        .where(Translation.article_id == article.id, Translation.locale == "ht")
    )
    assert ht_version is not None and ht_version.source_version == 1
    state = await insight.translation_state(db, author.viewer, article.id, "ht")
    assert not state.outdated

    await publish(db, article.id, "es", SECOND, author, reviewer)
    state = await insight.translation_state(db, author.viewer, article.id, "ht")
    assert state.outdated and state.spanish is not None and state.spanish.number == 2
    outdated = await insight.outdated_translations(db, author.viewer)
    assert (article.id, "ht", 1, 2) in {
        (o.article_id, o.locale, o.source_version, o.spanish_number) for o in outdated
    }
    rows = await insight.list_articles(db, author.viewer, article.id)
    assert rows[0].outdated == frozenset({"ht"})
    assert not (await insight.translation_state(db, author.viewer, article.id, "es")).outdated
    docs = await published_documents(db, [article.id])
    assert docs[0].outdated("ht")  # the search documents agree

    # A new Haitian version made from Spanish version 2 is current again.
    await publish(db, article.id, "ht", TranslationInput("Amann", "", "Nouvo."), author, reviewer)
    assert not (await insight.translation_state(db, author.viewer, article.id, "ht")).outdated


async def test_archive_hides_the_translation(db, author: Staff, reviewer: Staff) -> None:
    article = await new_article(db, author)
    await publish(db, article.id, "es", FIRST, author, reviewer)
    await publish(db, article.id, "en", TranslationInput("Fines", "", "Text."), author, reviewer)
    before = await changes(db, article.id)
    archived = await editorial.archive(db, reviewer.viewer, reviewer.actor, article.id, "en")
    assert archived.status == "archived" and archived.published_version_id is None
    assert await changes(db, article.id) == before + 1
    docs = await published_documents(db, [article.id])
    assert set(docs[0].texts) == {"es"}
    assert (await actions(db, "kb_translation", archived.id))[-1] == "kb_translation.archive"
    with pytest.raises(editorial.EditorialError):
        await editorial.archive(db, reviewer.viewer, reviewer.actor, article.id, "en")
    # Its versions stay; publishing one again brings it back.
    await editorial.rollback(db, author.viewer, author.actor, article.id, "en", 1)
    docs = await published_documents(db, [article.id])
    assert set(docs[0].texts) == {"es", "en"}


async def test_metadata_change_of_a_visible_article_is_a_content_change(
    db, author: Staff, reviewer: Staff
) -> None:
    article = await new_article(db, author)
    data = ArticleInput(type="ficha", category="otros", tags=("nuevo",))
    await editorial.update_article(db, author.viewer, author.actor, article.id, data)
    assert await changes(db, article.id) == 0  # nobody reads it yet
    await publish(db, article.id, "es", FIRST, author, reviewer)
    data = ArticleInput(type="ficha", category="multas", tags=("nuevo", "multa"))
    await editorial.update_article(db, author.viewer, author.actor, article.id, data)
    assert await changes(db, article.id) == 2
    update = await db.scalar(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "kb_article", AuditEvent.entity_id == article.id)
        .order_by(AuditEvent.id.desc())
    )
    assert update is not None and update.action == "kb_article.update"
    assert update.changes["category"] == ["otros", "multas"]


@pytest.mark.parametrize("role", ["regional_agent", "central_analyst", "supervisor"])
async def test_other_staff_roles_are_refused(db, sessionmaker, author: Staff, role: str) -> None:
    other = await staff(sessionmaker, role)
    article = await new_article(db, author)
    await editorial.save_translation(db, author.viewer, author.actor, article.id, "es", FIRST)
    await editorial.submit(db, author.viewer, author.actor, article.id, "es")
    viewer, actor = other.viewer, other.actor
    calls = [
        lambda: editorial.save_translation(db, viewer, actor, article.id, "es", SECOND),
        lambda: editorial.submit(db, viewer, actor, article.id, "es"),
        lambda: editorial.approve(db, viewer, actor, article.id, "es"),
        lambda: editorial.send_back(db, viewer, actor, article.id, "es", "no"),
        lambda: editorial.archive(db, viewer, actor, article.id, "es"),
        lambda: editorial.rollback(db, viewer, actor, article.id, "es", 1),
        lambda: editorial.create_article(db, viewer, actor, ArticleInput("ficha", "multas")),
        lambda: insight.list_articles(db, viewer),
        lambda: insight.translation_state(db, viewer, article.id, "es"),
        lambda: insight.list_versions(db, viewer, article.id, "es"),
        lambda: insight.insight(db, viewer),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            await call()
    citizen = Viewer("citizen", 1, "c", person_id=1)
    with pytest.raises(PermissionDenied):
        editorial.preview(citizen, FIRST)


def test_preview_sanitizes() -> None:
    editor = Viewer("staff", 1, "e", role="kb_editor")
    text = TranslationInput(
        "T",
        body_md="Hola <script>alert(1)</script> [clic](javascript:alert(2))",
        steps=({"title": "Paso", "body": "<img src=x onerror=alert(3)>", "image": ""},),
    )
    shown = editorial.preview(editor, text)
    assert "<script" not in shown.body_html and "&lt;script&gt;" in shown.body_html
    assert "href" not in shown.body_html  # the link text stays, never as a link
    assert "<img" not in shown.steps[0].html
