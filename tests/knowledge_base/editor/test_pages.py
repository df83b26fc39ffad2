"""The editors' pages: the workflow through forms, role denials, form errors, the preview with
and without htmx, escaping everywhere, and the insight page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from helpdesk.core.db import utcnow
from knowledge_base import editorial
from knowledge_base.editor_forms import TranslationInput
from knowledge_base.models import (
    Article,
    ArticleView,
    ArticleVote,
    SearchStat,
    Translation,
    TranslationVersion,
)
from tests.knowledge_base.editor.helpers import Staff, elements, new_article, publish, unique_slug
from tests.support import factories
from tests.support.http import Browser, page_text

UNSAFE_BODY = (
    "Hola <script>alert('x')</script> [clic](javascript:alert(1)) "
    '<img src=x onerror="alert(2)"> [bien](https://www.gob.cl)'
)


def url(app: Starlette, name: str, **params: object) -> str:
    return str(app.url_path_for(name, **params))


async def published_article(
    sessionmaker, author: Staff, reviewer: Staff, article_type: str = "ficha", **texts: str
) -> Article:
    """An article whose texts (locale=body) are published, committed for the app to see."""
    async with sessionmaker() as db, db.begin():
        article = await new_article(db, author, article_type)
        for locale, body in (texts or {"es": "Texto."}).items():
            text = TranslationInput(f"Título {locale}", "Resumen.", body)
            await publish(db, article.id, locale, text, author, reviewer)
    return article


async def translation_row(sessionmaker, article_id: int, locale: str) -> Translation:
    async with sessionmaker() as db:
        row = await db.scalar(
            select(Translation).where(
                Translation.article_id == article_id, Translation.locale == locale
            )
        )
    assert row is not None
    return row


def assert_nothing_unsafe(html: str) -> None:
    """No script but our own files (htmx, the staff pages' scripts), no javascript: link, no
    injected image or handler."""
    found = elements(html)
    scripts = found.find("script")
    assert all((s.get("src") or "").startswith("/static/") for s in scripts)
    assert not any(
        (a.get("href") or "").strip().lower().startswith("javascript") for a in found.find("a")
    )
    assert not any(img.get("onerror") or img.get("src") == "x" for img in found.find("img"))
    assert not any(name.startswith("on") for _tag, attrs in found.tags for name in attrs)


# --- the workflow through the pages


async def test_workflow_through_the_pages(
    app, client: Browser, other_client: Browser, author: Staff, reviewer: Staff, sessionmaker
) -> None:
    await factories.sign_in_staff(client, author.email)
    await factories.sign_in_staff(other_client, reviewer.email)
    slug = unique_slug()
    new_page = url(app, "kb_article_new")
    created = await client.submit(
        new_page,
        {"title": "Pagar una multa", "slug": slug, "type": "ficha", "category": "multas",
         "tramites": "multas-calculo-pago", "tags": "multa, pago"},
    )  # fmt: skip
    assert created.status_code == 303
    async with sessionmaker() as db:
        article = await db.scalar(select(Article).where(Article.slug == slug))
    assert article is not None
    edit = url(app, "kb_translation_edit", article_id=article.id, locale="es")
    assert created.headers["location"] == f"{edit}?aviso=creado"

    text = {"title": "Pagar una multa", "summary": "Cómo y dónde.", "body_md": "## Pasos\nPague."}
    saved = await client.submit(edit, text)
    assert saved.status_code == 303 and saved.headers["location"] == f"{edit}?aviso=guardado"
    submitted = await client.submit(
        url(app, "kb_translation_submit", article_id=article.id, locale="es"), {}, page=edit
    )
    assert submitted.status_code == 303

    page = await client.get(edit)
    assert "Usted envió o editó este texto" in page_text(page.text)
    approve = url(app, "kb_translation_approve", article_id=article.id, locale="es")
    refused = await client.submit(approve, {}, page=edit)
    assert refused.status_code == 403
    assert "No puede aprobar un texto que usted envió o editó" in page_text(refused.text)
    assert (await translation_row(sessionmaker, article.id, "es")).status == "in_review"

    approved = await other_client.submit(approve, {}, page=edit)
    assert approved.status_code == 303
    assert approved.headers["location"] == f"{edit}?aviso=publicado"
    row = await translation_row(sessionmaker, article.id, "es")
    assert row.status == "published" and row.reviewer_id == reviewer.viewer.id

    reader = await client.get(url(app, "kb_article", slug=slug))
    assert reader.status_code == 200 and "Pague." in page_text(reader.text)

    # Editing the published text leaves version 1 live.
    await other_client.submit(edit, {"title": "Pagar una multa", "body_md": "Pague en línea."})
    page = await other_client.get(edit)
    assert "siguen leyendo la versión 1" in page_text(page.text)
    assert "Pague." in page_text((await client.get(url(app, "kb_article", slug=slug))).text)

    versions = await client.get(
        url(app, "kb_translation_versions", article_id=article.id, locale="es")
    )
    assert versions.status_code == 200 and "La que se lee ahora" in page_text(versions.text)
    assert len(elements(versions.text).find("tr")) == 2  # the header and version 1


async def test_send_back_needs_a_note_and_shows_it(
    app, client: Browser, other_client: Browser, author: Staff, reviewer: Staff, sessionmaker
) -> None:
    async with sessionmaker() as db, db.begin():
        article = await new_article(db, author)
        text = TranslationInput("Multas", "", "Texto.")
        await editorial.save_translation(db, author.viewer, author.actor, article.id, "es", text)
        await editorial.submit(db, author.viewer, author.actor, article.id, "es")
    await factories.sign_in_staff(other_client, reviewer.email)
    edit = url(app, "kb_translation_edit", article_id=article.id, locale="es")
    back = url(app, "kb_translation_send_back", article_id=article.id, locale="es")
    missing = await other_client.submit(back, {"note": "  "}, page=edit)
    assert missing.status_code == 422
    note = elements(missing.text).ids["note"]
    assert note["aria-invalid"] == "true" and "note-error" in (note["aria-describedby"] or "")
    assert "note-error" in elements(missing.text).ids
    sent = await other_client.submit(back, {"note": "Falta <b>el</b> monto."}, page=edit)
    assert sent.status_code == 303
    await factories.sign_in_staff(client, author.email)
    page = await client.get(edit)
    assert "Falta <b>el</b> monto." in page_text(page.text)  # shown as text
    assert "<b>el</b>" not in page.text
    assert (await translation_row(sessionmaker, article.id, "es")).status == "draft"


async def test_rollback_and_diff_pages(
    app, client: Browser, author: Staff, reviewer: Staff, sessionmaker
) -> None:
    article = await published_article(sessionmaker, author, reviewer, es="Primera versión.")
    async with sessionmaker() as db, db.begin():
        text = TranslationInput("Título es", "Resumen.", "Segunda <script>alert(3)</script>")
        await publish(db, article.id, "es", text, author, reviewer)
    await factories.sign_in_staff(client, author.email)
    diff = await client.get(
        url(app, "kb_translation_diff", article_id=article.id, locale="es") + "?de=1&a=2"
    )
    assert diff.status_code == 200
    found = elements(diff.text)
    assert found.find("del") and found.find("ins")
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in diff.text
    assert_nothing_unsafe(diff.text)
    bad = url(app, "kb_translation_diff", article_id=article.id, locale="es") + "?de=1&a=9"
    assert (await client.get(bad)).status_code == 404

    versions = url(app, "kb_translation_versions", article_id=article.id, locale="es")
    rollback = url(app, "kb_translation_rollback", article_id=article.id, locale="es", number=1)
    restored = await client.submit(rollback, {}, page=versions)
    assert restored.status_code == 303
    assert restored.headers["location"] == f"{versions}?aviso=restaurado"
    page = await client.get(versions)
    assert "Restaura la versión 1." in page_text(page.text)
    async with sessionmaker() as db:
        numbers = list(
            await db.scalars(
                select(TranslationVersion.number)
                .join(Translation, Translation.id == TranslationVersion.translation_id)
                .where(Translation.article_id == article.id)
                .order_by(TranslationVersion.number)
            )
        )
    assert numbers == [1, 2, 3]
    current = url(app, "kb_translation_rollback", article_id=article.id, locale="es", number=3)
    assert (await client.submit(current, {}, page=versions)).status_code == 409


async def test_outdated_translation_is_flagged_to_editors(
    app, client: Browser, author: Staff, reviewer: Staff, sessionmaker
) -> None:
    article = await published_article(sessionmaker, author, reviewer, es="Uno.", fr="Un.")
    async with sessionmaker() as db, db.begin():
        await publish(db, article.id, "es", TranslationInput("T", "", "Dos."), author, reviewer)
    await factories.sign_in_staff(client, author.email)
    page = await client.get(url(app, "kb_translation_edit", article_id=article.id, locale="fr"))
    assert "Traducción desactualizada" in page_text(page.text)
    spanish_diff = url(app, "kb_translation_diff", article_id=article.id, locale="es")
    links = [a.get("href") for a in elements(page.text).find("a")]
    assert f"{spanish_diff}?de=1&a=2" in links
    listing = await client.get(url(app, "kb_outdated"))
    edit_fr = url(app, "kb_translation_edit", article_id=article.id, locale="fr")
    assert f'href="{edit_fr}"' in listing.text
    home = await client.get(url(app, "kb_editor_home"))
    assert home.status_code == 200 and "Desactualizada" in page_text(home.text)
    spanish = await client.get(url(app, "kb_translation_edit", article_id=article.id, locale="es"))
    assert "Traducción desactualizada" not in page_text(spanish.text)


async def test_archive_through_the_page(
    app, client: Browser, author: Staff, reviewer: Staff, sessionmaker
) -> None:
    article = await published_article(sessionmaker, author, reviewer, es="Texto.", en="Text.")
    await factories.sign_in_staff(client, reviewer.email)
    edit = url(app, "kb_translation_edit", article_id=article.id, locale="en")
    archived = await client.submit(
        url(app, "kb_translation_archive", article_id=article.id, locale="en"), {}, page=edit
    )
    assert archived.status_code == 303
    row = await translation_row(sessionmaker, article.id, "en")
    assert row.status == "archived" and row.published_version_id is None


# --- preview and escaping


async def test_preview_with_htmx_returns_the_partial(
    app, client: Browser, author: Staff, sessionmaker
) -> None:
    async with sessionmaker() as db, db.begin():
        article = await new_article(db, author)
    await factories.sign_in_staff(client, author.email)
    edit = url(app, "kb_translation_edit", article_id=article.id, locale="es")
    token = await client.csrf(edit)
    response = await client.post(
        url(app, "kb_translation_preview", article_id=article.id, locale="es"),
        data={"title": "Vista", "body_md": UNSAFE_BODY, "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="vista-previa"')
    assert "<html" not in response.text
    assert "&lt;script&gt;" in response.text
    assert '<a href="https://www.gob.cl" rel="noopener noreferrer">bien</a>' in response.text
    assert_nothing_unsafe(response.text)
    assert "HX-Request" in response.headers["vary"]


async def test_preview_without_javascript_keeps_the_form_and_saves_nothing(
    app, client: Browser, author: Staff, sessionmaker
) -> None:
    async with sessionmaker() as db, db.begin():
        article = await new_article(db, author, "guia", "Guía")
    await factories.sign_in_staff(client, author.email)
    edit = url(app, "kb_translation_edit", article_id=article.id, locale="es")
    page = await client.get(edit)
    found = elements(page.text)
    buttons = [b for b in found.find("button") if b.get("formaction")]
    preview_url = url(app, "kb_translation_preview", article_id=article.id, locale="es")
    assert [b["formaction"] for b in buttons] == [preview_url]
    response = await client.submit(
        preview_url,
        {"title": "Guía nueva", "body_md": UNSAFE_BODY, "step-0-title": "Paso <uno>",
         "step-0-body": "**Entre** [aquí](javascript:alert(5))", "step-0-position": "1"},
        page=edit,
    )  # fmt: skip
    assert response.status_code == 200
    html = response.text
    assert elements(html).ids["title"]["value"] == "Guía nueva"  # what was typed stays
    assert "<strong>Entre</strong>" in html and "Paso &lt;uno&gt;" in html
    assert_nothing_unsafe(html)
    assert (await translation_row(sessionmaker, article.id, "es")).title == "Guía"


async def test_published_unsafe_text_never_reaches_readers_or_editors_unescaped(
    app, client: Browser, author: Staff, reviewer: Staff, sessionmaker
) -> None:
    article = await published_article(sessionmaker, author, reviewer, es=UNSAFE_BODY)
    reader = await client.get(url(app, "kb_article", slug=article.slug))
    assert reader.status_code == 200
    assert "&lt;script&gt;" in reader.text
    assert_nothing_unsafe(reader.text)
    await factories.sign_in_staff(client, author.email)
    for name in ("kb_translation_edit", "kb_translation_versions"):
        page = await client.get(url(app, name, article_id=article.id, locale="es"))
        assert page.status_code == 200
        assert_nothing_unsafe(page.text)


# --- form errors


async def test_new_article_form_errors(app, client: Browser, author: Staff) -> None:
    await factories.sign_in_staff(client, author.email)
    page = url(app, "kb_article_new")
    response = await client.submit(
        page, {"title": "", "slug": "Mal Slug!", "type": "video", "category": "nada"}
    )
    assert response.status_code == 422
    found = elements(response.text)
    for name in ("title", "slug", "category", "video_url"):
        control = found.ids[name]
        assert control["aria-invalid"] == "true", name
        assert f"{name}-error" in (control["aria-describedby"] or "").split(), name
        assert f"{name}-error" in found.ids, name
    assert "Use solo letras minúsculas" in page_text(response.text)
    assert found.ids["slug"]["value"] == "Mal Slug!"  # what was typed stays


async def test_taken_slug_is_an_error_on_its_field(
    app, client: Browser, author: Staff, sessionmaker
) -> None:
    async with sessionmaker() as db, db.begin():
        article = await new_article(db, author)
    await factories.sign_in_staff(client, author.email)
    response = await client.submit(
        url(app, "kb_article_new"),
        {"title": "Otro", "slug": article.slug, "type": "ficha", "category": "multas"},
    )
    assert response.status_code == 422
    assert elements(response.text).ids["slug"]["aria-invalid"] == "true"
    assert "Ya existe un artículo con esta dirección." in page_text(response.text)


async def test_translation_form_errors(app, client: Browser, author: Staff, sessionmaker) -> None:
    async with sessionmaker() as db, db.begin():
        article = await new_article(db, author, "guia", "Guía")
    await factories.sign_in_staff(client, author.email)
    edit = url(app, "kb_translation_edit", article_id=article.id, locale="ht")
    response = await client.submit(
        edit, {"title": "", "step-0-body": "Sin título", "step-0-image": "../secreto.png"}
    )
    assert response.status_code == 422
    found = elements(response.text)
    for name in ("title", "step-0-title", "step-0-image"):
        assert found.ids[name]["aria-invalid"] == "true", name
        assert f"{name}-error" in found.ids, name
    assert found.ids["title"]["lang"] == "ht"
    assert "Escriba el título." in page_text(response.text)
    async with sessionmaker() as db:
        assert await db.scalar(
            select(Translation.id).where(
                Translation.article_id == article.id, Translation.locale == "ht"
            )
        ) is None  # fmt: skip


async def test_metadata_form(app, client: Browser, author: Staff, sessionmaker) -> None:
    async with sessionmaker() as db, db.begin():
        article = await new_article(db, author)
    await factories.sign_in_staff(client, author.email)
    page = url(app, "kb_article_edit", article_id=article.id)
    bad = await client.submit(page, {"type": "ficha", "category": "multas", "related": "no-hay"})
    assert bad.status_code == 422
    assert elements(bad.text).ids["related"]["aria-invalid"] == "true"
    good = await client.submit(
        page, {"type": "tip", "category": "otros", "tramites": ["multas-descargos"]}
    )
    assert good.status_code == 303 and good.headers["location"] == f"{page}?aviso=guardado"
    shown = await client.get(page)
    boxes = [b for b in elements(shown.text).find("input") if b.get("name") == "tramites"]
    assert [b["value"] for b in boxes if "checked" in b] == ["multas-descargos"]


async def test_unknown_locale_and_article_are_not_found(
    app, client: Browser, author: Staff, sessionmaker
) -> None:
    await factories.sign_in_staff(client, author.email)
    assert (await client.get("/staff/kb/articulos/999999/es")).status_code == 404
    async with sessionmaker() as db, db.begin():
        article = await new_article(db, author)
    assert (await client.get(f"/staff/kb/articulos/{article.id}/de")).status_code == 404


async def test_state_changes_need_the_csrf_token(
    app, client: Browser, author: Staff, sessionmaker
) -> None:
    async with sessionmaker() as db, db.begin():
        article = await new_article(db, author)
    await factories.sign_in_staff(client, author.email)
    response = await client.post(
        url(app, "kb_translation_archive", article_id=article.id, locale="es"), data={}
    )
    assert response.status_code == 403
    assert (await translation_row(sessionmaker, article.id, "es")).status == "draft"


# --- who may use it


EDITOR_PAGES = ("kb_editor_home", "kb_article_new", "kb_outdated", "kb_insight")


@pytest.mark.parametrize("role", ["regional_agent", "central_analyst"])
async def test_other_staff_are_refused(
    app, client: Browser, sessionmaker, author: Staff, role: str
) -> None:
    async with sessionmaker() as db, db.begin():
        article = await new_article(db, author)
    email = await factories.staff_member(sessionmaker, role)
    await factories.sign_in_staff(client, email)
    for name in EDITOR_PAGES:
        assert (await client.get(url(app, name))).status_code == 403, name
    params = {"article_id": article.id, "locale": "es"}
    for name in ("kb_translation_edit", "kb_translation_versions"):
        assert (await client.get(url(app, name, **params))).status_code == 403, name
    assert (await client.get(url(app, "kb_article_edit", article_id=article.id))).status_code == 403
    token = await client.csrf("/staff")
    for name in (
        "kb_translation_edit",
        "kb_translation_preview",
        "kb_translation_submit",
        "kb_translation_approve",
        "kb_translation_send_back",
        "kb_translation_archive",
    ):
        response = await client.post(
            url(app, name, **params), data={"title": "x", "note": "x", "csrf_token": token}
        )
        assert response.status_code == 403, name
    created = await client.post(
        url(app, "kb_article_new"),
        data={"title": "x", "slug": unique_slug(), "type": "ficha", "category": "multas",
              "csrf_token": token},
    )  # fmt: skip
    assert created.status_code == 403
    assert (await translation_row(sessionmaker, article.id, "es")).status == "draft"


async def test_citizens_and_anonymous_visitors_are_refused(
    app, client: Browser, sessionmaker
) -> None:
    home = url(app, "kb_editor_home")
    anonymous = await client.get(home)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/staff/ingresar")
    email, _person = await factories.citizen(sessionmaker)
    await factories.sign_in_citizen(client, email)
    for name in EDITOR_PAGES:
        assert (await client.get(url(app, name))).status_code == 403, name


# --- the insight page


async def test_insight_page(
    app, client: Browser, author: Staff, reviewer: Staff, sessionmaker
) -> None:
    viewed = await published_article(sessionmaker, author, reviewer, es="Muy leído.")
    disliked = await published_article(sessionmaker, author, reviewer, es="No sirve.")
    query = "visa para marte " + unique_slug()
    today = date.today()
    async with sessionmaker() as db, db.begin():
        for n in range(400):  # more readers than any other test gives an article
            db.add(ArticleView(article_id=viewed.id, reader_key=f"r{n}", day=today, locale="es"))
        db.add(ArticleView(article_id=disliked.id, reader_key="old", locale="es",
                           day=today - timedelta(days=90)))  # fmt: skip
        for n in range(300):
            db.add(
                ArticleVote(article_id=disliked.id, locale="es", reader_key=f"v{n}",
                            helpful=False, comment=f"Comentario <i>{n}</i>" if n > 296 else "")
            )  # fmt: skip
        db.add(SearchStat(query=query, locale="ht", searches=5000, zero_results=4999,
                          last_at=utcnow()))  # fmt: skip
    await factories.sign_in_staff(client, author.email)
    response = await client.get(url(app, "kb_insight"))
    assert response.status_code == 200
    text = page_text(response.text)
    assert "Título es" in text and query in text and "4999" in text
    assert "Comentario <i>299</i>" in text and "<i>299</i>" not in response.text
    sections = response.text.split("<section")
    recent = next(s for s in sections if "recent-title" in s)
    all_time = next(s for s in sections if "all-time-title" in s)
    edit_viewed = url(app, "kb_article_edit", article_id=viewed.id)
    edit_disliked = url(app, "kb_article_edit", article_id=disliked.id)
    assert edit_viewed in recent and edit_disliked not in recent  # 90 days ago is not recent
    assert edit_viewed in all_time
    rated = next(s for s in sections if "rated-title" in s)
    assert edit_disliked in rated and "0 %" in page_text(rated)
