"""Due dates in días hábiles and in días corridos, across Chilean national and regional
holidays (shared DOMAIN.md §2), with an extension and with the wait on the person."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.calendar.working_days import (
    CORRIDOS,
    HABILES,
    Pause,
    WorkingCalendar,
    add_working_days,
    due_date,
)
from helpdesk.tickets.kinds import DeadlineRule

SANTIAGO = ZoneInfo("America/Santiago")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SANTIAGO)


@pytest.mark.parametrize(
    ("received", "days", "unit", "region", "due"),
    [
        # DOMAIN.md's check: Fri 12 Sep + 10 días hábiles skips 18-19 Sep.
        ("2025-09-12", 10, HABILES, "RM", date(2025, 9, 30)),
        # The same 10 in días corridos: every day counts, holidays too.
        ("2025-09-12", 10, CORRIDOS, "RM", date(2025, 9, 22)),
        # Corridos ending on a holiday (Thu 18 Sep) move past 19 Sep and the weekend.
        ("2025-09-08", 10, CORRIDOS, "RM", date(2025, 9, 22)),
        # Corridos ending on a Sunday move to Monday.
        ("2025-09-01", 6, CORRIDOS, "RM", date(2025, 9, 8)),
        # Filed on a Saturday: counts as filed on Monday (Ley 21.180), in either unit.
        ("2025-09-13", 1, CORRIDOS, "RM", date(2025, 9, 16)),
        ("2025-09-13", 1, HABILES, "RM", date(2025, 9, 16)),
        # 30 of each from 1 Dec: corridos end on 31 Dec (no holiday for public offices),
        # hábiles skip 8 and 25 Dec and 1 Jan.
        ("2025-12-01", 30, CORRIDOS, "RM", date(2025, 12, 31)),
        ("2025-12-01", 30, HABILES, "RM", date(2026, 1, 15)),
        # Ley 21.719's 30 corridos plus its extension of 30.
        ("2025-12-01", 60, CORRIDOS, "RM", date(2026, 1, 30)),
        # Regional holidays: Arica y Parinacota on 7 June, Chillán (Ñuble) on 20 August.
        ("2027-06-04", 3, CORRIDOS, "AP", date(2027, 6, 8)),
        ("2027-06-04", 3, CORRIDOS, "TA", date(2027, 6, 7)),
        ("2025-08-18", 2, CORRIDOS, "NB", date(2025, 8, 21)),
        ("2025-08-18", 2, CORRIDOS, "RM", date(2025, 8, 20)),
        ("2025-08-19", 1, HABILES, "NB", date(2025, 8, 21)),
    ],
)
def test_due_dates_in_both_units(received, days, unit, region, due) -> None:
    assert due_date(at(received), days, WorkingCalendar(region), SANTIAGO, unit=unit) == due


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        # Filed Fri 29 Aug, paused from Tue 2 Sep (counting stops on the 3rd) until an
        # answer on Fri 5 Sep: 3, 4 and 5 Sep do not count.
        (HABILES, date(2025, 9, 17)),  # 1-2 Sep, then 8-12 and 15-17 Sep
        (CORRIDOS, date(2025, 9, 11)),  # 30 Aug-2 Sep, then 6-11 Sep
        # Without the pause the corridos would end on Mon 8 Sep.
    ],
)
def test_the_wait_on_the_person_does_not_count_in_either_unit(unit, expected) -> None:
    pause = Pause(at("2025-09-02"), at("2025-09-05"))
    calendar = WorkingCalendar("RM")
    assert due_date(at("2025-08-29"), 10, calendar, SANTIAGO, [pause], unit) == expected
    assert due_date(at("2025-08-29"), 10, calendar, SANTIAGO, [], CORRIDOS) == date(2025, 9, 8)
    waiting = [Pause(at("2025-09-02"))]
    assert due_date(at("2025-08-29"), 10, calendar, SANTIAGO, waiting, unit) is None


@pytest.mark.parametrize(
    ("rule", "extended", "due"),
    [
        # Transparency: 20 hábiles, extended by 10 more, across the Fiestas Patrias.
        (DeadlineRule(20, extension_days=10), None, date(2025, 10, 14)),
        (DeadlineRule(20, extension_days=10), 10, date(2025, 10, 28)),
        # Rights requests (Ley 21.719): 30 corridos, extended by 30 more.
        (DeadlineRule(30, unit=CORRIDOS, extension_days=30), None, date(2025, 10, 13)),
        (DeadlineRule(30, unit=CORRIDOS, extension_days=30), 30, date(2025, 11, 11)),
    ],
)
def test_a_rules_due_date_with_and_without_its_extension(rule, extended, due) -> None:
    calendar = WorkingCalendar("RM")
    assert rule.legal_due(at("2025-09-12"), calendar, SANTIAGO, extension_days=extended) == due


def test_a_target_counts_in_its_rules_unit() -> None:
    rule = DeadlineRule(30, 10, CORRIDOS)
    assert rule.target_due(at("2025-09-12"), WorkingCalendar("RM"), SANTIAGO) == date(2025, 9, 22)
    assert DeadlineRule(30).target_due(at("2025-09-12"), WorkingCalendar("RM"), SANTIAGO) is None


@pytest.mark.parametrize(
    ("day", "count", "region", "expected"),
    [
        (date(2025, 9, 12), 0, "RM", date(2025, 9, 12)),
        (date(2025, 9, 12), 1, "RM", date(2025, 9, 15)),
        (date(2025, 9, 17), 1, "RM", date(2025, 9, 22)),  # 18-19 Sep and the weekend
        (date(2025, 8, 19), 1, "NB", date(2025, 8, 21)),
        (date(2025, 8, 19), 1, "RM", date(2025, 8, 20)),
    ],
)
def test_add_working_days(day, count, region, expected) -> None:
    assert add_working_days(day, count, WorkingCalendar(region)) == expected


def test_unknown_units_and_negative_counts_are_errors() -> None:
    with pytest.raises(ValueError):
        due_date(at("2025-09-12"), 10, WorkingCalendar(), SANTIAGO, unit="semanas")
    with pytest.raises(ValueError):
        add_working_days(date(2025, 9, 12), -1, WorkingCalendar())
