"""An office's times for a trámite, as pure functions: its opening hours per weekday in
its own time zone, its working days (national and regional holidays, closures), stepped
by the trámite's duration, within the booking window.

Times are aware datetimes in the office's zone, built from the wall clock of each day, so
a DST change (America/Santiago: the first Sundays of April and September, at midnight)
moves the UTC instant and never the time on the office's door. A wall-clock time the
change skips does not exist and is left out; one it repeats is the first of the two.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from helpdesk.calendar.opening_hours import Week
from helpdesk.calendar.working_days import WorkingCalendar


@dataclass(frozen=True)
class Window:
    """The days people may book: from tomorrow to ``days`` ahead, both included."""

    first: date
    last: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


def booking_window(today: date, days_ahead: int) -> Window:
    return Window(today + timedelta(days=1), today + timedelta(days=days_ahead))


def _exists(local: datetime) -> bool:
    """False for a wall-clock time a DST change skips (it does not survive a round trip)."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def day_times(week: Week, zone: ZoneInfo, day: date, duration: timedelta) -> Iterator[datetime]:
    """Every start on ``day`` whose whole duration fits in one of the day's intervals."""
    if duration <= timedelta(0):
        raise ValueError("a duration must be positive")
    for opens, closes in week.get(day.weekday(), ()):
        start = datetime.combine(day, opens, tzinfo=zone)
        end = datetime.combine(day, closes, tzinfo=zone)
        # Aware arithmetic in one zone is wall-clock arithmetic: 09:00 + 30 min is 09:30.
        while start + duration <= end:
            if _exists(start):
                yield start
            start += duration


def office_times(
    week: Week,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    duration: timedelta,
    first: date,
    last: date,
) -> Iterator[datetime]:
    """The office's times from ``first`` to ``last`` (both included) on its working days."""
    day = first
    while day <= last:
        if calendar.is_working_day(day):
            yield from day_times(week, zone, day, duration)
        day += timedelta(days=1)


@dataclass(frozen=True)
class FreeTime:
    start: datetime  # in the office's zone
    remaining: int  # seats this person may still take


def seats_left(
    capacity: int, priority_seats: int, booked: int, general_booked: int, *, priority: bool
) -> int:
    """Seats a person may take: the priority groups any free seat, everyone else only the
    seats not reserved for them."""
    free = capacity - booked
    if priority:
        return max(free, 0)
    return max(min(free, capacity - priority_seats - general_booked), 0)


def free_times(
    times: Iterator[datetime],
    taken: Mapping[datetime, tuple[int, int]],
    capacity: int,
    priority_seats: int,
    *,
    priority: bool = False,
    after: datetime | None = None,
) -> Iterator[FreeTime]:
    """The times with a seat left; ``taken`` maps a UTC start to (booked, general_booked),
    ``after`` leaves out the times up to it (the next free times after a lost race)."""
    for start in times:
        if after is not None and start <= after:
            continue
        booked, general = taken.get(start.astimezone(UTC), (0, 0))
        left = seats_left(capacity, priority_seats, booked, general, priority=priority)
        if left > 0:
            yield FreeTime(start, left)
