"""The new-request form on a 360 px phone, with and without JavaScript: its height, labels
beside their radios, 44 px rows, no sideways scrolling; after a validation error the focus is
on the error summary at the top, whose links lead to each field; axe finds nothing serious.

The form was 3,624 px tall here before it was reworked (3,911 px in the issue's browser).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, expect

from helpdesk.demo.accounts import DEMO_CITIZEN_PASSWORD
from tests.e2e.conftest import PAGE_TIMEOUT_MS, ConsoleLog
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
CITIZEN = "luis.perez@demo.portal"  # a demo citizen with a confirmed email, in Spanish
FORM_CEILING_PX = 1_500
OPEN_GROUP_CEILING_PX = 2_100  # the longer group of kinds unfolded, one chosen
TAP_TARGET_PX = 44


@pytest.fixture(scope="module")
async def signed_in(browser: Browser, live_server: str) -> dict[str, Any]:
    """The citizen's cookies, signed in once for the module (sign-ins are rate limited)."""
    context = await browser.new_context(base_url=live_server, locale="es-CL")
    page = await context.new_page()
    await page.goto("/cuenta/ingresar")
    form = page.locator("main form")
    await form.get_by_label("Correo electrónico", exact=True).fill(CITIZEN)
    await form.get_by_label("Contraseña", exact=True).fill(DEMO_CITIZEN_PASSWORD)
    await form.get_by_role("button", name="Ingresar", exact=True).click()
    await page.wait_for_url(lambda url: "/cuenta/ingresar" not in url)
    state = await context.storage_state()
    await context.close()
    return dict(state)


async def phone(
    browser: Browser, base_url: str, state: dict[str, Any], javascript: bool
) -> BrowserContext:
    context = await browser.new_context(
        base_url=base_url,
        viewport=PHONE,
        java_script_enabled=javascript,
        locale="es-CL",
        storage_state=state,  # type: ignore[arg-type]
    )
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    return context


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
async def phone_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: str, signed_in: dict[str, Any]
) -> AsyncIterator[tuple[Page, bool]]:
    context = await phone(browser, live_server, signed_in, request.param)
    console = ConsoleLog()
    page = await context.new_page()
    console.watch(page)
    yield page, request.param
    await context.close()
    # The 422 that re-renders the form with its errors is the one expected complaint.
    unexpected = [e for e in console.errors if "status of 422" not in e]
    assert not unexpected, "\n".join(unexpected)


async def height(page: Page, selector: str) -> float:
    return float(await page.locator(selector).evaluate("e => e.getBoundingClientRect().height"))


async def no_sideways_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"


async def test_the_form_fits_a_phone(phone_page: tuple[Page, bool]) -> None:
    page, _ = phone_page
    response = await page.goto("/solicitudes/nueva")
    assert response is not None and response.status == 200
    form_height = await height(page, "main form")
    assert form_height < FORM_CEILING_PX, f"the form is {form_height:.0f} px tall"
    await no_sideways_scroll(page)

    # The first question unfolds the second: the kinds of the chosen group.
    radios = page.locator("input[name=tipo]")
    assert await radios.count() > 10
    await expect(radios.first).to_be_hidden()
    await page.locator("summary", has_text="Un trámite migratorio").click()
    radio = page.get_by_label("Residencia definitiva", exact=True)
    await expect(radio).to_be_visible()
    hint = page.locator("#tipo-residencia_definitiva-hint")
    await expect(hint).to_be_hidden()  # a kind's explanation shows once it is chosen

    # Each radio sits on the line of its label, and the label is a row one can tap.
    for code in ("residencia_definitiva", "permanencia_transitoria", "refugio"):
        control = await page.locator(f"#tipo-{code}").bounding_box()
        label = await page.locator(f"label[for='tipo-{code}']").bounding_box()
        assert control and label
        assert label["x"] >= control["x"] + control["width"], code
        assert label["y"] <= control["y"] < label["y"] + label["height"], code
        assert label["height"] >= TAP_TARGET_PX and label["width"] > 200, code
    await page.get_by_text("Residencia definitiva", exact=True).click()
    await expect(radio).to_be_checked()
    await expect(hint).to_be_visible()
    open_height = await height(page, "main form")
    assert open_height < OPEN_GROUP_CEILING_PX, f"unfolded, the form is {open_height:.0f} px"
    await no_sideways_scroll(page)
    for summary in await page.locator("main summary").all():
        box = await summary.bounding_box()
        assert box and box["height"] >= TAP_TARGET_PX


async def submit_with_errors(page: Page) -> None:
    """Sends the form with only a subject: the kind, region and description are missing."""
    await page.goto("/solicitudes/nueva")
    await page.get_by_label("Región donde vive", exact=True).select_option("")
    await page.get_by_label("Asunto", exact=True).fill("Mi permiso")
    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name="Enviar solicitud").click()
    response = await navigation.value
    assert response is not None and response.status == 422


async def test_after_an_error_the_focus_is_on_the_summary(phone_page: tuple[Page, bool]) -> None:
    page, javascript = phone_page
    await submit_with_errors(page)
    summary = page.locator("#resumen-errores")
    await expect(summary).to_be_focused()
    await expect(summary).to_have_attribute("role", "alert")
    await expect(summary.get_by_role("heading")).to_have_text("Hay un problema")
    assert await summary.evaluate("e => e.getBoundingClientRect().top >= 0")
    assert await summary.evaluate("e => e.getBoundingClientRect().bottom <= innerHeight")
    targets = [str(await a.get_attribute("href")) for a in await summary.locator("a").all()]
    assert targets == ["#tipo-permanencia_transitoria", "#region", "#texto"]
    for target in targets:
        await expect(page.locator(target)).to_have_attribute("aria-invalid", "true")
    await no_sideways_scroll(page)

    # Each link leads to its field: with JavaScript the field takes the focus, without it
    # the page scrolls to the field (browsers move no focus to a fragment's target).
    await summary.get_by_role("link", name="Elija la región donde vive.").click()
    region = page.locator("#region")
    await expect(region).to_be_in_viewport()
    if javascript:
        await expect(region).to_be_focused()
    else:
        await expect(page).to_have_url(re.compile(r"#region$"))
    await summary.get_by_role("link", name="Elija el tipo de solicitud.").click()
    await expect(page.locator("#tipo-permanencia_transitoria")).to_be_in_viewport()


async def test_the_form_passes_axe_unfolded_and_with_errors(
    browser: Browser, live_server: str, signed_in: dict[str, Any]
) -> None:
    context = await phone(browser, live_server, signed_in, javascript=True)
    axe = Axe()
    try:
        page = await context.new_page()
        await page.goto("/solicitudes/nueva")
        await page.locator("summary", has_text="Un trámite migratorio").click()
        await page.get_by_text("Multas", exact=True).click()
        unfolded = await axe.run(page)
        await submit_with_errors(page)
        refused = await axe.run(page)
    finally:
        await context.close()
    for results in (unfolded, refused):
        violations = results.response["violations"]
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, describe(blocking)
