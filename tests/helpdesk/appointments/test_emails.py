"""The appointment emails as the worker renders them: each template with the context the
booking writes, in the row's language, the confirmation with its .ics attached."""

from __future__ import annotations

import icalendar
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.appointments import booking, reminders
from helpdesk.appointments.models import Appointment
from helpdesk.core.settings import Settings
from helpdesk.core.templating import make_environment
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from tests.helpdesk.appointments.test_booking import ACTOR, _book
from tests.helpdesk.appointments.test_reminders import EVE, THURSDAY_TEN


@pytest.fixture(scope="module")
def renderer() -> EmailRenderer:
    return EmailRenderer(make_environment(Settings()), "Portal <no-responder@example.cl>")


async def test_each_email_renders_with_what_the_booking_wrote(
    sessionmaker: async_sessionmaker[AsyncSession],
    offices: dict[str, int],
    unique: str,
    renderer: EmailRenderer,
) -> None:
    email = f"correo-{unique}@example.cl"
    appointment, _secret = await _book(sessionmaker, offices["santiago"], email, THURSDAY_TEN)
    await reminders.send_reminders(sessionmaker, EVE)
    async with sessionmaker() as db, db.begin():
        held = await db.get(Appointment, appointment.id)
        assert held is not None
        await booking.cancel(db, held, ACTOR, now=EVE)
    async with sessionmaker() as db:
        rows = list(
            await db.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.to_address == email)
                .order_by(OutboxMessage.id)
            )
        )
    assert [r.template for r in rows] == [
        "appointment_confirmation",
        "appointment_reminder",
        "appointment_cancelled",
    ]
    for row in rows:
        message = renderer.render(row)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        assert text is not None and html is not None
        body = str(text.get_content())
        assert "{{" not in body and str(row.context["when"]) in body
        assert "10:00" in message["Subject"] or row.template == "appointment_cancelled"
    confirmation = renderer.render(rows[0])
    assert str(rows[0].context["link"]) in str(
        confirmation.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    )
    [attached] = list(confirmation.iter_attachments())
    assert attached.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attached.get_content())
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == THURSDAY_TEN
