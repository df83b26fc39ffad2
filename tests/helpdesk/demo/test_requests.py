"""The demo set of requests `make run` loads: planned from a seed, written through the inbox's
services into a database of its own, once, and shown in the agents' queues."""

from __future__ import annotations

import itertools
import os
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx2
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.cli_db import migrate
from helpdesk.core.db import make_engine, make_sessionmaker
from helpdesk.core.settings import Settings
from helpdesk.demo import conversations, plan
from helpdesk.demo.accounts import DEMO_STAFF_PASSWORD, load_demo
from helpdesk.demo.removal import remove_demo
from helpdesk.demo.requests import demo_request_count, load_requests
from helpdesk.people.models import Person
from helpdesk.reference.data import REGIONS
from helpdesk.tickets import status_flow
from helpdesk.tickets.kinds import KINDS
from helpdesk.tickets.models import StatusChange, Ticket, TicketMessage, TicketTag
from tests.conftest import make_app
from tests.support import database
from tests.support.factories import sign_in_staff
from tests.support.http import Browser

NOW = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)  # a Friday
OPEN = ("nuevo", "abierto", "reabierto")
SANTIAGO = ZoneInfo("America/Santiago")

# --- the plan, pure


def test_the_plan_is_the_same_for_the_same_seed() -> None:
    assert plan.plan(NOW) == plan.plan(NOW)
    assert plan.plan(NOW) != plan.plan(NOW, seed=plan.SEED + 1)


def test_the_plan_spreads_over_regions_kinds_statuses_languages_and_channels() -> None:
    planned = plan.plan(NOW).requests
    assert len(planned) == plan.COUNT
    assert {r.region_code for r in planned} == {r.code for r in REGIONS}
    assert {r.kind for r in planned} == set(KINDS)
    assert {r.status for r in planned} == set(status_flow.STATUSES)
    assert {r.locale for r in planned} == set(conversations.LOCALES)
    assert len({r.channel for r in planned}) >= 5
    for counts in (Counter(r.region_code for r in planned), Counter(r.kind for r in planned)):
        assert min(counts.values()) >= 3, counts
    # Some requests are weeks old and still open: past their legal due date.
    assert sum(1 for r in planned if r.status in OPEN and (NOW - r.received_at).days > 20) >= 5


def test_conversations_are_in_the_persons_language_and_in_order() -> None:
    texts_by_locale = {
        locale: {
            text[locale]
            for text in (
                conversations.ASK_DOCUMENTS,
                conversations.SENDS_DOCUMENTS,
                conversations.ANSWER,
                conversations.TAKING_IT,
                conversations.STILL_NEEDS_HELP,
                conversations.THANKS,
            )
        }
        for locale in conversations.LOCALES
    }
    for request in plan.plan(NOW).requests:
        assert (request.subject, request.body) == conversations.OPENINGS[request.kind][
            request.locale
        ]
        times = [request.received_at, *(t.at for t in request.turns)]
        assert times == sorted(times) and times[-1] < NOW
        for turn in request.turns:
            if turn.who in (plan.AGENT, plan.PERSON):
                assert turn.body in texts_by_locale[request.locale]
        assert bool(request.turns) == (request.status != status_flow.NUEVO)


@pytest.mark.parametrize("hours", range(0, 24 * 60, 37))  # loaded on any day, at any hour
def test_every_conversation_follows_the_status_flow(hours: int) -> None:
    now = NOW + timedelta(hours=hours)
    by = {plan.AGENT: status_flow.AGENT, plan.PERSON: status_flow.CITIZEN}
    for request in plan.plan(now).requests:
        status, resolved, before = status_flow.NUEVO, None, request.received_at
        for turn in request.turns:
            assert before <= turn.at < now
            before = turn.at
            for target in turn.moves:
                status_flow.check_transition(
                    status, target, by[turn.who], resolved_at=resolved, now=turn.at
                )
                resolved = turn.at if target == status_flow.RESUELTO else resolved
                status = target
        assert status == request.status


# --- written into a database of its own


