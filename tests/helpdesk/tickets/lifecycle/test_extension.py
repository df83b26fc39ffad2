"""Prorrogar plazo: a transparency request's 20 días hábiles extended once by 10, before the
deadline, with a reason; the history, the audit log and the person's email in their
language; refused after the deadline, a second time, or for a kind without extension."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx2
import pytest
from sqlalchemy import select

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit import service as audit
from helpdesk.audit.models import AuditEvent
from helpdesk.core.db import utcnow
from helpdesk.core.links import url_path
from helpdesk.core.templating import make_environment
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets import status_flow, status_moves
from helpdesk.tickets.lifecycle import events, extension, notices, rules
from helpdesk.tickets.lifecycle.models import RequestEvent
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import NewRequest, open_request
from tests.support.factories import sign_in_staff, staff_member
from tests.support.http import page_text

SANTIAGO = ZoneInfo("America/Santiago")
RECEIVED = datetime(2025, 9, 12, 10, tzinfo=SANTIAGO)  # Friday: 20 hábiles end Tue 14 Oct
BASE = "https://ayuda.example.cl"
AGENT = Viewer(kind="staff", id=7, name="Ana Agente", role="central_analyst")
ACTOR = audit.Actor("staff", None, "203.0.113.4")
REASON = "Debemos reunir <b>antecedentes</b> de tres oficinas."


async def open_one(db, kind: str = "transparencia", locale: str = "fr", at=RECEIVED) -> Ticket:
    email = f"t.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        kind, "Actas de 2024", "Pido las actas", "web", email, locale, region_code="RM"
    )
    return (await open_request(db, data, audit.SYSTEM, BASE, at)).ticket


async def outbox_for(db, ticket: Ticket) -> list[OutboxMessage]:
    rows = await db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.template == notices.EXTENSION_TEMPLATE)
        .order_by(OutboxMessage.id)
    )
    return [row for row in rows if row.context.get("folio") == ticket.folio]


async def test_a_transparency_request_is_extended_once_and_the_person_told(
    sessionmaker, settings
) -> None:
    async with sessionmaker() as db:
        ticket = await open_one(db)
        assert ticket.legal_due_on == date(2025, 10, 14)
        offered = await extension.offer(db, ticket, RECEIVED)
        assert (offered.days, offered.refusal) == (10, None)

        now = datetime(2025, 10, 14, 17, tzinfo=SANTIAGO)  # the last day: still in time
        new_due = await extension.extend(db, AGENT, ticket, REASON, ACTOR, BASE, now)
        assert new_due == ticket.legal_due_on == date(2025, 10, 28)
        assert ticket.extension_days == 10
        await db.flush()

        [event] = await events.events_of(db, ticket)
        assert (event.kind, event.actor_kind) == (events.EXTENDED, status_flow.AGENT)
        assert event.details["before"] == "2025-10-14"
        assert event.details["after"] == "2025-10-28"
        assert event.details["reason"] == REASON.strip()
        audit_event = await db.scalar(
            select(AuditEvent).where(
                AuditEvent.entity_id == ticket.id,
                AuditEvent.action == "request.deadline_extension",
            )
        )
        assert audit_event is not None
        assert audit_event.changes["legal_due_on"] == ["2025-10-14", "2025-10-28"]

        # The notice, in the person's language, with both dates written by Babel.
        [email] = await outbox_for(db, ticket)
        assert email.locale == "fr"
        assert email.context["due"] == "28 octobre 2025"
        assert email.context["before"] == "14 octobre 2025"
        message = EmailRenderer(make_environment(settings), settings.mail_from).render(email)
        text = message.get_body(("plain",)).get_content()
        assert "28 octobre 2025" in text and REASON in text and ticket.folio in message["Subject"]
        html = message.get_body(("html",)).get_content()
        assert "<b>antecedentes</b>" not in html  # the reason is text, escaped

        # Twice: refused, and nothing more is written.
        with pytest.raises(extension.ExtensionRefused) as twice:
            await extension.extend(db, AGENT, ticket, REASON, ACTOR, BASE, now)
        assert twice.value.code == rules.ALREADY_EXTENDED
        assert len(await outbox_for(db, ticket)) == 1

        # A later wait on the person is counted again with the extension kept.
        paused_at = datetime(2025, 10, 20, 10, tzinfo=SANTIAGO)
        await status_moves.move(
            db, ticket, status_flow.EN_ESPERA_CIUDADANO, status_flow.AGENT, ACTOR, paused_at
        )
        answered = paused_at + timedelta(days=2)  # Wed 22 Oct: 21-22 Oct do not count
        await status_moves.move(
            db, ticket, status_flow.ABIERTO, status_flow.CITIZEN, audit.SYSTEM, answered
        )
        assert ticket.legal_due_on == date(2025, 10, 30)
        await db.rollback()


@pytest.mark.parametrize(
    ("kind", "now", "code"),
    [
        ("transparencia", datetime(2025, 10, 15, 9, tzinfo=SANTIAGO), rules.EXPIRED),
        ("consulta", datetime(2025, 9, 15, 9, tzinfo=SANTIAGO), rules.NO_EXTENSION),
    ],
)
async def test_refusals_write_nothing(sessionmaker, kind, now, code) -> None:
    async with sessionmaker() as db:
        ticket = await open_one(db, kind)
        before = ticket.legal_due_on
        with pytest.raises(extension.ExtensionRefused) as refused:
            await extension.extend(db, AGENT, ticket, REASON, ACTOR, BASE, now)
        assert refused.value.code == code
        assert (ticket.legal_due_on, ticket.extension_days) == (before, None)
        assert await events.events_of(db, ticket) == []
        assert await outbox_for(db, ticket) == []
        await db.rollback()


async def test_the_request_page_extends_with_a_reason(client, app, sessionmaker) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "regional_agent", "santiago"))
    async with sessionmaker() as db, db.begin():
        ticket = await open_one(db, locale="ht", at=utcnow())
        folio, due = ticket.folio, ticket.legal_due_on
    page = url_path("staff_request", folio=folio)
    url = url_path("staff_request_extend", folio=folio)
    shown = await client.get(page)
    assert "Prorrogar plazo" in page_text(shown.text)

    missing = await client.submit(url, {"motivo": "  "}, page)
    assert missing.status_code == 422
    assert "Escriba el motivo de la prórroga" in page_text(missing.text)

    done = await client.submit(url, {"motivo": "Faltan antecedentes"}, page)
    assert done.status_code == 303
    assert done.headers["location"].startswith(page)
    after = await client.get(done.headers["location"])
    text = page_text(after.text)
    assert "Plazo prorrogado" in text and "Faltan antecedentes" in text
    assert "ya se prorrogó una vez" in text and "Prorrogar plazo" not in text

    again = await client.submit(url, {"motivo": "Otra vez"}, page)
    assert again.status_code == 409
    assert "solo se prorroga una vez" in page_text(again.text)
    async with sessionmaker() as db:
        row = await db.scalar(select(Ticket).where(Ticket.folio == folio))
        assert row is not None and row.extension_days == 10
        assert due is not None and row.legal_due_on is not None and row.legal_due_on > due
        kinds = (
            await db.scalars(select(RequestEvent.kind).where(RequestEvent.request_id == row.id))
        ).all()
        assert kinds == [events.EXTENDED]
        [email] = await outbox_for(db, row)
        assert email.locale == "ht"
    # The email's link is the request's private link: it opens without signing in.
    link = email.context["link"]
    assert link.startswith("http://testserver/solicitudes/" + folio)
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://testserver"
    ) as stranger:
        opened = await stranger.get(link)
    assert opened.status_code == 200 and "Actas de 2024" in page_text(opened.text)
