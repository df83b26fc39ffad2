"""Jinja2 environment: autoescaping, gettext bound to the request's locale, formatting filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from helpdesk.core import i18n
from helpdesk.core.security import csrf_token
from helpdesk.core.settings import PROJECT_ROOT, Settings

TEMPLATES_DIR = PROJECT_ROOT / "templates"
HTMX_VERSION = "2.0.11"


def make_environment(settings: Settings, directory: Path = TEMPLATES_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,  # every template, whatever its extension: emails' .txt are rendered apart
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        auto_reload=not settings.is_production,
        enable_async=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message, **kw: i18n.gettext(message, **kw),
        ngettext=lambda s, p, n, **kw: i18n.ngettext(s, p, n, **kw),
        newstyle=True,
    )
    env.globals.update(
        language_names=i18n.LANGUAGE_NAMES,
        supported_locales=i18n.SUPPORTED_LOCALES,
        get_locale=i18n.get_locale,
        app_env=settings.app_env,
        htmx_version=HTMX_VERSION,
        claveunica_enabled=settings.claveunica_enabled,
        staff_oidc_enabled=settings.staff_oidc_enabled,
    )
    env.filters.update(
        date=i18n.format_date,
        weekday_date=i18n.format_weekday_date,
        datetime=i18n.format_datetime,
        number=i18n.format_number,
    )
    return env


def _request_context(request: Request) -> dict[str, Any]:
    return {
        "csrf_token": lambda: csrf_token(request),
        "viewer": request.session.get("viewer"),
        "current_path": request.url.path,
    }


def make_templates(settings: Settings) -> Jinja2Templates:
    return Jinja2Templates(env=make_environment(settings), context_processors=[_request_context])


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, name, context or {}, status_code=status_code)
    response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
