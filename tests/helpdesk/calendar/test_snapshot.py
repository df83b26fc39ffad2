"""The in-memory reference data follows every ORM change, committed, from the next session."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, update

from helpdesk.calendar import snapshot as reference_cache
from helpdesk.calendar.models import Closure
from helpdesk.calendar.service import working_calendar
from helpdesk.calendar.snapshot import ReferenceGeneration
from helpdesk.reference.models import Tramite
from helpdesk.tickets.deadline_rules import rule_for
from helpdesk.tickets.models import KindDeadline

DAY = date(2041, 3, 13)  # a Wednesday, far from any test's own closures


async def generation(sessionmaker) -> str:
    async with sessionmaker() as db:
        return await db.scalar(select(ReferenceGeneration.value)) or ""


async def test_changes_through_the_orm_reach_the_next_unit_of_work(sessionmaker) -> None:
    async with sessionmaker() as db:
        assert DAY not in (await working_calendar(db, "AP")).closures
    before = await generation(sessionmaker)
    async with sessionmaker() as db, db.begin():
        db.add(Closure(day=DAY, region_code="AP", reason="Cierre de prueba"))
    assert await generation(sessionmaker) != before
    async with sessionmaker() as db:
        assert DAY in (await working_calendar(db, "AP")).closures
        assert DAY not in (await working_calendar(db, "RM")).closures
    async with sessionmaker() as db, db.begin():
        await db.execute(delete(Closure).where(Closure.day == DAY))  # a bulk ORM statement
    async with sessionmaker() as db:
        assert DAY not in (await working_calendar(db, "AP")).closures


async def test_a_rolled_back_change_keeps_the_generation(sessionmaker) -> None:
    before = await generation(sessionmaker)
    async with sessionmaker() as db:
        db.add(Closure(day=DAY, region_code=None, reason="Nunca"))
        await db.flush()
        await db.rollback()
    assert await generation(sessionmaker) == before


async def test_deadlines_and_tramites_follow_too(sessionmaker) -> None:
    async with sessionmaker() as db:
        default = await rule_for(db, "felicitacion")
        tramite = (await reference_cache.current(db)).tramites[0]
    async with sessionmaker() as db, db.begin():
        db.add(KindDeadline(kind="felicitacion", legal_days=default.legal_days + 7))
        await db.execute(update(Tramite).where(Tramite.code == tramite.code).values(active=False))
    try:
        async with sessionmaker() as db:
            assert (await rule_for(db, "felicitacion")).legal_days == default.legal_days + 7
            codes = {t.code for t in (await reference_cache.current(db)).tramites}
            assert tramite.code not in codes
    finally:
        async with sessionmaker() as db, db.begin():
            await db.execute(delete(KindDeadline).where(KindDeadline.kind == "felicitacion"))
            await db.execute(
                update(Tramite).where(Tramite.code == tramite.code).values(active=True)
            )
    async with sessionmaker() as db:
        assert (await rule_for(db, "felicitacion")) == default
