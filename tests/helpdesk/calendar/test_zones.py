"""Office time zones: Aysén keeps UTC−3 all year (America/Coyhaique), Magallanes too
(America/Punta_Arenas), the rest follows Santiago; a request's dates count in its office's."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.calendar import service as calendar
from helpdesk.calendar.working_days import due_date


@pytest.mark.parametrize(
    ("region", "zone"),
    [
        ("AI", "America/Coyhaique"),
        ("MA", "America/Punta_Arenas"),
        ("RM", "America/Santiago"),
        ("TA", "America/Santiago"),
        (None, "America/Santiago"),
    ],
)
async def test_each_region_counts_in_its_office_zone(sessionmaker, region, zone) -> None:
    async with sessionmaker() as db:
        assert (await calendar.office_zone(db, region)).key == zone


async def test_a_request_near_midnight_in_winter_is_dated_by_aysen_not_santiago(
    sessionmaker,
) -> None:
    # 00:30 on Friday 10 July 2026 in Coyhaique (UTC−3) is still Thursday 23:30 in Santiago
    # (UTC−4 in winter): the day of reception, and so the deadline, differ by one.
    received = datetime(2026, 7, 10, 3, 30, tzinfo=UTC)
    async with sessionmaker() as db:
        zone = await calendar.office_zone(db, "AI")
        working = await calendar.working_calendar(db, "AI")
    assert received.astimezone(zone).date().isoweekday() == 5
    in_aysen = due_date(received, 10, working, zone)
    in_santiago = due_date(received, 10, working, ZoneInfo("America/Santiago"))
    assert in_aysen > in_santiago
