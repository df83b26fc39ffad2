"""The offices that attend by appointment in development and tests: a few trámites at
Santiago, Iquique and Punta Arenas, with weekday hours where the office has none yet."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.appointments.models import AppointmentService
from helpdesk.calendar.models import OfficeHours
from helpdesk.reference.models import Office, Tramite

# trámite -> (minutes, counters, seats kept for the priority groups)
SERVICES = {
    "registro-civil-cedula": (20, 3, 1),
    "pt-prorroga": (30, 2, 0),
    "multas-calculo-pago": (15, 2, 1),
    "rd-solicitud": (30, 1, 0),
}
OFFICES = ("santiago", "iquique", "punta-arenas")
HOURS = ((time(8, 30), time(13, 0)), (time(14, 0), time(16, 0)))


async def load_services(db: AsyncSession) -> int:
    """Adds what is missing and leaves what exists; how many services it added."""
    offices = list(await db.scalars(select(Office).where(Office.slug.in_(OFFICES))))
    known = set(await db.scalars(select(Tramite.code).where(Tramite.code.in_(list(SERVICES)))))
    added = 0
    for office in offices:
        if (
            await db.scalar(
                select(OfficeHours.id).where(OfficeHours.office_id == office.id).limit(1)
            )
            is None
        ):
            for weekday in range(5):
                for opens, closes in HOURS:
                    db.add(
                        OfficeHours(
                            office_id=office.id, weekday=weekday, opens=opens, closes=closes
                        )
                    )
        have = set(
            await db.scalars(
                select(AppointmentService.tramite_code).where(
                    AppointmentService.office_id == office.id
                )
            )
        )
        for code, (minutes, counters, reserved) in SERVICES.items():
            if code in known and code not in have:
                db.add(
                    AppointmentService(
                        office_id=office.id,
                        tramite_code=code,
                        duration_minutes=minutes,
                        counters=counters,
                        priority_seats=reserved,
                    )
                )
                added += 1
    await db.flush()
    return added
