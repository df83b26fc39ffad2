"""A closure cancels the appointments it hits, in its region only, gives their seats back
and tells each person, in their language, the office's first free times after it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.accounts.permissions import Viewer
from helpdesk.appointments import booking
from helpdesk.appointments.models import Appointment, AppointmentSlot
from helpdesk.calendar import closures
from helpdesk.calendar.models import Closure
from helpdesk.calendar.working_days import WorkingCalendar
from helpdesk.core.db import utcnow
from helpdesk.core.settings import Settings
from helpdesk.core.templating import make_environment
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from tests.helpdesk.appointments.conftest import SANTIAGO
from tests.helpdesk.appointments.test_booking import ACTOR

ADMIN = Viewer("staff", 1, "Admin", role="admin")
REASON = "Paro de funcionarios"


@pytest.fixture
async def day(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[date]:
    """A working day a week or so ahead of the real today (the booking window is real)."""
    found = utcnow().astimezone(SANTIAGO).date() + timedelta(days=7)
    santiago, iquique = WorkingCalendar("RM"), WorkingCalendar("TA")
    while not (santiago.is_working_day(found) and iquique.is_working_day(found)):
        found += timedelta(days=1)
    yield found
    async with sessionmaker() as db, db.begin():
        await db.execute(delete(Closure).where(Closure.day == found, Closure.reason == REASON))


async def test_a_closure_cancels_the_appointments_it_hits_and_offers_free_times(
    sessionmaker: async_sessionmaker[AsyncSession],
    offices: dict[str, int],
    unique: str,
    day: date,
) -> None:
    nine = datetime.combine(day, datetime.min.time().replace(hour=9), tzinfo=SANTIAGO)
    booked = {}
    for slug, locale in (("santiago", "en"), ("iquique", "es")):
        async with sessionmaker() as db, db.begin():
            choice = booking.Choice(offices[slug], "rd-solicitud", nine)
            booker = booking.Booker(f"{slug}-{unique}@example.cl", locale)
            appointment, _ = await booking.book(
                db, choice, booker, ACTOR, now=utcnow(), days_ahead=30
            )
            booked[slug] = appointment.id

    async with sessionmaker() as db, db.begin():
        await closures.add_closure(db, ADMIN, closures.NewClosure(day, "RM", REASON), ACTOR)

    async with sessionmaker() as db:
        santiago = await db.get(Appointment, booked["santiago"])
        iquique = await db.get(Appointment, booked["iquique"])
        assert santiago is not None and iquique is not None
        assert (santiago.status, iquique.status) == ("cancelled", "booked")
        [message] = list(
            await db.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.to_address == f"santiago-{unique}@example.cl",
                    OutboxMessage.template == "appointment_closed",
                )
            )
        )
    assert message.locale == "en" and message.context["reason"] == REASON
    offered = message.context["next_times"]
    assert len(offered) == 3
    assert "tramite=rd-solicitud" in message.context["link"]
    # The seat is given back (the day is closed now, so the row itself is read).
    async with sessionmaker() as db:
        seat = await db.scalar(
            select(AppointmentSlot.booked).where(
                AppointmentSlot.office_id == offices["santiago"],
                AppointmentSlot.tramite_code == "rd-solicitud",
            )
        )
    assert seat == 0
    # As the worker renders it: the reason, each free time and where to book.
    text = EmailRenderer(make_environment(Settings()), "Portal <x@example.cl>").render(message)
    body = text.get_body(preferencelist=("plain",))
    assert body is not None
    plain = str(body.get_content())
    assert REASON in plain and all(time in plain for time in offered)
