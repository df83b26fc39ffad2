"""Response deadlines in días hábiles (Ley 19.880 art. 25) or días corridos, as pure functions.

Días hábiles exclude Saturdays, Sundays and holidays: Chile's national holidays, the handling
office's regional ones (the ``holidays`` package: Arica y Parinacota on 7 June, Ñuble's
Chillán on 20 August) and the service's own extra closures. Counting starts the day after
receipt; since Ley 21.180 a request filed on a non-working day counts as filed on the next
working day. The clock stops while the request waits on the citizen.

A count in días corridos (Ley 21.719's rights requests: 30 días corridos) counts every day
of the calendar, paused days excepted, from the same filing day; when its last day is not a
working day the deadline moves to the next one (art. 25: "cuando el último día del plazo
sea inhábil, éste se entenderá prorrogado al primer día hábil siguiente").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

HABILES = "habiles"
CORRIDOS = "corridos"
UNITS = (HABILES, CORRIDOS)


@lru_cache(maxsize=256)
def _public_holidays(region_code: str | None, year: int) -> frozenset[date]:
    calendar = holidays.country_holidays("CL", subdiv=region_code, years=year, language="es")
    return frozenset(calendar)


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days count for one office: its region's holidays plus extra closures."""

    region_code: str | None = None
    closures: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5 or day in self.closures:
            return False
        return day not in _public_holidays(self.region_code, day.year)

    def next_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the first one after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


@dataclass(frozen=True)
class Pause:
    """The clock stopped (waiting on the citizen) from ``start`` until ``end`` (open: None)."""

    start: datetime
    end: datetime | None = None


def filing_day(received_at: datetime, calendar: WorkingCalendar, zone: ZoneInfo) -> date:
    """The working day a request counts as filed on, in the office's time zone."""
    return calendar.next_working_day(received_at.astimezone(zone).date())


def _paused_days(pauses: Iterable[Pause], zone: ZoneInfo) -> tuple[list[tuple[date, date]], bool]:
    """Paused date ranges (first paused day, day the clock runs again) and whether one is open.

    A pause stops the clock from the day after it starts; the day of the citizen's answer
    counts again from the next day, as a new notification would."""
    ranges, open_pause = [], False
    for pause in pauses:
        first = pause.start.astimezone(zone).date() + timedelta(days=1)
        if pause.end is None:
            open_pause = True
            ranges.append((first, date.max))
        else:
            ranges.append((first, pause.end.astimezone(zone).date() + timedelta(days=1)))
    return ranges, open_pause


def due_date(
    received_at: datetime,
    working_days: int,
    calendar: WorkingCalendar,
    zone: ZoneInfo,
    pauses: Sequence[Pause] = (),
    unit: str = HABILES,
) -> date | None:
    """The last day to answer, ``working_days`` of ``unit`` (días hábiles by default, or
    días corridos) after filing; always a working day. None while a pause is open (the clock
    is stopped)."""
    if working_days < 0:
        raise ValueError("a deadline cannot be negative")
    if unit not in UNITS:
        raise ValueError(f"unknown unit of days {unit!r}")
    paused, open_pause = _paused_days(pauses, zone)
    if open_pause:
        return None
    day = filing_day(received_at, calendar, zone)
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if any(a <= day < b for a, b in paused):
            continue
        if unit == CORRIDOS or calendar.is_working_day(day):
            counted += 1
    return calendar.next_working_day(day)


def add_working_days(day: date, count: int, calendar: WorkingCalendar) -> date:
    """The ``count``-th día hábil after ``day`` (``day`` itself when ``count`` is 0)."""
    if count < 0:
        raise ValueError("a count of days cannot be negative")
    counted = 0
    while counted < count:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def working_days_left(today: date, due: date, calendar: WorkingCalendar) -> int:
    """Working days from today (excluded) to the due date (included); negative when overdue."""
    if today == due:
        return 0
    step = 1 if due > today else -1
    count, day = 0, today
    while day != due:
        day += timedelta(days=step)
        if calendar.is_working_day(day):
            count += step
    return count
