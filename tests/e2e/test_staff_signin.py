"""A staff member signs in through the real form and switches the interface to Haitian Creole,
with JavaScript and without it."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from helpdesk.demo.accounts import DEMO_STAFF, DEMO_STAFF_PASSWORD
from tests.e2e.conftest import ConsoleLog, new_context

pytestmark = pytest.mark.e2e

AGENT = DEMO_STAFF[0]


async def sign_in(page: Page) -> None:
    await page.goto("/staff/ingresar")
    await page.get_by_label("Correo institucional").fill(AGENT.email)
    await page.get_by_label("Contraseña").fill(DEMO_STAFF_PASSWORD)
    await page.locator("main").get_by_role("button", name="Ingresar").click()
    await expect(page).to_have_url(re.compile(r"/staff$"))
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Escritorio")


async def switch_to_creole(page: Page) -> tuple[str, str]:
    """Opens the staff header's language menu (folded, a <details>: no script needed) and
    clicks its Creole button; returns the main text before and after."""
    spanish = await page.locator("main").inner_text()
    menu = page.locator("header details.language-menu")
    await expect(menu.locator("summary")).to_contain_text("Español")
    await menu.locator("summary").click()
    await menu.get_by_role("button", name="Kreyòl ayisyen").click()
    await expect(page.locator("html")).to_have_attribute("lang", "ht")
    await expect(page).to_have_url(re.compile(r"/staff$"))
    await expect(menu.locator("summary")).to_contain_text("Kreyòl ayisyen")
    await menu.locator("summary").click()
    await expect(menu.get_by_role("button", name="Kreyòl ayisyen")).to_have_attribute(
        "aria-current", "true"
    )
    return spanish, await page.locator("main").inner_text()


async def test_staff_signs_in_and_switches_to_creole(
    context: BrowserContext, console: ConsoleLog
) -> None:
    page = await context.new_page()
    console.watch(page)
    await sign_in(page)
    # htmx (a deferred script, like our own) must load under the Content-Security-Policy.
    # (Polled from here: wait_for_function compiles its predicate in the page, which the
    # CSP's script-src 'self' rightly forbids.)
    for _ in range(100):
        if await page.evaluate("typeof window.htmx") == "object":
            break
        await asyncio.sleep(0.05)
    assert await page.evaluate("typeof window.htmx") == "object"
    spanish, creole = await switch_to_creole(page)
    assert creole != spanish, "the page text did not change after switching to Kreyòl ayisyen"
    assert await page.evaluate("typeof window.htmx") == "object"
    assert not console.errors, "\n".join(console.errors)


async def test_staff_signs_in_and_switches_language_without_javascript(
    browser: Browser, live_server: str
) -> None:
    context = await new_context(browser, live_server, javascript=False)
    try:
        page = await context.new_page()
        await sign_in(page)
        assert await page.evaluate("typeof window.htmx") == "undefined", "scripts still ran"
        spanish, creole = await switch_to_creole(page)
        assert creole != spanish, "the page text did not change after switching to Kreyòl ayisyen"
    finally:
        await context.close()
