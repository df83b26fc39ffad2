"""An agent works a request from the keyboard, with htmx updating the page in place: reply with
`r` and Ctrl+Enter, the shortcuts' help with `?`, the "someone else is replying" warning, a
reply that crossed a colleague's, and the queue's j/k, `/` and in-place filters. axe checks the
request page (with the warning, and with the help open) and the queue."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import BrowserContext, Page, expect
from sqlalchemy import select

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from helpdesk.core.db import utcnow
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import NewRequest, open_request
from helpdesk.tickets.workbench import presence
from helpdesk.tickets.workbench import service as agent_service
from tests.e2e.conftest import ConsoleLog
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_staff_signin import sign_in
from tests.support.factories import staff_member

pytestmark = pytest.mark.e2e

# Set before any in-place update: still there afterwards means the page was never reloaded.
MARK = "window.__sinRecargar = 'sí'"
CHECK_MARK = "window.__sinRecargar"


async def rm_request(sessionmaker, subject: str = "Consulta por prórroga") -> str:
    """A new request in the demo agent's region (RM); returns its folio."""
    email = f"p.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        "consulta", subject, "Hola, necesito ayuda.", "web", email, "es", region_code="RM"
    )
    async with sessionmaker() as db, db.begin():
        opened = await open_request(db, data, Actor("anonymous", None), "http://testserver")
        return opened.ticket.folio


async def colleague(sessionmaker) -> Viewer:
    email = await staff_member(sessionmaker, "regional_agent", "santiago")
    async with sessionmaker() as db:
        account = await db.scalar(select(StaffAccount).where(StaffAccount.email == email))
    assert account is not None
    return Viewer("staff", account.id, account.full_name, "regional_agent", "RM")


async def signed_in_page(context: BrowserContext, console: ConsoleLog) -> Page:
    page = await context.new_page()
    console.watch(page)
    await sign_in(page)
    return page


async def axe_blocking(page: Page) -> list[dict]:
    results = await Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


async def test_agent_replies_from_the_keyboard_without_reloading(
    context: BrowserContext, console: ConsoleLog, sessionmaker
) -> None:
    folio = await rm_request(sessionmaker)
    page = await signed_in_page(context, console)
    await page.goto(f"/staff/solicitudes/{folio}")
    await page.evaluate(MARK)

    await page.keyboard.press("r")
    reply = page.locator("#texto")
    await expect(reply).to_be_focused()
    await expect(reply).to_have_attribute("aria-keyshortcuts", "R")
    await page.keyboard.type("Su solicitud ya está en revisión.")
    await page.keyboard.press("Control+Enter")

    await expect(page.locator("ol.conversation")).to_contain_text(
        "Su solicitud ya está en revisión."
    )
    await expect(page.get_by_role("status")).to_have_text("Respuesta enviada.")
    await expect(reply).to_have_value("")
    assert await page.evaluate(CHECK_MARK) == "sí", "the page was reloaded"
    assert page.url.endswith(f"/staff/solicitudes/{folio}")

    # `?` opens the help (not while typing: leave the reply box first), Escape closes it.
    await page.locator("h1").click()
    await page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Atajos de teclado")
    await expect(help_dialog).to_be_visible()
    await expect(help_dialog).to_contain_text("Escribir la respuesta")
    blocking = await axe_blocking(page)
    assert not blocking, describe(blocking)
    await page.keyboard.press("Escape")
    await expect(help_dialog).to_be_hidden()
    # The visible button opens it too.
    await page.get_by_role("button", name="Atajos de teclado").click()
    await expect(help_dialog).to_be_visible()
    await help_dialog.get_by_role("button", name="Cerrar").click()
    await expect(help_dialog).to_be_hidden()

    # Single-key shortcuts can be switched off (WCAG 2.1.4), and back on.
    await page.get_by_role("button", name="Atajos de teclado").click()
    await help_dialog.get_by_label("Usar los atajos de una sola tecla").uncheck()
    await help_dialog.get_by_role("button", name="Cerrar").click()
    await page.locator("h1").click()
    await page.keyboard.press("r")
    await expect(reply).not_to_be_focused()
    await page.reload()
    await page.evaluate(MARK)
    await page.locator("h1").click()
    await page.keyboard.press("r")
    await expect(page.locator("#texto")).not_to_be_focused()  # remembered in this browser
    await page.get_by_role("button", name="Atajos de teclado").click()
    await help_dialog.get_by_label("Usar los atajos de una sola tecla").check()
    await help_dialog.get_by_role("button", name="Cerrar").click()

    # `t` takes the request, in place as well.
    await page.keyboard.press("t")
    await expect(page.get_by_role("status")).to_have_text("La solicitud quedó asignada a usted.")
    assert await page.evaluate(CHECK_MARK) == "sí"
    async with sessionmaker() as db:
        row = await db.scalar(select(Ticket).where(Ticket.folio == folio))
    assert row is not None and row.assignee_id is not None
    assert not console.errors, "\n".join(console.errors)


