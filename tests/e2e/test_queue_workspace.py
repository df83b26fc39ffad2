"""The queue as a working list in a browser: dense rows, no sideways scroll on a phone, and
the bulk bar that appears with the selection (static/js/agent-queue.js)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.conftest import new_context
from tests.e2e.test_staff_signin import sign_in
from tests.e2e.test_staff_workspace import (
    axe_blocking,
    describe,
    fill_the_queue,
    no_sideways_scroll,
    rows_above_the_fold,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("size", [(1366, 768), (360, 740)], ids=["1366", "360"])
async def test_queue_fits(browser: Browser, live_server: str, sessionmaker, size) -> None:
    await fill_the_queue(sessionmaker)
    context = await new_context(browser, live_server)
    page = await context.new_page()
    await page.set_viewport_size({"width": size[0], "height": size[1]})
    try:
        await sign_in(page)
        await page.goto("/staff/solicitudes?vista=all")
        # What sticks out, if anything, for the failure message.
        wide = await page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
        )
        assert await no_sideways_scroll(page), wide
        if size[0] > 1000:
            shown = await rows_above_the_fold(page, size[1])
            assert shown >= 20, f"only {shown} rows above the fold"
            row = await page.locator("#bandeja tbody tr").first.bounding_box()
            assert row is not None and row["height"] <= 28
        blocking = await axe_blocking(page)
        assert not blocking, describe(blocking)
    finally:
        await context.close()


async def test_bulk_bar_appears_with_the_selection(
    browser: Browser, live_server: str, sessionmaker
) -> None:
    await fill_the_queue(sessionmaker, 3)
    context = await new_context(browser, live_server)
    page = await context.new_page()
    await page.set_viewport_size({"width": 1366, "height": 768})
    try:
        await sign_in(page)
        await page.goto("/staff/solicitudes?vista=all")
        bar = page.locator("#lote-acciones")
        await expect(bar).to_be_hidden()
        boxes = page.locator('#bandeja tbody input[name="folio"]')
        await boxes.first.check()
        await expect(bar).to_be_visible()
        await expect(page.locator("#lote-n")).to_have_text("1")
        await page.locator("#sel-todas").check()
        total = await boxes.count()
        await expect(page.locator("#lote-n")).to_have_text(str(total))
        assert await page.locator('#bandeja tbody input[name="folio"]:checked').count() == total
        await page.locator("#sel-todas").uncheck()
        await expect(bar).to_be_hidden()
        # Still there after htmx swaps the results in place.
        await page.locator("#vista-unassigned").click()
        await expect(page.locator("#vista-unassigned")).to_have_attribute("aria-current", "page")
        await expect(bar).to_be_hidden()
        await page.locator('#bandeja tbody input[name="folio"]').first.check()
        await expect(bar).to_be_visible()
    finally:
        await context.close()
