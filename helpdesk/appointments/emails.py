"""Every email to the person about their appointment, through the outbox, in the language
they booked in and the office's local time: the confirmation (again after a reschedule)
with its .ics file and private link, the cancellation and the day-before reminder."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.appointments import ics, private_links
from helpdesk.appointments.models import Appointment
from helpdesk.appointments.slots import FreeTime
from helpdesk.calendar import snapshot
from helpdesk.core import links
from helpdesk.core.i18n import format_datetime, translations
from helpdesk.notifications import outbox
from helpdesk.reference.models import Office

if TYPE_CHECKING:
    from helpdesk.appointments.booking import Offer

CONFIRMATION: Final = "appointment_confirmation"
CANCELLED: Final = "appointment_cancelled"
CLOSED: Final = "appointment_closed"
REMINDER: Final = "appointment_reminder"
ICS_NAME: Final = "cita.ics"


async def _tramite_name(db: AsyncSession, code: str, locale: str) -> str:
    for tramite in (await snapshot.current(db)).tramites:
        if tramite.code == code:
            return tramite.name_in(locale)[0]
    return code


def _place(office: Office) -> str:
    return (
        f"{office.name}, {office.address}, {office.city}"
        if office.address
        else f"{office.name}, {office.city}"
    )


async def _context(db: AsyncSession, appointment: Appointment, office: Office) -> dict[str, Any]:
    zone = ZoneInfo(office.timezone)
    return {
        "tramite": await _tramite_name(db, appointment.tramite_code, appointment.locale),
        "office": office.name,
        "place": _place(office),
        "when": format_datetime(appointment.starts_at, zone, appointment.locale),
    }


async def confirmation(
    db: AsyncSession,
    appointment: Appointment,
    found: Offer,
    secret: str,
    now: datetime,
    *,
    base_url: str | None = None,
    moved: bool = False,
) -> None:
    context = await _context(db, appointment, found.office)
    link = private_links.url_for(appointment.id, secret, base_url)
    ugettext = translations(appointment.locale).ugettext
    event = ics.IcsEvent(
        appointment_id=appointment.id,
        start=appointment.starts_at.astimezone(found.zone),
        duration=timedelta(minutes=found.service.duration_minutes),
        summary=f"{ugettext('Cita')}: {context['tramite']}",
        location=context["place"],
        description=f"{ugettext('Cambiar o anular la cita')}: {link}",
        sequence=int(now.timestamp()) if moved else 0,
    )
    context.update(
        link=link,
        moved=moved,
        attachments=[
            {
                "filename": ICS_NAME,
                "content_type": "text/calendar",
                "text": ics.calendar_text(event, now),
            }
        ],
    )
    outbox.enqueue(db, CONFIRMATION, appointment.email, appointment.locale, context)


async def cancelled(db: AsyncSession, appointment: Appointment, found: Offer | None) -> None:
    office = found.office if found else await db.get(Office, appointment.office_id)
    if office is None:
        return
    context = await _context(db, appointment, office)
    outbox.enqueue(db, CANCELLED, appointment.email, appointment.locale, context)


async def reminder(db: AsyncSession, appointment: Appointment, office: Office) -> None:
    # No private link: only its digest is kept; the email points to the confirmation.
    context = await _context(db, appointment, office)
    outbox.enqueue(db, REMINDER, appointment.email, appointment.locale, context)


async def closed(
    db: AsyncSession, appointment: Appointment, found: Offer, reason: str, offered: list[FreeTime]
) -> None:
    """Cancelled by the office's closure: the first free times after it, and where to book."""
    context = await _context(db, appointment, found.office)
    query = {"tramite": appointment.tramite_code, "oficina": found.office.id}
    context.update(
        reason=reason,
        next_times=[format_datetime(f.start, found.zone, appointment.locale) for f in offered],
        link=links.absolute_url(private_links.base_url(), "appointment_book", query=query),
    )
    outbox.enqueue(db, CLOSED, appointment.email, appointment.locale, context)
