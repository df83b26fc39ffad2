"""Issue 14's acceptance: the agent's workspace at desk widths and on a phone.

At 1366×768 and 1920×1080 the queue shows at least 20 requests above the fold, and a
request with three messages shows its last message and the reply box without scrolling; at
360 px neither page scrolls sideways; axe finds nothing serious or critical on the staff
pages, wide or narrow."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from helpdesk.demo.accounts import DEMO_STAFF
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import NewRequest, open_request
from helpdesk.tickets.workbench import service as agent_service
from tests.e2e.conftest import ConsoleLog, new_context
from tests.e2e.test_accessibility import BLOCKING_IMPACTS, describe
from tests.e2e.test_staff_signin import sign_in

pytestmark = pytest.mark.e2e

DESKS = [(1366, 768), (1920, 1080)]
PHONE = (360, 740)
FIRST = (
    "Buenas tardes. Presenté mi solicitud de residencia temporal en marzo y en la página "
    "sigue apareciendo «en análisis». Mi permiso de trabajo vence el próximo mes y mi "
    "empleador me pide un documento que acredite que el trámite está en curso. ¿Qué puedo "
    "presentarle? Adjunté el comprobante de ingreso de la solicitud."
)
ANSWER = (
    "Hola. El comprobante de solicitud en trámite le permite seguir trabajando mientras "
    "se resuelve su residencia. Puede descargarlo desde el portal de trámites en línea con "
    "su número de solicitud. Si su empleador necesita más información, puede mostrarle la "
    "ficha «Trabajar mientras se tramita una residencia»."
)
LAST = (
    "Gracias. Descargué el comprobante, pero mi empleador dice que la fecha que aparece ya "
    "pasó y que no le sirve. ¿Hay otro documento con fecha de hoy?"
)


async def three_message_request(sessionmaker) -> str:
    """A request in the demo agent's region: the person wrote, the agent answered, the person
    wrote again. Returns its folio."""
    email = f"p.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        "consulta", "Comprobante para mi empleador", FIRST, "web", email, "es", region_code="RM"
    )
    async with sessionmaker() as db, db.begin():
        ticket = (await open_request(db, data, Actor("anonymous", None), "http://t")).ticket
        agent = await db.scalar(
            select(StaffAccount).where(StaffAccount.email == DEMO_STAFF[0].email)
        )
        assert agent is not None
        viewer = Viewer("staff", agent.id, agent.full_name, agent.role, "RM")
        actor = Actor("staff", agent.id)
        await agent_service.reply(db, viewer, ticket, ANSWER, actor, "http://t")
        await citizen_service.add_reply(db, ticket, LAST, [], Actor("citizen", None))
        return ticket.folio


async def fill_the_queue(sessionmaker, count: int = 30) -> None:
    async with sessionmaker() as db, db.begin():
        for n in range(count):
            data = NewRequest(
                "consulta",
                f"Consulta de prueba número {n} sobre mi visa de trabajo",
                "Hola, necesito ayuda con mi trámite.",
                "web",
                f"q{n}.{uuid.uuid4().hex[:6]}@test.portal",
                ("es", "ht", "en", "fr", "zh", "ru")[n % 6],
                region_code="RM",
            )
            await open_request(db, data, Actor("anonymous", None), "http://t")


async def staff_page(browser: Browser, live_server: str, size: tuple[int, int]) -> Page:
    context = await new_context(browser, live_server)
    page = await context.new_page()
    await page.set_viewport_size({"width": size[0], "height": size[1]})
    await sign_in(page)
    return page


async def rows_above_the_fold(page: Page, height: int) -> int:
    return await page.evaluate(
        """(height) => [...document.querySelectorAll('#bandeja tbody tr')]
            .filter(row => { const box = row.getBoundingClientRect();
                             return box.height > 0 && box.bottom <= height; }).length""",
        height,
    )


async def fully_visible(page: Page, selector: str, size: tuple[int, int]) -> bool:
    box = await page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size[1]


async def no_sideways_scroll(page: Page) -> bool:
    return await page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


async def axe_blocking(page: Page) -> list[dict]:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


@pytest.mark.parametrize("size", DESKS, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_desk_widths(browser: Browser, live_server: str, sessionmaker, size) -> None:
    await fill_the_queue(sessionmaker)
    folio = await three_message_request(sessionmaker)
    page = await staff_page(browser, live_server, size)
    console = ConsoleLog()
    console.watch(page)
    try:
        await page.goto("/staff/solicitudes?vista=all")
        shown = await rows_above_the_fold(page, size[1])
        assert shown >= 20, f"only {shown} rows above the fold at {size}"
        # The person's language is in the row, as a badge.
        assert await page.locator("#bandeja tbody tr .badge.lang").count() >= 20
        assert await no_sideways_scroll(page)
        # Every column is on screen: nothing hides in the table's own scrolling box.
        last_column = await page.locator("#bandeja thead th").last.bounding_box()
        assert last_column and last_column["x"] + last_column["width"] <= size[0]
        assert not await axe_blocking(page), describe(await axe_blocking(page))

        await page.goto(f"/staff/solicitudes/{folio}")
        assert await page.evaluate("window.scrollY") == 0
        last = page.locator("ol.conversation > li").last
        await expect(last).to_contain_text("¿Hay otro documento con fecha de hoy?")
        assert await fully_visible(page, "ol.conversation > li:last-child", size), (
            f"the last message is not fully visible without scrolling at {size}"
        )
        assert await fully_visible(page, "#texto", size), (
            f"the reply box is not visible without scrolling at {size}"
        )
        # The properties and the person's context sit beside the conversation.
        reply_box = await page.locator("#texto").bounding_box()
        properties = await page.locator("#propiedades").bounding_box()
        assert reply_box and properties and properties["x"] > reply_box["x"] + reply_box["width"]
        assert await no_sideways_scroll(page)
        blocking = await axe_blocking(page)
        assert not blocking, describe(blocking)
        assert not console.errors, "\n".join(console.errors)
    finally:
        await page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_phone_width(browser: Browser, live_server: str, sessionmaker, javascript) -> None:
    folio = await three_message_request(sessionmaker)
    context = await new_context(browser, live_server, javascript=javascript)
    page = await context.new_page()
    await page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    try:
        await sign_in(page)
        for path in (
            "/staff",
            "/staff/solicitudes?vista=all",
            f"/staff/solicitudes/{folio}",
            "/staff/disponibilidad",
        ):
            await page.goto(path)
            assert await no_sideways_scroll(page), f"{path} scrolls sideways at 360 px"
            if javascript:
                blocking = await axe_blocking(page)
                assert not blocking, f"{path}: {describe(blocking)}"
        # Still usable: the reply box and its send button are there and reachable.
        await page.goto(f"/staff/solicitudes/{folio}")
        await page.locator("#texto").fill("Le escribimos con el documento actualizado.")
        await page.get_by_role("button", name="Enviar respuesta", exact=True).click()
        await expect(page.locator("ol.conversation > li").last).to_contain_text(
            "documento actualizado"
        )
    finally:
        await context.close()
        async with sessionmaker() as db:
            assert await db.scalar(select(Ticket.id).where(Ticket.folio == folio))
