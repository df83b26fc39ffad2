"""The case tests commit imports (one transaction per batch, as the command does): each
test starts and ends with no cases, so counts are the test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.cases.models import Case, CaseEvent


async def _clear(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(delete(CaseEvent))
        await db.execute(delete(Case))


@pytest.fixture(autouse=True)
async def no_cases(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    await _clear(sessionmaker)
    yield
    await _clear(sessionmaker)
