"""Appointment tests commit (each booking is its own transaction, as on the page): each
test starts and ends with no appointments, with the demo offices' services loaded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.appointments import demo, private_links
from helpdesk.appointments.models import Appointment, AppointmentSlot
from helpdesk.reference.models import Office
from tests.conftest import TEST_BASE_URL, TEST_SECRET_KEY

SANTIAGO = ZoneInfo("America/Santiago")
# A Monday; tomorrow (8 December) is a holiday, so the first bookable day is Wednesday.
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


async def _clear(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(delete(Appointment))
        await db.execute(delete(AppointmentSlot))


@pytest.fixture(autouse=True)
async def no_appointments(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    private_links.configure(TEST_SECRET_KEY, TEST_BASE_URL)
    async with sessionmaker() as db, db.begin():
        await demo.load_services(db)
    await _clear(sessionmaker)
    yield
    await _clear(sessionmaker)


@pytest.fixture
async def offices(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessionmaker() as db:
        rows = await db.execute(select(Office.slug, Office.id).where(Office.slug.in_(demo.OFFICES)))
        return {row.slug: row.id for row in rows}
