"""A Haitian woman on a 360 px phone, from the first search to the closed request, in Creole.

She searches the help, reads an article, opens a request without an account, gets the
confirmation, an agent's answer written from a respuesta tipo, says it did not solve her
problem, gets the agent's second answer and the closing email, and rates the answer. Every page
she sees and every email she receives is read for Spanish words (names and folios aside), and
every link in every email is opened in a browser that has never signed in.
"""

from __future__ import annotations

import re
import uuid
from email.message import EmailMessage

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.i18n import translations
from helpdesk.core.settings import Settings
from helpdesk.core.templating import make_environment
from helpdesk.demo.accounts import DEMO_STAFF, DEMO_STAFF_PASSWORD
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from helpdesk.reference.data import DIRECTORATE_NAMES, REGIONS
from helpdesk.tickets.answers.models import AnswerTemplate, AnswerTemplateText
from helpdesk.tickets.models import Ticket
from knowledge_base.content_loader import load_content
from tests.e2e.conftest import ConsoleLog, new_context

pytestmark = pytest.mark.e2e

AGENT = DEMO_STAFF[0]  # regional agent of the Región Metropolitana
PHONE = {"width": 360, "height": 740}
# Words a Creole reader would only meet in Spanish text (none of them is Creole, English or a
# name the pages show). Checked whole-word and case-insensitively.
_SPANISH = (
    "usted su sus solicitud solicitudes respuesta respuestas consulta correo gracias enlace "
    "estado hola saludos atentamente cerrada cerrado resuelta resuelto recibimos del los las "
    "que para por con una este esta aquí según puede debe días hábiles nuestra nuestro plazo "
    "buscar nueva enviar escribir mensaje evalúe ingrese cuenta trámite documentos"
)
SPANISH_WORDS = frozenset(_SPANISH.split())
# Names are not translated: the brand, the language switcher, regions and offices.
NAMES = ("Portal de Ayuda", "Español", *(r[1] for r in REGIONS), *DIRECTORATE_NAMES.values())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_GLOSS = re.compile(r"\([^()]*\)")
_LINK = re.compile(r"https?://[^\s<>\"')]+")


def ht(message: str) -> str:
    return translations("ht").ugettext(message)


def spanish_in(text: str) -> list[str]:
    text = _LINK.sub(" ", text)  # addresses are not words she reads
    for name in NAMES:
        text = text.replace(name, " ")
    return sorted({w for w in _WORD.findall(text) if w.lower() in SPANISH_WORDS})


def in_context(text: str) -> list[str]:
    """Each Spanish word found with the words around it, to say where it was."""
    return [
        text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " / ")
        for word in spanish_in(text)
        for m in re.finditer(rf"\b{word}\b", text)
    ]


