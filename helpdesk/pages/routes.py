"""Home page, language switch, health and readiness probes."""

from __future__ import annotations

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.core import links
from helpdesk.core.i18n import SUPPORTED_LOCALES
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect, remember_locale, safe_next, settings
from helpdesk.people import service as people


async def home(request: Request) -> Response:
    # The most visited page: no database work, and rendered once per language for visitors
    # who are not signed in.
    return request.app.state.page_cache.render(request, "pages/home.html")


async def choose_language(request: Request) -> Response:
    async with request.form() as form:
        locale = str(form.get("lang") or "")
        next_path = safe_next(str(form.get("next") or ""), links.url_path("home"))
    if locale not in SUPPORTED_LOCALES:
        return redirect(next_path)
    viewer = (
        await session.current_viewer(request)
        if request.session.get(session.SESSION_VIEWER)
        else None
    )
    if viewer is not None:
        await people.set_preferred_locale(
            db(request), viewer, locale, session.actor(request, viewer)
        )
    response = redirect(next_path)
    remember_locale(response, locale, settings(request).session_https_only)
    return response


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    expected = request.app.state.migration_heads
    try:
        rows = (
            (await db(request).execute(text("SELECT version_num FROM alembic_version")))
            .scalars()
            .all()
        )
    except Exception as exc:  # any database failure means "not ready"
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, 503)
    if set(rows) != expected:
        return JSONResponse({"status": "migrations pending", "database": "ok"}, 503)
    return JSONResponse({"status": "ok", "database": "ok", "migrations": "current"})


routes = [
    Route("/", home, name="home"),
    Route("/idioma", choose_language, methods=["POST"], name="choose_language"),
    Route("/healthz", healthz, name="healthz"),
    Route("/readyz", readyz, name="readyz"),
]
