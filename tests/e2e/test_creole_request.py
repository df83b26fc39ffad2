"""The whole round trip in Haitian Creole: a citizen without an account proves their email,
opens a request with a PDF, an agent answers it with a respuesta tipo and resolves it, and the
citizen reads the answer by the private link from the confirmation email and rates it.

Labels are looked up through the Creole catalogue, so finding a field is itself a check that
the page speaks Creole. Links sent by email are read from the outbox, as the worker would.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.i18n import translations
from helpdesk.core.settings import PROJECT_ROOT
from helpdesk.demo.accounts import DEMO_STAFF, DEMO_STAFF_PASSWORD
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets.answers.models import AnswerTemplate, AnswerTemplateText
from helpdesk.tickets.models import Ticket, TicketAttachment
from tests.e2e.conftest import ConsoleLog, new_context

pytestmark = pytest.mark.e2e

AGENT = DEMO_STAFF[0]  # regional agent of the Región Metropolitana
KIND = "residencia_definitiva"  # a portal category that needs no identity document


def minimal_pdf() -> bytes:
    """A small well-formed PDF (one empty page) with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj %s endobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PDF = minimal_pdf()
FILE_NAME = "papye-rezidans.pdf"
# Brand names stay as they are in every language.
UNTRANSLATED = frozenset({"Portal de Ayuda"})
_MSGID = re.compile(r"""\b_\(\s*(["'])(.+?)\1""")


def ht(message: str) -> str:
    return translations("ht").ugettext(message)


def template_strings(*names: str) -> list[str]:
    """The Spanish source strings a page's templates show (those without placeholders)."""
    found: list[str] = []
    for name in names:
        source = (PROJECT_ROOT / "templates" / name).read_text(encoding="utf-8")
        found += [m.group(2) for m in _MSGID.finditer(source) if "%(" not in m.group(2)]
    return found


async def outbox_context(
    sessionmaker: async_sessionmaker[AsyncSession], email: str, template: str
) -> dict[str, object]:
    async with sessionmaker() as db:
        row = await db.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == email, OutboxMessage.template == template)
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
    assert row is not None, f"no {template} email for {email}"
    return dict(row.context or {})


async def seed_canned(sessionmaker: async_sessionmaker[AsyncSession], unique: str) -> str:
    """A respuesta tipo with Spanish and Creole texts; returns its code."""
    code = f"rezidans-{unique}"
    async with sessionmaker() as db, db.begin():
        canned = AnswerTemplate(code=code, title=f"Residencia lista {unique}", active=True)
        db.add(canned)
        await db.flush()
        db.add_all(
            [
                AnswerTemplateText(
                    canned_id=canned.id,
                    locale="es",
                    body="Hola {nombre}:\n\nSu residencia definitiva ({folio}) está lista.",
                ),
                AnswerTemplateText(
                    canned_id=canned.id,
                    locale="ht",
                    body="Bonjou {nombre}:\n\nRezidans definitif ou ({folio}) pare. "
                    f"Kòd {unique}. Gade {{enlace_ayuda}} oswa "
                    "https://www.serviciomigraciones.cl/tramites/residencia-definitiva/requisitos",
                ),
            ]
        )
    return code


