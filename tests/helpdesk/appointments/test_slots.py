"""Slot rules: times in the office's zone across DST changes, holidays and closures."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk.appointments import slots
from helpdesk.calendar.working_days import WorkingCalendar

SANTIAGO = ZoneInfo("America/Santiago")
PUNTA_ARENAS = ZoneInfo("America/Punta_Arenas")
COYHAIQUE = ZoneInfo("America/Coyhaique")
WEEKDAYS = {d: ((time(9), time(13)), (time(14), time(16))) for d in range(5)}
HALF_HOUR = timedelta(minutes=30)


def _utc_hours(zone: ZoneInfo, day: date, calendar: WorkingCalendar | None = None) -> list[str]:
    times = slots.office_times(
        WEEKDAYS, zone, calendar or WorkingCalendar("RM"), HALF_HOUR, day, day
    )
    return [t.astimezone(UTC).strftime("%H:%M") for t in times]


@pytest.mark.parametrize(
    ("zone", "day", "first_utc"),
    [
        # Santiago: summer time (−03) ends at midnight on Sunday 5 April 2026 and 4 April 2027,
        # begins at midnight on Sunday 6 September 2026 and 5 September 2027.
        (SANTIAGO, date(2026, 4, 2), "12:00"),  # Thursday before (Friday is Good Friday): −03
        (SANTIAGO, date(2026, 4, 6), "13:00"),  # Monday after: −04
        (SANTIAGO, date(2026, 9, 4), "13:00"),  # Friday before: −04
        (SANTIAGO, date(2026, 9, 7), "12:00"),  # Monday after: −03
        (SANTIAGO, date(2027, 4, 2), "12:00"),
        (SANTIAGO, date(2027, 4, 5), "13:00"),
        (SANTIAGO, date(2027, 9, 3), "13:00"),
        (SANTIAGO, date(2027, 9, 6), "12:00"),
        # Magallanes and Aysén stay at −03 all year.
        (PUNTA_ARENAS, date(2026, 4, 6), "12:00"),
        (PUNTA_ARENAS, date(2026, 7, 6), "12:00"),
        (COYHAIQUE, date(2026, 4, 6), "12:00"),
        (COYHAIQUE, date(2026, 7, 6), "12:00"),
    ],
)
def test_the_door_opens_at_nine_local_whatever_the_offset(
    zone: ZoneInfo, day: date, first_utc: str
) -> None:
    hours = _utc_hours(zone, day)
    assert hours[0] == first_utc
    assert len(hours) == 12  # 8 in the morning, 4 in the afternoon
    local = next(slots.office_times(WEEKDAYS, zone, WorkingCalendar(), HALF_HOUR, day, day))
    assert (local.hour, local.minute, local.tzinfo) == (9, 0, zone)


@pytest.mark.parametrize(
    ("region", "day", "open_"),
    [
        ("RM", date(2026, 9, 18), False),  # Fiestas Patrias
        ("RM", date(2026, 9, 17), True),
        ("AP", date(2026, 6, 7), True),  # a Sunday in 2026: no hours anyway; see 2027
        ("AP", date(2027, 6, 7), False),  # Arica y Parinacota's own holiday, a Monday
        ("RM", date(2027, 6, 7), True),
        ("NB", date(2026, 8, 20), False),  # Chillán's holiday, a Thursday
        ("BI", date(2026, 8, 20), True),
        ("RM", date(2026, 9, 19), False),  # a Saturday and a holiday
    ],
)
def test_holidays_close_the_office(region: str, day: date, open_: bool) -> None:
    week = {d: ((time(9), time(10)),) for d in range(7)}  # even weekends, to see holidays alone
    times = list(slots.office_times(week, SANTIAGO, WorkingCalendar(region), HALF_HOUR, day, day))
    if day.weekday() >= 5:
        assert times == []
    else:
        assert bool(times) is open_


def test_a_closure_closes_the_office_and_the_range_covers_both_ends() -> None:
    calendar = WorkingCalendar("RM", frozenset({date(2026, 12, 9)}))
    times = list(
        slots.office_times(
            WEEKDAYS, SANTIAGO, calendar, timedelta(hours=1), date(2026, 12, 7), date(2026, 12, 11)
        )
    )
    days = sorted({t.date() for t in times})
    # 8 December is a holiday (Inmaculada Concepción), 9 December the closure.
    assert days == [date(2026, 12, 7), date(2026, 12, 10), date(2026, 12, 11)]


def test_a_duration_that_does_not_fit_the_interval_end_is_left_out() -> None:
    week = {0: ((time(9), time(10, 40)),)}
    times = list(slots.day_times(week, SANTIAGO, date(2026, 12, 7), timedelta(minutes=25)))
    assert [t.strftime("%H:%M") for t in times] == ["09:00", "09:25", "09:50", "10:15"]


def test_a_wall_clock_time_skipped_by_dst_does_not_exist() -> None:
    # Saturday 5 September 2026 at 23:30 exists; midnight to 01:00 on Sunday does not.
    week = {5: ((time(23), time(23, 59)),), 6: ((time(0), time(2)),)}
    sunday = list(slots.day_times(week, SANTIAGO, date(2026, 9, 6), HALF_HOUR))
    assert [t.strftime("%H:%M") for t in sunday] == ["01:00", "01:30"]


@pytest.mark.parametrize(
    ("capacity", "reserved", "booked", "general", "priority", "left"),
    [
        (3, 1, 0, 0, False, 2),
        (3, 1, 2, 2, False, 0),  # the reserved seat stays for the priority groups
        (3, 1, 2, 2, True, 1),
        (3, 1, 2, 0, False, 1),  # priority people took general seats: one is left
        (3, 1, 3, 2, True, 0),
        (1, 0, 0, 0, False, 1),
        (1, 1, 0, 0, False, 0),
    ],
)
def test_seats_left(
    capacity: int, reserved: int, booked: int, general: int, priority: bool, left: int
) -> None:
    assert slots.seats_left(capacity, reserved, booked, general, priority=priority) == left


def test_free_times_skip_full_times_and_those_before_after() -> None:
    day = date(2026, 12, 7)
    times = list(slots.day_times(WEEKDAYS, SANTIAGO, day, timedelta(hours=1)))
    taken = {times[0].astimezone(UTC): (1, 1)}
    free = list(slots.free_times(iter(times), taken, 1, 0))
    assert [f.start for f in free] == times[1:]
    later = list(slots.free_times(iter(times), {}, 1, 0, after=times[2]))
    assert later[0].start == times[3]


def test_the_window_runs_from_tomorrow_for_the_days_set() -> None:
    window = slots.booking_window(date(2026, 12, 6), 30)
    assert (window.first, window.last) == (date(2026, 12, 7), date(2027, 1, 5))
    assert date(2026, 12, 6) not in window
    assert date(2027, 1, 5) in window
    assert date(2027, 1, 6) not in window
