"""Requests opened over HTTP are written in groups: each answered only once committed, a
bad one failing alone, the write turn respected, and nothing lost under concurrency."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from helpdesk.tickets.models import Ticket
from helpdesk.tickets.opening.group import make_opener
from helpdesk.tickets.opening.writing import CreatedRequest
from tests.helpdesk.tickets.api.test_routes import new_body, staff_token
from tests.helpdesk.tickets.opening.test_writing import opening

CONCURRENT = 50


async def test_fifty_concurrent_openings_share_commits_and_each_is_on_disk(sessionmaker) -> None:
    opener = make_opener(sessionmaker, asyncio.Lock())
    email = f"q.{uuid.uuid4().hex[:8]}@test.portal"

    async def open_and_look() -> CreatedRequest:
        created = await opener.submit(opening(email))
        async with sessionmaker() as other:  # answered only after the commit
            assert (await other.get(Ticket, created.id)) is not None
        return created

    created = await asyncio.gather(*(open_and_look() for _ in range(CONCURRENT)))
    assert len({c.folio for c in created}) == CONCURRENT
    assert opener.groups_written < CONCURRENT  # they were written together
    async with sessionmaker() as db:
        people = set(
            await db.scalars(select(Ticket.person_id).where(Ticket.id.in_(c.id for c in created)))
        )
    assert len(people) == 1  # the new person was made once for all fifty


async def test_a_bad_opening_fails_alone(sessionmaker) -> None:
    opener = make_opener(sessionmaker, asyncio.Lock())
    good = [opening(f"ok.{uuid.uuid4().hex[:8]}@test.portal") for _ in range(2)]
    bad = opening("bad@test.portal", person_id=2_000_000_000)
    results = await asyncio.gather(
        opener.submit(good[0]), opener.submit(bad), opener.submit(good[1]), return_exceptions=True
    )
    assert isinstance(results[1], ValueError)
    assert all(isinstance(r, CreatedRequest) for r in (results[0], results[2]))
    async with sessionmaker() as db:
        for made in (results[0], results[2]):
            assert isinstance(made, CreatedRequest)
            row = await db.get(Ticket, made.id)
            assert row is not None and row.folio == made.folio


async def test_the_writer_waits_for_the_process_write_turn(sessionmaker) -> None:
    turn = asyncio.Lock()
    opener = make_opener(sessionmaker, turn)
    await turn.acquire()  # a request's unit of work is writing
    pending = asyncio.create_task(opener.submit(opening("turn@test.portal")))
    await asyncio.sleep(0.1)
    assert not pending.done()
    turn.release()
    assert isinstance(await asyncio.wait_for(pending, 10), CreatedRequest)


async def test_concurrent_api_calls_each_get_their_own_request(client, sessionmaker) -> None:
    count = 16
    auth = await staff_token(sessionmaker)
    answers = await asyncio.gather(
        *(
            client.post("/api/v1/requests", json=new_body(subject=f"Grupo {n}"), headers=auth)
            for n in range(count)
        )
    )
    assert [a.status_code for a in answers] == [201] * count
    folios = [a.json()["folio"] for a in answers]
    assert len(set(folios)) == count
    async with sessionmaker() as db:
        rows = await db.execute(
            select(Ticket.folio, Ticket.subject).where(Ticket.folio.in_(folios))
        )
        subjects = dict(rows.all())
    assert sorted(subjects[f] for f in folios) == sorted(f"Grupo {n}" for n in range(count))