async def citizen_opens_request(
    page: Page, sessionmaker: async_sessionmaker[AsyncSession], email: str, subject: str
) -> str:
    """From the home page to the confirmation page, in Creole; returns the folio."""
    await page.goto("/")
    await page.get_by_role("button", name="Kreyòl ayisyen").click()
    await expect(page.locator("html")).to_have_attribute("lang", "ht")

    await page.get_by_role("link", name=ht("Hacer una consulta o reclamo")).click()
    await page.get_by_role("link", name=ht("Confirmar mi correo")).click()
    await page.get_by_label(ht("Correo electrónico"), exact=True).fill(email)
    await page.get_by_role("button", name=ht("Enviar enlace")).click()
    await expect(page).to_have_url(re.compile(r"/cuenta/revise-su-correo$"))

    # The proof link, as the email carries it; opening it asks for one press (no GET writes).
    await page.goto(str((await outbox_context(sessionmaker, email, "prove_email"))["link"]))
    await page.locator("main").get_by_role("button", name=ht("Confirmar")).click()
    await expect(page).to_have_url(re.compile(r"/solicitudes/nueva$"))
    await expect(page.locator("html")).to_have_attribute("lang", "ht")

    # The kinds are folded in two groups: unfold the trámites first.
    await page.locator("main summary", has_text=ht("Un trámite migratorio")).click()
    await page.get_by_label(ht("Residencia definitiva"), exact=True).check()
    await page.get_by_label(ht("Región donde vive"), exact=True).select_option("RM")
    await page.get_by_label(ht("Asunto"), exact=True).fill(subject)
    await page.get_by_label(ht("Describa su solicitud"), exact=True).fill(
        "Mwen te mande rezidans definitif mwen an mas. Kilè li ap pare?"
    )
    await page.get_by_label(
        ht("Documentos (opcional, obligatorio para Multas y Estampado electrónico)")
    ).set_input_files({"name": FILE_NAME, "mimeType": "application/pdf", "buffer": PDF})
    await page.get_by_role("button", name=ht("Enviar solicitud")).click()

    await expect(page).to_have_url(re.compile(r"/solicitudes/recibida$"))
    await expect(page.locator("html")).to_have_attribute("lang", "ht")
    await expect(page.get_by_role("heading", level=1)).to_have_text(ht("Solicitud recibida"))
    folio = (await page.locator("main .folio").inner_text()).strip()
    assert re.fullmatch(r"AYU-\d{4}-\d{6}", folio), folio
    return folio


async def assert_no_spanish_left(page: Page, *templates: str) -> None:
    text = await page.locator("body").inner_text()
    for brand in UNTRANSLATED:  # "Portal de Ayuda" would hide a leftover "Ayuda"
        text = text.replace(brand, "")
    for source in template_strings(*templates):
        if source in UNTRANSLATED:
            continue
        assert ht(source) != source, f"not translated to Creole: {source!r}"
        assert source not in text, f"Spanish left on the page: {source!r}"
    assert ht("Su número de folio es") in text


