"""A Creole request's private link, opened on a Spanish-language phone that never signed in:
the page speaks Creole, passes axe, keeps the language switcher (which still works), with
and without JavaScript; the link of a status email opens it the same way (issue 12)."""

from __future__ import annotations

import uuid

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.audit.service import Actor
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets import status_flow
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import NewRequest, open_request
from helpdesk.tickets.workbench import service as agent_service
from tests.e2e.conftest import ConsoleLog, new_context
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.helpdesk.tickets.workbench.test_links import actor_of, staff_viewer

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_a_creole_private_link_opens_in_creole_on_a_spanish_phone(
    browser: Browser,
    live_server: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    javascript: bool,
) -> None:
    email = f"kreyol.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        "consulta", "Rezidans mwen", "Kilè rezidans mwen ap soti?", "web", email, "ht",
        region_code="RM",
    )  # fmt: skip
    async with sessionmaker() as db, db.begin():
        opened = await open_request(db, data, Actor("anonymous", None), live_server)
    private = f"{live_server}/solicitudes/{opened.ticket.folio}/{opened.access_token}"

    context = await new_context(browser, live_server, javascript=javascript)  # es-CL, no cookie
    console = ConsoleLog()
    try:
        page = await context.new_page()
        await page.set_viewport_size(PHONE)
        console.watch(page)
        response = await page.goto(private)
        assert response is not None and response.status == 200
        assert await page.get_attribute("html", "lang") == "ht"
        if javascript:  # axe runs as a script in the page
            results = await Axe().run(page)
            found = results.response["violations"]
            blocking = [v for v in found if v["impact"] in BLOCKING_IMPACTS]
            assert not blocking, describe(blocking)

        # The switcher is there and decides: Spanish, on the same private page.
        await page.get_by_role("button", name="Español").click()
        await page.wait_for_load_state()
        assert page.url == private
        assert await page.get_attribute("html", "lang") == "es"
    finally:
        await context.close()

    # The agent resolves without writing: the status email's link opens it, in Creole.
    viewer, _ = await staff_viewer(sessionmaker)
    async with sessionmaker() as db, db.begin():
        item = await db.get(Ticket, opened.ticket.id)
        assert item is not None
        for target in (status_flow.ABIERTO, status_flow.RESUELTO):
            await agent_service.change_status(db, viewer, item, target, actor_of(viewer))
    async with sessionmaker() as db:
        notice = await db.scalar(
            select(OutboxMessage).where(
                OutboxMessage.to_address == email, OutboxMessage.template == "request_status"
            )
        )
    assert notice is not None and notice.locale == "ht"
    link = str(notice.context["link"])
    assert link.startswith(live_server) and link != private

    fresh = await new_context(browser, live_server, javascript=javascript)
    try:
        page = await fresh.new_page()
        response = await page.goto(link)
        assert response is not None and response.status == 200
        assert await page.get_attribute("html", "lang") == "ht"
        assert "ingresar" not in page.url
    finally:
        await fresh.close()
    assert not console.errors, "\n".join(console.errors)
