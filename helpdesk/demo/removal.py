"""`python -m helpdesk remove-demo`: deletes every demo account and demo person, and whatever
hangs off them, in one transaction; or refuses, naming what blocks it, and deletes nothing.

What happens to a row that points at a demo account or person is decided column by column
below (a new foreign key to either table must be given a rule: tests check that none is
missing). Rows that only mention a demo staff member by id without a foreign key stay, as
history: a message a demo agent wrote to a real person reads "Personal", the audit log keeps
its entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import Column, Select, delete, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import CitizenAccount, StaffAccount
from helpdesk.audit import service as audit
from helpdesk.core.db import Base
from helpdesk.demo.requests import DEMO_PEOPLE_EMAILS, remove_requests
from helpdesk.notifications.models import OutboxMessage
from helpdesk.people.models import Person
from helpdesk.tickets.models import Ticket

DELETE: Final = "delete"  # the row belongs to the demo account or person: it goes with it
CLEAR: Final = "clear"  # the row stays, without the name (as for content `load-content` wrote)
REQUESTS: Final = "requests"  # the demo people's requests: `remove_requests` deletes them

ON_DEMO_STAFF: Final = {
    ("api_tokens", "staff_id"): DELETE,
    ("team_members", "staff_id"): DELETE,
    ("request_presence", "staff_id"): DELETE,
    # A real request a demo agent held goes back to the queue (audited below).
    ("requests", "assignee_id"): CLEAR,
    ("request_links", "created_by"): CLEAR,
    ("request_cases", "linked_by"): CLEAR,  # the application stays linked to the request
    # Knowledge-base text a demo editor wrote, submitted, reviewed or published stays
    # (published content must not vanish from the site); it just names no one.
    ("kb_translations", "author_id"): CLEAR,
    ("kb_translations", "submitted_by"): CLEAR,
    ("kb_translations", "reviewer_id"): CLEAR,
    ("kb_translation_versions", "reviewer_id"): CLEAR,
    ("kb_translation_versions", "published_by"): CLEAR,
}
ON_DEMO_PERSON: Final = {
    ("citizen_accounts", "person_id"): DELETE,
    ("email_tokens", "person_id"): DELETE,
    ("person_merges", "duplicate_id"): DELETE,
    ("person_merges", "kept_id"): DELETE,
    ("people", "merged_into_id"): CLEAR,  # only demo records, or refused (see `blockers`)
    ("requests", "person_id"): REQUESTS,
    # A real request whose email matched a demo person: the suggestion goes, the request stays.
    ("pending_person_links", "candidate_id"): DELETE,
    # An application is the case system's copy, not the person's record: it stays, unlinked.
    ("cases", "person_id"): CLEAR,
    # An appointment holds a seat and belongs to the address it was booked with: it stays,
    # unlinked (deleting it would leave its seat counted).
    ("appointments", "person_id"): CLEAR,
}
RULES: Final = {"staff_accounts": ON_DEMO_STAFF, "people": ON_DEMO_PERSON}


class DemoRemovalRefused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("remove-demo refused, nothing was deleted:\n- " + "\n- ".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Removed:
    staff: int
    people: int
    requests: int
    unassigned: int


def demo_people() -> Select[tuple[int]]:
    """The demo people's ids: the demo citizens and the people of the demo requests."""
    return select(Person.id).where(
        or_(
            Person.email.like(DEMO_PEOPLE_EMAILS),
            Person.id.in_(select(CitizenAccount.person_id).where(CitizenAccount.is_demo)),
        )
    )


def unruled_foreign_keys() -> list[str]:
    """Foreign keys to staff accounts or people that remove-demo has no rule for."""
    return [
        f"{table.name}.{fk.parent.name}"
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name in RULES
        and (table.name, fk.parent.name) not in RULES[fk.column.table.name]
    ]


async def blockers(db: AsyncSession) -> list[str]:
    """Why the demo cannot be removed without losing real data; empty when it can."""
    reasons = [
        f"{column} points at staff accounts or people and remove-demo has no rule for it"
        for column in unruled_foreign_keys()
    ]
    people = demo_people()
    merged = await db.execute(
        select(Person.id, Person.merged_into_id)
        .where(Person.merged_into_id.in_(people), not_(Person.id.in_(people)))
        .order_by(Person.id)
    )
    reasons += [
        f"person #{row.id} (not a demo person) was merged into demo person "
        f"#{row.merged_into_id}: their requests now belong to the demo record; undo the merge"
        for row in merged
    ]
    return reasons


async def remove_demo(db: AsyncSession) -> Removed:
    """Call in one transaction: on refusal (``DemoRemovalRefused``) roll it back."""
    reasons = await blockers(db)
    if reasons:
        raise DemoRemovalRefused(reasons)
    staff = (
        await db.execute(select(StaffAccount.id, StaffAccount.email).where(StaffAccount.is_demo))
    ).all()
    people = (
        await db.execute(select(Person.id, Person.email).where(Person.id.in_(demo_people())))
    ).all()
    staff_ids = [row.id for row in staff]
    person_ids = [row.id for row in people]
    held = (
        await db.execute(
            select(Ticket.id, Ticket.assignee_id).where(
                Ticket.assignee_id.in_(staff_ids), not_(Ticket.person_id.in_(person_ids))
            )
        )
    ).all()
    for row in held:
        audit.record(
            db,
            audit.SYSTEM,
            "request.unassign",
            "request",
            row.id,
            {"assignee_id": [row.assignee_id, None]},
        )
    requests = await remove_requests(db)
    for target, ids in (("staff_accounts", staff_ids), ("people", person_ids)):
        for (table_name, column_name), rule in RULES[target].items():
            if table_name not in Base.metadata.tables:  # a rule ready for a table still to come
                continue
            column: Column[int] = Base.metadata.tables[table_name].c[column_name]
            if rule == DELETE:
                await db.execute(delete(column.table).where(column.in_(ids)))
            elif rule == CLEAR:
                await db.execute(
                    update(column.table).where(column.in_(ids)).values({column_name: None})
                )
    addresses = [row.email for row in (*staff, *people) if row.email]
    # The mail to demo addresses, sent or waiting: it carries their private links.
    await db.execute(delete(OutboxMessage).where(OutboxMessage.to_address.in_(addresses)))
    await db.execute(delete(Person).where(Person.id.in_(person_ids)))
    await db.execute(delete(StaffAccount).where(StaffAccount.id.in_(staff_ids)))
    for row in staff:
        audit.record(
            db,
            audit.SYSTEM,
            "staff.demo_removed",
            "staff_account",
            row.id,
            {"email": [row.email, None]},
        )
    for row in people:
        audit.record(
            db, audit.SYSTEM, "person.demo_removed", "person", row.id, {"email": [row.email, None]}
        )
    return Removed(len(staff_ids), len(person_ids), requests, len(held))


async def demo_left(db: AsyncSession) -> int:
    """How many demo accounts and people remain (0 after a removal)."""
    staff = await db.scalar(select(func.count(StaffAccount.id)).where(StaffAccount.is_demo))
    people = await db.scalar(select(func.count(Person.id)).where(Person.id.in_(demo_people())))
    return (staff or 0) + (people or 0)
