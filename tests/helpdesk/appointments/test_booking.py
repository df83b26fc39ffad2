"""Booking on the database: the race for the last seat, one active appointment per person
and trámite, reserved seats, reschedule and cancel by private link, the confirmation's .ics."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import icalendar
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.appointments import booking, private_links
from helpdesk.appointments.models import Appointment, AppointmentSlot
from helpdesk.audit import service as audit
from helpdesk.audit.models import AuditEvent
from helpdesk.notifications.models import OutboxMessage
from tests.helpdesk.appointments.conftest import NOW, SANTIAGO

ACTOR = audit.Actor("citizen", None, "203.0.113.7")
DAYS = 30
WEDNESDAY_NINE = datetime(2026, 12, 9, 9, 0, tzinfo=SANTIAGO)


async def _book(
    sessionmaker: async_sessionmaker[AsyncSession],
    office_id: int,
    email: str,
    start: datetime = WEDNESDAY_NINE,
    tramite: str = "rd-solicitud",  # one counter, no reserved seat
    priority: str | None = None,
    locale: str = "es",
) -> tuple[Appointment, str]:
    async with sessionmaker() as db, db.begin():
        choice = booking.Choice(office_id, tramite, start, priority)
        return await booking.book(
            db, choice, booking.Booker(email, locale), ACTOR, now=NOW, days_ahead=DAYS
        )


async def _emails(sessionmaker: async_sessionmaker[AsyncSession], to: str) -> list[OutboxMessage]:
    async with sessionmaker() as db:
        rows = await db.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id)
        )
        return list(rows)


async def test_fifty_people_race_for_the_last_seat_and_one_gets_it(
    sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int], unique: str
) -> None:
    async def attempt(n: int) -> str:
        try:
            await _book(sessionmaker, offices["santiago"], f"race{n}-{unique}@example.cl")
        except booking.SlotFull as full:
            assert full.next_times and full.next_times[0].start > WEDNESDAY_NINE
            return "full"
        return "booked"

    outcomes = await asyncio.gather(*(attempt(n) for n in range(50)))

    assert sorted(outcomes).count("booked") == 1
    assert outcomes.count("full") == 49
    async with sessionmaker() as db:
        booked = await db.scalar(select(func.count()).select_from(Appointment))
        seat = await db.scalar(select(AppointmentSlot.booked))
    assert (booked, seat) == (1, 1)


async def test_one_active_appointment_per_person_and_tramite(
    sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int], unique: str
) -> None:
    email = f"una-{unique}@example.cl"
    appointment, _secret = await _book(sessionmaker, offices["santiago"], email)
    later = WEDNESDAY_NINE + timedelta(hours=1)
    with pytest.raises(booking.AlreadyBooked):
        await _book(sessionmaker, offices["iquique"], email.upper(), later)
    # Another trámite is another appointment.
    await _book(sessionmaker, offices["santiago"], email, later, tramite="pt-prorroga")
    async with sessionmaker() as db, db.begin():
        held = await db.get(Appointment, appointment.id)
        assert held is not None
        await booking.cancel(db, held, ACTOR, now=NOW)
    await _book(sessionmaker, offices["iquique"], email, later)


async def test_the_same_person_twice_at_once_gets_one_appointment(
    sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int], unique: str
) -> None:
    email = f"doble-{unique}@example.cl"
    starts = [WEDNESDAY_NINE + timedelta(minutes=30 * n) for n in range(6)]
    outcomes = await asyncio.gather(
        *(_book(sessionmaker, offices["santiago"], email, s) for s in starts),
        return_exceptions=True,
    )
    assert sum(isinstance(o, tuple) for o in outcomes) == 1
    assert all(isinstance(o, tuple | booking.AlreadyBooked) for o in outcomes)


async def test_the_reserved_seat_waits_for_the_priority_groups(
    sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int], unique: str
) -> None:
    office = offices["santiago"]  # the cédula: three counters, one seat reserved
    book = lambda n, p=None: _book(  # noqa: E731
        sessionmaker,
        office,
        f"p{n}-{unique}@example.cl",
        datetime(2026, 12, 9, 8, 30, tzinfo=SANTIAGO),  # 20-minute times from 08:30
        tramite="registro-civil-cedula",
        priority=p,
    )
    await book(1)
    await book(2)
    with pytest.raises(booking.SlotFull):
        await book(3)
    await book(4, "persona_mayor")
    with pytest.raises(booking.SlotFull):
        await book(5, "embarazada")


@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 12, 8, 9, 0, tzinfo=SANTIAGO),  # a holiday
        datetime(2026, 12, 9, 9, 10, tzinfo=SANTIAGO),  # between two times
        datetime(2026, 12, 9, 13, 30, tzinfo=SANTIAGO),  # lunch
        datetime(2026, 12, 12, 9, 0, tzinfo=SANTIAGO),  # a Saturday
        datetime(2026, 12, 7, 16, 0, tzinfo=SANTIAGO),  # today
        datetime(2027, 1, 7, 9, 0, tzinfo=SANTIAGO),  # past the 30 days
    ],
)
async def test_only_the_offices_times_in_the_window_are_booked(
    sessionmaker: async_sessionmaker[AsyncSession],
    offices: dict[str, int],
    unique: str,
    start: datetime,
) -> None:
    with pytest.raises(booking.NotOffered):
        await _book(sessionmaker, offices["santiago"], f"fuera-{unique}@example.cl", start)


async def test_confirmation_email_carries_an_ics_in_the_offices_local_time(
    sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int], unique: str
) -> None:
    email = f"ics-{unique}@example.cl"
    async with sessionmaker() as db:
        before = await db.scalar(select(func.max(AuditEvent.id))) or 0
    start = datetime(2026, 12, 9, 10, 0, tzinfo=SANTIAGO)
    appointment, secret = await _book(
        sessionmaker, offices["punta-arenas"], email, start, locale="en"
    )
    [message] = await _emails(sessionmaker, email)
    assert (message.template, message.locale) == ("appointment_confirmation", "en")
    assert private_links.token_for(appointment.id, secret) in message.context["link"]
    [attachment] = message.context["attachments"]
    calendar = icalendar.Calendar.from_ical(attachment["text"])
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "America/Punta_Arenas"
    begins = event.decoded("DTSTART")
    # 10:00 in Santiago (−03 in December) is 10:00 in Punta Arenas too (−03 all year).
    assert (begins.hour, begins.minute, begins.utcoffset()) == (10, 0, timedelta(hours=-3))
    assert event.decoded("DTEND") - begins == timedelta(minutes=30)
    assert "Punta Arenas" in str(event["LOCATION"])
    async with sessionmaker() as db:
        actions = list(
            await db.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.entity_type == "appointment",
                    AuditEvent.entity_id == appointment.id,
                    AuditEvent.id > before,  # ids of deleted appointments come back
                )
            )
        )
    assert actions == ["appointment.book"]


async def test_reschedule_and_cancel_by_the_private_link(
    sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int], unique: str
) -> None:
    email = f"link-{unique}@example.cl"
    appointment, secret = await _book(sessionmaker, offices["santiago"], email)
    token = private_links.token_for(appointment.id, secret)
    later = datetime(2026, 12, 10, 11, 0, tzinfo=SANTIAGO)
    async with sessionmaker() as db, db.begin():
        found = await booking.by_token(db, token)
        assert found is not None
        await booking.reschedule(db, found[0], found[1], later, ACTOR, now=NOW, days_ahead=DAYS)
    # The old time is free again; the new one is taken.
    await _book(sessionmaker, offices["santiago"], f"otra-{unique}@example.cl")
    with pytest.raises(booking.SlotFull):
        await _book(sessionmaker, offices["santiago"], f"tercera-{unique}@example.cl", later)
    async with sessionmaker() as db, db.begin():
        found = await booking.by_token(db, token)
        assert found is not None and found[0].starts_at == later
        await booking.cancel(db, found[0], ACTOR, now=NOW)
    templates = [m.template for m in await _emails(sessionmaker, email)]
    assert templates == [
        "appointment_confirmation",
        "appointment_confirmation",
        "appointment_cancelled",
    ]
    await _book(sessionmaker, offices["santiago"], f"tercera-{unique}@example.cl", later)


async def test_a_tampered_or_revoked_link_opens_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int], unique: str
) -> None:
    appointment, secret = await _book(sessionmaker, offices["santiago"], f"t-{unique}@example.cl")
    token = private_links.token_for(appointment.id, secret)
    forged = private_links.token_for(appointment.id, secret + "x")  # signed, wrong secret
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other_id = token.replace(f"{appointment.id}.", f"{appointment.id + 1}.", 1)
    async with sessionmaker() as db, db.begin():
        for bad in (forged, tampered, other_id, "", "x" * 500):
            assert await booking.by_token(db, bad) is None
        assert await booking.by_token(db, token) is not None
        held = await db.get(Appointment, appointment.id)
        assert held is not None
        held.access_digest = private_links.digest(private_links.new_secret())
    async with sessionmaker() as db:
        assert await booking.by_token(db, token) is None


async def test_a_past_appointment_is_neither_moved_nor_cancelled_by_its_link(
    sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int], unique: str
) -> None:
    appointment, secret = await _book(
        sessionmaker, offices["santiago"], f"pasada-{unique}@example.cl"
    )
    after = WEDNESDAY_NINE + timedelta(minutes=5)
    async with sessionmaker() as db, db.begin():
        found = await booking.by_token(db, private_links.token_for(appointment.id, secret))
        assert found is not None
        with pytest.raises(booking.NotOffered):
            await booking.cancel(db, found[0], ACTOR, now=after)
        with pytest.raises(booking.NotOffered):
            await booking.reschedule(
                db,
                found[0],
                secret,
                WEDNESDAY_NINE + timedelta(days=1),
                ACTOR,
                now=after,
                days_ahead=DAYS,
            )
