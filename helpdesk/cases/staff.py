"""Cases on staff pages: beside a request (the person's applications, with their history)
and on the person's page. Registered from ``app.py`` into the workbench's and the people
pages' section registries, so neither imports this domain. A regional agent sees only the
cases of their region, as with requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.cases import lookup, request_links, statuses
from helpdesk.cases.documents import RUN
from helpdesk.cases.models import Case
from helpdesk.people.models import Person
from helpdesk.people.sections import Section

SHOWN = 5


class HasPerson(Protocol):
    id: int
    folio: str
    person_id: int


@dataclass(frozen=True)
class StaffCase:
    number: str
    type_name: str
    status_name: str
    status_on: date
    region_code: str
    history: list[lookup.HistoryLine]


@dataclass(frozen=True)
class StaffCases:
    """What the section shows: beside a request, the cases linked to it first and the form
    that links another (``folio``); on the person's page, their cases only."""

    linked: list[StaffCase]
    others: list[StaffCase]
    folio: str | None = None


async def _shown(db: AsyncSession, cases: list[Case]) -> list[StaffCase]:
    return [
        StaffCase(
            c.number,
            statuses.type_name(c.case_type),
            statuses.status_name(c.status),
            c.status_on,
            c.region_code,
            await lookup.history(db, c),
        )
        for c in cases
    ]


async def persons_cases(db: AsyncSession, viewer: Viewer, person: Person) -> list[Case]:
    """The person's cases (linked to them, or under their RUN) the viewer may see."""
    mine = Case.person_id == person.id
    if person.run:
        mine = or_(mine, (Case.document_type == RUN) & (Case.document_number == person.run))
    stmt = select(Case).where(mine).order_by(Case.submitted_on.desc(), Case.id.desc())
    scope = region_scope(viewer)
    if scope is not None:
        stmt = stmt.where(Case.region_code == scope)
    return list((await db.scalars(stmt.limit(SHOWN))).all())


async def cases_for_staff(db: AsyncSession, viewer: Viewer, person: Person) -> list[StaffCase]:
    return await _shown(db, await persons_cases(db, viewer, person))


async def person_section(db: AsyncSession, viewer: Viewer, person: Person) -> Section | None:
    found = await cases_for_staff(db, viewer, person)
    return Section("cases/_staff_cases.html", StaffCases([], found)) if found else None


async def request_section(db: AsyncSession, viewer: Viewer, ticket: HasPerson) -> Section | None:
    """Always shown beside a request: an agent may link a case to one that has none."""
    linked = await request_links.linked_cases(db, ticket.id, viewer)
    person = await db.get(Person, ticket.person_id)
    theirs = await persons_cases(db, viewer, person) if person is not None else []
    linked_ids = {c.id for c in linked}
    others = [c for c in theirs if c.id not in linked_ids]
    shown = StaffCases(await _shown(db, linked), await _shown(db, others), ticket.folio)
    return Section("cases/_staff_cases.html", shown)
