"""Booking, rescheduling and cancelling an appointment, for the pages and (later) the API.

Every function adds its rows, audit event and email to the caller's session and never
commits; on an exception the caller rolls back (the unit of work does, for any answer of
400 or more), which also gives back a seat taken before the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.appointments import emails, private_links, seats, slots
from helpdesk.appointments.models import PRIORITY_GROUPS, Appointment, AppointmentService
from helpdesk.audit import service as audit
from helpdesk.calendar import opening_hours
from helpdesk.calendar import service as calendar
from helpdesk.calendar.working_days import WorkingCalendar
from helpdesk.reference.models import Office

NEXT_TIMES = 3  # offered to the loser of a race


class BookingRefused(Exception):
    """Why a booking cannot be made; the page explains each kind in the person's words."""


class NotOffered(BookingRefused):
    """The office does not attend the trámite by appointment, or the time is not one of its
    times in the booking window."""


class SlotFull(BookingRefused):
    """Someone took the last seat first; ``next_times`` are the next free ones."""

    def __init__(self, next_times: list[slots.FreeTime]) -> None:
        super().__init__("full")
        self.next_times = next_times


class AlreadyBooked(BookingRefused):
    """The person holds an active appointment for this trámite."""


@dataclass(frozen=True)
class Choice:
    office_id: int
    tramite_code: str
    start: datetime  # aware; any zone
    priority_group: str | None = None


@dataclass(frozen=True)
class Booker:
    email: str
    locale: str
    name: str = ""
    person_id: int | None = None


@dataclass(frozen=True)
class Offer:
    """What an office offers for a trámite, with what computing its times needs."""

    office: Office
    service: AppointmentService
    zone: ZoneInfo
    week: opening_hours.Week
    calendar: WorkingCalendar

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.service.duration_minutes)


async def offer(db: AsyncSession, office_id: int, tramite_code: str) -> Offer | None:
    found = await db.execute(
        select(Office, AppointmentService)
        .join(AppointmentService, AppointmentService.office_id == Office.id)
        .where(
            Office.id == office_id,
            Office.attends_in_person.is_(True),
            AppointmentService.tramite_code == tramite_code,
        )
    )
    row = found.first()
    if row is None:
        return None
    office, service = row
    return Offer(
        office,
        service,
        ZoneInfo(office.timezone),
        await opening_hours.office_week(db, office.id),
        await calendar.working_calendar(db, office.region_code),
    )


def _when(start: datetime) -> str:
    """A time as the audit log shows it: the office's wall clock and its offset."""
    return start.isoformat(sep=" ", timespec="minutes")


def window(now: datetime, days_ahead: int) -> slots.Window:
    return slots.booking_window(calendar.local_today(now), days_ahead)


async def free_times(
    db: AsyncSession,
    found: Offer,
    span: slots.Window,
    *,
    priority: bool = False,
    after: datetime | None = None,
) -> list[slots.FreeTime]:
    times = list(
        slots.office_times(
            found.week, found.zone, found.calendar, found.duration, span.first, span.last
        )
    )
    if not times:
        return []
    taken = await seats.taken(db, found.office.id, found.service.tramite_code, times[0], times[-1])
    limit = slots.free_times(
        iter(times),
        taken,
        found.service.counters,
        found.service.priority_seats,
        priority=priority,
        after=after,
    )
    return list(limit)


def _is_a_time(found: Offer, start: datetime, span: slots.Window) -> bool:
    local = start.astimezone(found.zone)
    if local.date() not in span or not found.calendar.is_working_day(local.date()):
        return False
    return local in set(slots.day_times(found.week, found.zone, local.date(), found.duration))


async def _take_seat(
    db: AsyncSession, found: Offer, start: datetime, span: slots.Window, priority: bool
) -> None:
    if not await seats.take(db, found.service, start, priority=priority):
        upcoming = await free_times(db, found, span, priority=priority, after=start)
        raise SlotFull(upcoming[:NEXT_TIMES])


