"""Who books: a signed-in person's verified address, else one the session proved (a
ClaveÚnica account may have none), else nobody yet."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.accounts.permissions import Viewer
from helpdesk.appointments import catalogue
from tests.support.factories import person


async def test_who_books(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    verified = await person(sessionmaker, "TA", email_verified_at=None)
    async with sessionmaker() as db:
        signed_in = Viewer("citizen", 1, "Ana", person_id=verified)
        unproven = await catalogue.booker(db, signed_in, None)
        assert (unproven.email, unproven.region_code) == (None, "TA")
        proven = await catalogue.booker(db, signed_in, "ana@example.cl")
        assert (proven.email, proven.person_id) == ("ana@example.cl", verified)
        anonymous = await catalogue.booker(db, None, "b@example.cl")
        assert (anonymous.email, anonymous.person_id) == ("b@example.cl", None)
        assert (await catalogue.booker(db, None, None)).email is None
        staff = Viewer("staff", 1, "Agente", role="admin")
        assert (await catalogue.booker(db, staff, "c@example.cl")).email is None
