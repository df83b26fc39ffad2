"""What an office attends by appointment, as the admin sets it: per trámite, how long one
takes, how many counters attend it at once and how many of each time's seats wait for the
priority groups. Audited; a change of seats applies to the times not begun yet (bookings
already made stay)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, require_staff
from helpdesk.appointments.models import AppointmentService, AppointmentSlot
from helpdesk.audit import service as audit
from helpdesk.core.db import utcnow
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import gettext as _
from helpdesk.reference.models import Office, Tramite

DURATIONS: Final = range(5, 241)  # minutes
COUNTERS: Final = range(1, 51)


@dataclass(frozen=True)
class ServiceData:
    tramite_code: str
    duration_minutes: int
    counters: int
    priority_seats: int


def _number(form: Mapping[str, Any], name: str) -> int | None:
    raw = form.get(name)
    text = raw.strip() if isinstance(raw, str) else ""
    return int(text) if text.isdecimal() and len(text) < 5 else None


def parse_service(form: Mapping[str, Any]) -> tuple[ServiceData, dict[str, str]]:
    errors: dict[str, str] = {}
    raw = form.get("tramite")
    code = raw.strip()[:60] if isinstance(raw, str) else ""
    if not code:
        errors["tramite"] = _("Elija un trámite de la lista.")
    duration = _number(form, "duracion")
    if duration is None or duration not in DURATIONS:
        errors["duracion"] = _("Escriba la duración en minutos, entre 5 y 240.")
    counters = _number(form, "mesones")
    if counters is None or counters not in COUNTERS:
        errors["mesones"] = _("Escriba cuántos mesones atienden a la vez, entre 1 y 50.")
    reserved = _number(form, "preferentes")
    if reserved is None:
        reserved = 0 if not str(form.get("preferentes") or "").strip() else -1
    if reserved < 0 or (counters is not None and reserved > counters):
        errors["preferentes"] = _(
            "Escriba cuántos cupos de cada hora se guardan para atención preferente: de 0 al"
            " número de mesones."
        )
    data = ServiceData(code, duration or 0, counters or 0, max(reserved, 0))
    return data, errors


async def office_services(
    db: AsyncSession, viewer: Viewer, slug: str
) -> tuple[Office, list[tuple[AppointmentService, str]]]:
    require_staff(viewer, "admin")
    office = await db.scalar(select(Office).where(Office.slug == slug))
    if office is None:
        raise NotFound("office")
    rows = await db.execute(
        select(AppointmentService, Tramite.name)
        .join(Tramite, Tramite.code == AppointmentService.tramite_code)
        .where(AppointmentService.office_id == office.id)
        .order_by(Tramite.topic, Tramite.ordinal)
    )
    return office, [(service, name) for service, name in rows]


def _values(service: AppointmentService | None) -> dict[str, Any]:
    if service is None:
        return {}
    return {
        "duracion": service.duration_minutes,
        "mesones": service.counters,
        "preferentes": service.priority_seats,
    }


async def save_service(
    db: AsyncSession, viewer: Viewer, office: Office, data: ServiceData, actor: audit.Actor
) -> AppointmentService:
    require_staff(viewer, "admin")
    if await db.get(Tramite, data.tramite_code) is None:
        raise NotFound("tramite")
    service = await db.scalar(
        select(AppointmentService).where(
            AppointmentService.office_id == office.id,
            AppointmentService.tramite_code == data.tramite_code,
        )
    )
    before = _values(service)
    if service is None:
        service = AppointmentService(office_id=office.id, tramite_code=data.tramite_code)
        db.add(service)
    service.duration_minutes = data.duration_minutes
    service.counters = data.counters
    service.priority_seats = data.priority_seats
    await db.flush()
    # Times not begun take the new seats; bookings already made stay.
    await db.execute(
        update(AppointmentSlot)
        .where(
            AppointmentSlot.office_id == office.id,
            AppointmentSlot.tramite_code == data.tramite_code,
            AppointmentSlot.starts_at > utcnow(),
        )
        .values(capacity=data.counters, priority_seats=data.priority_seats)
        .execution_options(synchronize_session=False)
    )
    changes = audit.diff(before, _values(service))
    if changes:
        changes["oficina"] = [office.slug, office.slug]
        changes["tramite"] = [data.tramite_code, data.tramite_code]
        action = "appointment_service.update" if before else "appointment_service.create"
        audit.record(db, actor, action, "appointment_service", service.id, changes)
    return service


async def remove_service(
    db: AsyncSession, viewer: Viewer, office: Office, tramite_code: str, actor: audit.Actor
) -> None:
    """No new bookings; appointments already made stay booked."""
    require_staff(viewer, "admin")
    service = await db.scalar(
        select(AppointmentService).where(
            AppointmentService.office_id == office.id,
            AppointmentService.tramite_code == tramite_code,
        )
    )
    if service is None:
        raise NotFound("appointment service")
    changes = audit.diff(_values(service), {})
    changes["oficina"] = [office.slug, office.slug]
    changes["tramite"] = [tramite_code, tramite_code]
    await db.execute(delete(AppointmentService).where(AppointmentService.id == service.id))
    audit.record(
        db, actor, "appointment_service.delete", "appointment_service", service.id, changes
    )


def unknown_tramite() -> str:
    return _("Elija un trámite de la lista.")
