"""A supervisor merges two person records and undoes it on a 360 px screen without
JavaScript: the preview shows both records and the warnings, the confirmation and the undo
are plain forms. The preview, the person page and the audit log fit the screen and pass axe
(axe itself needs JavaScript: those checks run in a second, scripted, browser profile)."""

from __future__ import annotations

import re
import uuid

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, expect

from helpdesk.demo.accounts import DEMO_STAFF, DEMO_STAFF_PASSWORD
from tests.e2e.conftest import ConsoleLog, new_context
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.support import factories

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
SUPERVISOR = next(s for s in DEMO_STAFF if s.role == "supervisor")


async def signed_in_page(context: BrowserContext, console: ConsoleLog) -> Page:
    page = await context.new_page()
    console.watch(page)
    await page.set_viewport_size(PHONE)
    await page.goto("/staff/ingresar")
    await page.get_by_label("Correo institucional").fill(SUPERVISOR.email)
    await page.get_by_label("Contraseña").fill(DEMO_STAFF_PASSWORD)
    await page.locator("main").get_by_role("button", name="Ingresar").click()
    await expect(page).to_have_url(re.compile(r"/staff$"))
    return page


async def check_page(page: Page, axe: Axe, url: str) -> None:
    response = await page.goto(url)
    assert response is not None and response.status == 200, url
    widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    wide = await page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.scrollWidth > 340)"
        ".map(e => e.tagName + '.' + e.className + ':' + e.scrollWidth + ' ' + "
        "(e.textContent || '').slice(0, 60))"
    )
    assert widths[0] <= widths[1], f"{url} is {widths[0]} px wide: {wide}"
    results = await axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {url}:\n{describe(blocking)}"


async def test_merge_preview_confirm_and_undo_on_a_phone(
    browser: Browser, live_server: str, sessionmaker
) -> None:
    suffix = uuid.uuid4().hex[:6]
    kept = await factories.person(
        sessionmaker, "RM", given_names="Marie", surnames=f"Joseph {suffix}",
        email=f"marie.joseph.{suffix}.con.un.correo.largo@ejemplo-de-dominio.cl",
        document_type=None, document_number=None, document_country=None,
    )  # fmt: skip
    dup = await factories.person(
        sessionmaker, "RM", given_names="Marie Carmelle", surnames=f"Joseph {suffix}",
        email=f"mcj.{suffix}@test.portal",
    )  # fmt: skip
    plain = await new_context(browser, live_server, javascript=False)
    scripted = await new_context(browser, live_server)
    console = ConsoleLog()
    axe = Axe()
    try:
        page = await signed_in_page(plain, console)
        checker = await signed_in_page(scripted, console)
        await page.goto(f"/staff/personas/{dup}")
        await page.get_by_text("Fusionar esta ficha con otra").click()
        await page.get_by_label("Número de la ficha que se conserva").fill(str(kept))
        await page.get_by_role("button", name="Ver la fusión").click()
        await expect(page.get_by_role("heading", level=1)).to_contain_text(
            f"Fusionar la ficha N° {dup} en la ficha N° {kept}"
        )
        await expect(page.locator(".alert-warning")).to_contain_text("Los correos son distintos")
        await check_page(checker, axe, page.url)

        await page.get_by_role("button", name="Confirmar la fusión").click()
        await expect(page).to_have_url(re.compile(rf"/staff/personas/{kept}\?hecho=fusionada$"))
        await check_page(checker, axe, page.url)
        await page.get_by_role("button", name=re.compile("Deshacer fusión")).click()
        await expect(page).to_have_url(re.compile(rf"/staff/personas/{dup}\?hecho=restaurada$"))
        await expect(page.get_by_role("status").first).to_contain_text("La fusión se deshizo")

        await page.get_by_role("link", name="Ver cambios en el registro de auditoría").click()
        await expect(page.locator("main")).to_contain_text(
            f"Se deshizo su fusión con Marie Joseph {suffix} (ficha N° {kept})"
        )
        await check_page(checker, axe, page.url)
    finally:
        await plain.close()
        await scripted.close()
    assert not console.errors, "\n".join(console.errors)
