"""Small helpers shared by route modules: settings, redirects, client address."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse, Response

from helpdesk.core import links
from helpdesk.core.i18n import LOCALE_COOKIE
from helpdesk.core.settings import Settings


def settings(conn: HTTPConnection) -> Settings:
    return conn.app.state.settings  # type: ignore[no-any-return]


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


def redirect(url: str) -> RedirectResponse:
    """After a POST: 303, so the browser follows with a GET. ``url`` comes from
    ``links.url_path`` (or ``safe_next``); ``redirect_to`` does both in one call."""
    return RedirectResponse(url, status_code=303)


def redirect_to(
    name: str, /, *, query: links.Query | None = None, fragment: str = "", **params: Any
) -> RedirectResponse:
    """303 to the route ``name`` (see ``links.url_path``)."""
    return redirect(links.url_path(name, query=query, fragment=fragment, **params))


def safe_next(value: str | None, default: str) -> str:
    """Only local paths, so a crafted link cannot send people elsewhere after signing in;
    otherwise ``default`` (a ``links.url_path``)."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default


def remember_locale(response: Response, locale: str, secure: bool) -> None:
    """The explicit language choice, kept for a year."""
    response.set_cookie(
        LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, httponly=True, samesite="lax", secure=secure
    )
