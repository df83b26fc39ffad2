"""Taking and giving back a seat at a time, in the caller's transaction.

The seat row is created on the first booking of a time (INSERT … ON CONFLICT DO NOTHING,
so two first bookings create one row), then taken with one guarded UPDATE: it changes the
row only while a seat is left, and the database serialises concurrent UPDATEs of a row
(PostgreSQL's row lock, SQLite's single writer). Zero rows changed means full, however
many people raced for the last seat.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.appointments.models import AppointmentService, AppointmentSlot

SLOTS = AppointmentSlot.__table__


async def take(
    db: AsyncSession, service: AppointmentService, starts_at: datetime, *, priority: bool
) -> bool:
    """Takes a seat at ``starts_at`` for the service's office and trámite; False when full."""
    start = starts_at.astimezone(UTC)
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    create = dialect.insert(SLOTS).values(
        office_id=service.office_id,
        tramite_code=service.tramite_code,
        starts_at=start,
        capacity=service.counters,
        priority_seats=service.priority_seats,
        booked=0,
        general_booked=0,
    )
    await db.execute(create.on_conflict_do_nothing())
    slot = SLOTS.c
    guard = [
        slot.office_id == service.office_id,
        slot.tramite_code == service.tramite_code,
        slot.starts_at == start,
        slot.booked < slot.capacity,
    ]
    values = {"booked": slot.booked + 1}
    if not priority:
        guard.append(slot.general_booked < slot.capacity - slot.priority_seats)
        values["general_booked"] = slot.general_booked + 1
    result = await db.execute(update(SLOTS).where(*guard).values(**values))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def give_back(
    db: AsyncSession, office_id: int, tramite_code: str, starts_at: datetime, *, priority: bool
) -> None:
    slot = SLOTS.c
    values = {"booked": slot.booked - 1}
    if not priority:
        values["general_booked"] = slot.general_booked - 1
    await db.execute(
        update(SLOTS)
        .where(
            slot.office_id == office_id,
            slot.tramite_code == tramite_code,
            slot.starts_at == starts_at.astimezone(UTC),
            slot.booked > 0,
        )
        .values(**values)
    )


async def taken(
    db: AsyncSession, office_id: int, tramite_code: str, first: datetime, last: datetime
) -> Mapping[datetime, tuple[int, int]]:
    """UTC start -> (booked, general_booked) for the times booked between two instants."""
    slot = SLOTS.c
    rows = await db.execute(
        select(slot.starts_at, slot.booked, slot.general_booked).where(
            slot.office_id == office_id,
            slot.tramite_code == tramite_code,
            slot.starts_at >= first,
            slot.starts_at <= last,
            slot.booked > 0,
        )
    )
    return {start.astimezone(UTC): (booked, general) for start, booked, general in rows}
