"""Following a request without an account: every email to the person carries a link that
opens the request without signing in, in the person's language; asking for a new link
revokes every older one; the private page opens in the request's language (issue 12)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import date
from urllib.parse import urlsplit

import httpx2
import pytest
from sqlalchemy import select

from helpdesk.audit.service import Actor
from helpdesk.core.db import utcnow
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets import status_flow
from helpdesk.tickets.answers import auto_reply
from helpdesk.tickets.answers import templates as answer_templates
from helpdesk.tickets.answers.models import AnswerTemplate, AutoRule
from helpdesk.tickets.citizen import private_links
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.lifecycle import notices
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import NewRequest, find_by_private_link, open_request
from helpdesk.tickets.workbench import service as agent_service
from tests.conftest import TEST_BASE_URL, TEST_SECRET_KEY
from tests.helpdesk.tickets.workbench.test_links import actor_of, staff_viewer
from tests.support.http import parse
from tests.support.markup import parse_page

BASE = "http://testserver"
ANON = Actor("anonymous", None, "203.0.113.9")
SPANISH_BROWSER = {"Accept-Language": "es-CL,es;q=0.9"}
URL = re.compile(r"https?://[^\s<>\"']+")


@pytest.fixture(autouse=True)
def test_site_links() -> None:
    """Links built outside a request use the process's configured address, which another
    test's app (another base URL) may have replaced: these tests read the test site's."""
    private_links.configure(TEST_SECRET_KEY, TEST_BASE_URL)


@pytest.fixture
async def stranger(app) -> AsyncIterator[httpx2.AsyncClient]:
    """A browser that never signed in, with a Spanish phone's languages."""
    transport = httpx2.ASGITransport(app=app, client=("198.51.100.4", 40000))
    async with httpx2.AsyncClient(
        transport=transport, base_url=BASE, headers=SPANISH_BROWSER
    ) as http:
        yield http


async def open_creole(sessionmaker) -> tuple[Ticket, str, str]:
    email = f"k.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        "consulta", "Rezidans mwen", "Kilè rezidans mwen ap soti?", "web", email, "ht",
        region_code="RM",
    )  # fmt: skip
    async with sessionmaker() as db, db.begin():
        opened = await open_request(db, data, ANON, BASE)
    return opened.ticket, opened.access_token, email


async def inactive_rule(db) -> int:
    """A respuesta tipo and a rule that never fires, for an automatic answer's row."""
    code = f"t-{uuid.uuid4().hex[:8]}"
    db.add(AnswerTemplate(code=code, title="Prueba"))
    await db.flush()
    rule = AutoRule(kind="consulta", keywords=f"nunca-{code}", canned_code=code, active=False)
    db.add(rule)
    await db.flush()
    return rule.id


async def mails(sessionmaker, email: str) -> list[OutboxMessage]:
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id)
        )
        return list(rows.all())


def links_in(app, row: OutboxMessage) -> set[str]:
    """Every address in the email, in its text and its HTML (hrefs)."""
    rendered = EmailRenderer(app.state.templates.env, "portal@test").render(row)
    assert rendered["Content-Language"] == row.locale
    text = rendered.get_body(("plain",)).get_content()
    html = rendered.get_body(("html",)).get_content()
    hrefs = {a["href"] for tag, a in parse_page(html).elements if tag == "a" and a.get("href")}
    found = set(URL.findall(text)) | hrefs
    assert found, f"{row.template} carries no link"
    return found


async def opens(stranger: httpx2.AsyncClient, url: str) -> int:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    return (await stranger.get(parts.path + (f"?{parts.query}" if parts.query else ""))).status_code


