"""The worker's part of opening a request: routing and the automatic answer (intake.py)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from helpdesk.audit.service import Actor
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets import status_flow
from helpdesk.tickets.answers.models import AutoAnswer
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.opening import intake
from helpdesk.tickets.service import NewRequest, OpenedRequest, open_request
from helpdesk.tickets.teams import service as teams
from helpdesk.tickets.workbench import service as agent_service
from tests.helpdesk.tickets.answers.test_templates import TEXTS, add_template
from tests.helpdesk.tickets.workbench.test_links import actor_of, staff_viewer

NOW = datetime(2030, 5, 6, 11, tzinfo=ZoneInfo("America/Santiago"))
ANON = Actor("anonymous", None, "203.0.113.9")
BASE = "https://ayuda.example.cl"


async def open_multa(sessionmaker, keyword: str) -> tuple[OpenedRequest, str]:
    email = f"i.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest(
        "multas", "Mi multa", f"Sobre {keyword}", "web", email, "es", region_code="RM"
    )
    async with sessionmaker() as db, db.begin():
        return await open_request(db, data, ANON, BASE, NOW), email


async def keyword_rule(sessionmaker) -> str:
    keyword = f"clave{uuid.uuid4().hex[:6]}"
    async with sessionmaker() as db, db.begin():
        await add_template(db, TEXTS, keyword)
    return keyword


async def emails_to(sessionmaker, address: str) -> dict[str, OutboxMessage]:
    async with sessionmaker() as db:
        rows = await db.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address))
        return {row.template: row for row in rows}


async def test_opening_waits_for_the_worker_which_answers_under_the_confirmation(
    sessionmaker,
) -> None:
    keyword = await keyword_rule(sessionmaker)
    opened, email = await open_multa(sessionmaker, keyword)
    async with sessionmaker() as db:
        request = await db.get(Ticket, opened.ticket.id)
        assert request is not None and request.intake_pending
        assert request.status == status_flow.NUEVO and request.first_response_at is None
    assert set(await emails_to(sessionmaker, email)) == {"request_received"}

    assert await intake.run_pending(sessionmaker, BASE) >= 1

    async with sessionmaker() as db:
        request = await db.get(Ticket, opened.ticket.id)
        assert request is not None and not request.intake_pending
        assert request.status == status_flow.ABIERTO
        answers = await db.scalar(select(func.count()).where(AutoAnswer.request_id == request.id))
    assert answers == 1
    emails = await emails_to(sessionmaker, email)
    confirmation, answer = emails["request_received"], emails["auto_answer"]
    assert answer.in_reply_to == confirmation.message_id
    # The private link of the confirmation, which the database keeps only as a digest.
    link = f"{BASE}/solicitudes/{opened.ticket.folio}/{opened.access_token}"
    assert confirmation.context["link"] == link
    assert answer.context["link"] == link + "#resolvio"


async def test_an_agent_who_answers_first_gets_no_automatic_answer_in_the_way(
    sessionmaker,
) -> None:
    keyword = await keyword_rule(sessionmaker)
    opened, email = await open_multa(sessionmaker, keyword)
    viewer, _ = await staff_viewer(sessionmaker)
    async with sessionmaker() as db, db.begin():
        request = await db.get(Ticket, opened.ticket.id)
        assert request is not None
        await agent_service.reply(db, viewer, request, "Ya le respondo yo", actor_of(viewer), BASE)
    await intake.run_pending(sessionmaker, BASE)
    async with sessionmaker() as db:
        request = await db.get(Ticket, opened.ticket.id)
        assert request is not None and not request.intake_pending
    assert set(await emails_to(sessionmaker, email)) == {"request_received", "request_reply"}


async def test_several_workers_at_once_answer_each_request_once(sessionmaker) -> None:
    keyword = await keyword_rule(sessionmaker)
    opened = [await open_multa(sessionmaker, keyword) for _ in range(6)]
    await asyncio.gather(*(intake.run_pending(sessionmaker, BASE, batch_size=2) for _ in "abc"))
    ids = [o.ticket.id for o, _ in opened]
    async with sessionmaker() as db:
        counts = (
            await db.execute(
                select(AutoAnswer.request_id, func.count())
                .where(AutoAnswer.request_id.in_(ids))
                .group_by(AutoAnswer.request_id)
            )
        ).all()
        pending = await db.scalar(
            select(func.count()).where(Ticket.id.in_(ids), Ticket.intake_pending.is_(True))
        )
    assert sorted(counts) == sorted((i, 1) for i in ids)
    assert pending == 0
    async with sessionmaker() as db:
        emails = await db.scalar(
            select(func.count()).where(
                OutboxMessage.to_address.in_([email for _, email in opened]),
                OutboxMessage.template == "auto_answer",
            )
        )
    assert emails == len(opened)


async def test_a_request_that_fails_stays_pending_and_the_rest_go_on(
    sessionmaker, monkeypatch
) -> None:
    keyword = await keyword_rule(sessionmaker)
    (broken, _), (fine, _) = [await open_multa(sessionmaker, keyword) for _ in "ab"]
    route = teams.route_new_request

    async def failing(db, request):  # type: ignore[no-untyped-def]
        if request.id == broken.ticket.id:
            raise RuntimeError("routing failed")
        return await route(db, request)

    monkeypatch.setattr(teams, "route_new_request", failing)
    await intake.run_pending(sessionmaker, BASE, batch_size=1)
    async with sessionmaker() as db:
        left = await db.get(Ticket, broken.ticket.id)
        done = await db.get(Ticket, fine.ticket.id)
        assert left is not None and left.intake_pending and left.status == status_flow.NUEVO
        assert done is not None and not done.intake_pending
    monkeypatch.setattr(teams, "route_new_request", route)
    await intake.run_pending(sessionmaker, BASE)
    async with sessionmaker() as db:
        left = await db.get(Ticket, broken.ticket.id)
        assert left is not None and not left.intake_pending
