"""The editors' pages under /staff/kb: articles, working copies, review, versions and insight.

Handlers stay thin: parse the form (``editor_forms``), call the service (``editorial`` for
changes, ``insight`` for reads; both check the role), and answer a page, a 422 with the form
again, or a 303. Every change is a POST carrying the CSRF token. Only the live preview uses
htmx; its button works as a plain form submit too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import helpdesk.core.row_ids  # noqa: F401  (registers the {name:id} route convertor)
from helpdesk.accounts import session
from helpdesk.accounts.permissions import Viewer
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import SUPPORTED_LOCALES
from helpdesk.core.templating import is_htmx, render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to
from helpdesk.reference.data import TOPICS, TRAMITES
from knowledge_base import editorial, insight
from knowledge_base.editor_forms import (
    NOTE_MAX,
    SEND_BACK_NOTE_MAX,
    StepRow,
    TranslationInput,
    article_values,
    parse_article,
    parse_note,
    parse_translation,
)
from knowledge_base.labels import topic_names, type_names
from knowledge_base.models import ARTICLE_TYPES, Translation

BLANK_STEP_ROWS = 2
NOTICES = ("guardado", "enviado", "publicado", "devuelto", "archivado", "restaurado", "creado")
EDIT_PAGE = "knowledge_base/editor/translation.html"


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    base = {
        "topic_names": topic_names(),
        "type_names": type_names(),
        "errors": {},
    }
    return render(request, template, {**base, **context}, status)


def _locale(request: Request) -> str:
    locale = str(request.path_params["locale"])
    if locale not in SUPPORTED_LOCALES:
        raise NotFound("locale")
    return locale


def _notice(request: Request) -> str | None:
    value = request.query_params.get("aviso")
    return value if value in NOTICES else None


# --- lists


async def home(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    articles = await insight.list_articles(db(request), viewer)
    queue = await insight.review_queue(db(request), viewer)
    return _page(
        request,
        "knowledge_base/editor/home.html",
        {"articles": articles, "queue": queue},
    )


async def outdated(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    rows = await insight.outdated_translations(db(request), viewer)
    return _page(request, "knowledge_base/editor/outdated.html", {"rows": rows})


async def insight_page(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    data = await insight.insight(db(request), viewer)
    return _page(request, "knowledge_base/editor/insight.html", {"insight": data})


# --- articles


def _article_context(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    types, topics = type_names(), topic_names()
    return {
        "values": values,
        "errors": errors,
        "type_options": [(code, types[code]) for code in ARTICLE_TYPES],
        "topic_options": [(code, topics.get(code, code)) for code in TOPICS],
        "tramite_options": [(t.code, t.name) for t in TRAMITES],
    }


async def article_new(request: Request) -> Response:
    viewer = editorial.require_editor(await session.staff_viewer(request))
    values: dict[str, Any] = {"type": "ficha", "category": "", "tramites": []}
    errors: dict[str, str] = {}
    if request.method == "POST":
        async with request.form() as form:
            data, errors = parse_article(form, creating=True)
            values = article_values(form)
        if data is not None:
            try:
                article = await editorial.create_article(
                    db(request), viewer, session.actor(request, viewer), data
                )
            except editorial.ArticleInputError as exc:
                errors = {exc.field: exc.message}
            else:
                return redirect_to(
                    "kb_translation_edit",
                    article_id=article.id,
                    locale="es",
                    query={"aviso": "creado"},
                )
    context = _article_context(values, errors)
    return _page(request, "knowledge_base/editor/article_new.html", context, 422 if errors else 200)


async def article_edit(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    article_id = int(request.path_params["article_id"])
    metadata = await editorial.article_metadata(db(request), viewer, article_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        async with request.form() as form:
            data, errors = parse_article(form, creating=False)
            values = article_values(form)
        if data is not None:
            try:
                await editorial.update_article(
                    db(request), viewer, session.actor(request, viewer), article_id, data
                )
            except editorial.ArticleInputError as exc:
                errors = {exc.field: exc.message}
            else:
                query = {"aviso": "guardado"}
                return redirect_to("kb_article_edit", article_id=article_id, query=query)
    else:
        article = metadata.article
        values = {
            "type": article.type,
            "category": article.category,
            "tramites": metadata.tramites,
            "tags": ", ".join(metadata.tags),
            "related": ", ".join(metadata.related),
            "video_url": article.video_url or "",
        }
    overview = await insight.list_articles(db(request), viewer, article_id)
    context = {
        **_article_context(values, errors),
        "article": metadata.article,
        "overview": overview[0],
        "notice": _notice(request),
    }
    return _page(request, "knowledge_base/editor/article.html", context, 422 if errors else 200)


# --- one translation


@dataclass(frozen=True)
class TranslationPage:
    """The edit page, and what its preview partial needs."""

    state: insight.TranslationState
    values: TranslationInput
    rows: list[StepRow]
    errors: dict[str, str] = field(default_factory=dict)
    preview: editorial.Preview | None = None
    notice: str | None = None
    note: str = ""

    @property
    def locale(self) -> str:
        return self.state.locale


def _stored_values(translation: Translation | None) -> tuple[TranslationInput, list[StepRow]]:
    if translation is None:
        return TranslationInput(title=""), _with_blanks([])
    steps = [dict(step) for step in translation.steps or []]
    rows = [
        StepRow(s.get("title", ""), s.get("body", ""), s.get("image", ""), str(index))
        for index, s in enumerate(steps, start=1)
    ]
    values = TranslationInput(
        translation.title,
        translation.summary or "",
        translation.body_md or "",
        tuple(steps),
        translation.transcript or "",
    )
    return values, _with_blanks(rows)


def _with_blanks(rows: list[StepRow]) -> list[StepRow]:
    blanks = sum(1 for row in rows[-BLANK_STEP_ROWS:] if row.blank)
    return rows + [StepRow() for _ in range(BLANK_STEP_ROWS - blanks)]


async def _edit_page(
    request: Request, viewer: Viewer, status: int = 200, **changes: Any
) -> Response:
    article_id = int(request.path_params["article_id"])
    state = await insight.translation_state(db(request), viewer, article_id, _locale(request))
    values, rows = _stored_values(state.translation)
    page = replace(TranslationPage(state, values, rows, notice=_notice(request)), **changes)
    return _page(request, EDIT_PAGE, {"page": page, "errors": page.errors}, status)


async def translation_edit(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    if request.method == "GET":
        return await _edit_page(request, viewer)
    article_id, locale = int(request.path_params["article_id"]), _locale(request)
    article = await editorial.get_article(db(request), viewer, article_id)
    async with request.form() as form:
        parsed, errors = parse_translation(form, article.type)
    if errors:
        return await _edit_page(
            request, viewer, 422, values=parsed.text, rows=_with_blanks(parsed.rows), errors=errors
        )
    await editorial.save_translation(
        db(request), viewer, session.actor(request, viewer), article_id, locale, parsed.text
    )
    return redirect_to(
        "kb_translation_edit", article_id=article_id, locale=locale, query={"aviso": "guardado"}
    )


async def translation_preview(request: Request) -> Response:
    """The htmx live preview (the partial alone) or, without JavaScript, the whole edit page."""
    viewer = await session.staff_viewer(request)
    article_id, locale = int(request.path_params["article_id"]), _locale(request)
    article = await editorial.get_article(db(request), viewer, article_id)
    async with request.form() as form:
        parsed, _errors = parse_translation(form, article.type)
    preview = editorial.preview(viewer, parsed.text)
    if is_htmx(request):
        return _page(
            request,
            "knowledge_base/editor/_preview.html",
            {"preview": preview, "locale": locale},
        )
    return await _edit_page(
        request, viewer, values=parsed.text, rows=_with_blanks(parsed.rows), preview=preview
    )


async def _workflow_step(request: Request, step: str) -> Response:
    viewer = await session.staff_viewer(request)
    article_id, locale = int(request.path_params["article_id"]), _locale(request)
    actor = session.actor(request, viewer)
    async with request.form() as form:
        required = step == "send_back"
        note, errors = parse_note(form, required, SEND_BACK_NOTE_MAX if required else NOTE_MAX)
    if errors:
        return await _edit_page(request, viewer, 422, errors=errors, note=note)
    service = db(request)
    try:
        if step == "submit":
            await editorial.submit(service, viewer, actor, article_id, locale)
        elif step == "approve":
            await editorial.approve(service, viewer, actor, article_id, locale, note)
        elif step == "send_back":
            await editorial.send_back(service, viewer, actor, article_id, locale, note)
        else:
            await editorial.archive(service, viewer, actor, article_id, locale)
    except editorial.EditorialError as exc:
        return await _edit_page(request, viewer, exc.status_code, errors={"form": exc.message})
    notice = {"submit": "enviado", "approve": "publicado", "send_back": "devuelto"}.get(
        step, "archivado"
    )
    return redirect_to(
        "kb_translation_edit", article_id=article_id, locale=locale, query={"aviso": notice}
    )


async def translation_submit(request: Request) -> Response:
    return await _workflow_step(request, "submit")


async def translation_approve(request: Request) -> Response:
    return await _workflow_step(request, "approve")


async def translation_send_back(request: Request) -> Response:
    return await _workflow_step(request, "send_back")


async def translation_archive(request: Request) -> Response:
    return await _workflow_step(request, "archive")


# --- versions


async def _versions_page(
    request: Request, viewer: Viewer, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    article_id, locale = int(request.path_params["article_id"]), _locale(request)
    article = await editorial.get_article(db(request), viewer, article_id)
    translation, versions = await insight.list_versions(db(request), viewer, article_id, locale)
    context = {
        "article": article,
        "translation": translation,
        "locale": locale,
        "versions": versions,
        "errors": errors or {},
        "notice": _notice(request),
    }
    return _page(request, "knowledge_base/editor/versions.html", context, status)


async def versions(request: Request) -> Response:
    return await _versions_page(request, await session.staff_viewer(request))


async def diff(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    article_id, locale = int(request.path_params["article_id"]), _locale(request)
    article = await editorial.get_article(db(request), viewer, article_id)
    old, new = request.query_params.get("de", ""), request.query_params.get("a", "")
    if not (old.isdecimal() and new.isdecimal()):
        raise NotFound("versions")
    comparison = await insight.compare_versions(
        db(request), viewer, article_id, locale, int(old), int(new)
    )
    context = {"article": article, "locale": locale, "comparison": comparison}
    return _page(request, "knowledge_base/editor/diff.html", context)


async def rollback(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    article_id, locale = int(request.path_params["article_id"]), _locale(request)
    number = int(request.path_params["number"])
    async with request.form() as form:
        note, errors = parse_note(form, required=False)
    if errors:
        return await _versions_page(request, viewer, errors, 422)
    try:
        await editorial.rollback(
            db(request), viewer, session.actor(request, viewer), article_id, locale, number, note
        )
    except editorial.EditorialError as exc:
        return await _versions_page(request, viewer, {"form": exc.message}, exc.status_code)
    return redirect_to(
        "kb_translation_versions",
        article_id=article_id,
        locale=locale,
        query={"aviso": "restaurado"},
    )


routes = [
    Route("/staff/kb", home, name="kb_editor_home"),
    Route("/staff/kb/desactualizadas", outdated, name="kb_outdated"),
    Route("/staff/kb/indicadores", insight_page, name="kb_insight"),
    Route("/staff/kb/articulos/nuevo", article_new, methods=["GET", "POST"], name="kb_article_new"),
    Route(
        "/staff/kb/articulos/{article_id:id}",
        article_edit,
        methods=["GET", "POST"],
        name="kb_article_edit",
    ),
    Route(
        "/staff/kb/articulos/{article_id:id}/{locale}",
        translation_edit,
        methods=["GET", "POST"],
        name="kb_translation_edit",
    ),
    Route(
        "/staff/kb/articulos/{article_id:id}/{locale}/vista-previa",
        translation_preview,
        methods=["POST"],
        name="kb_translation_preview",
    ),
    Route(
        "/staff/kb/articulos/{article_id:id}/{locale}/enviar",
        translation_submit,
        methods=["POST"],
        name="kb_translation_submit",
    ),
    Route(
        "/staff/kb/articulos/{article_id:id}/{locale}/aprobar",
        translation_approve,
        methods=["POST"],
        name="kb_translation_approve",
    ),
    Route(
        "/staff/kb/articulos/{article_id:id}/{locale}/devolver",
        translation_send_back,
        methods=["POST"],
        name="kb_translation_send_back",
    ),
    Route(
        "/staff/kb/articulos/{article_id:id}/{locale}/archivar",
        translation_archive,
        methods=["POST"],
        name="kb_translation_archive",
    ),
    Route(
        "/staff/kb/articulos/{article_id:id}/{locale}/versiones",
        versions,
        name="kb_translation_versions",
    ),
    Route(
        "/staff/kb/articulos/{article_id:id}/{locale}/versiones/comparar",
        diff,
        name="kb_translation_diff",
    ),
    Route(
        "/staff/kb/articulos/{article_id:id}/{locale}/versiones/{number:id}/restaurar",
        rollback,
        methods=["POST"],
        name="kb_translation_rollback",
    ),
]
