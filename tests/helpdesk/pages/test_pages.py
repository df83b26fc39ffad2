"""Home page, health probes and error pages."""

from __future__ import annotations

import pytest

from helpdesk.core.i18n import SUPPORTED_LOCALES
from tests.support.http import page_text, parse


async def test_home_page_in_spanish_by_default(client) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert parse(response.text).html_lang == "es"
    assert "¿En qué le podemos ayudar?" in page_text(response.text)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_home_page_in_every_language(client, locale: str) -> None:
    response = await client.get("/", headers={"Cookie": f"lang={locale}"})
    assert response.status_code == 200
    assert parse(response.text).html_lang == locale


async def test_healthz_and_readyz(client) -> None:
    assert (await client.get("/healthz")).text == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["migrations"] == "current"


async def test_not_found_is_a_localized_page(client) -> None:
    response = await client.get("/no-existe", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert parse(response.text).html_lang == "en"


async def test_cached_home_page_carries_each_visitors_own_token(app) -> None:
    import httpx2

    from tests.support.http import Browser

    tokens = []
    for _ in range(2):
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
            visitor = Browser(http)
            token = await visitor.csrf("/")
            tokens.append(token)
            switched = await visitor.post("/idioma", data={"lang": "ru", "csrf_token": token})
            assert switched.status_code == 303
            assert parse((await visitor.get("/")).text).html_lang == "ru"
    assert tokens[0] != tokens[1]


async def test_signed_in_home_page_is_personal(client, sessionmaker) -> None:
    from tests.support import factories

    email = await factories.staff_member(sessionmaker, "supervisor")
    await factories.sign_in_staff(client, email)
    assert "Escritorio" in page_text((await client.get("/")).text)
