"""In chromium: the live preview follows the typing under the Content-Security-Policy, the
plain "Vista previa" button works without JavaScript, and axe finds no serious violation."""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import CHROMIUM, ConsoleLog, new_context
from tests.knowledge_base.editor.helpers import Staff, new_article
from tests.support.factories import STAFF_PASSWORD

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium not installed"),
]


async def sign_in(page: Page, email: str) -> None:
    await page.goto("/staff/ingresar")
    await page.get_by_label("Correo institucional").fill(email)
    await page.get_by_label("Contraseña").fill(STAFF_PASSWORD)
    await page.locator("main").get_by_role("button", name="Ingresar").click()
    await expect(page).to_have_url(re.compile(r"/staff$"))


async def guide(sessionmaker, author: Staff) -> str:  # type: ignore[no-untyped-def]
    async with sessionmaker() as db, db.begin():
        article = await new_article(db, author, "guia", "Guía de prueba")
    return f"/staff/kb/articulos/{article.id}/es"


async def test_live_preview_with_htmx(
    browser: Browser, live_server: str, sessionmaker, author: Staff
) -> None:
    edit = await guide(sessionmaker, author)
    context = await new_context(browser, live_server)
    console = ConsoleLog()
    try:
        page = await context.new_page()
        console.watch(page)
        await sign_in(page, author.email)
        await page.goto(edit)
        await page.get_by_label("Contenido").fill("**negrita** <script>alert(1)</script>")
        preview = page.locator("#vista-previa")
        await expect(preview.locator("strong", has_text="negrita")).to_be_visible()
        await expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text
        await page.locator("#step-0-title").fill("Primer paso")
        await expect(preview.locator(".steps")).to_contain_text("Primer paso")
        assert await page.input_value("#title") == "Guía de prueba"  # nothing was reloaded
        results = await Axe().run(page)
    finally:
        await context.close()
    blocking = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not blocking, json.dumps(blocking, indent=1)[:4000]
    assert not console.errors, "\n".join(console.errors)


async def test_preview_button_without_javascript(
    browser: Browser, live_server: str, sessionmaker, author: Staff
) -> None:
    edit = await guide(sessionmaker, author)
    context = await new_context(browser, live_server, javascript=False)
    try:
        page = await context.new_page()
        await sign_in(page, author.email)
        await page.goto(edit)
        await page.get_by_label("Contenido").fill("Texto con *énfasis*")
        await page.get_by_role("button", name="Vista previa").click()
        await expect(page.locator("#vista-previa em")).to_have_text("énfasis")
        assert await page.input_value("#body_md") == "Texto con *énfasis*"
        await page.get_by_role("button", name="Guardar borrador").click()
        await expect(page.get_by_role("status")).to_contain_text("El borrador fue guardado.")
    finally:
        await context.close()
