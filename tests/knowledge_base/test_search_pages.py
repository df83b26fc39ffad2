"""The search page (plain form and htmx), the search API, and deflection suggestions."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from knowledge_base import deflection
from knowledge_base.models import DeflectionEvent, SearchStat
from tests.support.http import page_text, parse


async def test_search_page_without_javascript(client, kb_articles) -> None:
    response = await client.get("/ayuda/buscar", params={"q": "descargar estampado xilófono"})
    assert response.status_code == 200
    assert parse(response.text).html_lang == "es"
    assert f"/ayuda/articulo/{kb_articles['guide']}" in response.text
    highlighted = await client.get(
        "/ayuda/buscar", params={"q": "introducción de la guía del xilófono"}
    )
    assert "<mark>Introducción</mark>" in highlighted.text


async def test_search_as_you_type_returns_only_the_results_fragment(client, kb_articles) -> None:
    response = await client.get(
        "/ayuda/buscar", params={"q": "xilofono"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert (
        "<html" not in response.text and f"/ayuda/articulo/{kb_articles['guide']}" in response.text
    )
    assert "HX-Request" in response.headers["vary"]


async def test_creole_reader_gets_the_creole_text(client, kb_articles) -> None:
    response = await client.get(
        "/ayuda/buscar", params={"q": "telechaje ksilofòn"}, headers={"Cookie": "lang=ht"}
    )
    assert "Telechaje so elektwonik ksilofòn la" in page_text(response.text)


async def test_filters_and_zero_result_statistics(client, app, kb_articles, sessionmaker) -> None:
    filtered = await client.get("/ayuda/buscar", params={"q": "xilófono", "tema": "multas"})
    assert f"/ayuda/articulo/{kb_articles['guide']}" not in filtered.text
    nonsense = f"zzqx{uuid.uuid4().hex[:6]}"
    for _ in range(2):
        await client.get("/ayuda/buscar", params={"q": nonsense})
    await client.get("/api/v1/kb/search", params={"q": nonsense.upper() + "  "})
    await app.state.search_stats.flush(sessionmaker)
    async with sessionmaker() as db:
        stat = await db.scalar(select(SearchStat).where(SearchStat.query == nonsense))
    assert stat is not None and stat.searches == 3 and stat.zero_results == 3


async def test_search_api_matches_the_page(client, kb_articles) -> None:
    response = await client.get("/api/v1/kb/search", params={"q": "xilófono", "lang": "ht"})
    assert response.status_code == 200
    body = response.json()
    first = body["items"][0]
    assert first["slug"] == kb_articles["guide"] and first["language"] == "ht"
    assert first["url"] == f"/ayuda/articulo/{kb_articles['guide']}"
    page = await client.get(
        "/ayuda/buscar", params={"q": "xilófono"}, headers={"Cookie": "lang=ht"}
    )
    assert page.text.index(f"/ayuda/articulo/{first['slug']}") < len(page.text)


async def test_search_api_validation(client) -> None:
    for params in (
        {"q": ""},
        {"q": "x", "lang": "de"},
        {"q": "x", "type": "novela"},
        {"q": "x", "limit": "0"},
    ):
        response = await client.get("/api/v1/kb/search", params=params)
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"


async def test_article_api_with_fallback(client, kb_articles) -> None:
    response = await client.get(
        f"/api/v1/kb/articles/{kb_articles['guide']}", params={"lang": "en"}
    )
    body = response.json()
    assert response.status_code == 200
    assert body["language"] == "es" and body["requested_language"] == "en"
    assert body["steps"][0]["title"] == "Entre al sitio"
    assert (await client.get("/api/v1/kb/articles/nope")).status_code == 404


async def test_deflection_suggest_open_and_submit(client, kb_articles, sessionmaker) -> None:
    draft = uuid.uuid4().hex
    fragment = await client.get(
        "/ayuda/sugerencias",
        params={"texto": "no puedo descargar el estampado del xilófono", "borrador": draft},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert f"/ayuda/articulo/{kb_articles['guide']}?desde={draft}" in fragment.text
    assert (await client.get("/ayuda/sugerencias", params={"texto": "hola"})).text.strip() == ""
    await client.get(f"/ayuda/articulo/{kb_articles['guide']}", params={"desde": draft})
    async with sessionmaker() as db:
        kinds = (
            await db.scalars(select(DeflectionEvent.kind).where(DeflectionEvent.draft_key == draft))
        ).all()
        assert "suggested" in kinds and "opened" in kinds
        before = await deflection.summary(db)
    other = uuid.uuid4().hex
    async with sessionmaker() as db, db.begin():
        await deflection.opened(db, other, kb_articles["guide"])
        deflection.submitted(db, other)  # opened but still sent the request: not deflected
    async with sessionmaker() as db:
        after = await deflection.summary(db)
    assert (
        after.deflected == before.deflected
        and after.drafts_that_opened == before.drafts_that_opened + 1
    )


async def test_kb_endpoints_are_in_the_openapi_document(client) -> None:
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]
    assert "/api/v1/kb/search" in paths and "/api/v1/kb/articles/{slug}" in paths
    names = [p["name"] for p in paths["/api/v1/kb/search"]["get"]["parameters"]]
    assert names[:2] == ["q", "lang"]