@pytest.fixture(scope="module")
async def demo_db(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if backend == "sqlite":
        url, name = database.sqlite_url(tmp_path_factory.mktemp("demo-db")), None
    else:
        url, name = await database.create_postgres_database()
    engine = make_engine(url, sqlite_driver=os.environ.get("SQLITE_DRIVER", "custom"))
    await migrate(engine)
    await engine.dispose()
    yield url
    if name:
        await database.drop_postgres_database(name)


@pytest.fixture(scope="module")
async def demo_sessions(demo_db: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(demo_db, sqlite_driver=os.environ.get("SQLITE_DRIVER", "custom"))
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture(scope="module")
async def loaded(demo_sessions: async_sessionmaker[AsyncSession]) -> float:
    """Loads the accounts and the requests as `python -m helpdesk load-demo` does; returns
    how long the requests took."""
    async with demo_sessions() as db, db.begin():
        await load_demo(db)
    started = time.perf_counter()
    async with demo_sessions() as db, db.begin():
        assert await load_requests(db) == plan.COUNT
    return time.perf_counter() - started


async def test_the_requests_are_written_with_folios_deadlines_and_history(
    loaded: float, demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    print(f"loading {plan.COUNT} demo requests took {loaded:.2f} s")
    assert loaded < 20, f"loading the demo requests took {loaded:.1f} s"
    async with demo_sessions() as db:
        tickets = (await db.scalars(select(Ticket))).all()
        assert len(tickets) == plan.COUNT
        assert len({t.folio for t in tickets}) == plan.COUNT
        assert {t.region_code for t in tickets} == {r.code for r in REGIONS}
        assert {t.kind for t in tickets} == set(KINDS)
        assert {t.status for t in tickets} == set(status_flow.STATUSES)
        assert {t.locale for t in tickets} == set(conversations.LOCALES)
        assert not any(t.intake_pending for t in tickets)
        rated = [t for t in tickets if t.csat_score is not None]
        assert len(rated) >= 20 and {t.csat_score for t in rated} == {1, 2, 3, 4, 5}
        assert all(t.resolved_at is not None for t in rated)
        tags = (await db.scalars(select(TicketTag.tag))).all()
        assert set(tags) == set(plan.TAGS.values())
        today = datetime.now(SANTIAGO).date()
        overdue = [t for t in tickets if t.status in OPEN and t.legal_due_on < today]
        assert len(overdue) >= 5
        # The clock stops while the request waits on the person.
        waiting = [t for t in tickets if t.status == status_flow.EN_ESPERA_CIUDADANO]
        assert waiting and all(t.legal_due_on is None for t in waiting)
        assert all(t.legal_due_on is not None for t in tickets if t.status in OPEN)

        history = (await db.scalars(select(StatusChange).order_by(StatusChange.id))).all()
        by_request: dict[int, list[StatusChange]] = {}
        for change in history:
            by_request.setdefault(change.request_id, []).append(change)
        for ticket in tickets:
            changes = by_request[ticket.id]
            assert changes[0].from_status is None and changes[0].to_status == "nuevo"
            assert changes[-1].to_status == ticket.status
            for before, after in itertools.pairwise(changes):
                assert after.from_status == before.to_status

        answered = await db.scalar(
            select(func.count(func.distinct(TicketMessage.request_id))).where(
                TicketMessage.author_kind == "staff", TicketMessage.internal.is_(False)
            )
        )
        assert answered == sum(1 for t in tickets if t.status != status_flow.NUEVO)


async def test_loading_twice_adds_nothing(
    loaded: float, demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with demo_sessions() as db, db.begin():
        assert await load_requests(db) == 0
        assert await load_demo(db) == 0
    async with demo_sessions() as db:
        assert await db.scalar(select(func.count(Ticket.id))) == plan.COUNT
        assert await demo_request_count(db) == plan.COUNT - 3 * 3  # 3 each by the citizens


async def test_the_regional_agents_queue_shows_its_regions_requests(
    loaded: float,
    demo_db: str,
    demo_sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    async with demo_sessions() as db:
        rows = (await db.execute(select(Ticket.folio, Ticket.region_code))).all()
        overdue = set(
            (
                await db.scalars(
                    select(Ticket.folio).where(
                        Ticket.region_code == "RM",
                        Ticket.status.in_(OPEN),
                        Ticket.legal_due_on < datetime.now(SANTIAGO).date(),
                    )
                )
            ).all()
        )
    app = make_app(settings, database_url=demo_db)
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        client = Browser(http)
        await sign_in_staff(client, "agente.rm@demo.portal", DEMO_STAFF_PASSWORD)
        page = await client.get("/staff/solicitudes")
        overdue_page = await client.get("/staff/solicitudes", params={"vista": "overdue"})
    await app.state.engine.dispose()
    assert page.status_code == 200
    shown = set(re.findall(r"(?:AYU|SIAC)-\d{4}-\d+", page.text))
    assert shown, page.text[:2000]
    regions = dict(rows)
    assert {regions[folio] for folio in shown} == {"RM"}
    assert overdue, "the demo set has overdue requests in the capital"
    shown_overdue = set(re.findall(r"(?:AYU|SIAC)-\d{4}-\d+", overdue_page.text))
    assert shown_overdue == overdue


async def test_remove_demo_deletes_the_requests_and_their_people_last(
    loaded: float, demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Runs last: `python -m helpdesk remove-demo` on the loaded set."""
    async with demo_sessions() as db, db.begin():
        assert (await remove_demo(db)).requests == plan.COUNT
    async with demo_sessions() as db:
        assert await db.scalar(select(func.count(Ticket.id))) == 0
        assert await db.scalar(select(func.count(TicketMessage.id))) == 0
        assert await db.scalar(select(func.count(StatusChange.id))) == 0
        people = await db.scalar(
            select(func.count(Person.id)).where(Person.email.like("%demo.portal"))
        )
        assert people == 0
