"""Deadline arithmetic against the dates in shared/DOMAIN.md and Ley 19.880 art. 25."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.calendar.working_days import (
    Pause,
    WorkingCalendar,
    due_date,
    filing_day,
    working_days_left,
)

SANTIAGO = ZoneInfo("America/Santiago")
PUNTA_ARENAS = ZoneInfo("America/Punta_Arenas")


def at(day: str, hour: int = 10, zone: ZoneInfo = SANTIAGO) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=zone)


def test_ten_working_days_skip_fiestas_patrias() -> None:
    # DOMAIN.md: received Fri 2025-09-12 + 10 días hábiles is due 2025-09-30.
    assert due_date(at("2025-09-12"), 10, WorkingCalendar("RM"), SANTIAGO) == date(2025, 9, 30)


def test_regional_holidays_count_only_in_their_region() -> None:
    # DOMAIN.md: in Ñuble 2025-08-19 + 1 is 2025-08-21 (20 August, Chillán).
    assert due_date(at("2025-08-19"), 1, WorkingCalendar("NB"), SANTIAGO) == date(2025, 8, 21)
    assert due_date(at("2025-08-19"), 1, WorkingCalendar("RM"), SANTIAGO) == date(2025, 8, 20)
    # Arica y Parinacota: 7 June. 2027-06-07 is a Monday.
    assert due_date(at("2027-06-04"), 1, WorkingCalendar("AP"), SANTIAGO) == date(2027, 6, 8)
    assert due_date(at("2027-06-04"), 1, WorkingCalendar("TA"), SANTIAGO) == date(2027, 6, 7)


def test_filed_on_a_weekend_counts_from_the_next_working_day() -> None:
    # Saturday 2025-09-13: filed Monday the 15th, so day 1 is Tuesday the 16th.
    calendar = WorkingCalendar("RM")
    assert filing_day(at("2025-09-13"), calendar, SANTIAGO) == date(2025, 9, 15)
    assert due_date(at("2025-09-13"), 1, calendar, SANTIAGO) == date(2025, 9, 16)
    # Filed on a holiday (18 September) counts as filed on Monday the 22nd.
    assert due_date(at("2025-09-18"), 1, calendar, SANTIAGO) == date(2025, 9, 23)


def test_the_office_time_zone_decides_the_day() -> None:
    # 02:30 UTC on Saturday is still Friday evening in Santiago.
    late_friday = datetime(2025, 9, 13, 2, 30, tzinfo=UTC)
    assert filing_day(late_friday, WorkingCalendar("RM"), SANTIAGO) == date(2025, 9, 12)


def test_extra_closures_from_the_admin_table() -> None:
    closure = WorkingCalendar("RM", frozenset({date(2025, 9, 15)}))
    assert due_date(at("2025-09-12"), 1, closure, SANTIAGO) == date(2025, 9, 16)


def test_a_pause_stops_the_clock_and_the_reply_restarts_it() -> None:
    calendar = WorkingCalendar("RM")
    received = at("2025-10-01")  # Wednesday; 12 October 2025 is a Sunday: no weekday holiday
    assert due_date(received, 10, calendar, SANTIAGO) == date(2025, 10, 15)
    waiting = Pause(at("2025-10-03"), None)
    assert due_date(received, 10, calendar, SANTIAGO, [waiting]) is None
    # Paused from Monday 6 to the citizen's answer on Wednesday 8: 6, 7 and 8 do not count.
    answered = Pause(at("2025-10-03"), at("2025-10-08"))
    assert due_date(received, 10, calendar, SANTIAGO, [answered]) == date(2025, 10, 20)


def test_days_left_and_overdue() -> None:
    calendar = WorkingCalendar("RM")
    assert working_days_left(date(2025, 9, 12), date(2025, 9, 30), calendar) == 10
    assert working_days_left(date(2025, 9, 30), date(2025, 9, 30), calendar) == 0
    assert working_days_left(date(2025, 10, 2), date(2025, 9, 30), calendar) == -2


def test_magallanes_uses_its_own_zone() -> None:
    assert due_date(
        at("2026-01-05", zone=PUNTA_ARENAS), 3, WorkingCalendar("MA"), PUNTA_ARENAS
    ) == date(2026, 1, 8)


def test_national_holiday_counts_from_the_package() -> None:
    from helpdesk.calendar.working_days import _public_holidays

    calendar = WorkingCalendar()
    assert [len(_public_holidays(None, y)) for y in (2025, 2026, 2027)] == [16, 16, 17]
    assert not calendar.is_working_day(date(2026, 1, 1))


def test_negative_deadline_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        due_date(at("2025-09-12"), -1, WorkingCalendar(), SANTIAGO)
