"""Error pages: localized, and nothing internal leaks when the database is gone."""

from __future__ import annotations

import socket

import httpx2
import pytest

from tests.conftest import make_app
from tests.support.http import Browser, page_text, parse


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def broken_browser(settings):
    url = f"postgresql+asyncpg://nobody@127.0.0.1:{closed_port()}/none"
    app = make_app(settings, database_url=url)
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Browser(http)
    await app.state.engine.dispose()


async def test_database_down_gives_a_localized_500_page(broken_browser) -> None:
    broken_browser.http.cookies.set("lang", "fr")
    response = await broken_browser.submit(
        "/staff/ingresar", {"email": "a@b.cl", "password": "x" * 12}
    )
    assert response.status_code == 500
    assert parse(response.text).html_lang == "fr"
    text = page_text(response.text)
    assert "Traceback" not in response.text and "asyncpg" not in response.text
    assert "500" in text


async def test_database_down_api_error_shape(broken_browser) -> None:
    response = await broken_browser.get("/api/v1/regions")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "asyncpg" not in response.text and "127.0.0.1" not in response.text


async def test_readyz_reports_the_database_down(broken_browser) -> None:
    response = await broken_browser.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.parametrize(("locale", "status"), [("ht", 404), ("zh", 404), ("ru", 403)])
async def test_error_pages_in_the_viewers_language(client, locale: str, status: int) -> None:
    path = "/no-such-page" if status == 404 else "/idioma"
    if status == 404:
        response = await client.get(path, headers={"Cookie": f"lang={locale}"})
    else:
        await client.get("/")
        response = await client.post(
            path, data={"lang": "es"}, headers={"Cookie": f"lang={locale}"}
        )
    assert response.status_code == status
    assert parse(response.text).html_lang == locale
