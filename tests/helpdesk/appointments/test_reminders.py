"""The day-before reminder: sent once even when two workers run at the same moment, only
for tomorrow in the office's zone, never for a cancelled appointment."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.appointments import booking, reminders
from helpdesk.appointments.models import Appointment
from helpdesk.notifications.models import OutboxMessage
from tests.helpdesk.appointments.conftest import SANTIAGO
from tests.helpdesk.appointments.test_booking import ACTOR, _book

THURSDAY_TEN = datetime(2026, 12, 10, 10, 0, tzinfo=SANTIAGO)
# Wednesday evening in Santiago: Thursday is tomorrow.
EVE = datetime(2026, 12, 9, 20, 0, tzinfo=SANTIAGO)


async def _reminders(
    sessionmaker: async_sessionmaker[AsyncSession], to: str
) -> list[OutboxMessage]:
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(OutboxMessage).where(
                OutboxMessage.to_address == to, OutboxMessage.template == "appointment_reminder"
            )
        )
        return list(rows)


async def test_two_workers_at_once_send_one_reminder(
    sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int], unique: str
) -> None:
    email = f"rec-{unique}@example.cl"
    await _book(sessionmaker, offices["santiago"], email, THURSDAY_TEN, locale="fr")

    # Two days before: not yet.
    assert await reminders.send_reminders(sessionmaker, EVE - timedelta(days=1)) == 0
    counts = await asyncio.gather(
        reminders.send_reminders(sessionmaker, EVE), reminders.send_reminders(sessionmaker, EVE)
    )
    assert sorted(counts) == [0, 1]
    assert await reminders.send_reminders(sessionmaker, EVE + timedelta(hours=1)) == 0
    [message] = await _reminders(sessionmaker, email)
    assert message.locale == "fr"
    assert "10:00" in message.context["when"]


async def test_no_reminder_for_a_cancelled_appointment_and_one_again_after_a_move(
    sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int], unique: str
) -> None:
    cancelled = f"anulada-{unique}@example.cl"
    moved = f"movida-{unique}@example.cl"
    first, _ = await _book(sessionmaker, offices["iquique"], cancelled, THURSDAY_TEN)
    second, secret = await _book(
        sessionmaker, offices["iquique"], moved, THURSDAY_TEN, "pt-prorroga"
    )
    async with sessionmaker() as db, db.begin():
        held = await db.get(Appointment, first.id)
        assert held is not None
        await booking.cancel(db, held, ACTOR, now=EVE - timedelta(days=2))
    assert await reminders.send_reminders(sessionmaker, EVE) == 1
    assert await _reminders(sessionmaker, cancelled) == []
    # Moved to Friday: reminded again on Thursday evening.
    async with sessionmaker() as db, db.begin():
        held = await db.get(Appointment, second.id)
        assert held is not None
        await booking.reschedule(
            db,
            held,
            secret,
            THURSDAY_TEN + timedelta(days=1),
            ACTOR,
            now=EVE - timedelta(days=2),
            days_ahead=30,
        )
    assert await reminders.send_reminders(sessionmaker, EVE + timedelta(days=1)) == 1
    assert len(await _reminders(sessionmaker, moved)) == 2
