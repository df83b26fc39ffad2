"""A person's appointments on staff pages: on the person's page and beside their requests.
Registered from ``app.py`` into the people pages' and the workbench's section registries,
so neither imports this domain. A regional agent sees only their region's offices' ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.appointments import catalogue, page
from helpdesk.appointments.models import Appointment
from helpdesk.core.i18n import gettext as _
from helpdesk.people.models import Person
from helpdesk.people.sections import Section
from helpdesk.reference.models import Office

SHOWN = 5
TEMPLATE = "appointments/_staff_appointments.html"


class HasPerson(Protocol):
    person_id: int


@dataclass(frozen=True)
class StaffAppointment:
    tramite_name: str
    office_name: str
    when: str
    start_iso: str
    status_name: str
    priority_group: str | None


def status_name(status: str) -> str:
    return {
        "booked": _("Reservada"),
        "cancelled": _("Anulada"),
        "checked_in": _("Llegó a la oficina"),
        "served": _("Atendida"),
        "no_show": _("No se presentó"),
    }.get(status, status)


async def persons_appointments(
    db: AsyncSession, viewer: Viewer, person: Person
) -> list[StaffAppointment]:
    """The newest few, by the person or by their address, at offices the viewer may see."""
    theirs = Appointment.person_id == person.id
    if person.email:
        theirs = or_(theirs, Appointment.email == person.email.strip().lower())
    query = (
        select(Appointment, Office)
        .join(Office, Office.id == Appointment.office_id)
        .where(theirs)
        .order_by(Appointment.starts_at.desc(), Appointment.id.desc())
        .limit(SHOWN)
    )
    scope = region_scope(viewer)
    if scope is not None:
        query = query.where(Office.region_code == scope)
    names = dict(page.priority_names())
    shown = []
    for appointment, office in await db.execute(query):
        tramite = await catalogue.tramite(db, appointment.tramite_code)
        start = appointment.starts_at.astimezone(ZoneInfo(office.timezone))
        shown.append(
            StaffAppointment(
                tramite.local_name[0] if tramite else appointment.tramite_code,
                office.name,
                page.when(start),
                start.isoformat(),
                status_name(appointment.status),
                names.get(appointment.priority_group or ""),
            )
        )
    return shown


async def person_section(db: AsyncSession, viewer: Viewer, person: Person) -> Section | None:
    found = await persons_appointments(db, viewer, person)
    return Section(TEMPLATE, found) if found else None


async def request_section(db: AsyncSession, viewer: Viewer, ticket: HasPerson) -> Section | None:
    person = await db.get(Person, ticket.person_id)
    return await person_section(db, viewer, person) if person is not None else None
