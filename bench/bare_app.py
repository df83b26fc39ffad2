"""The ceiling for bench/load.py: Starlette answering "ok" through the same session and locale
middleware the portal runs, and nothing else (no template, no database, no CSRF)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from helpdesk.core.i18n import LocaleMiddleware

SECRET_KEY = "bench-only-secret-key-" + "x" * 32  # a loopback benchmark: nothing to protect


async def ok(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(
    routes=[Route("/", ok)],
    middleware=[
        Middleware(LocaleMiddleware),
        Middleware(SessionMiddleware, secret_key=SECRET_KEY, same_site="lax"),
    ],
)
