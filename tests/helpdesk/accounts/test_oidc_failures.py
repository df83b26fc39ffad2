"""ClaveÚnica down or cancelled: a clear page, never a crash."""

from __future__ import annotations

import socket

import httpx2

from tests.conftest import make_app
from tests.support.http import Browser, page_text


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_provider_down_and_cancelled(settings) -> None:
    port = closed_port()
    app = make_app(
        settings,
        claveunica_client_id="portal",
        claveunica_client_secret="secret",
        claveunica_metadata_url=f"http://127.0.0.1:{port}/.well-known/openid-configuration",
    )
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        browser = Browser(http)
        down = await browser.get("/auth/claveunica")
        assert down.status_code == 503
        assert "no responde en este momento" in page_text(down.text)
        cancelled = await browser.get("/auth/claveunica/callback?error=access_denied&state=x")
        assert cancelled.status_code == 200
        assert "Usted canceló el ingreso" in page_text(cancelled.text)
        assert (await browser.get("/cuenta")).status_code == 303  # nobody signed in
    await app.state.engine.dispose()
