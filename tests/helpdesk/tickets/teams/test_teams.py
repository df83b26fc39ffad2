"""Teams: a kind's team on opening, round-robin among the eligible members, even under
concurrent creations, and the agent's own availability form."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.accounts.models import StaffAccount
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.tickets.models import Team, TeamKind, TeamMember, Ticket
from helpdesk.tickets.opening import intake
from helpdesk.tickets.service import NewRequest, open_request
from helpdesk.tickets.teams import service as teams
from tests.support.factories import sign_in_staff, staff_member

ANON = Actor("anonymous", None, "203.0.113.9")
BASE = "https://ayuda.example.cl"
NOW = datetime(2031, 4, 8, 10, tzinfo=ZoneInfo("America/Santiago"))


@pytest.mark.parametrize(
    ("candidates", "last", "chosen"),
    [
        ([3, 5, 9], None, 3),
        ([3, 5, 9], 3, 5),
        ([3, 5, 9], 4, 5),  # the last one left the team: the next id after it
        ([3, 5, 9], 9, 3),  # wraps around
        ([3, 5, 9], 12, 3),
        ([], 3, None),
    ],
)
def test_next_after(candidates, last, chosen) -> None:
    assert teams.next_after(candidates, last) == chosen


async def staff_id(sessionmaker, role: str, office: str | None = None) -> int:
    email = await staff_member(sessionmaker, role, office)
    async with sessionmaker() as db:
        found = await db.scalar(select(StaffAccount.id).where(StaffAccount.email == email))
        assert found is not None
        return found


async def make_team(
    sessionmaker: async_sessionmaker[AsyncSession],
    members: dict[int, bool],
    region: str | None = None,
) -> str:
    """A committed team with ``members`` ({staff id: available})."""
    code = f"eq-{uuid.uuid4().hex[:8]}"
    async with sessionmaker() as db, db.begin():
        db.add(Team(code=code, name=f"Equipo {code}", region_code=region))
        await db.flush()
        db.add_all(TeamMember(team_code=code, staff_id=s, available=a) for s, a in members.items())
    return code


async def new_request(db: AsyncSession, kind: str = "consulta", region: str | None = "RM"):
    email = f"c.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(kind, "Mi trámite", "Necesito ayuda", "web", email, "es", region_code=region)
    request = (await open_request(db, data, ANON, BASE, NOW)).ticket
    await intake.complete_intake(db, request, BASE, now=NOW)
    return request


async def route_to(db: AsyncSession, team: str, region: str | None = "RM") -> int | None:
    request = await new_request(db, region=region)
    request.assignee_id, request.team_code = None, team
    return await teams.route_new_request(db, request)


async def test_round_robin_walks_members_in_id_order(db, sessionmaker) -> None:
    agents = sorted([await staff_id(sessionmaker, "central_analyst") for _ in range(3)])
    code = await make_team(sessionmaker, dict.fromkeys(agents, True))
    assigned = [await route_to(db, code) for _ in range(5)]
    assert assigned == [*agents, agents[0], agents[1]]
    assert (await db.get(Team, code)).last_assigned_id == agents[1]
    request = await new_request(db)
    request.assignee_id, request.team_code = None, code
    await teams.route_new_request(db, request)
    assert request.assignee_id == agents[2]
    event = await db.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_id == request.id, AuditEvent.action == "request.assign"
        )
    )
    assert event is not None and event.actor_type == "system"
    assert event.changes["assignee_id"] == [None, agents[2]]


async def test_skips_unavailable_inactive_and_other_regions(db, sessionmaker) -> None:
    santiago = await staff_id(sessionmaker, "regional_agent", "santiago")
    arica = await staff_id(sessionmaker, "regional_agent", "arica")
    central = await staff_id(sessionmaker, "central_analyst")
    away = await staff_id(sessionmaker, "regional_agent", "santiago")
    gone = await staff_id(sessionmaker, "regional_agent", "santiago")
    editor = await staff_id(sessionmaker, "kb_editor")
    async with sessionmaker() as s, s.begin():
        (await s.get(StaffAccount, gone)).active = False
    members = {santiago: True, arica: True, central: True, away: False, gone: True, editor: True}
    national = await make_team(sessionmaker, members)
    regional = await make_team(sessionmaker, members, region="RM")

    eligible = sorted([santiago, central])
    assert [await route_to(db, national) for _ in range(4)] == eligible * 2
    # A request of Arica on a national team: Arica's agent and central staff.
    assert sorted([await route_to(db, national, "AP") for _ in range(2)]) == sorted(
        [arica, central]
    )
    # A team of Santiago: never the agent of Arica, whatever the request's region says; a
    # request with no region (the OIRS mailbox) only to central staff, who may open it.
    assert {await route_to(db, regional, "RM") for _ in range(4)} == {santiago, central}
    assert {await route_to(db, regional, None) for _ in range(4)} == {central}
    assert {await route_to(db, national, None) for _ in range(2)} == {central}
    assert {await route_to(db, regional, "AP") for _ in range(2)} == {central}


async def test_a_kind_routes_to_its_team_or_stays_unassigned(db, sessionmaker) -> None:
    agent = await staff_id(sessionmaker, "central_analyst")
    busy = await make_team(sessionmaker, {agent: False})
    free = await make_team(sessionmaker, {agent: True})
    # Uncommitted, so no other test sees these kinds' teams: the session rolls back.
    await db.execute(delete(TeamKind).where(TeamKind.kind.in_(["felicitacion", "opinion"])))
    db.add_all(
        [TeamKind(kind="felicitacion", team_code=free), TeamKind(kind="opinion", team_code=busy)]
    )
    await db.flush()

    routed = await new_request(db, "felicitacion")
    assert (routed.team_code, routed.assignee_id) == (free, agent)
    nobody = await new_request(db, "opinion")
    assert (nobody.team_code, nobody.assignee_id) == (busy, None)
    event = await db.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_id == nobody.id, AuditEvent.action == "request.team"
        )
    )
    assert event is not None and event.changes == {"team_code": [None, busy]}
    plain = await new_request(db, "sugerencia")
    assert (plain.team_code, plain.assignee_id) == (None, None)


async def test_concurrent_creations_spread_evenly(sessionmaker) -> None:
    agents = sorted([await staff_id(sessionmaker, "central_analyst") for _ in range(4)])
    code = await make_team(sessionmaker, dict.fromkeys(agents, True))
    kind = "comentario"
    async with sessionmaker() as db, db.begin():
        previous = await db.scalar(select(TeamKind.team_code).where(TeamKind.kind == kind))
        await db.execute(delete(TeamKind).where(TeamKind.kind == kind))
        db.add(TeamKind(kind=kind, team_code=code))

    async def create() -> int:
        email = f"c.{uuid.uuid4().hex[:8]}@test.portal"
        data = NewRequest(kind, "Mi trámite", "Ayuda", "web", email, "es", region_code="RM")
        async with sessionmaker() as db, db.begin():
            return (await open_request(db, data, ANON, BASE, NOW)).ticket.id

    async def route(request_id: int) -> None:
        # As several workers do at once: each request in its own transaction.
        async with sessionmaker() as db, db.begin():
            request = await db.get(Ticket, request_id)
            assert request is not None
            await intake.complete_intake(db, request, BASE, now=NOW)

    try:
        ids = await asyncio.gather(*(create() for _ in range(20)))
        await asyncio.gather(*(route(i) for i in ids))
    finally:
        # The kind's team is shared by every test: put back what was there.
        async with sessionmaker() as db, db.begin():
            await db.execute(delete(TeamKind).where(TeamKind.kind == kind))
            if previous is not None:
                db.add(TeamKind(kind=kind, team_code=previous))
    async with sessionmaker() as db:
        assignees = (await db.scalars(select(Ticket.assignee_id).where(Ticket.id.in_(ids)))).all()
    assert sorted(assignees) == sorted(agents * 5)


async def test_concurrent_routing_takes_turns_on_the_team_row(sessionmaker) -> None:
    """Without the folio counter in between (it already serialises creations of one year),
    twenty routings at once still give each member five: the team row is locked."""
    agents = sorted([await staff_id(sessionmaker, "central_analyst") for _ in range(4)])
    code = await make_team(sessionmaker, dict.fromkeys(agents, True))
    async with sessionmaker() as db, db.begin():
        ids = [(await new_request(db)).id for _ in range(20)]

    async def route(request_id: int) -> int | None:
        async with sessionmaker() as db, db.begin():
            request = await db.get(Ticket, request_id)
            assert request is not None
            request.assignee_id, request.team_code = None, code
            return await teams.route_new_request(db, request)

    assigned = await asyncio.gather(*(route(i) for i in ids))
    assert sorted(assigned) == sorted(agents * 5)


class _Availability(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[str] = []
        self.sections = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and values.get("id") == "disponibilidad":
            self.sections += 1
        if tag == "button" and values.get("name") == "disponible":
            self.buttons.append(values.get("value") or "")


def availability(html: str) -> _Availability:
    parser = _Availability()
    parser.feed(html)
    return parser


async def test_agent_marks_themself_unavailable_and_back(client, sessionmaker) -> None:
    email = await staff_member(sessionmaker, "regional_agent")
    async with sessionmaker() as db:
        agent = await db.scalar(select(StaffAccount.id).where(StaffAccount.email == email))
    code = await make_team(sessionmaker, {agent: True}, region="RM")
    await sign_in_staff(client, email)

    home = await client.get("/staff")
    assert availability(home.text).buttons == ["no"]
    left = await client.submit(
        "/staff/disponibilidad", {"disponible": "no", "next": "/staff"}, page="/staff"
    )
    assert left.status_code == 303 and left.headers["location"] == "/staff"
    async with sessionmaker() as db:
        member = await db.get(TeamMember, (code, agent))
        assert member is not None and member.available is False
    page = await client.get("/staff/disponibilidad")
    assert availability(page.text).buttons == ["si"]

    # htmx: the section alone comes back, in place.
    token = await client.csrf("/staff/disponibilidad")
    back = await client.post(
        "/staff/disponibilidad",
        data={"disponible": "si", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert back.status_code == 200
    fragment = availability(back.text)
    assert fragment.sections == 1 and fragment.buttons == ["no"]
    assert "<html" not in back.text

    wrong = await client.submit("/staff/disponibilidad", {"disponible": "quizas"})
    assert wrong.status_code == 422
    async with sessionmaker() as db:
        member = await db.get(TeamMember, (code, agent))
        assert member is not None and member.available is True
        event = await db.scalar(
            select(AuditEvent)
            .where(AuditEvent.action == "staff.availability", AuditEvent.entity_id == agent)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        assert event is not None and event.changes["available"] == [False, True]


async def test_someone_in_no_team_is_told_so(client, sessionmaker) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "central_analyst"))
    home = await client.get("/staff")
    assert availability(home.text).sections == 0
    refused = await client.submit("/staff/disponibilidad", {"disponible": "no"})
    assert refused.status_code == 409
    assert availability(refused.text).buttons == []
