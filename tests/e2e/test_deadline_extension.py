"""Prorrogar plazo in a browser: on a 360 px screen, without JavaScript, an agent extends a
transparency request's deadline with a reason; the page fits the screen and axe finds no
serious violation before and after."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, expect

from helpdesk.audit.service import Actor
from helpdesk.tickets.service import NewRequest, open_request
from tests.e2e.conftest import ConsoleLog
from tests.e2e.test_accessibility import describe
from tests.e2e.test_agent_htmx import axe_blocking
from tests.e2e.test_staff_signin import sign_in

pytestmark = pytest.mark.e2e


async def transparency_request(sessionmaker) -> str:
    email = f"t.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        "transparencia", "Actas del comité", "Pido las actas de 2025.", "web", email, "ht",
        region_code="RM",
    )  # fmt: skip
    async with sessionmaker() as db, db.begin():
        opened = await open_request(db, data, Actor("anonymous", None), "http://testserver")
        return opened.ticket.folio


async def width_overflow(page) -> int:  # type: ignore[no-untyped-def]
    return int(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


async def phone(browser: Browser, base_url: str, javascript: bool):  # type: ignore[no-untyped-def]
    return await browser.new_context(
        base_url=base_url,
        java_script_enabled=javascript,
        viewport={"width": 360, "height": 740},
        locale="es-CL",
    )


async def test_an_agent_extends_a_deadline_on_a_phone_without_javascript(
    browser: Browser, live_server: str, sessionmaker
) -> None:
    extended, fresh = (
        await transparency_request(sessionmaker),
        await transparency_request(sessionmaker),
    )
    console = ConsoleLog()
    context = await phone(browser, live_server, javascript=False)
    try:
        page = await context.new_page()
        console.watch(page)
        await sign_in(page)
        await page.goto(f"/staff/solicitudes/{extended}")
        await expect(page.get_by_role("heading", name="Plazo y prórroga")).to_be_visible()
        await page.get_by_label("Motivo de la prórroga").fill(
            "Faltan antecedentes de dos oficinas."
        )
        await page.get_by_role("button", name="Prorrogar plazo").click()
        await expect(page.locator("main")).to_contain_text("Plazo prorrogado. Se avisó")
        main = page.locator("main")
        await expect(main).to_contain_text("Faltan antecedentes de dos oficinas.")
        await expect(main).to_contain_text("ya se prorrogó una vez")
        await expect(page.get_by_role("button", name="Prorrogar plazo")).to_have_count(0)
    finally:
        await context.close()

    # axe needs JavaScript: the same pages, before and after, on the same small screen.
    context = await phone(browser, live_server, javascript=True)
    try:
        page = await context.new_page()
        console.watch(page)
        await sign_in(page)
        for folio in (fresh, extended):
            await page.goto(f"/staff/solicitudes/{folio}")
            blocking = await axe_blocking(page)
            assert not blocking, describe(blocking)
            assert await width_overflow(page) <= 0, folio
    finally:
        await context.close()
    assert not console.errors, "\n".join(console.errors)
