"""Issue 15's acceptance in a browser: a French speaker on a 360 px phone looks up her
application, reads what its status means in French, and opens a request already linked to
it; the agent of her region opens the request and sees the application beside it.

The interface's French strings may not be translated yet: the test reads the explanation's
French text (the shipped estado-* article) and the pages' structure, not the chrome."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.cases import explanations
from helpdesk.cases.models import Case, CaseEvent, RequestCase
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets.models import Ticket
from knowledge_base.content_loader import CONTENT_DIR, load_content, read_article
from tests.e2e.conftest import ConsoleLog, new_context
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_creole_journey import staff_page

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
CASE_TYPE = "residencia_temporal"
STATUS = "antecedentes_solicitados"
PASSPORT = "HT4455667"


async def a_case(sessionmaker: async_sessionmaker[AsyncSession]) -> Case:
    """Her application, in the agent's region (the demo's regional agent: RM)."""
    async with sessionmaker() as db, db.begin():
        case = Case(
            number=f"RT-2026-{uuid.uuid4().hex[:8].upper()}",
            case_type=CASE_TYPE,
            subcategory="b",
            document_type="pasaporte",
            document_number=PASSPORT,
            document_country="HT",
            region_code="RM",
            submitted_on=date(2026, 3, 2),
            status=STATUS,
            status_on=date(2026, 11, 30),
        )
        db.add(case)
        await db.flush()
        db.add_all(
            [
                CaseEvent(case_id=case.id, status="ingresada", status_on=date(2026, 3, 2)),
                CaseEvent(case_id=case.id, status="acogida", status_on=date(2026, 4, 14)),
                CaseEvent(case_id=case.id, status=STATUS, status_on=date(2026, 11, 30)),
            ]
        )
    return case


def french_explanation() -> tuple[str, str]:
    """The title and summary of the shipped article that explains the status, in French."""
    for slug in explanations.slugs_for(CASE_TYPE, STATUS):
        if (CONTENT_DIR / slug / "article.toml").exists():
            text = read_article(CONTENT_DIR / slug).texts["fr"]
            return text.title, text.summary
    raise AssertionError("no shipped explanation for the status")


# The innermost elements that reach past the window's right edge, to say what to fix.
WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
               || e.scrollWidth > e.clientWidth + 1)
  .map(e => e.outerHTML.slice(0, 120)).slice(-6)"""


async def fits_and_passes_axe(page: Page, where: str) -> None:
    widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] > widths[1]:
        wide = await page.evaluate(WIDEST)
        raise AssertionError(f"{where}: wider than the phone: {widths}; {wide}")
    results = await Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{where}:\n{describe(blocking)}"


async def email_link(sessionmaker, to: str, template: str) -> str:
    async with sessionmaker() as db:
        row = await db.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == to, OutboxMessage.template == template)
            .order_by(OutboxMessage.id.desc())
        )
    assert row is not None, f"no {template} email to {to}"
    assert row.locale == "fr", f"{template} email in {row.locale}"
    return str(row.context["link"])


async def look_up_and_read(page: Page, case: Case) -> None:
    await page.goto("/")
    await page.locator("main a[href='/estado']").first.click()
    await expect(page).to_have_url(re.compile(r"/estado$"))
    await page.locator("main input[name=numero]").fill(case.number.lower())
    await page.locator("main input[name=documento]").fill("ht 445 5667")
    await page.locator("main form button[type=submit]").click()
    await expect(page.locator("html")).to_have_attribute("lang", "fr")
    await expect(page.locator("main h1")).to_be_visible()
    await expect(page.locator("main .case-facts")).to_contain_text(case.number)
    title, _summary = french_explanation()
    explanation = page.locator("main section.case-explanation")
    await expect(explanation.locator("#explicacion")).to_have_text(title)
    # The French text itself, not a Spanish fallback.
    assert await explanation.get_attribute("lang") in (None, "fr")
    body = await explanation.locator(".article-body").inner_text()
    assert re.search(r"\b(vous|votre|vos)\b", body), body[:300]
    # Where she is: the stage of her application marked as current.
    await expect(page.locator("main .case-stages [aria-current=step]")).to_have_count(1)
    await fits_and_passes_axe(page, "case page")


async def open_linked_request(page: Page, sessionmaker, case: Case, email: str) -> str:
    await page.locator("main a[href*='caso=']").click()
    # Without an account: prove the email first; the link brings her back to the same form.
    await page.locator("main a[href^='/correo']").click()
    await page.locator("main input[name=email]").fill(email)
    await page.locator("main form button[type=submit]").click()
    await page.goto(await email_link(sessionmaker, email, "prove_email"))
    await page.locator("main form button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"/solicitudes/nueva\?caso="))
    await expect(page.locator("main .request-about")).to_contain_text(case.number)
    await page.locator("#tipos-tramite summary").click()
    await page.locator("#tipos-tramite input[name=tipo]").first.check()
    await page.locator("#region").select_option("RM")
    await page.locator("#asunto").fill("Documents demandés pour ma résidence")
    await page.locator("#texto").fill(
        "On m'a demandé des documents complémentaires. Lesquels dois-je envoyer ?"
    )
    await fits_and_passes_axe(page, "request form")
    await page.locator("main form.request-form button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"/solicitudes/recibida$"))
    return (await page.locator("main .folio").inner_text()).strip()


async def test_french_phone_lookup_then_a_linked_request_the_agent_sees(
    browser: Browser, live_server: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as db, db.begin():
        await load_content(db)
    case = await a_case(sessionmaker)
    email = f"marie.{uuid.uuid4().hex[:8]}@test.portal"
    console, agent_console = ConsoleLog(), ConsoleLog()
    phone = await new_context(browser, live_server, locale="fr")
    agent_context = None
    try:
        page = await phone.new_page()
        await page.set_viewport_size(PHONE)
        console.watch(page)
        await look_up_and_read(page, case)
        folio = await open_linked_request(page, sessionmaker, case, email)

        async with sessionmaker() as db:
            ticket = await db.scalar(select(Ticket).where(Ticket.folio == folio))
            assert ticket is not None and ticket.locale == "fr"
            linked = await db.scalar(
                select(RequestCase.case_id).where(RequestCase.request_id == ticket.id)
            )
        assert linked == case.id

        # The agent of her region opens the request: the application is beside it, linked,
        # with its current status and its history folded.
        agent_context, agent = await staff_page(browser, live_server, folio)
        agent_console.watch(agent)
        section = agent.locator("#solicitudes-migratorias-seccion")
        linked_item = section.locator(".case-list-linked > li").first
        await expect(linked_item).to_contain_text(case.number)
        await expect(linked_item).to_contain_text("Antecedentes solicitados")
        await linked_item.locator("summary").click()
        await expect(linked_item.locator("details ol li")).to_have_count(3)
        # Unlinked and linked again by its number, in place (htmx) on the same page.
        await linked_item.locator("form button").click()
        await expect(section.locator(".case-list-linked")).to_have_count(0)
        await section.locator("input[name=numero]").fill(case.number)
        await section.locator("form.case-link-form button").click()
        await expect(section.locator(".case-list-linked > li")).to_contain_text(case.number)
        await expect(agent).to_have_url(re.compile(rf"/staff/solicitudes/{folio}"))
    finally:
        await phone.close()
        if agent_context is not None:
            await agent_context.close()
    assert not console.errors, "\n".join(console.errors)
    assert not agent_console.errors, "\n".join(agent_console.errors)
