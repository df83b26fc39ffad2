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
from helpdesk.tickets.models import Request
from helpdesk.tickets.queues import QueueFilter, queue_page
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
            ids[region].append(opened.request.id)
        await db.execute(
            update(Request).where(Request.id.in_(ids["RM"] + ids["TA"])).values(kind=kind)
        )
        # One overdue, one waiting on the citizen, one due in two days.
        await db.execute(
            update(Request)
            .where(Request.id == ids["RM"][0])
            .values(legal_due_on=TODAY - timedelta(days=1))
        )
        await db.execute(
            update(Request).where(Request.id == ids["RM"][1]).values(status="en_espera_ciudadano")
        )
        await db.execute(
            update(Request)
            .where(Request.id == ids["RM"][2])
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
        before = page[-1].id
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5


async def test_roles_without_queues_are_refused(db) -> None:
    with pytest.raises(PermissionDenied):
        await queue_page(db, Viewer("staff", 3, "c", role="kb_editor"), QueueFilter(), TODAY)
    with pytest.raises(PermissionDenied):
        await queue_page(db, Viewer("citizen", 4, "d", person_id=1), QueueFilter(), TODAY)
