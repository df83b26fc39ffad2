"""A reader in Haitian Creole searches, opens an article, votes and switches language —
with htmx enhancing the search, and again with JavaScript off."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from knowledge_base.content_loader import load_content
from tests.e2e.conftest import ConsoleLog, new_context

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def shipped_content(sessionmaker) -> None:
    async with sessionmaker() as db, db.begin():
        await load_content(db)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
async def test_creole_reader_searches_reads_votes_and_switches_language(
    browser: Browser, live_server: str, shipped_content: None, console: ConsoleLog, javascript: bool
) -> None:
    context = await new_context(browser, live_server, javascript=javascript, locale="ht")
    page = await context.new_page()
    console.watch(page)
    await page.goto("/ayuda")
    await expect(page.locator("html")).to_have_attribute("lang", "ht")
    search_box = page.locator("main input[name=q]")
    await search_box.fill("kijan pou m telechaje so elektwonik lan")
    if javascript:
        # Search as you type: results arrive without submitting the form.
        await expect(page.locator("#resultados .results li").first).to_be_visible()
        assert "/ayuda/buscar" in page.url
    else:
        await search_box.press("Enter")
        await expect(page).to_have_url(re.compile(r"/ayuda/buscar\?q="))
    first = page.locator("#resultados .results li a").first
    await expect(first).to_contain_text(re.compile("so elektwonik", re.IGNORECASE))
    await first.click()
    await expect(page).to_have_url(re.compile(r"/ayuda/articulo/"))
    await expect(page.locator("article h1")).not_to_have_attribute("lang", "es")
    await page.locator("#voto textarea").fill("Mèsi, sa te ede m anpil.")
    await page.locator("#voto button[name=helpful][value='1']").click()
    await expect(page.locator("#voto [role=status]")).to_be_visible()
    await page.get_by_role("button", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#voto h2")).to_have_text("Was this article helpful?")
    assert console.errors == []
    await context.close()
