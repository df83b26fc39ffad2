"""A closure an admin adds (strike, emergency, a holiday by special law) cancels the
appointments booked on that day at the offices it covers, each with an email in the
person's language offering the office's first free times after it. Runs in the closure's
transaction (``calendar.closures`` calls it; app.py registers it)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.appointments import booking, emails, seats, slots
from helpdesk.appointments.models import Appointment
from helpdesk.audit import service as audit
from helpdesk.calendar.models import Closure
from helpdesk.core.db import utcnow
from helpdesk.reference.models import Office

DAYS_AFTER = 30  # how far the email looks for free times
OFFERED = 3


async def cancel_for_closure(db: AsyncSession, closure: Closure, actor: audit.Actor) -> None:
    query = (
        select(Appointment)
        .join(Office, Office.id == Appointment.office_id)
        .where(Appointment.status == "booked", Appointment.local_day == closure.day)
        .order_by(Appointment.id)
    )
    if closure.region_code is not None:
        query = query.where(Office.region_code == closure.region_code)
    hit = list(await db.scalars(query))
    now = utcnow()
    offers: dict[tuple[int, str, bool], list[slots.FreeTime]] = {}
    for appointment in hit:
        priority = appointment.priority_group is not None
        await seats.give_back(
            db,
            appointment.office_id,
            appointment.tramite_code,
            appointment.starts_at,
            priority=priority,
        )
        appointment.status = "cancelled"
        appointment.updated_at = now
        changes = audit.diff(
            {"estado": "booked"}, {"estado": "cancelled", "motivo": closure.reason}
        )
        audit.record(db, actor, "appointment.cancel", "appointment", appointment.id, changes)
        found = await booking.offer(db, appointment.office_id, appointment.tramite_code)
        if found is None:
            await emails.cancelled(db, appointment, None)
            continue
        key = (appointment.office_id, appointment.tramite_code, priority)
        if key not in offers:
            first = max(closure.day, booking.window(now, 0).first - timedelta(days=1))
            span = slots.Window(first + timedelta(days=1), first + timedelta(days=DAYS_AFTER))
            offers[key] = (await booking.free_times(db, found, span, priority=priority))[:OFFERED]
        await emails.closed(db, appointment, found, closure.reason, offers[key])
