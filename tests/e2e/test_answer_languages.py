"""An agent answers a Creole request with a respuesta tipo that exists only in Spanish and
English, in a browser with and without JavaScript: the list marks it, choosing it inserts
nothing and says which language is missing (axe-checked), and only after the agent picks
Spanish explicitly is the Spanish text inserted and sent."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import select

from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets.answers.models import AnswerTemplate, AnswerTemplateText
from helpdesk.tickets.service import NewRequest, open_request
from tests.e2e.conftest import ConsoleLog, new_context
from tests.e2e.test_accessibility import describe
from tests.e2e.test_agent_htmx import axe_blocking
from tests.e2e.test_staff_signin import sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
async def test_missing_language_is_chosen_explicitly(
    browser: Browser, live_server: str, sessionmaker, javascript: bool
) -> None:
    unique = uuid.uuid4().hex[:8]
    title = f"Recibimos sus antecedentes {unique}"
    email = f"rose.{unique}@test.portal"
    async with sessionmaker() as db, db.begin():
        canned = AnswerTemplate(code=f"e2e-{unique}", title=title)
        db.add(canned)
        await db.flush()
        db.add_all(
            [
                AnswerTemplateText(
                    canned_id=canned.id, locale="es", body=f"Recibimos sus antecedentes {unique}."
                ),
                AnswerTemplateText(canned_id=canned.id, locale="en", body="We received them."),
            ]
        )
        data = NewRequest("consulta", "Dokiman", "Bonjou", "web", email, "ht", region_code="RM")
        opened = await open_request(db, data, Actor("anonymous", None), live_server)
        folio, request_id = opened.ticket.folio, opened.ticket.id

    context = await new_context(browser, live_server, javascript=javascript)
    console = ConsoleLog()
    try:
        page = await context.new_page()
        console.watch(page)
        await sign_in(page)
        await page.goto(f"/staff/solicitudes/{folio}")
        picker = page.get_by_label("Respuesta tipo")
        await expect(picker.locator("option", has_text=title)).to_have_text(
            f"{title} (sin texto en Kreyòl ayisyen)"
        )
        await picker.select_option(label=f"{title} (sin texto en Kreyòl ayisyen)")
        await page.get_by_role("button", name="Usar respuesta tipo").click()

        alert = page.get_by_role("alert").filter(has_text=title)
        await expect(alert).to_contain_text(
            "no tiene texto en Kreyòl ayisyen, el idioma de esta solicitud, y no se insertó"
        )
        await expect(page.locator("#texto")).to_have_value("")
        languages = page.get_by_label("Insertarla en otro idioma")
        await expect(languages.locator("option")).to_have_text(["Español", "English"])
        if javascript:  # axe runs in the page; without JavaScript the markup is the same
            blocking = await axe_blocking(page)
            assert not blocking, describe(blocking)

        await languages.select_option("es")
        await page.get_by_role("button", name="Insertar en este idioma").click()
        await expect(page.locator("#texto")).to_have_value(f"Recibimos sus antecedentes {unique}.")
        await expect(page.locator("#plantilla-idioma")).to_contain_text(
            "en Español, no en Kreyòl ayisyen"
        )
        await expect(page.get_by_role("alert").filter(has_text=title)).to_have_count(0)
        await page.get_by_role("button", name="Enviar respuesta").click()
        await expect(page.get_by_role("status")).to_have_text("Respuesta enviada.")
        assert not console.errors, "\n".join(console.errors)
    finally:
        await context.close()

    async with sessionmaker() as db:
        sent = await db.scalar(
            select(OutboxMessage).where(
                OutboxMessage.to_address == email, OutboxMessage.template == "request_reply"
            )
        )
        event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.entity_id == request_id, AuditEvent.action == "request.macro"
            )
        )
    assert sent is not None and sent.context["body"] == f"Recibimos sus antecedentes {unique}."
    assert event is not None and event.changes["plantilla_idioma"] == ["ht", "es"]
