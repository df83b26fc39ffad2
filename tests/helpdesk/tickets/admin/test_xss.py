"""XSS payloads on the inbox's tools: the admin pages (respuestas tipo, rules, teams,
closures, staff accounts), the agent's availability, the queue's search and filters, and the
forms that echo what was typed (tags, links, a new respuesta tipo). Data seeded as in
tests/helpdesk/test_xss.py."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from helpdesk.tickets.admin.web import PREFIX
from helpdesk.tickets.answers.models import AnswerTemplate
from tests.support import factories
from tests.support.http import Browser
from tests.support.markup import assert_inert
from tests.support.xss_data import PAYLOAD, Seeded, p, seed


@pytest.fixture(scope="module")
async def seeded(app: Starlette, sessionmaker: async_sessionmaker[AsyncSession]) -> Seeded:
    return await seed(app, sessionmaker)


async def test_admin_pages(client: Browser, sessionmaker, seeded: Seeded) -> None:
    await factories.sign_in_staff(client, seeded.admin_email)
    async with sessionmaker() as db:
        canned_id = await db.scalar(
            select(AnswerTemplate.id).where(AnswerTemplate.code == seeded.canned_code)
        )
    expected = {
        PREFIX: (),
        f"{PREFIX}/respuestas": (p("plantilla"),),
        f"{PREFIX}/reglas": (p("palabras"),),
        f"{PREFIX}/equipos": (p("eq"),),
        f"{PREFIX}/equipos/{seeded.team_code}": (p("eq"), p("regional_agent")),
        f"{PREFIX}/cierres": (p("cierre"),),
        "/staff/admin/cuentas": (p("regional_agent"), p("supervisor")),  # staff names
    }
    for url, shown in expected.items():
        response = await client.get(url)
        assert response.status_code == 200, url
        page = assert_inert(response.text, url)
        for value in shown:
            assert value in page.text, (url, value)
    edit = await client.get(f"{PREFIX}/respuestas/{canned_id}")
    assert edit.status_code == 200
    page = assert_inert(edit.text, "respuesta tipo form")
    assert p("plantilla") in page.values("value")
    assert any(p("plantilla-texto") in text for text in page.element_texts("textarea"))


async def test_admin_form_echoes_input_as_text(client: Browser, seeded: Seeded) -> None:
    await factories.sign_in_staff(client, seeded.admin_email)
    url = f"{PREFIX}/respuestas/nueva"
    form = {"codigo": PAYLOAD, "titulo": p("titulo"), "texto_es": p("texto"), "etiquetas": PAYLOAD}
    refused = await client.submit(url, form)
    assert refused.status_code == 422
    page = assert_inert(refused.text, "new respuesta tipo, refused")
    assert p("titulo") in page.values("value")
    assert any(p("texto") in text for text in page.element_texts("textarea"))


async def test_availability_and_queue_tools(client: Browser, seeded: Seeded) -> None:
    await factories.sign_in_staff(client, seeded.agent_email)
    availability = await client.get("/staff/disponibilidad")
    assert availability.status_code == 200
    assert p("eq") in assert_inert(availability.text, "availability").text

    found = await client.get("/staff/solicitudes", params={"q": "alert"})
    assert found.status_code == 200
    page = assert_inert(found.text, "queue search")
    assert seeded.folio in page.text and p("asunto") in page.text
    by_team = await client.get("/staff/solicitudes", params={"equipo": seeded.team_code})
    assert by_team.status_code == 200
    assert_inert(by_team.text, "queue by team")
    echoed = dict.fromkeys(("q", "etiqueta", "equipo", "tema", "vista", "tipo"), PAYLOAD)
    response = await client.get("/staff/solicitudes", params=echoed)
    assert response.status_code == 200
    page = assert_inert(response.text, "queue with payload parameters")
    assert PAYLOAD in page.values("value")  # the search box shows what was searched


async def test_agent_forms_echo_input_as_text(client: Browser, seeded: Seeded) -> None:
    await factories.sign_in_staff(client, seeded.agent_email)
    url = f"/staff/solicitudes/{seeded.folio}"
    for action, field in (("/etiquetas", "etiqueta"), ("/vincular", "folio")):
        response = await client.submit(url + action, {field: PAYLOAD}, url)
        assert 400 <= response.status_code < 500, (action, response.status_code)
        assert_inert(response.text, f"{action} refused")
