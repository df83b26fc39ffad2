"""The admin's trámite and office pages at a phone's width, with JavaScript (axe-core: no
serious or critical violation) and without it (the forms and their errors work): no
horizontal scroll, errors shown next to their fields."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect

from helpdesk.demo.accounts import DEMO_STAFF, DEMO_STAFF_PASSWORD
from tests.e2e.conftest import new_context
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe

pytestmark = pytest.mark.e2e

ADMIN = next(s for s in DEMO_STAFF if s.role == "admin")
P = "/staff/admin/solicitudes"


async def sign_in(page: Page) -> None:
    await page.goto("/staff/ingresar")
    await page.get_by_label("Correo institucional").fill(ADMIN.email)
    await page.get_by_label("Contraseña").fill(DEMO_STAFF_PASSWORD)
    await page.locator("main").get_by_role("button", name="Ingresar").click()
    await expect(page).to_have_url(re.compile(r"/staff$"))


async def check(page: Page, axe: Axe | None, where: str) -> None:
    """axe and the width check run scripts in the page: only with JavaScript."""
    if axe is None:
        return
    results = await axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {where}:\n{describe(blocking)}"
    overflow = await page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, f"{where} scrolls sideways at 360 px"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_reference_admin_pages_pass_axe(
    browser: Browser, live_server: str, javascript: bool
) -> None:
    context = await new_context(browser, live_server, javascript=javascript)
    try:
        page = await context.new_page()
        await page.set_viewport_size({"width": 360, "height": 740})
        await sign_in(page)
        axe = Axe() if javascript else None
        for path in ("/tramites", "/tramites/nuevo", "/tramites/pt-artistas", "/oficinas"):
            response = await page.goto(P + path)
            assert response is not None and response.status == 200, path
            await check(page, axe, path)
        # The office form with its errors shown (nothing is saved).
        await page.goto(P + "/oficinas/talca")
        await page.get_by_label("lunes").fill("09:00-13:00, 12:00-14:00")
        await page.get_by_role("button", name="Guardar cambios").click()
        await expect(page.locator("#horario_0-error")).to_contain_text("se superponen")
        await expect(page.get_by_label("lunes")).to_have_attribute("aria-invalid", "true")
        await check(page, axe, "the office form with errors")
        # The new trámite form with its errors shown.
        await page.goto(P + "/tramites/nuevo")
        await page.get_by_role("button", name="Agregar trámite").click()
        await expect(page.locator("#nombre_es-error")).to_be_visible()
        await check(page, axe, "the trámite form with errors")
    finally:
        await context.close()