class Journey:
    """What she saw: every page's text and every email, each checked as it arrives."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings):
        self.sessionmaker = sessionmaker
        self.renderer = EmailRenderer(make_environment(settings), "portal@test")
        self.seen_emails: set[int] = set()
        self.emails: list[tuple[str, EmailMessage]] = []
        self.links: set[str] = set()

    async def page_is_creole(self, page: Page, where: str, glosses: bool = False) -> None:
        """``glosses``: articles give the Spanish term the person will meet on official
        papers in parentheses, «an kou (en trámite)»: those are left out of the check."""
        await expect(page.locator("html")).to_have_attribute("lang", "ht")
        text = await page.locator("body").inner_text()
        if glosses:
            text = _GLOSS.sub(" ", text)
        assert not spanish_in(text), f"{where}: Spanish on the page: {in_context(text)}"
        widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{where}: wider than the phone: {widths}"

    async def new_emails(self, to: str) -> list[tuple[str, dict[str, object]]]:
        """Emails to her since the last look, rendered as the worker would and checked."""
        async with self.sessionmaker() as db:
            rows = list(
                await db.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.to_address == to)
                    .order_by(OutboxMessage.id)
                )
            )
        fresh = [row for row in rows if row.id not in self.seen_emails]
        for row in fresh:
            self.seen_emails.add(row.id)
            assert row.locale == "ht", f"{row.template} email in {row.locale}"
            message = self.renderer.render(row)
            self.emails.append((row.template, message))
            text = str(message["Subject"]) + "\n" + message.get_body(("plain",)).get_content()
            html = message.get_body(("html",)).get_content()
            for part, content in (("text", text), ("html", re.sub(r"<[^>]+>", " ", html))):
                leftovers = spanish_in(content)
                assert not leftovers, f"{row.template} email ({part}): {in_context(content)}"
            links = set(_LINK.findall(text))
            assert links, f"{row.template} email carries no link"
            self.links |= links
        return [(row.template, dict(row.context or {})) for row in fresh]

    async def links_open_signed_out(self, browser: Browser, base_url: str) -> None:
        """Every link of every email, each in a browser that never signed in."""
        for link in sorted(self.links):
            if not link.startswith(base_url):
                continue
            context = await new_context(browser, base_url)
            try:
                page = await context.new_page()
                response = await page.goto(link)
                assert response is not None and response.status == 200, (link, response)
                assert "ingresar" not in page.url, f"{link} asks to sign in: {page.url}"
            finally:
                await context.close()


async def seed_canned(sessionmaker: async_sessionmaker[AsyncSession], unique: str) -> str:
    code = f"dosye-{unique}"
    async with sessionmaker() as db, db.begin():
        canned = AnswerTemplate(code=code, title=f"Antecedentes {unique}", active=True)
        db.add(canned)
        await db.flush()
        for locale, body in {
            "es": "Hola {nombre}: recibimos sus antecedentes ({folio}).",
            "ht": "Bonjou {nombre}: nou resevwa dokiman ou yo ({folio}). Kòd " + unique + ".",
        }.items():
            db.add(AnswerTemplateText(canned_id=canned.id, locale=locale, body=body))
    return code


async def search_and_read(page: Page, journey: Journey) -> None:
    await page.goto("/")
    await page.get_by_role("button", name="Kreyòl ayisyen").click()
    await journey.page_is_creole(page, "home")
    await page.goto("/ayuda")
    search_box = page.locator("main input[name=q]")
    await search_box.fill("rezidans")
    await search_box.press("Enter")
    await expect(page.locator("#resultados .results li a").first).to_be_visible()
    await journey.page_is_creole(page, "search results")
    await page.locator("#resultados .results li a").first.click()
    await expect(page).to_have_url(re.compile(r"/ayuda/articulo/"))
    await journey.page_is_creole(page, "article", glosses=True)


async def open_request(page: Page, journey: Journey, email: str, unique: str) -> str:
    await page.goto("/")
    await page.get_by_role("link", name=ht("Hacer una consulta o reclamo")).click()
    await journey.page_is_creole(page, "how to ask")
    await page.get_by_role("link", name=ht("Confirmar mi correo")).click()
    await journey.page_is_creole(page, "prove email")
    await page.get_by_label(ht("Correo electrónico"), exact=True).fill(email)
    await page.get_by_role("button", name=ht("Enviar enlace")).click()
    await journey.page_is_creole(page, "check your email")
    (proof,) = await journey.new_emails(email)
    await page.goto(str(proof[1]["link"]))
    await journey.page_is_creole(page, "confirm email")
    await page.locator("main").get_by_role("button", name=ht("Confirmar")).click()
    await expect(page).to_have_url(re.compile(r"/solicitudes/nueva$"))
    await journey.page_is_creole(page, "new request")
    # The kinds are folded in two groups: unfold the trámites first.
    await page.locator("main summary", has_text=ht("Un trámite migratorio")).click()
    await page.get_by_label(ht("Residencia definitiva"), exact=True).check()
    await page.get_by_label(ht("Región donde vive"), exact=True).select_option("RM")
    await page.get_by_label(ht("Asunto"), exact=True).fill(f"Dosye rezidans {unique}")
    await page.get_by_label(ht("Describa su solicitud"), exact=True).fill(
        "Mwen voye papye mwen yo pou rezidans definitif la. Èske nou resevwa yo?"
    )
    await page.get_by_role("button", name=ht("Enviar solicitud")).click()
    await expect(page).to_have_url(re.compile(r"/solicitudes/recibida$"))
    await journey.page_is_creole(page, "receipt")
    return (await page.locator("main .folio").inner_text()).strip()


async def staff_page(browser: Browser, base_url: str, folio: str) -> tuple[BrowserContext, Page]:
    context = await new_context(browser, base_url)
    page = await context.new_page()
    await page.goto("/staff/ingresar")
    await page.get_by_label("Correo institucional").fill(AGENT.email)
    await page.get_by_label("Contraseña").fill(DEMO_STAFF_PASSWORD)
    await page.locator("main").get_by_role("button", name="Ingresar").click()
    await page.goto(f"/staff/solicitudes?q={folio}")
    await page.get_by_role("link", name=folio, exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(folio)
    return context, page


async def agent_replies(page: Page, body: str | None, canned: str | None, after: str) -> None:
    if canned:
        await page.get_by_label("Respuesta tipo").select_option(canned)
        await page.get_by_role("button", name="Usar respuesta tipo").click()
    reply = page.get_by_label("Respuesta", exact=True)
    if body:
        await reply.fill(body)
    await page.get_by_label("Después de responder").select_option(after)
    await page.get_by_role("button", name="Enviar respuesta").click()
    await expect(page.get_by_role("status").filter(has_text="Respuesta enviada.")).to_be_visible()


async def test_creole_speaker_from_first_search_to_closed_request(
    browser: Browser,
    live_server: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    async with sessionmaker() as db, db.begin():
        await load_content(db)
    unique = uuid.uuid4().hex[:8]
    email = f"rose.{unique}@test.portal"
    canned = await seed_canned(sessionmaker, unique)
    journey = Journey(sessionmaker, settings)
    console = ConsoleLog()

    phone = await new_context(browser, live_server)
    agent_context: BrowserContext | None = None
    try:
        await phone.set_extra_http_headers({"Accept-Language": "es-CL,es;q=0.9"})
        page = await phone.new_page()
        await page.set_viewport_size(PHONE)
        console.watch(page)
        await search_and_read(page, journey)
        folio = await open_request(page, journey, email, unique)
        confirmation = await journey.new_emails(email)
        assert [template for template, _ in confirmation] == ["request_received"]
        private_link = str(confirmation[0][1]["link"])

        # The agent answers from a respuesta tipo (its Creole text) and resolves.
        agent_context, agent = await staff_page(browser, live_server, folio)
        await agent_replies(agent, None, canned, "resuelto")
        (answer,) = await journey.new_emails(email)
        assert answer[0] == "request_reply" and f"Kòd {unique}" in str(answer[1]["body"])

        # She says it did not solve it; the agent cannot close without answering first.
        await page.goto(private_link)
        await journey.page_is_creole(page, "private page, resolved")
        await page.get_by_role("button", name=ht("No, necesito ayuda de una persona")).click()
        await journey.page_is_creole(page, "private page, after No")
        await agent.reload()
        # The side pane posts the status as it changes and shows the refusal in place.
        await agent.get_by_label("Estado", exact=True).select_option("cerrado")
        await expect(agent.locator("#propiedades [role=alert]")).to_contain_text("respuesta")
        await agent_replies(
            agent, f"Bonjou: nou wè dosye a, li konplè. Kòd fen {unique}.", None, "cerrado"
        )
        # One email carries both the answer and the news that the request is closed.
        ((template, closing),) = await journey.new_emails(email)
        assert template == "request_reply" and closing["status"] == "cerrado"
        assert f"Kòd fen {unique}" in str(closing["body"])

        # She rates the answer from the page the email opens.
        await page.goto(private_link)
        await journey.page_is_creole(page, "private page, closed")
        await page.get_by_label("5", exact=True).check()
        await page.get_by_role("button", name=ht("Enviar evaluación")).click()
        await expect(
            page.get_by_role("status").filter(has_text=ht("Gracias por evaluar nuestra atención."))
        ).to_be_visible()
        await journey.page_is_creole(page, "private page, rated")
    finally:
        await phone.close()
        if agent_context:
            await agent_context.close()

    assert [template for template, _ in journey.emails] == [
        "prove_email",
        "request_received",
        "request_reply",
        "request_reply",
    ]
    await journey.links_open_signed_out(browser, live_server)
    async with sessionmaker() as db:
        ticket = await db.scalar(select(Ticket).where(Ticket.folio == folio))
    assert ticket is not None and ticket.status == "cerrado" and ticket.csat_score == 5
    assert not console.errors, "\n".join(console.errors)
