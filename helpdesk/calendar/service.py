"""The calendar as other domains ask for it: today's date where the service keeps its
calendar, an office's time zone, a region's working calendar (holidays and closures)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.calendar import snapshot
from helpdesk.calendar.working_days import WorkingCalendar
from helpdesk.core.db import utcnow

SERVICE_ZONE = ZoneInfo(snapshot.DEFAULT_ZONE)


def local_today(now: datetime | None = None) -> date:
    """Today's date where the service keeps its calendar (Santiago)."""
    return (now or utcnow()).astimezone(SERVICE_ZONE).date()


async def office_zone(db: AsyncSession, region_code: str | None) -> ZoneInfo:
    """The handling office's time zone (Magallanes differs from the rest)."""
    return (await snapshot.current(db)).zone(region_code)


async def working_calendar(db: AsyncSession, region_code: str | None) -> WorkingCalendar:
    """A region's working days: national and regional holidays and the admin's closures."""
    return (await snapshot.current(db)).calendar(region_code)
