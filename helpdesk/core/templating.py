"""Jinja2 environment: autoescaping, gettext bound to the request's locale, formatting filters."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from functools import lru_cache
from html import escape as html_escape
from pathlib import Path
from typing import Any

import jinja2
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from helpdesk.core import i18n, links
from helpdesk.core.compression import GzipWithSlots, accepts_gzip
from helpdesk.core.message_text import message_html
from helpdesk.core.security import csrf_token
from helpdesk.core.settings import PROJECT_ROOT, Settings
from helpdesk.core.static_files import static_assets

TEMPLATES_DIR = PROJECT_ROOT / "templates"
HTMX_VERSION = "2.0.11"
VARY = "HX-Request, Cookie, Accept-Language"


@lru_cache(maxsize=16384)
def _escaped_translation(locale: str, message: str) -> Markup:
    # A queue page asks for the same few labels hundreds of times; catalogues never change
    # while the process runs (i18n.translations is cached too).
    return escape(i18n.translations(locale).ugettext(message))


@jinja2.pass_eval_context
def _gettext(eval_ctx: EvalContext, message: str, **variables: Any) -> str:
    if not eval_ctx.autoescape:
        text: str = i18n.translations(i18n.get_locale()).ugettext(message)
        return text % variables if variables else text
    markup = _escaped_translation(i18n.get_locale(), message)
    if not variables:
        return markup
    # What Markup's own % does (escape each value), without its per-value helper objects:
    # a queue page formats hundreds of these. Numbers stay numbers for %d and %.1f.
    values = {k: v if isinstance(v, int | float) else escape(v) for k, v in variables.items()}
    return Markup(str.__mod__(markup, values))  # noqa: S704 (escaped text, escaped values)


@jinja2.pass_eval_context
def _ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any) -> str:
    text: str = i18n.translations(i18n.get_locale()).ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = escape(text)
    return text % {"num": num, **variables}


def escape_text(value: str) -> str:
    """``value`` escaped for HTML text and attribute values, as a plain str: for pages built
    in Python a row at a time (``tickets/queue/rows.py``). Most values hold nothing to
    escape, and looking first takes half the time of escaping."""
    if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
        return html_escape(value, quote=True)
    return value


def options(choices: Mapping[Any, str] | Iterable[Any], selected: object = None) -> Markup:
    """A select's <option> elements, value and label escaped, the one equal to ``selected``
    marked. ``choices``: a mapping or pairs of value and label, or values that are their own
    label. One call rather than a Jinja loop: the queue page lists some forty options."""
    pairs = choices.items() if isinstance(choices, Mapping) else choices
    html = []
    for choice in pairs:
        value, label = (choice, choice) if isinstance(choice, str) else choice
        mark = " selected" if value == selected else ""
        html.append(
            f'<option value="{escape_text(str(value))}"{mark}>{escape_text(str(label))}</option>'
        )
    return Markup("".join(html))  # noqa: S704 (each value and label escaped above)


def _per_language(env: jinja2.Environment) -> Any:
    """``per_language(name)``: a partial that depends on nothing but the language (help text,
    a dialog), rendered once per language and kept. Rendered with no page variables, so one
    that uses any fails (StrictUndefined). Rendered again each time when templates reload."""
    rendered: dict[tuple[str, str], Markup] = {}

    def per_language(name: str) -> Markup:
        key = (name, i18n.get_locale())
        found = rendered.get(key)
        if found is None or env.auto_reload:
            found = rendered[key] = Markup(env.get_template(name).render())  # noqa: S704
        return found

    return per_language


def make_environment(settings: Settings, directory: Path = TEMPLATES_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,  # every template, whatever its extension: emails' .txt are rendered apart
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        auto_reload=settings.app_env == "development",
        enable_async=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    # Jinja's newstyle wrappers cost three context calls per string; pages have dozens of
    # strings, so templates call these directly (same semantics: placeholders are escaped).
    env.globals.update(gettext=_gettext, ngettext=_ngettext, _=_gettext)
    env.globals.update(
        per_language=_per_language(env),
        # Links by route name, as paths; set before Jinja2Templates adds Starlette's url_for,
        # which needs the request (cached pages and emails are rendered without one).
        url_for=links.url_path,
        options=options,
        language_names=i18n.LANGUAGE_NAMES,
        supported_locales=i18n.SUPPORTED_LOCALES,
        get_locale=i18n.get_locale,
        app_env=settings.app_env,
        htmx_version=HTMX_VERSION,
        static_url=static_assets(settings.app_env != "development").url,
        claveunica_enabled=settings.claveunica_enabled,
        staff_oidc_enabled=settings.staff_oidc_enabled,
    )
    env.filters.update(
        date=i18n.format_date,
        weekday_date=i18n.format_weekday_date,
        datetime=i18n.format_datetime,
        number=i18n.format_number,
        message=message_html,
    )
    return env


def _current_path(request: Request) -> str:
    """Where the language switcher comes back to: this page, with its query."""
    query = request.url.query
    return f"{request.url.path}?{query}" if query else request.url.path


def _request_context(request: Request) -> dict[str, Any]:
    return {
        "csrf_token": lambda: csrf_token(request),
        "viewer": request.session.get("viewer"),
        "current_path": _current_path(request),
    }


def make_templates(settings: Settings) -> Jinja2Templates:
    return Jinja2Templates(env=make_environment(settings), context_processors=[_request_context])


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, name, context or {}, status_code=status_code)
    response.headers["Vary"] = VARY
    return response


# Stands in for the visitor's CSRF token in cached pages; random so no page text can match it.
_TOKEN_SLOT = "csrf-slot-" + secrets.token_hex(16)


class AnonymousPageCache:
    """Pages that are the same for every visitor without a session, rendered once.

    Only the CSRF token differs between visitors: it is rendered as a slot and filled in per
    request. A page is cached per template, language, URL and an optional ``generation`` (the
    search index's state, for result pages): a new generation replaces the entry. Templates
    change only on deployment. Bounded: least recently used pages go first. For browsers
    that take gzip the page is also kept compressed, the token's slots apart
    (``compression.GzipWithSlots``): compressing each response would cost twice the rest.
    """

    def __init__(self, enabled: bool, maxsize: int = 2048) -> None:
        self.enabled = enabled
        self.maxsize = maxsize
        self._pages: OrderedDict[tuple[Hashable, ...], _KeptPage] = OrderedDict()

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        generation: Hashable = None,
    ) -> HTMLResponse:
        if not self.enabled or request.session.get("viewer"):
            return render(request, name, context)
        # The raw path and query: building request.url costs more than the rest of a hit.
        key = (name, i18n.get_locale(), request.scope["path"], request.scope["query_string"])
        entry = self._pages.get(key)
        if entry is not None and entry.generation == generation:
            self._pages.move_to_end(key)
        else:
            templates: Jinja2Templates = request.app.state.templates
            full = {
                **(context or {}),
                "csrf_token": lambda: _TOKEN_SLOT,
                "viewer": None,
                "current_path": _current_path(request),
            }
            entry = _KeptPage(generation, templates.get_template(name).render(full))
            self._pages[key] = entry
            self._pages.move_to_end(key)
            while len(self._pages) > self.maxsize:
                self._pages.popitem(last=False)
        if accepts_gzip(request.scope):
            body = entry.gzipped().fill(csrf_token(request).encode())
            headers = {"Content-Encoding": "gzip", "Vary": f"{VARY}, Accept-Encoding"}
            return HTMLResponse(body, headers=headers)
        response = HTMLResponse(entry.page.replace(_TOKEN_SLOT, csrf_token(request)))
        response.headers["Vary"] = VARY
        return response


class _KeptPage:
    __slots__ = ("_gzipped", "generation", "page")

    def __init__(self, generation: Hashable, page: str) -> None:
        self.generation = generation
        self.page = page
        self._gzipped: GzipWithSlots | None = None

    def gzipped(self) -> GzipWithSlots:
        if self._gzipped is None:
            parts = [part.encode() for part in self.page.split(_TOKEN_SLOT)]
            self._gzipped = GzipWithSlots(parts)
        return self._gzipped


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
