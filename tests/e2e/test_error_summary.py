"""The error summary on other people's forms in the browser, at 360 px, with and without
JavaScript: the focus lands on it, and axe finds nothing serious on the refused page.
(The new-request form's own checks: test_request_form_phone.py.)"""

from __future__ import annotations

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, expect

from tests.e2e.conftest import PAGE_TIMEOUT_MS
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe

pytestmark = pytest.mark.e2e

FORMS = {
    "registration": ("/cuenta/registro", "Crear cuenta", "#given_names"),
    "sign-in": ("/cuenta/ingresar", "Ingresar", "#email"),
    "lost link": ("/solicitudes/recuperar", "Enviar enlace", "#email"),
}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize(("path", "button", "first_link"), FORMS.values(), ids=FORMS.keys())
async def test_the_focus_lands_on_the_summary(
    browser: Browser, live_server: str, path: str, button: str, first_link: str, javascript: bool
) -> None:
    context = await browser.new_context(
        base_url=live_server,
        viewport={"width": 360, "height": 740},
        java_script_enabled=javascript,
        locale="es-CL",
    )
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = await context.new_page()
        await page.goto(path)
        async with page.expect_navigation() as navigation:
            await page.locator("main form").get_by_role("button", name=button, exact=True).click()
        response = await navigation.value
        assert response is not None and response.status == 422
        summary = page.locator("#resumen-errores")
        await expect(summary).to_be_focused()
        await expect(summary.locator("a").first).to_have_attribute("href", first_link)
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        if javascript:
            results = await Axe().run(page)
            blocking = [
                v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS
            ]
            assert not blocking, describe(blocking)
    finally:
        await context.close()
