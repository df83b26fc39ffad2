"""/api/v1/kb: search and read articles, with the same ranking as the search page."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpdesk.api.openapi import operation
from helpdesk.api.validation import InvalidInput
from helpdesk.core import links
from helpdesk.core.i18n import SUPPORTED_LOCALES, get_locale
from helpdesk.core.i18n import gettext as _
from helpdesk.core.unit_of_work import db
from knowledge_base import service
from knowledge_base.models import ARTICLE_TYPES

Locale = Literal["es", "ht", "en", "fr", "zh", "ru"]
MAX_LIMIT = 50


class SearchHitOut(BaseModel):
    slug: str
    title: str
    language: str
    type: str
    category: str
    url: str
    snippet: str


class SearchOut(BaseModel):
    query: str
    language: str
    items: list[SearchHitOut]


class StepOut(BaseModel):
    title: str
    html: str


class ArticleOut(BaseModel):
    slug: str
    title: str
    language: str
    requested_language: str
    type: str
    category: str
    summary: str
    html: str
    steps: list[StepOut]
    transcript: str
    video_url: str | None
    outdated: bool
    available_languages: list[str]
    last_reviewed_at: datetime | None
    url: str


def _locale(request: Request) -> str:
    lang = request.query_params.get("lang")
    if lang is None:
        return get_locale()
    if lang not in SUPPORTED_LOCALES:
        raise InvalidInput(_("Idioma no disponible."), [{"field": "lang", "problem": "enum"}])
    return lang


def _param(
    name: str, description: str, required: bool = False, **schema: object
) -> dict[str, object]:
    """A query parameter; ``schema`` states what the handler refuses, so the published
    schema and the 422s agree (schemathesis checks both ways)."""
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": "string", **schema},
    }


LANG = {"enum": list(SUPPORTED_LOCALES)}


@operation(
    "/kb/search",
    "GET",
    "Search the knowledge base",
    "knowledge base",
    response_model=SearchOut,
    parameters=(
        _param("q", "What the reader typed", True, minLength=1, maxLength=200, pattern=r"\S"),
        _param("lang", "Reader's language (es, ht, en, fr, zh, ru)", **LANG),
        _param("category", "A trámite topic"),
        _param("type", "ficha, guia, tip or video", enum=list(ARTICLE_TYPES)),
        _param("limit", "1 to 50, default 10", type="integer", minimum=1, maximum=MAX_LIMIT),
    ),
)
async def search(request: Request) -> Response:
    locale = _locale(request)
    query = (request.query_params.get("q") or "").strip()
    if not query or len(query) > 200:
        raise InvalidInput(
            _("Escriba qué busca (hasta 200 caracteres)."), [{"field": "q", "problem": "length"}]
        )
    kind = request.query_params.get("type")
    if kind is not None and kind not in ARTICLE_TYPES:
        raise InvalidInput(
            _("Tipo de artículo desconocido."), [{"field": "type", "problem": "enum"}]
        )
    limit_raw = request.query_params.get("limit", "10")
    if not limit_raw.isdecimal() or not 1 <= int(limit_raw) <= MAX_LIMIT:
        raise InvalidInput(
            _("El límite debe ser un número entre 1 y 50."),
            [{"field": "limit", "problem": "range"}],
        )
    hits = await request.app.state.kb_index.search(
        db(request), query, locale, request.query_params.get("category"), kind, int(limit_raw)
    )
    request.app.state.search_stats.note(query, locale, len(hits))
    items = [
        SearchHitOut(
            slug=h.slug,
            title=h.title,
            language=h.locale,
            type=h.type,
            category=h.category,
            url=links.url_path("kb_article", slug=h.slug),
            snippet=str(h.snippet),
        )
        for h in hits
    ]
    body = SearchOut(query=query, language=locale, items=items)
    return JSONResponse(body.model_dump(mode="json"))


@operation(
    "/kb/articles/{slug}",
    "GET",
    "One published article",
    "knowledge base",
    response_model=ArticleOut,
    parameters=(
        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
        _param("lang", "Reader's language; Spanish is returned when missing", **LANG),
    ),
)
async def article(request: Request) -> Response:
    page = await service.article_page(db(request), request.path_params["slug"], _locale(request))
    body = ArticleOut(
        slug=page.slug,
        title=page.title,
        language=page.locale,
        requested_language=page.requested_locale,
        type=page.type,
        category=page.category,
        summary=page.summary,
        html=page.body_html,
        steps=[StepOut(title=s.title, html=s.html) for s in page.steps],
        transcript=page.transcript,
        video_url=page.video_url,
        outdated=page.outdated,
        available_languages=page.available_locales,
        last_reviewed_at=page.last_reviewed_at,
        url=links.url_path("kb_article", slug=page.slug),
    )
    return JSONResponse(body.model_dump(mode="json"))


routes = [
    Route("/kb/search", search, name="api_kb_search"),
    Route("/kb/articles/{slug}", article, name="api_kb_article"),
]
