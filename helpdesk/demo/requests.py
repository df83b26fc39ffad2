"""Writing the demo set of requests (``plan.py``) through the inbox's own services.

The requests are opened by ``opening.writing.create_requests`` (folios, deadlines counted by
the working calendar of each region, first message, status history, audit, confirmation
email) with their past reception times, routed by ``teams.route_new_request``, and their
conversations played with ``status_moves.move`` (clock pauses, history, audit) and message
rows, at the times the plan says. The confirmation emails of the past are marked sent, so
the development mail catcher is not flooded with a few hundred of them.

Idempotent: nothing is written when the demo people already have requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import CitizenAccount, StaffAccount
from helpdesk.audit import service as audit
from helpdesk.core.db import Base, utcnow
from helpdesk.demo import plan as demo_plan
from helpdesk.demo.accounts import DEMO_CITIZENS, DEMO_STAFF
from helpdesk.notifications.models import OutboxMessage
from helpdesk.people.models import Person
from helpdesk.reference.models import Office, Tramite
from helpdesk.tickets import status_flow, status_moves
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.kinds import KINDS
from helpdesk.tickets.models import Ticket, TicketMessage, TicketTag
from helpdesk.tickets.opening.writing import NewRequest, Opening, create_requests
from helpdesk.tickets.teams import service as teams

BASE_URL = "http://127.0.0.1:8000"  # links in the confirmations, which are never sent
DEMO_PEOPLE_EMAILS = f"%@{demo_plan.EMAIL_DOMAIN}"
CITIZEN_REQUESTS = 3  # written by each demo citizen with an account


@dataclass(frozen=True)
class Staff:
    """Who answers: the region's demo agent, else the central analyst."""

    by_region: dict[str, int]
    central: int

    def for_region(self, region: str) -> int:
        return self.by_region.get(region, self.central)


async def demo_request_count(db: AsyncSession) -> int:
    return int(
        await db.scalar(
            select(func.count(Ticket.id))
            .join(Person, Person.id == Ticket.person_id)
            .where(Person.email.like(DEMO_PEOPLE_EMAILS))
        )
        or 0
    )


async def load_requests(db: AsyncSession, now: datetime | None = None) -> int:
    """Writes the demo requests once (the demo accounts must exist); returns how many."""
    if await demo_request_count(db):
        return 0
    now = now or utcnow()
    planned = demo_plan.plan(now)
    staff = await _staff(db)
    people = await _people(db, planned.people)
    tramites = await _tramites(db)
    writers = await _writers(db, planned, people)
    openings = [
        Opening(
            NewRequest(
                kind=r.kind,
                subject=r.subject,
                body=r.body,
                channel=r.channel,
                email=writers[index][1],
                locale=r.locale,
                person_id=writers[index][0],
                region_code=r.region_code,
                tramite_code=_tramite(tramites, r.kind, index),
                priority=r.priority,
            ),
            _opener(r.channel, writers[index][0], staff.for_region(r.region_code)),
            BASE_URL,
            r.received_at,
        )
        for index, r in enumerate(planned.requests)
    ]
    created = await create_requests(db, openings)
    confirmations = select(TicketMessage.email_message_id).where(
        TicketMessage.id.in_([c.first_message_id for c in created])
    )
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.message_id.in_(confirmations))
        .values(status="sent", sent_at=now)
    )
    tickets = {
        t.id: t
        for t in await db.scalars(select(Ticket).where(Ticket.id.in_([c.id for c in created])))
    }
    offices = await _offices(db)
    for request, made in zip(planned.requests, created, strict=True):
        ticket = tickets[made.id]
        ticket.intake_pending = False  # routed here, and answered by the conversation below
        ticket.office_id = offices.get(request.region_code)
        await teams.route_new_request(db, ticket)
        await _converse(db, ticket, request, staff.for_region(request.region_code))
    await db.flush()
    return len(created)


def _opener(channel: str, person_id: int, agent_id: int) -> audit.Actor:
    """The person on the web and by email; the agent who wrote down what was said at the
    counter, on the phone, in the field or by a municipality."""
    if channel in ("web", "email"):
        return audit.Actor("citizen", person_id)
    return audit.Actor("staff", agent_id)


async def _converse(
    db: AsyncSession, ticket: Ticket, request: demo_plan.DemoRequest, agent: int
) -> None:
    for turn in request.turns:
        if turn.who in (demo_plan.AGENT, demo_plan.NOTE):
            author_kind, author_id, by = "staff", agent, status_flow.AGENT
            actor = audit.Actor("staff", agent)
            if ticket.assignee_id is None:
                ticket.assignee_id = agent
        elif turn.who == demo_plan.PERSON:
            author_kind, author_id, by = "citizen", ticket.person_id, status_flow.CITIZEN
            actor = audit.Actor("citizen", ticket.person_id)
        else:
            author_kind, author_id, by, actor = "system", None, status_flow.SYSTEM, audit.SYSTEM
        if turn.body is not None:
            db.add(
                TicketMessage(
                    request_id=ticket.id,
                    author_kind=author_kind,
                    author_id=author_id,
                    body=turn.body,
                    internal=turn.who == demo_plan.NOTE,
                    via="web",
                    created_at=turn.at,
                )
            )
        if turn.who == demo_plan.AGENT and ticket.first_response_at is None:
            ticket.first_response_at = turn.at
        for target in turn.moves:
            await status_moves.move(db, ticket, target, by, actor, turn.at, notify=False)
    if request.turns:
        ticket.updated_at = request.turns[-1].at
    if request.rating is not None:
        person = audit.Actor("citizen", ticket.person_id)
        await citizen_service.rate(db, ticket, request.rating, request.rating_comment, person)
    for tag in request.tags:  # put by the agent who answered, as the queue's tags do
        db.add(TicketTag(request_id=ticket.id, tag=tag))
        changes = {"tag": [None, tag]}
        audit.record(db, audit.Actor("staff", agent), "request.tag", "request", ticket.id, changes)


