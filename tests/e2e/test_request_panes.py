"""A request's staff page in panes, in the browser: a property edited in place swaps only the
side pane (no reload), "Enviar y siguiente" from the keyboard opens the next request of the
queue the agent came from with its address in the bar, and the page passes axe at desk width."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, BrowserContext, expect
from sqlalchemy import select

from helpdesk.tickets.models import Ticket
from tests.e2e.conftest import ConsoleLog
from tests.e2e.test_accessibility import describe
from tests.e2e.test_agent_htmx import CHECK_MARK, MARK, axe_blocking, rm_request, signed_in_page
from tests.e2e.test_deadline_extension import phone, width_overflow
from tests.e2e.test_staff_signin import sign_in

pytestmark = pytest.mark.e2e


async def test_edit_in_place_and_send_and_next(
    context: BrowserContext, console: ConsoleLog, sessionmaker
) -> None:
    tag = f"panel{uuid.uuid4().hex[:6]}"
    older, newer = await rm_request(sessionmaker, "Primera"), await rm_request(sessionmaker)
    page = await signed_in_page(context, console)
    await page.set_viewport_size({"width": 1366, "height": 768})
    for folio in (older, newer):
        await page.goto(f"/staff/solicitudes/{folio}")
        await page.get_by_label("Agregar etiqueta").fill(tag)
        await page.get_by_role("button", name="Agregar etiqueta").click()
        await expect(page.locator("#etiquetas")).to_contain_text(tag)
    await page.goto(f"/staff/solicitudes/{newer}?cola=vista%3Dall%26etiqueta%3D{tag}")
    assert not await axe_blocking(page), describe(await axe_blocking(page))
    await page.evaluate(MARK)

    # Priority, in place: the pane comes back, the page stays.
    await page.get_by_label("Prioridad").select_option("urgente")
    await expect(page.locator("#propiedades [role=status]")).to_have_text("Cambios guardados.")
    assert await page.evaluate(CHECK_MARK) == "sí", "the page was reloaded"
    async with sessionmaker() as db:
        assert await db.scalar(select(Ticket.priority).where(Ticket.folio == newer)) == "urgente"

    # Reply and go on with Ctrl+Shift+Enter: the older one opens, its address in the bar.
    await page.locator("#texto").fill("Le respondemos y seguimos.")
    await page.locator("#texto").press("Control+Shift+Enter")
    await expect(page).to_have_url(re.compile(rf"/staff/solicitudes/{older}\?"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text(older)
    await expect(page.locator("main")).to_contain_text(f"Respuesta enviada en la solicitud {newer}")
    # `k` goes back to the one just answered.
    await page.locator("h1").click()
    await page.keyboard.press("k")
    await expect(page).to_have_url(re.compile(rf"/staff/solicitudes/{newer}\?"))
    await expect(page.locator("ol.conversation > li").last).to_contain_text("seguimos")
    # The last request of that queue: "Enviar y siguiente" goes back to the queue.
    await page.goto(f"/staff/solicitudes/{older}?cola=vista%3Dall%26etiqueta%3D{tag}")
    await page.locator("#texto").fill("Última de la bandeja.")
    await page.get_by_role("button", name="Enviar y abrir la siguiente").click()
    await expect(page).to_have_url(re.compile(rf"/staff/solicitudes\?vista=all&etiqueta={tag}$"))
    await expect(page.locator("#bandeja")).to_be_visible()
    assert not console.errors, "\n".join(console.errors)


async def test_properties_without_javascript_on_a_phone(
    browser: Browser, live_server: str, sessionmaker
) -> None:
    folio = await rm_request(sessionmaker, "Sin JavaScript")
    context = await phone(browser, live_server, javascript=False)
    try:
        page = await context.new_page()
        await sign_in(page)
        await page.goto(f"/staff/solicitudes/{folio}")
        await page.get_by_label("Prioridad").select_option("alta")
        await page.get_by_role("button", name="Guardar", exact=True).click()
        await expect(page).to_have_url(re.compile(r"hecho=propiedades"))
        await expect(page.locator("#propiedades [role=status]")).to_have_text("Cambios guardados.")
        await expect(page.get_by_label("Prioridad")).to_have_value("alta")
        assert await width_overflow(page) <= 0
    finally:
        await context.close()