async def test_every_link_in_every_email_opens_without_signing_in(
    app, sessionmaker, stranger
) -> None:
    ticket, _token, email = await open_creole(sessionmaker)
    viewer, _ = await staff_viewer(sessionmaker)
    actor = actor_of(viewer)
    [confirmation] = await mails(sessionmaker, email)
    async with sessionmaker() as db, db.begin():
        item = await db.get(Ticket, ticket.id)
        assert item is not None
        rule_id = await inactive_rule(db)
        answer = (rule_id, answer_templates.Rendered("prueba", "ht", "Bonjou."))
        await auto_reply.send_answer(
            db, item, answer, email=email, private_link=confirmation.context["link"],
            thread_id=confirmation.message_id, now=utcnow(),
        )  # fmt: skip
        await agent_service.reply(
            db, viewer, item, "Voye paspò ou.", actor, BASE, status_flow.EN_ESPERA_CIUDADANO
        )
        # The lifecycle's warning of abandonment, and its notice of a prórroga.
        await notices.email_person(
            db, item, notices.WARNING_TEMPLATE, BASE, {"act_by": date(2030, 1, 7)}
        )
        await notices.email_person(
            db, item, notices.EXTENSION_TEMPLATE, BASE,
            {"due": date(2030, 2, 1), "before": date(2030, 1, 15)}, reason="Volumen.",
        )  # fmt: skip
    async with sessionmaker() as db, db.begin():
        item = await db.get(Ticket, ticket.id)
        assert item is not None
        await citizen_service.add_reply(db, item, "Men li.", [], Actor("citizen", None))
        for target in (status_flow.RESUELTO, status_flow.CERRADO, status_flow.REABIERTO):
            await agent_service.change_status(db, viewer, item, target, actor)

    sent = await mails(sessionmaker, email)
    assert [m.template for m in sent] == [
        "request_received",
        "auto_answer",
        "request_reply",
        "abandonment_warning",
        "deadline_extension",
        "request_status",
        "request_status",
        "request_status",
    ]
    assert [m.context.get("status") for m in sent[5:]] == ["resuelto", "cerrado", "reabierto"]
    assert {m.locale for m in sent} == {"ht"}  # the request's language: she has no account
    private_pages = set()
    for row in sent:
        for url in links_in(app, row):
            assert await opens(stranger, url) == 200, (row.template, url)
            if "/solicitudes/" in url and "recuperar" not in url:
                private_pages.add(url.split("#")[0])
    assert len(private_pages) == 2  # the confirmation's link, and its signed form

    # She asks for a new link: it works, and every older one stops working.
    async with sessionmaker() as db, db.begin():
        assert await citizen_service.renew_link(db, email, ticket.folio, BASE, ANON)
    [renewal] = [m for m in await mails(sessionmaker, email) if m.template == "request_link"]
    assert renewal.locale == "ht"
    for url in links_in(app, renewal):
        assert await opens(stranger, url) == 200
    for old in private_pages:
        assert await opens(stranger, old) == 404


async def test_a_signed_link_opens_its_own_request_only(sessionmaker) -> None:
    first, token, _ = await open_creole(sessionmaker)
    second, _, _ = await open_creole(sessionmaker)
    async with sessionmaker() as db:
        a = await db.get(Ticket, first.id)
        b = await db.get(Ticket, second.id)
        assert a is not None and b is not None
        signed_a = private_links.token_for(a)
        assert signed_a != token and signed_a != private_links.token_for(b)
        assert (await find_by_private_link(db, a.folio, signed_a)).id == a.id  # type: ignore[union-attr]
        assert await find_by_private_link(db, a.folio, token) is not None
        assert await find_by_private_link(db, b.folio, signed_a) is None
        assert await find_by_private_link(db, "RM-2099-999999", signed_a) is None
        for forged in ("", "x", signed_a[:-1], "!!!!", signed_a.upper()):
            assert await find_by_private_link(db, a.folio, forged) is None
    # Another secret signs differently: the database alone gives no working link.
    private_links.configure("another-secret-" + "y" * 40, BASE)
    try:
        assert private_links.token_for(a) != signed_a
    finally:
        private_links.configure(TEST_SECRET_KEY, TEST_BASE_URL)


async def test_the_private_page_opens_in_the_requests_language_with_the_switcher(
    sessionmaker, stranger
) -> None:
    ticket, token, _ = await open_creole(sessionmaker)
    page = f"/solicitudes/{ticket.folio}/{token}"
    response = await stranger.get(page)
    assert response.status_code == 200
    assert parse(response.text).html_lang == "ht"
    buttons = [
        a.get("value")
        for tag, a in parse_page(response.text).elements
        if tag == "button" and a.get("name") == "lang"
    ]
    assert sorted(buttons) == sorted(["es", "ht", "en", "fr", "zh", "ru"])

    # The switcher still decides: she (or whoever holds the link) picks Spanish.
    switched = await stranger.get(page, headers={"Cookie": "lang=es"})
    assert parse(switched.text).html_lang == "es"
    # Other pages keep following the browser.
    assert parse((await stranger.get("/")).text).html_lang == "es"