async def book(
    db: AsyncSession,
    choice: Choice,
    booker: Booker,
    actor: audit.Actor,
    *,
    now: datetime,
    days_ahead: int,
    base_url: str | None = None,
) -> tuple[Appointment, str]:
    """The new appointment and its private link's secret (for the page's link)."""
    if choice.priority_group is not None and choice.priority_group not in PRIORITY_GROUPS:
        raise NotOffered("priority group")
    found = await offer(db, choice.office_id, choice.tramite_code)
    span = window(now, days_ahead)
    if found is None or not _is_a_time(found, choice.start, span):
        raise NotOffered("time")
    email = booker.email.strip().lower()
    held = await db.scalar(
        select(Appointment.id).where(
            Appointment.email == email,
            Appointment.tramite_code == choice.tramite_code,
            Appointment.status == "booked",
        )
    )
    if held is not None:
        raise AlreadyBooked()
    priority = choice.priority_group is not None
    await _take_seat(db, found, choice.start, span, priority)
    secret = private_links.new_secret()
    start = choice.start.astimezone(found.zone)
    appointment = Appointment(
        office_id=found.office.id,
        tramite_code=choice.tramite_code,
        starts_at=start.astimezone(UTC),
        local_day=start.date(),
        person_id=booker.person_id,
        email=email,
        name=booker.name[:200],
        locale=booker.locale,
        priority_group=choice.priority_group,
        status="booked",
        access_digest=private_links.digest(secret),
        created_at=now,
        updated_at=now,
    )
    try:
        # The partial unique index settles two bookings of the same person at once.
        async with db.begin_nested():
            db.add(appointment)
            await db.flush()
    except IntegrityError:
        raise AlreadyBooked() from None
    values = {
        "oficina": found.office.slug,
        "tramite": choice.tramite_code,
        "inicio": _when(start),
        "grupo_prioritario": choice.priority_group,
    }
    audit.record(
        db, actor, "appointment.book", "appointment", appointment.id, audit.diff({}, values)
    )
    await emails.confirmation(db, appointment, found, secret, now, base_url=base_url)
    return appointment, secret


def changeable(appointment: Appointment, now: datetime) -> bool:
    """Booked and not begun: a past appointment is the office's to close (served, no-show)."""
    return appointment.status == "booked" and appointment.starts_at > now


async def by_token(db: AsyncSession, token: str) -> tuple[Appointment, str] | None:
    """The appointment a private link opens, with the link's secret; None for a tampered,
    revoked or unknown link."""
    parsed = private_links.parse(token)
    if parsed is None:
        return None
    appointment = await db.get(Appointment, parsed[0])
    if appointment is None or not private_links.matches(appointment.access_digest, parsed[1]):
        return None
    return appointment, parsed[1]


async def reschedule(
    db: AsyncSession,
    appointment: Appointment,
    secret: str,
    new_start: datetime,
    actor: audit.Actor,
    *,
    now: datetime,
    days_ahead: int,
    base_url: str | None = None,
) -> Appointment:
    if not changeable(appointment, now):
        raise NotOffered("status")
    found = await offer(db, appointment.office_id, appointment.tramite_code)
    span = window(now, days_ahead)
    if found is None or not _is_a_time(found, new_start, span):
        raise NotOffered("time")
    start = new_start.astimezone(found.zone)
    if start.astimezone(UTC) == appointment.starts_at:
        return appointment
    priority = appointment.priority_group is not None
    await _take_seat(db, found, start, span, priority)
    await seats.give_back(
        db,
        appointment.office_id,
        appointment.tramite_code,
        appointment.starts_at,
        priority=priority,
    )
    before = _when(appointment.starts_at.astimezone(found.zone))
    appointment.starts_at = start.astimezone(UTC)
    appointment.local_day = start.date()
    appointment.reminder_sent_at = None  # the new day gets its own reminder
    appointment.updated_at = now
    changes = audit.diff({"inicio": before}, {"inicio": _when(start)})
    audit.record(db, actor, "appointment.reschedule", "appointment", appointment.id, changes)
    await emails.confirmation(db, appointment, found, secret, now, base_url=base_url, moved=True)
    return appointment


async def cancel(
    db: AsyncSession,
    appointment: Appointment,
    actor: audit.Actor,
    *,
    now: datetime,
) -> Appointment:
    if not changeable(appointment, now):
        raise NotOffered("status")
    await seats.give_back(
        db,
        appointment.office_id,
        appointment.tramite_code,
        appointment.starts_at,
        priority=appointment.priority_group is not None,
    )
    appointment.status = "cancelled"
    appointment.updated_at = now
    changes = audit.diff({"estado": "booked"}, {"estado": "cancelled"})
    audit.record(db, actor, "appointment.cancel", "appointment", appointment.id, changes)
    found = await offer(db, appointment.office_id, appointment.tramite_code)
    await emails.cancelled(db, appointment, found)
    return appointment