async def agent_answers_with_canned(
    page: Page, folio: str, canned_code: str, unique: str, tmp_path: Path
) -> None:
    await page.goto("/staff/ingresar")
    await page.get_by_label("Correo institucional").fill(AGENT.email)
    await page.get_by_label("Contraseña").fill(DEMO_STAFF_PASSWORD)
    await page.locator("main").get_by_role("button", name="Ingresar").click()
    await expect(page).to_have_url(re.compile(r"/staff$"))

    # The queue, narrowed by kind the way an agent would. The whole queue, not "unassigned":
    # routing rules other tests leave may already have given it to a team member.
    await page.goto("/staff/solicitudes")  # the desk has no link to the queue yet
    await page.get_by_label("Tipo", exact=True).select_option(KIND)
    await page.get_by_role("button", name="Filtrar").click()
    await expect(page).to_have_url(re.compile(rf"tipo={KIND}"))
    await page.get_by_role("link", name=folio, exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(folio)

    # The citizen's file is listed and the agent can download it, byte for byte.
    files = page.get_by_role("list", name="Archivos adjuntos")
    link = files.get_by_role("link", name=FILE_NAME)
    await expect(link).to_be_visible()
    async with page.expect_download() as event:
        await link.click()
    download = await event.value
    assert download.suggested_filename == FILE_NAME
    saved = tmp_path / "descarga.pdf"
    await download.save_as(saved)
    assert saved.read_bytes() == PDF

    # The respuesta tipo fills the reply in the person's language, to review before sending.
    await page.get_by_label("Respuesta tipo").select_option(canned_code)
    await page.get_by_role("button", name="Usar respuesta tipo").click()
    reply = page.get_by_label("Respuesta", exact=True)
    await expect(reply).to_have_value(re.compile(rf"Rezidans definitif ou \({folio}\) pare"))
    await expect(reply).to_have_value(re.compile(f"Kòd {unique}"))
    await page.get_by_label("Después de responder").select_option("resuelto")
    await page.get_by_role("button", name="Enviar respuesta").click()
    # Other panels of the page may announce things too: find our notice by its text.
    await expect(page.get_by_role("status").filter(has_text="Respuesta enviada.")).to_be_visible()


async def citizen_reads_and_rates(page: Page, link: str, folio: str, unique: str) -> None:
    await page.goto(link)
    await expect(page.locator("html")).to_have_attribute("lang", "ht")
    conversation = page.locator("ol.conversation")
    answer = conversation.locator("li").filter(has_text=f"Kòd {unique}")
    await expect(answer).to_contain_text(ht("Servicio Nacional de Migraciones"))
    await expect(answer).to_contain_text(f"Bonjou {ht('persona usuaria')}:")
    await expect(answer).to_contain_text(f"Rezidans definitif ou ({folio}) pare.")
    await expect(page.locator("dl.facts")).to_contain_text(ht("Resuelto"))
    # On a small phone a long link in an answer wraps instead of widening the page.
    await page.set_viewport_size({"width": 360, "height": 740})
    widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths

    await expect(page.get_by_role("heading", name=ht("Evalúe nuestra atención"))).to_be_visible()
    await page.get_by_label("5", exact=True).check()
    await page.get_by_label(ht("Comentario (opcional)")).fill(f"Mèsi anpil! {unique}")
    await page.get_by_role("button", name=ht("Enviar evaluación")).click()
    thanks = page.get_by_role("status").filter(has_text=ht("Gracias por evaluar nuestra atención."))
    await expect(thanks).to_be_visible()
    await expect(page.get_by_role("heading", name=ht("Evalúe nuestra atención"))).to_have_count(0)


@pytest.mark.parametrize("attempt", [1, 2, 3])
async def test_creole_request_answered_with_canned_and_rated(
    browser: Browser,
    live_server: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    attempt: int,
) -> None:
    """Three times in a row: a round trip that passes once by luck would show here."""
    unique = uuid.uuid4().hex[:8]
    email = f"kreyol.{unique}@test.portal"
    canned_code = await seed_canned(sessionmaker, unique)
    console = ConsoleLog()

    citizen = await new_context(browser, live_server)
    agent = await new_context(browser, live_server)
    try:
        citizen_page = await citizen.new_page()
        console.watch(citizen_page)
        folio = await citizen_opens_request(
            citizen_page, sessionmaker, email, f"Rezidans definitif {unique}"
        )
        await assert_no_spanish_left(citizen_page, "tickets/citizen/receipt.html", "base.html")

        agent_page = await agent.new_page()
        console.watch(agent_page)
        await agent_answers_with_canned(agent_page, folio, canned_code, unique, tmp_path)

        received = await outbox_context(sessionmaker, email, "request_received")
        assert received["folio"] == folio
        await citizen_reads_and_rates(citizen_page, str(received["link"]), folio, unique)
    finally:
        await citizen.close()
        await agent.close()

    async with sessionmaker() as db:
        request = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        assert request is not None
        attachment = await db.scalar(
            select(TicketAttachment).where(TicketAttachment.request_id == request.id)
        )
    assert request.locale == "ht" and request.kind == KIND and request.status == "resuelto"
    assert request.csat_score == 5 and request.csat_comment == f"Mèsi anpil! {unique}"
    assert attachment is not None and attachment.display_name == FILE_NAME
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    reply = await outbox_context(sessionmaker, email, "request_reply")
    assert f"Kòd {unique}" in str(reply["body"])
    assert not console.errors, "\n".join(console.errors)
