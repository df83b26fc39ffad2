"""Reader pages: categories, articles (with Spanish fallback), print view, votes, search,
and the deflection fragment used by the request form."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Hashable
from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import SUPPORTED_LOCALES, get_locale
from helpdesk.core.i18n import gettext as _
from helpdesk.core.templating import is_htmx, render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to, settings
from helpdesk.reference.data import TOPICS
from knowledge_base import deflection, service
from knowledge_base.labels import topic_names, type_names
from knowledge_base.models import ARTICLE_TYPES
from knowledge_base.search.index import index_generation

READER_COOKIE = "rid"
READER_MAX_AGE = 2 * 365 * 24 * 3600
# The articles this reader voted on ("12.40.7"), so the page looks up a vote only where there
# is one: most readers never vote, and the article page then needs no database at all.
VOTED_COOKIE = "kbv"
VOTED_KEPT = 50  # the most recent; an older vote is still counted, only not recalled on the page
SEARCH_LIMIT = 10
MAX_QUERY = 200
MAX_COMMENT = 1000
OFFICE_TZ = ZoneInfo("America/Santiago")


def _reader(request: Request) -> tuple[str, str | None]:
    """(reader key, new cookie value to set or None). Readers are anonymous: a random id."""
    raw = request.cookies.get(READER_COOKIE)
    new = None
    if not raw or len(raw) > 64:
        raw = new = secrets.token_urlsafe(24)
    return service.reader_key(settings(request).secret_key, raw), new


def _remember_reader(request: Request, response: Response, new: str | None) -> Response:
    if new:
        # What ``response.set_cookie`` writes, without building a SimpleCookie: every first
        # visit of the most read page sets it, and the value (token_urlsafe) needs no quoting.
        secure = "; Secure" if settings(request).session_https_only else ""
        response.headers.append(
            "set-cookie",
            f"{READER_COOKIE}={new}; HttpOnly; Max-Age={READER_MAX_AGE}; Path=/; SameSite=lax"
            + secure,
        )
    return response


def _voted(request: Request) -> list[int]:
    raw = request.cookies.get(VOTED_COOKIE, "")[:1000]
    return [int(part) for part in raw.split(".") if part.isdigit() and len(part) < 10]


def _remember_vote(request: Request, response: Response, article_id: int) -> None:
    earlier = [a for a in _voted(request) if a != article_id][-(VOTED_KEPT - 1) :]
    voted = [*earlier, article_id]
    response.set_cookie(
        VOTED_COOKIE,
        ".".join(map(str, voted)),
        max_age=2 * 365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=settings(request).session_https_only,
    )


def _labels() -> dict[str, object]:
    return _labels_in(get_locale())


@functools.cache
def _labels_in(locale: str) -> dict[str, object]:
    # Catalogues never change while the process runs; ``locale`` is the current one.
    return {"topic_names": topic_names(), "type_names": type_names()}


# Readers' browsers send a few user agents over and over: each is checked once.
_is_bot = functools.lru_cache(maxsize=4096)(service.is_bot)


async def home(request: Request) -> Response:
    counts = await service.category_counts(db(request))
    topics = [code for code in TOPICS if counts.get(code)]
    context = {"topics": topics, "counts": counts, "query": "", **_labels()}
    return render(request, "knowledge_base/reader/home.html", context)


async def category(request: Request) -> Response:
    code = request.path_params["category"]
    if code not in TOPICS:
        raise NotFound("topic")
    articles = await service.category_articles(db(request), code, get_locale())
    context = {"topic": code, "articles": articles, **_labels()}
    return render(request, "knowledge_base/reader/category.html", context)


def _text_locale(request: Request) -> str | None:
    if not request.scope.get("query_string"):
        return None  # most visits: no need to parse a query
    text_locale = request.query_params.get("texto")
    return text_locale if text_locale in SUPPORTED_LOCALES else None


async def _page_context(request: Request) -> tuple[dict[str, object], str | None, Hashable]:
    """The article's page (kept between requests: ``article_cache``), the reader's key, and
    the token of the page's state for the rendered-page cache."""
    page, generation = await request.app.state.article_cache.page(
        lambda: db(request), request.path_params["slug"], get_locale(), _text_locale(request)
    )
    key, new_cookie = _reader(request)
    return {"page": page, "reader_key": key, **_labels()}, new_cookie, generation


