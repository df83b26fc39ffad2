"""What people choose from when they book: the trámites some office attends by
appointment, the offices attending one (the person's region first), and who is booking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer
from helpdesk.appointments.models import AppointmentService
from helpdesk.calendar import snapshot
from helpdesk.calendar.snapshot import TramiteInfo
from helpdesk.people.models import Person
from helpdesk.reference.models import Office


async def tramites(db: AsyncSession) -> list[TramiteInfo]:
    offered = set(
        await db.scalars(
            select(AppointmentService.tramite_code)
            .join(Office, Office.id == AppointmentService.office_id)
            .where(Office.attends_in_person.is_(True))
        )
    )
    return [t for t in (await snapshot.current(db)).tramites if t.code in offered]


async def tramite(db: AsyncSession, code: str) -> TramiteInfo | None:
    return next((t for t in await tramites(db) if t.code == code), None)


async def offices(db: AsyncSession, tramite_code: str, region_first: str | None) -> list[Office]:
    """The offices attending the trámite: the person's region first, then north to south."""
    rows: Sequence[Office] = list(
        await db.scalars(
            select(Office)
            .join(AppointmentService, AppointmentService.office_id == Office.id)
            .where(
                AppointmentService.tramite_code == tramite_code, Office.attends_in_person.is_(True)
            )
        )
    )
    order = {r.code: r.ordinal for r in (await snapshot.current(db)).regions}
    return sorted(
        rows, key=lambda o: (o.region_code != region_first, order.get(o.region_code, 99), o.name)
    )


@dataclass(frozen=True)
class Booker:
    """Who is booking: a proven address (None without one), their name, region and the
    language of their profile when they have one."""

    email: str | None
    person_id: int | None = None
    name: str = ""
    region_code: str | None = None
    profile_locale: str | None = None


async def booker(db: AsyncSession, viewer: Viewer | None, session_email: object) -> Booker:
    """A signed-in person's verified email, or the address the session proved (the
    request form's proof)."""
    if viewer is not None and viewer.kind == "citizen" and viewer.person_id is not None:
        person = await db.get(Person, viewer.person_id)
        if person is None:
            return Booker(None)
        verified = person.email if person.email and person.email_verified_at else None
        if verified is None and isinstance(session_email, str) and session_email:
            verified = session_email  # e.g. ClaveÚnica gives no email: proven here instead
        name = f"{person.given_names} {person.surnames}".strip()
        return Booker(verified, person.id, name, person.region_code, person.preferred_locale)
    if viewer is None and isinstance(session_email, str) and session_email:
        return Booker(session_email)
    return Booker(None)
