"""The day-before reminder: one email per appointment, even with several workers.

Each appointment booked for tomorrow (in its office's zone) and not reminded yet is
claimed with a guarded UPDATE of ``reminder_sent_at`` in the same transaction as its
email: a second worker's UPDATE finds the column set and changes nothing, so it enqueues
nothing. A reschedule clears the column (the new day gets its reminder).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.appointments import emails
from helpdesk.appointments.models import Appointment
from helpdesk.core.db import utcnow
from helpdesk.core.settings import Settings
from helpdesk.reference.models import Office

log = logging.getLogger(__name__)


async def _due(db: AsyncSession, now: datetime) -> list[tuple[int, Office]]:
    """Appointments whose office's tomorrow is their day: looked for in the next two days'
    instants, then checked per office zone."""
    rows = await db.execute(
        select(Appointment.id, Appointment.local_day, Office)
        .join(Office, Office.id == Appointment.office_id)
        .where(
            Appointment.status == "booked",
            Appointment.reminder_sent_at.is_(None),
            Appointment.starts_at > now,
            Appointment.starts_at < now + timedelta(days=2, hours=1),
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    due = []
    for appointment_id, local_day, office in rows:
        tomorrow = now.astimezone(ZoneInfo(office.timezone)).date() + timedelta(days=1)
        if local_day == tomorrow:
            due.append((appointment_id, office))
    return due


async def send_reminders(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Enqueues tomorrow's reminders not sent yet; how many this run enqueued."""
    async with sessionmaker() as db:
        due = await _due(db, now)
    sent = 0
    for appointment_id, office in due:
        async with sessionmaker() as db, db.begin():
            claimed = await db.execute(
                update(Appointment)
                .where(
                    Appointment.id == appointment_id,
                    Appointment.status == "booked",
                    Appointment.reminder_sent_at.is_(None),
                )
                .values(reminder_sent_at=now)
                .execution_options(synchronize_session=False)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                continue  # another worker's, or cancelled meanwhile
            appointment = await db.get(Appointment, appointment_id)
            assert appointment is not None
            await emails.reminder(db, appointment, office)
            sent += 1
    return sent


async def run_periodically(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, stop: asyncio.Event
) -> None:
    """Beside the mail worker: a pass every ``appointment_reminder_minutes`` until ``stop``."""
    if settings.appointment_reminder_minutes <= 0:
        return
    while not stop.is_set():
        try:
            sent = await send_reminders(sessionmaker, utcnow())
            if sent:
                log.info("appointments: %d reminders enqueued", sent)
        except Exception:
            # A database hiccup must not stop the mail worker beside it: try next time.
            log.exception("appointment reminders failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.appointment_reminder_minutes * 60)
