"""XSS payloads in every field a person or an agent writes are shown as text on every page that
shows them, citizen and staff, in the emails, and come back as plain data from the API.

One module fixture seeds the data the way it arrives (the citizen's form with a file, the
agent's actions over HTTP, the service for the rest); each test then reads one group of pages
and checks with a parser that nothing was injected and that the payload is there as text.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from helpdesk.accounts.staff import create_api_token, find_by_email
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.tickets.queue.service import VIEWS
from knowledge_base.content_loader import load_content
from tests.support import factories
from tests.support.http import Browser
from tests.support.markup import assert_inert, injected
from tests.support.xss_data import PAYLOAD, TAGS, Seeded, mails, p, seed


@pytest.fixture(scope="module")
async def seeded(app: Starlette, sessionmaker: async_sessionmaker[AsyncSession]) -> Seeded:
    return await seed(app, sessionmaker)


@pytest.fixture
async def as_agent(client: Browser, seeded: Seeded) -> AsyncIterator[Browser]:
    await factories.sign_in_staff(client, seeded.agent_email)
    yield client


def test_the_check_sees_an_unescaped_payload() -> None:
    raw = f"<html><body><p>{PAYLOAD}</p><a href='{PAYLOAD}'>x</a></body></html>"
    found = " ".join(injected(raw))
    for problem in ("<script", "<img src=x>", "onerror", "<svg> element", "javascript: URL"):
        assert problem in found


async def test_citizen_pages(client: Browser, seeded: Seeded) -> None:
    await factories.sign_in_citizen(client, seeded.citizen_email)
    response = await client.get("/cuenta/solicitudes")
    assert response.status_code == 200
    mine = assert_inert(response.text, "my requests")
    assert p("asunto") in mine.text and p("asunto-espera") in mine.text
    for url in (f"/cuenta/solicitudes/{seeded.folio}", seeded.private_link):
        response = await client.get(url)
        assert response.status_code == 200
        page = assert_inert(response.text, url)
        for field in ("asunto", "asunto-texto", "archivo"):
            assert p(field) in page.text, (url, field)
        assert p("nota") not in page.text  # internal notes stay internal
        [sanitized] = [a for a in page.element_texts("a") if a.endswith(".pdf") and "#" not in a]
        assert "<" not in sanitized and ">" not in sanitized  # the uploaded name was cleaned
    answered = await client.get(f"/cuenta/solicitudes/{seeded.waiting_folio}")
    assert p("respuesta") in assert_inert(answered.text, "answered request").text
    response = await client.get("/cuenta")
    assert response.status_code == 200
    profile = assert_inert(response.text, "profile")
    assert f"{p('gn')} {p('sn')}" in profile.text


async def test_receipt_and_echoed_forms(client: Browser, seeded: Seeded) -> None:
    await factories.sign_in_citizen(client, seeded.citizen_email)
    token = await client.csrf("/solicitudes/nueva")
    form = {"tipo": p("tipo"), "region": "XX", "asunto": p("eco"), "texto": p("eco-texto")}
    refused = await client.post(
        "/solicitudes/nueva",
        data={**form, "csrf_token": token},
        files=[("archivos", ("", b"", "application/octet-stream"))],
    )
    assert refused.status_code == 422
    page = assert_inert(refused.text, "new request, refused")
    assert p("eco") in page.values("value") and p("eco-texto") in page.element_texts("textarea")
    lost = await client.submit(
        "/solicitudes/recuperar", {"email": p("correo"), "folio": p("folio")}
    )
    assert lost.status_code == 422
    assert_inert(lost.text, "lost link, refused")
    suggestions = await client.get(
        "/ayuda/sugerencias", params={"texto": PAYLOAD, "borrador": PAYLOAD}
    )
    assert suggestions.status_code == 200
    assert_inert(suggestions.text, "knowledge-base suggestions")
    ok = await client.post(
        "/solicitudes/nueva",
        data={**form, "tipo": "consulta", "region": "RM", "csrf_token": token},
        files=[("archivos", ("", b"", "application/octet-stream"))],
    )
    assert ok.status_code == 303
    receipt = await client.get("/solicitudes/recibida")
    assert receipt.status_code == 200
    assert_inert(receipt.text, "receipt")


async def test_every_queue_view(as_agent: Browser, seeded: Seeded) -> None:
    expected = {
        "all": (seeded.folio, seeded.waiting_folio, seeded.overdue_folio),
        "mine": (seeded.waiting_folio,),
        "unassigned": (seeded.folio, seeded.overdue_folio),
        "due_soon": (seeded.folio,),
        "overdue": (seeded.overdue_folio,),
        "waiting": (seeded.waiting_folio,),
    }
    assert set(expected) == set(VIEWS)
    subjects = {
        seeded.folio: p("asunto"),
        seeded.waiting_folio: p("asunto-espera"),
        seeded.overdue_folio: p("asunto-vencida"),
    }
    for view, folios in expected.items():
        response = await as_agent.get(
            "/staff/solicitudes", params={"vista": view, "tipo": "consulta"}
        )
        assert response.status_code == 200
        page = assert_inert(response.text, f"queue {view}")
        for folio in folios:
            assert folio in page.text and subjects[folio] in page.text, (view, folio)
        assert p("gn") in page.text
        if view == "mine":
            assert p("regional_agent") in page.text  # the assignee's name
    echoed = await as_agent.get(
        "/staff/solicitudes", params={"vista": PAYLOAD, "tipo": PAYLOAD, "antes": PAYLOAD}
    )
    assert echoed.status_code == 200
    assert_inert(echoed.text, "queue with payload parameters")


async def test_request_page_for_the_agent(as_agent: Browser, seeded: Seeded) -> None:
    url = f"/staff/solicitudes/{seeded.folio}"
    page = assert_inert((await as_agent.get(url)).text, "agent request page")
    for field in ("asunto", "asunto-texto", "archivo", "nota", "gn", "sn"):
        assert p(field) in page.text, field
    assert p("plantilla") in page.element_texts("option")
    assert all(tag in page.text for tag in TAGS)
    assert p("asunto-vencida") in page.text  # the linked request's subject
    assert p("regional_agent") in page.text  # the note's author
    prefilled = await as_agent.get(url, params={"plantilla": seeded.canned_code})
    page = assert_inert(prefilled.text, "agent request page with a respuesta tipo")
    [reply] = [t for t in page.element_texts("textarea") if p("plantilla-texto") in t]
    assert p("gn") in reply and seeded.folio in reply
    answered = await as_agent.get(f"/staff/solicitudes/{seeded.waiting_folio}")
    assert p("respuesta") in assert_inert(answered.text, "answered request").text


async def test_person_pages(as_agent: Browser, seeded: Seeded) -> None:
    response = await as_agent.get("/staff/personas")
    assert response.status_code == 200
    listing = assert_inert(response.text, "people list")
    assert p("gn") in listing.text
    person = await as_agent.get(f"/staff/personas/{seeded.person_id}")
    assert person.status_code == 200
    page = assert_inert(person.text, "person page")
    assert p("sn") in page.text and p("asunto") in page.text


async def test_audit_log(client: Browser, seeded: Seeded) -> None:
    await factories.sign_in_staff(client, seeded.supervisor_email)
    for params in ({}, {"persona": str(seeded.person_id)}):
        response = await client.get("/staff/auditoria", params=params)
        assert response.status_code == 200
        page = assert_inert(response.text, f"audit log {params}")
        assert p("gn") in page.text and p("sn") in page.text


async def test_api_returns_payloads_as_data(client: Browser, sessionmaker, seeded: Seeded) -> None:
    folio, token = seeded.private_link.split("/")[2:4]
    read = await client.get(f"/api/v1/requests/{folio}", params={"token": token})
    assert read.status_code == 200
    assert read.headers["content-type"] == "application/json"
    assert read.headers["x-content-type-options"] == "nosniff"
    body = read.json()
    assert body["subject"] == p("asunto")
    assert [m["text"] for m in body["messages"]] == [p("asunto-texto")]
    async with sessionmaker() as db, db.begin():
        account = await find_by_email(db, seeded.supervisor_email)
        assert account is not None
        api_token = await create_api_token(db, account.id, "xss")
    listed = await client.get(
        f"/api/v1/people/{seeded.person_id}/requests",
        headers={"Authorization": f"Bearer {api_token}"},
    )
    assert listed.status_code == 200 and listed.headers["content-type"] == "application/json"
    assert {i["subject"] for i in listed.json()["items"]} >= {p("asunto"), p("asunto-vencida")}


async def test_emails_escape_payloads(app: Starlette, sessionmaker, seeded: Seeded) -> None:
    renderer = EmailRenderer(app.state.templates.env, "portal@test")
    rows = await mails(sessionmaker, seeded.citizen_email)
    by_folio = {(r.template, r.context.get("folio")): r for r in rows}
    cases = (
        (by_folio[("request_received", seeded.folio)], [p("asunto")]),
        (by_folio[("request_reply", seeded.waiting_folio)], [p("respuesta"), p("asunto-espera")]),
    )
    for row, expected in cases:
        message = renderer.render(row)
        html, text = message.get_body(("html",)), message.get_body(("plain",))
        assert html is not None and text is not None
        page = assert_inert(html.get_content(), f"{row.template} email")
        for value in expected:
            assert value in page.text, (row.template, value)
            assert value in text.get_content()  # the plain-text part shows it as typed


async def test_knowledge_base_article_title(
    client: Browser, app, sessionmaker, tmp_path: Path
) -> None:
    slug = f"xss-{uuid.uuid4().hex[:8]}"
    word = f"zqx{uuid.uuid4().hex[:6]}"
    folder = tmp_path / slug
    folder.mkdir()
    (folder / "article.toml").write_text('type = "ficha"\ncategory = "otros"\n', encoding="utf-8")
    title = p("kb")
    # A TOML literal string ('...') holds the payload's double quotes as they are.
    (folder / "es.md").write_text(
        f"+++\ntitle = '{title}'\nsummary = \"{word}\"\n+++\nTexto {word}.", encoding="utf-8"
    )
    async with sessionmaker() as db, db.begin():
        assert await load_content(db, tmp_path) == 1
    async with sessionmaker() as db:
        # Searches catch up with the database at most once a second: another test may just
        # have made the app's index catch up, so do it now rather than wait.
        await app.state.kb_index.sync(db)
    for url, params in (
        (f"/ayuda/articulo/{slug}", {}),
        ("/ayuda/tema/otros", {}),
        ("/ayuda/buscar", {"q": word}),
        ("/ayuda/sugerencias", {"texto": f"{word} {word}"}),
    ):
        response = await client.get(url, params=params)
        assert response.status_code == 200, url
        page = assert_inert(response.text, url)
        if url != "/ayuda/sugerencias":
            assert title in page.text, url