async def test_warning_and_crossed_reply(
    context: BrowserContext, console: ConsoleLog, sessionmaker
) -> None:
    folio = await rm_request(sessionmaker)
    other = await colleague(sessionmaker)
    async with sessionmaker() as db, db.begin():
        item = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        assert item is not None
        await presence.touch(db, other, item, utcnow() - timedelta(seconds=5))

    page = await signed_in_page(context, console)
    await page.goto(f"/staff/solicitudes/{folio}")
    warning = page.locator("#presencia")
    await expect(warning).to_have_attribute("aria-live", "polite")
    await expect(warning).to_contain_text(f"{other.name} también está respondiendo")
    blocking = await axe_blocking(page)
    assert not blocking, describe(blocking)
    await page.evaluate(MARK)

    # Typing reports this agent to colleagues.
    await page.keyboard.press("r")
    draft = "Borrador: le escribimos pronto."
    async with page.expect_response(lambda r: r.url.endswith("/presencia")) as heartbeat:
        await page.keyboard.type(draft)
    assert (await heartbeat.value).status == 200
    await expect(warning).to_contain_text(f"{other.name} también está respondiendo")
    async with sessionmaker() as db:
        item = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        assert item is not None
        assert await presence.others_replying(db, other, item) == ["Camila Rojas (agente RM)"]

    # The colleague answers first: sending is refused in place, with the draft kept.
    async with sessionmaker() as db, db.begin():
        item = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        assert item is not None
        await agent_service.reply(
            db, other, item, "Respuesta del colega.", Actor("staff", other.id), "http://x"
        )
    await page.keyboard.press("Control+Enter")
    await expect(page.locator("#visto-error")).to_contain_text(
        "Otra persona respondió mientras usted escribía"
    )
    await expect(page.locator("ol.conversation")).to_contain_text("Respuesta del colega.")
    await expect(page.locator("#texto")).to_have_value(draft)
    assert await page.evaluate(CHECK_MARK) == "sí", "the page was reloaded"

    # Having read it, the agent sends again.
    await page.locator("#texto").focus()
    await page.keyboard.press("Alt+Enter")
    await expect(page.locator("ol.conversation")).to_contain_text(draft)
    await expect(page.locator("#visto-error")).to_have_count(0)
    # Chromium logs every 4xx response; the 409 above is the expected one.
    errors = [e for e in console.errors if "status of 409 (Conflict)" not in e]
    assert not errors, "\n".join(errors)


async def test_queue_from_the_keyboard_and_filters_in_place(
    context: BrowserContext, console: ConsoleLog, sessionmaker
) -> None:
    for i in range(2):
        await rm_request(sessionmaker, f"Cola {i}")
    page = await signed_in_page(context, console)
    await page.goto("/staff/solicitudes?vista=unassigned")
    blocking = await axe_blocking(page)
    assert not blocking, describe(blocking)
    await page.evaluate(MARK)
    rows = page.locator("#bandeja tbody tr a[data-queue-row-link]")

    await page.keyboard.press("j")
    await expect(rows.nth(0)).to_be_focused()
    await page.keyboard.press("j")
    await expect(rows.nth(1)).to_be_focused()
    await page.keyboard.press("k")
    await expect(rows.nth(0)).to_be_focused()
    await expect(page.locator("#bandeja tbody tr.is-current")).to_have_count(1)

    # `/` goes to the filter; filtering swaps the results and keeps the address current.
    await page.keyboard.press("/")
    search = page.locator("#bandeja input[type=search]")
    await expect(search if await search.count() else page.locator("#tipo")).to_be_focused()
    await page.locator("#tipo").select_option("consulta")
    await page.get_by_role("button", name="Filtrar").click()
    await expect(page).to_have_url(re.compile(r"tipo=consulta"))
    await expect(page.locator("#bandeja caption")).to_have_text("Sin asignar")
    await page.get_by_role("link", name="Todas").click()
    await expect(page).to_have_url(re.compile(r"vista=all"))
    await expect(page.locator("#vista-all")).to_have_attribute("aria-current", "page")
    assert await page.evaluate(CHECK_MARK) == "sí", "the page was reloaded"

    # `o` opens the highlighted row (the newest first: the second request made).
    await page.locator("h1").click()
    await page.keyboard.press("j")
    first = await rows.nth(0).inner_text()
    await page.keyboard.press("o")
    await expect(page).to_have_url(re.compile(rf"/staff/solicitudes/{first}$"))
    assert not console.errors, "\n".join(console.errors)