async def _staff(db: AsyncSession) -> Staff:
    rows = (
        await db.execute(
            select(StaffAccount.id, StaffAccount.email, Office.region_code).outerjoin(
                Office, Office.id == StaffAccount.office_id
            )
        )
    ).all()
    emails = {s.email for s in DEMO_STAFF}
    by_region = {
        row.region_code: row.id
        for row in rows
        if row.email in emails and row.region_code is not None
    }
    central = next(row.id for row in rows if row.email == "analista@demo.portal")
    return Staff(by_region, central)


async def _people(db: AsyncSession, planned: tuple[demo_plan.DemoPerson, ...]) -> list[int]:
    """The plan's people as records (made once); the demo citizens with accounts write the
    first few requests, so their account pages show some."""
    ids = []
    for person in planned:
        found = await db.scalar(select(Person.id).where(Person.email == person.email))
        if found is None:
            row = Person(
                given_names=person.given_names,
                surnames=person.surnames,
                email=person.email,
                email_verified_at=utcnow(),
                preferred_locale=person.locale,
                region_code=person.region_code,
                country_of_birth=person.country_of_birth,
                document_type="passport",
                document_number=person.document_number,
                document_country=person.country_of_birth,
                birth_date=person.birth_date,
            )
            db.add(row)
            await db.flush()
            found = row.id
        ids.append(found)
    return ids


async def _writers(
    db: AsyncSession, planned: demo_plan.Plan, people: list[int]
) -> list[tuple[int, str]]:
    """Who writes each request (person id, email): the planned person, except for a few
    requests in each demo citizen's language, which the citizen writes, so their account
    pages show requests too."""
    writers = [(people[r.person], planned.people[r.person].email) for r in planned.requests]
    for citizen in DEMO_CITIZENS:
        person_id = await db.scalar(select(Person.id).where(Person.email == citizen["email"]))
        if person_id is None:
            continue
        mine = [
            i for i, r in enumerate(planned.requests) if r.locale == citizen["preferred_locale"]
        ]
        for index in mine[-CITIZEN_REQUESTS:]:
            writers[index] = (person_id, str(citizen["email"]))
    return writers


async def _tramites(db: AsyncSession) -> dict[str, list[str]]:
    by_topic: dict[str, list[str]] = {}
    for row in await db.execute(
        select(Tramite.topic, Tramite.code)
        .where(Tramite.active)
        .order_by(Tramite.ordinal, Tramite.code)
    ):
        by_topic.setdefault(row.topic, []).append(row.code)
    return by_topic


def _tramite(tramites: dict[str, list[str]], kind: str, index: int) -> str | None:
    topic = KINDS[kind].topic
    codes = tramites.get(topic or "", [])
    return codes[index % len(codes)] if codes else None


async def _offices(db: AsyncSession) -> dict[str, int]:
    """Each region's regional directorate (its first office)."""
    offices: dict[str, int] = {}
    for row in await db.execute(select(Office.region_code, Office.id).order_by(Office.id)):
        offices.setdefault(row.region_code, row.id)
    return offices


async def remove_requests(db: AsyncSession) -> int:
    """Deletes the demo requests (with every row that points at them) and takes the demo
    agents off real ones; ``removal.remove_demo`` then deletes the demo people and accounts.
    Returns how many requests went."""
    demo_people = select(Person.id).where(
        or_(
            Person.email.like(DEMO_PEOPLE_EMAILS),
            Person.id.in_(select(CitizenAccount.person_id).where(CitizenAccount.is_demo)),
        )
    )
    ids = list(await db.scalars(select(Ticket.id).where(Ticket.person_id.in_(demo_people))))
    requests = Ticket.__table__
    for table in reversed(Base.metadata.sorted_tables):  # children before their parents
        for fk in table.foreign_keys:
            if fk.column.table is requests and table is not requests:
                await db.execute(delete(table).where(fk.parent.in_(ids)))
    await db.execute(
        update(Ticket).where(Ticket.merged_into_id.in_(ids)).values(merged_into_id=None)
    )
    await db.execute(delete(Ticket).where(Ticket.id.in_(ids)))
    demo_staff = select(StaffAccount.id).where(StaffAccount.is_demo)
    await db.execute(
        update(Ticket).where(Ticket.assignee_id.in_(demo_staff)).values(assignee_id=None)
    )
    return len(ids)
