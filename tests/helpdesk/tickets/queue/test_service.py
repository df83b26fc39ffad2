"""Agent queues: region scoping, the views, keyset pages."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from helpdesk.core.errors import PermissionDenied
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue.forms import parse_cursor
from helpdesk.tickets.queue.service import Cursor, QueueFilter, next_cursor, queue_page
from helpdesk.tickets.service import NewRequest, open_request

SANTIAGO = ZoneInfo("America/Santiago")
TODAY = date(2030, 5, 6)


@pytest.fixture(scope="module")
async def requests_by_region(sessionmaker) -> dict[str, list[int]]:
    kind = f"test-{uuid.uuid4().hex[:6]}"  # an isolated set: filter the queues on this kind
    ids: dict[str, list[int]] = {"RM": [], "TA": [], "kind": [kind]}
    received = datetime(2030, 5, 2, 10, tzinfo=SANTIAGO)
    async with sessionmaker() as db, db.begin():
        for region in ("RM", "RM", "RM", "TA", "TA"):
            data = NewRequest(
                "consulta", "Asunto", "Texto", "web", "q@test.portal", "es", region_code=region
            )
            opened = await open_request(db, data, Actor("anonymous", None), "http://x", received)
            ids[region].append(opened.ticket.id)
        await db.execute(
            update(Ticket).where(Ticket.id.in_(ids["RM"] + ids["TA"])).values(kind=kind)
        )
        # One overdue, one waiting on the citizen, one due in two days.
        await db.execute(
            update(Ticket)
            .where(Ticket.id == ids["RM"][0])
            .values(legal_due_on=TODAY - timedelta(days=1))
        )
        await db.execute(
            update(Ticket).where(Ticket.id == ids["RM"][1]).values(status="en_espera_ciudadano")
        )
        await db.execute(
            update(Ticket)
            .where(Ticket.id == ids["RM"][2])
            .values(assignee_id=None, legal_due_on=TODAY + timedelta(days=2))
        )
    return ids


def ids_of(rows) -> list[int]:
    return [r.id for r in rows]


async def test_regional_agent_sees_only_their_region(db, requests_by_region) -> None:
    kind = requests_by_region["kind"][0]
    agent = Viewer("staff", 1, "a", role="regional_agent", region_code="TA")
    rows = await queue_page(db, agent, QueueFilter(kind=kind), TODAY)
    assert sorted(ids_of(rows)) == sorted(requests_by_region["TA"])
    # Asking for another region narrows to nothing, never widens.
    assert await queue_page(db, agent, QueueFilter(kind=kind, region_code="RM"), TODAY) == []
    analyst = Viewer("staff", 2, "b", role="central_analyst")
    everyone = await queue_page(db, analyst, QueueFilter(kind=kind), TODAY)
    assert len(everyone) == 5


async def test_views(db, requests_by_region) -> None:
    kind, rm = requests_by_region["kind"][0], requests_by_region["RM"]
    analyst = Viewer("staff", 2, "b", role="central_analyst")
    assert ids_of(await queue_page(db, analyst, QueueFilter("overdue", kind), TODAY)) == [rm[0]]
    assert ids_of(await queue_page(db, analyst, QueueFilter("waiting", kind), TODAY)) == [rm[1]]
    assert rm[2] in ids_of(await queue_page(db, analyst, QueueFilter("due_soon", kind), TODAY))
    assert len(await queue_page(db, analyst, QueueFilter("unassigned", kind), TODAY)) == 5
    assert await queue_page(db, analyst, QueueFilter("mine", kind), TODAY) == []


async def test_keyset_pages_cover_everything_once(db, requests_by_region) -> None:
    kind = requests_by_region["kind"][0]
    analyst = Viewer("staff", 2, "b", role="supervisor")
    seen, before = [], None
    while True:
        page = await queue_page(db, analyst, QueueFilter(kind=kind), TODAY, before, limit=2)
        if not page:
            break
        seen += ids_of(page)
        before = next_cursor("all", page[-1])
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5


async def _due_on(sessionmaker, offsets: list[int]) -> tuple[str, list[int]]:  # type: ignore[no-untyped-def]
    """Requests of a new kind, created in this order, due ``offsets`` days from TODAY."""
    kind = f"test-{uuid.uuid4().hex[:6]}"
    received = datetime(2030, 5, 2, 10, tzinfo=SANTIAGO)
    async with sessionmaker() as db, db.begin():
        ids = []
        for offset in offsets:
            data = NewRequest("consulta", "Asunto", "Texto", "web", "d@test.portal", "es")
            opened = await open_request(db, data, Actor("anonymous", None), "http://x", received)
            ids.append(opened.ticket.id)
            await db.execute(
                update(Ticket)
                .where(Ticket.id == opened.ticket.id)
                .values(kind=kind, legal_due_on=TODAY + timedelta(days=offset))
            )
    return kind, ids


async def _pages(sessionmaker, view: str, kind: str, size: int, after=None) -> list[int]:  # type: ignore[no-untyped-def]
    analyst = Viewer("staff", 2, "b", role="central_analyst")
    seen = []
    async with sessionmaker() as db:
        while page := await queue_page(db, analyst, QueueFilter(view, kind), TODAY, after, size):
            seen += ids_of(page)
            after = next_cursor(view, page[-1])
            assert after == parse_cursor(view, str(after))  # survives the link
    return seen


@pytest.mark.parametrize("size", [1, 2, 3, 50])
async def test_due_views_put_the_most_urgent_first_and_page_by_due_date(sessionmaker, size) -> None:
    # Due in 3, 1, 1, 2, 0, 1, -1, -4 and -1 days: the ids disagree with the dates, and days
    # repeat, so pages end in the middle of a day.
    kind, ids = await _due_on(sessionmaker, [3, 1, 1, 2, 0, 1, -1, -4, -1])
    soon = [ids[4], ids[1], ids[2], ids[5], ids[3], ids[0]]
    assert await _pages(sessionmaker, "due_soon", kind, size) == soon
    assert await _pages(sessionmaker, "overdue", kind, size) == [ids[7], ids[6], ids[8]]


async def test_a_due_soon_link_from_an_earlier_day_starts_at_today(sessionmaker) -> None:
    kind, ids = await _due_on(sessionmaker, [-1, -1, 0, 2])
    stale = Cursor(ids[0], TODAY - timedelta(days=1))  # yesterday's page, opened today
    assert await _pages(sessionmaker, "due_soon", kind, 1, stale) == [ids[2], ids[3]]


@pytest.mark.parametrize(
    ("view", "text", "expected"),
    [
        ("all", "123", Cursor(123)),
        ("all", "2030-05-06.123", None),
        ("due_soon", "2030-05-06.123", Cursor(123, date(2030, 5, 6))),
        ("overdue", "123", None),
        ("overdue", "2030-02-31.5", None),
        ("all", "-5", None),
        ("all", "9" * 40, None),
        ("due_soon", "", None),
        ("all", "²", None),  # a digit to str.isdigit, not to int()
    ],
)
def test_cursor_parsing_falls_back_to_the_first_page(view, text, expected) -> None:
    assert parse_cursor(view, text) == expected


async def test_roles_without_queues_are_refused(db) -> None:
    with pytest.raises(PermissionDenied):
        await queue_page(db, Viewer("staff", 3, "c", role="kb_editor"), QueueFilter(), TODAY)
    with pytest.raises(PermissionDenied):
        await queue_page(db, Viewer("citizen", 4, "d", person_id=1), QueueFilter(), TODAY)


def test_partial_index_condition_names_exactly_the_open_statuses() -> None:
    from helpdesk.tickets.models import OPEN_CONDITION
    from helpdesk.tickets.queue.service import OPEN_STATUSES

    named = OPEN_CONDITION.split("(", 1)[1].rstrip(")").replace("'", "").split(", ")
    assert sorted(named) == sorted(OPEN_STATUSES)