async def article(request: Request) -> Response:
    """The most read page: a kept page, a view noted in memory (``view_counts``), and the
    reader's earlier vote looked up only where they voted."""
    context, new_cookie, generation = await _page_context(request)
    page = context["page"]
    assert isinstance(page, service.ArticlePage)
    key = str(context["reader_key"])
    if not _is_bot(request.headers.get("user-agent")):
        today = datetime.now(OFFICE_TZ).date()
        request.app.state.view_counts.note(page.article_id, key, page.locale, today)
    # Most visits carry no query: parsing one costs as much as the rest of a kept page.
    params = request.query_params if request.scope.get("query_string") else None
    draft = params.get("desde") if params else None
    if draft:
        await deflection.opened(db(request), draft, page.slug)
    vote = None
    if not new_cookie and page.article_id in _voted(request):
        vote = await service.reader_vote(db(request), page.article_id, key)
    thanks = params is not None and params.get("gracias") == "1"
    context.update(vote=vote, thanks=thanks, errors={})
    template = "knowledge_base/reader/article.html"
    if vote is None and (params is None or params.keys() <= {"texto"}):
        # The same for every reader of a language who has not voted on it.
        response = request.app.state.page_cache.render(request, template, context, generation)
    else:
        response = render(request, template, context)
    return _remember_reader(request, response, new_cookie)


async def printable(request: Request) -> Response:
    context, _new, _generation = await _page_context(request)
    return render(request, "knowledge_base/reader/print.html", context)


async def vote(request: Request) -> Response:
    context, new_cookie, _generation = await _page_context(request)
    page = context["page"]
    assert isinstance(page, service.ArticlePage)
    async with request.form() as form:
        helpful_raw = str(form.get("helpful") or "")
        comment = str(form.get("comment") or "").strip()
    errors: dict[str, str] = {}
    if helpful_raw not in ("1", "0"):
        errors["helpful"] = _("Elija «Sí» o «No».")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("El comentario puede tener hasta %(n)s caracteres.", n=MAX_COMMENT)
    if errors:
        context.update(vote=None, thanks=False, errors=errors)
        template = (
            "knowledge_base/reader/_vote.html"
            if is_htmx(request)
            else "knowledge_base/reader/article.html"
        )
        return render(request, template, context, 422)
    await service.vote(
        db(request),
        page.article_id,
        str(context["reader_key"]),
        page.locale,
        helpful_raw == "1",
        comment,
    )
    if is_htmx(request):
        vote_row = await service.reader_vote(
            db(request), page.article_id, str(context["reader_key"])
        )
        context.update(vote=vote_row, thanks=True, errors={})
        response = render(request, "knowledge_base/reader/_vote.html", context)
    else:
        query = {"gracias": 1}
        response = redirect_to("kb_article", slug=page.slug, query=query, fragment="voto")
    _remember_vote(request, response, page.article_id)
    return _remember_reader(request, response, new_cookie)


def _filters(request: Request) -> tuple[str, str | None, str | None]:
    query = (request.query_params.get("q") or "").strip()[:MAX_QUERY]
    topic = request.query_params.get("tema") or None
    kind = request.query_params.get("tipo") or None
    return query, topic if topic in TOPICS else None, kind if kind in ARTICLE_TYPES else None


async def search(request: Request) -> Response:
    query, topic, kind = _filters(request)
    index = request.app.state.kb_index
    hits: list[object] = []
    if query:
        hits = list(await index.search(db(request), query, get_locale(), topic, kind, SEARCH_LIMIT))
        request.app.state.search_stats.note(query, get_locale(), len(hits))
    context = {
        "query": query,
        "topic": topic,
        "kind": kind,
        "hits": hits,
        "topics": TOPICS,
        "types": ARTICLE_TYPES,
        **_labels(),
    }
    template = (
        "knowledge_base/reader/_results.html"
        if is_htmx(request)
        else "knowledge_base/reader/search.html"
    )
    # Result pages are the same for every anonymous reader of a language until the index
    # changes: rendered once per index generation.
    return request.app.state.page_cache.render(request, template, context, index_generation(index))


async def suggestions(request: Request) -> Response:
    """htmx fragment for the request form: articles matching what the person is writing."""
    text = (request.query_params.get("texto") or "")[:2000]
    draft = (request.query_params.get("borrador") or "")[: deflection.DRAFT_KEY_LENGTH] or None
    hits = await deflection.suggest(
        request.app.state.kb_index, db(request), text, get_locale(), draft
    )
    context = {"hits": hits, "draft": draft, **_labels()}
    return render(request, "knowledge_base/reader/_suggestions.html", context)


routes = [
    # The most read page first: routes are tried in order.
    Route("/ayuda/articulo/{slug}", article, name="kb_article"),
    Route("/ayuda", home, name="kb_home"),
    Route("/ayuda/buscar", search, name="kb_search"),
    Route("/ayuda/sugerencias", suggestions, name="kb_suggestions"),
    Route("/ayuda/tema/{category}", category, name="kb_category"),
    Route("/ayuda/articulo/{slug}/imprimir", printable, name="kb_article_print"),
    Route("/ayuda/articulo/{slug}/voto", vote, methods=["POST"], name="kb_vote"),
]
