"""The one status writer: every actor's move checked by the flow, with its clock, history and
audit event; a refused move writes nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from helpdesk.audit import service as audit
from helpdesk.audit.models import AuditEvent
from helpdesk.tickets import status_flow, status_moves
from helpdesk.tickets.models import StatusChange, Ticket
from helpdesk.tickets.service import NewRequest, open_request

SANTIAGO = ZoneInfo("America/Santiago")
RECEIVED = datetime(2025, 9, 12, 10, 0, tzinfo=SANTIAGO)  # a Friday; due 2025-09-30
AGENT = audit.Actor("staff", 7, "203.0.113.1")
PERSON = audit.Actor("citizen", 3, "203.0.113.2")
A, C, S = status_flow.AGENT, status_flow.CITIZEN, status_flow.SYSTEM


async def _open(db) -> Ticket:  # type: ignore[no-untyped-def]
    data = NewRequest(
        kind="consulta", subject="Mi residencia", body="¿Cuándo sale?", channel="web",
        email=f"m.{uuid.uuid4().hex[:8]}@test.portal", locale="es", region_code="RM",
    )  # fmt: skip
    opened = await open_request(db, data, audit.SYSTEM, "https://ayuda.example.cl", RECEIVED)
    return opened.ticket


async def _history(db, ticket: Ticket) -> list[tuple[str | None, str, str, int | None]]:  # type: ignore[no-untyped-def]
    rows = await db.scalars(
        select(StatusChange)
        .where(StatusChange.request_id == ticket.id)
        .order_by(StatusChange.at, StatusChange.id)
    )
    return [(r.from_status, r.to_status, r.actor_kind, r.actor_id) for r in rows]


# (moves as (target, by, actor), the stamp the last move leaves)
CHAINS = [
    ([("abierto", S, audit.SYSTEM)], None),
    ([("abierto", A, AGENT), ("resuelto", A, AGENT)], "resolved_at"),
    ([("abierto", S, audit.SYSTEM), ("resuelto", S, audit.SYSTEM)], "resolved_at"),
    ([("cerrado", C, PERSON)], "closed_at"),
    ([("abierto", A, AGENT), ("cerrado", A, AGENT)], "closed_at"),
]


@pytest.mark.parametrize(("moves", "stamp"), CHAINS)
async def test_each_actor_writes_history_audit_and_stamps(sessionmaker, moves, stamp) -> None:
    async with sessionmaker() as db, db.begin():
        ticket = await _open(db)
        now = RECEIVED
        for target, by, actor in moves:
            now += timedelta(hours=1)
            await status_moves.move(db, ticket, target, by, actor, now)
        assert ticket.status == moves[-1][0]
        assert ticket.updated_at == now
        if stamp:
            assert getattr(ticket, stamp) == now
        history = await _history(db, ticket)
        expected = [(None, "nuevo")] + [(m[0], m[0]) for m in moves]
        assert [h[1] for h in history] == [e[1] for e in expected]
        assert [(h[2], h[3]) for h in history[1:]] == [(by, actor.id) for _, by, actor in moves]
        await db.flush()
        events = await db.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == ticket.id, AuditEvent.action == "request.status"
            )
        )
        assert len(events.all()) == len(moves)


@pytest.mark.parametrize(
    ("start", "target", "by"),
    [
        ([], "resuelto", A),  # never straight from nuevo
        ([], "abierto", C),  # a person does not open their own request
        ([("abierto", A)], "en_espera_ciudadano", S),  # only an agent asks the person
    ],
)
async def test_a_refused_move_writes_nothing(sessionmaker, start, target, by) -> None:
    async with sessionmaker() as db, db.begin():
        ticket = await _open(db)
        for step, step_by in start:
            await status_moves.move(db, ticket, step, step_by, AGENT, RECEIVED)
        before = (ticket.status, await _history(db, ticket))
        with pytest.raises(status_flow.TransitionNotAllowed):
            await status_moves.move(db, ticket, target, by, AGENT, RECEIVED)
        assert (ticket.status, await _history(db, ticket)) == before


async def test_waiting_on_the_person_stops_the_clock_and_the_answer_restarts_it(
    sessionmaker,
) -> None:
    async with sessionmaker() as db, db.begin():
        ticket = await _open(db)
        assert ticket.legal_due_on == date(2025, 9, 30)
        asked = datetime(2025, 9, 15, 9, 0, tzinfo=SANTIAGO)  # Monday
        await status_moves.move(db, ticket, "abierto", A, AGENT, asked)
        await status_moves.move(db, ticket, "en_espera_ciudadano", A, AGENT, asked)
        assert ticket.legal_due_on is None and ticket.target_due_on is None
        answered = datetime(2025, 9, 22, 9, 0, tzinfo=SANTIAGO)  # a week of waiting later
        await status_moves.move(db, ticket, "abierto", C, PERSON, answered)
        assert ticket.legal_due_on is not None and ticket.legal_due_on > date(2025, 9, 30)
