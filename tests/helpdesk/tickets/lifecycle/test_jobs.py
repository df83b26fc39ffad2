"""The scheduled lifecycle work end to end, with the time passed in: a resolved request
closes after N días hábiles untouched, a wait on the person becomes a warning (email in
their language, history) and then an abandonment, a reply lifts the warning, a request
whose clock runs on the service's side is never touched, and two workers at once send each
email once. The requests live in 2024, where other tests keep nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.audit import service as audit
from helpdesk.calendar.working_days import WorkingCalendar, add_working_days
from helpdesk.core.templating import make_environment
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets import status_flow, status_moves
from helpdesk.tickets.lifecycle import events, jobs, notices, rules
from helpdesk.tickets.lifecycle.models import RequestEvent
from helpdesk.tickets.models import Ticket, TicketMessage
from helpdesk.tickets.service import NewRequest, open_request

SANTIAGO = ZoneInfo("America/Santiago")
RM = WorkingCalendar("RM")
BASE = "https://ayuda.example.cl"
AGENT = audit.Actor("staff", 7, "203.0.113.4")
S, A, C = status_flow.SYSTEM, status_flow.AGENT, status_flow.CITIZEN


def noon(day) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.combine(day, time(12), SANTIAGO)


async def make(
    sessionmaker: async_sessionmaker[AsyncSession],
    moves: list[tuple[str, str, datetime]],
    locale: str = "ht",
    received: datetime = datetime(2024, 3, 1, 10, tzinfo=SANTIAGO),
) -> int:
    async with sessionmaker() as db, db.begin():
        email = f"l.{uuid.uuid4().hex[:8]}@test.portal"
        data = NewRequest("consulta", "Mi permiso", "Hola", "web", email, locale, region_code="RM")
        ticket = (await open_request(db, data, audit.SYSTEM, BASE, received)).ticket
        # The person's first message dates from the request's reception, as in life.
        await db.execute(
            update(TicketMessage)
            .where(TicketMessage.request_id == ticket.id)
            .values(created_at=received)
        )
        for target, by, at in moves:
            await status_moves.move(db, ticket, target, by, AGENT, at)
        return ticket.id


async def state(sessionmaker, ticket_id: int):  # type: ignore[no-untyped-def]
    async with sessionmaker() as db:
        ticket = await db.get(Ticket, ticket_id)
        assert ticket is not None
        found = await db.scalars(
            select(RequestEvent.kind)
            .where(RequestEvent.request_id == ticket_id)
            .order_by(RequestEvent.id)
        )
        mail = await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        sent = [m for m in mail if m.context.get("folio") == ticket.folio]
        return ticket, list(found), sent


async def run(sessionmaker, settings, now: datetime, batch_size: int = 100) -> jobs.Outcome:  # type: ignore[no-untyped-def]
    return await jobs.run_lifecycle(sessionmaker, settings, now, batch_size)


def templates(sent: list[OutboxMessage]) -> list[str]:
    return [m.template for m in sent if m.template != "request_received"]


async def test_resolved_requests_close_after_n_working_days(sessionmaker, settings) -> None:
    resolved_at = datetime(2024, 3, 4, 10, tzinfo=SANTIAGO)
    moves = [(status_flow.ABIERTO, A, resolved_at), (status_flow.RESUELTO, A, resolved_at)]
    resolved = await make(sessionmaker, moves)
    running = await make(sessionmaker, [(status_flow.ABIERTO, A, resolved_at)])
    last_day = add_working_days(resolved_at.date(), settings.auto_close_working_days, RM)

    await run(sessionmaker, settings, noon(last_day))
    ticket, found, _ = await state(sessionmaker, resolved)
    assert ticket.status == status_flow.RESUELTO and found == []

    later = noon(last_day + timedelta(days=1))
    await run(sessionmaker, settings, later)
    ticket, found, _ = await state(sessionmaker, resolved)
    assert ticket.status == status_flow.CERRADO and ticket.closed_at == later
    assert found == [events.AUTO_CLOSED]
    async with sessionmaker() as db:
        history = await db.scalars(
            select(status_moves.StatusChange)
            .where(status_moves.StatusChange.request_id == resolved)
            .order_by(status_moves.StatusChange.id)
        )
        assert [(h.to_status, h.actor_kind) for h in history][-1] == (status_flow.CERRADO, S)

    # Again the same day, and much later: nothing more; the open request is never touched.
    await run(sessionmaker, settings, later + timedelta(days=400))
    assert (await state(sessionmaker, resolved))[1] == [events.AUTO_CLOSED]
    ticket, found, _ = await state(sessionmaker, running)
    assert ticket.status == status_flow.ABIERTO and found == []


async def test_a_wait_on_the_person_is_warned_then_closed_as_abandoned(
    sessionmaker, settings
) -> None:
    waiting_at = datetime(2024, 3, 4, 10, tzinfo=SANTIAGO)
    wait = [(status_flow.ABIERTO, A, waiting_at), (status_flow.EN_ESPERA_CIUDADANO, A, waiting_at)]
    waiting = await make(sessionmaker, wait, locale="fr")
    thirtieth = add_working_days(waiting_at.date(), rules.ABANDONMENT_AFTER, RM)

    await run(sessionmaker, settings, noon(thirtieth))
    assert (await state(sessionmaker, waiting))[1] == []

    warned_at = noon(thirtieth + timedelta(days=1))
    await run(sessionmaker, settings, warned_at)
    await run(sessionmaker, settings, warned_at + timedelta(hours=1))  # idempotent
    ticket, found, sent = await state(sessionmaker, waiting)
    assert ticket.status == status_flow.EN_ESPERA_CIUDADANO
    assert ticket.abandonment_warned_at == warned_at
    assert found == [events.WARNED]
    assert templates(sent) == [notices.WARNING_TEMPLATE]
    [warning] = [m for m in sent if m.template == notices.WARNING_TEMPLATE]
    act_by = rules.act_by(warned_at, RM, SANTIAGO)
    assert warning.locale == "fr"
    # The request's private link, which opens without an account.
    assert warning.context["link"].startswith(f"{settings.base_url}/solicitudes/{ticket.folio}/")
    assert warning.context["act_by"] == babel_dates.format_date(act_by, "long", locale="fr")
    email = EmailRenderer(make_environment(settings), settings.mail_from).render(warning)
    body = email.get_body(("plain",)).get_content()
    assert warning.context["act_by"] in body and ticket.folio in email["Subject"]

    await run(sessionmaker, settings, noon(act_by))
    assert (await state(sessionmaker, waiting))[0].status == status_flow.EN_ESPERA_CIUDADANO

    closed_at = noon(act_by + timedelta(days=1))
    await run(sessionmaker, settings, closed_at)
    await run(sessionmaker, settings, closed_at + timedelta(days=30))
    ticket, found, sent = await state(sessionmaker, waiting)
    assert ticket.status == status_flow.CERRADO and ticket.closed_at == closed_at
    assert found == [events.WARNED, events.ABANDONED]
    # One warning, one closure email: no second, generic email of the closure.
    assert templates(sent) == [notices.WARNING_TEMPLATE, notices.ABANDONED_TEMPLATE]
    assert all(m.locale == "fr" for m in sent)


async def test_the_persons_reply_lifts_the_warning(sessionmaker, settings) -> None:
    waiting_at = datetime(2024, 3, 4, 10, tzinfo=SANTIAGO)
    wait = [(status_flow.ABIERTO, A, waiting_at), (status_flow.EN_ESPERA_CIUDADANO, A, waiting_at)]
    waiting = await make(sessionmaker, wait)
    warned_at = noon(add_working_days(waiting_at.date(), rules.ABANDONMENT_AFTER + 1, RM))
    await run(sessionmaker, settings, warned_at)
    assert (await state(sessionmaker, waiting))[1] == [events.WARNED]

    replied_at = warned_at + timedelta(days=1)
    async with sessionmaker() as db, db.begin():
        ticket = await db.get(Ticket, waiting)
        assert ticket is not None
        db.add(
            TicketMessage(
                request_id=waiting, author_kind="citizen", body="Aquí estoy", created_at=replied_at
            )
        )
        await status_moves.move(db, ticket, status_flow.ABIERTO, C, audit.SYSTEM, replied_at)

    much_later = replied_at + timedelta(days=20)
    await run(sessionmaker, settings, much_later)
    ticket, found, sent = await state(sessionmaker, waiting)
    assert ticket.status == status_flow.ABIERTO and ticket.abandonment_warned_at is None
    assert found == [events.WARNED, events.LIFTED]
    assert templates(sent) == [notices.WARNING_TEMPLATE]


async def test_two_concurrent_runs_send_each_warning_once(sessionmaker, settings) -> None:
    waiting_at = datetime(2024, 5, 6, 10, tzinfo=SANTIAGO)
    wait = [(status_flow.ABIERTO, A, waiting_at), (status_flow.EN_ESPERA_CIUDADANO, A, waiting_at)]
    ids = [await make(sessionmaker, wait) for _ in range(7)]
    now = noon(add_working_days(waiting_at.date(), rules.ABANDONMENT_AFTER + 1, RM))
    outcomes = await asyncio.gather(
        run(sessionmaker, settings, now, batch_size=2),
        run(sessionmaker, settings, now, batch_size=2),
    )
    assert sum(o.warned for o in outcomes) >= len(ids)
    async with sessionmaker() as db:
        for ticket_id in ids:
            count = await db.scalar(
                select(func.count())
                .select_from(RequestEvent)
                .where(RequestEvent.request_id == ticket_id, RequestEvent.kind == events.WARNED)
            )
            assert count == 1
    for ticket_id in ids:
        assert templates((await state(sessionmaker, ticket_id))[2]) == [notices.WARNING_TEMPLATE]


async def test_worker_job_and_command_line(sessionmaker, settings) -> None:
    resolved_at = datetime(2024, 6, 3, 10, tzinfo=SANTIAGO)
    moves = [(status_flow.ABIERTO, A, resolved_at), (status_flow.RESUELTO, A, resolved_at)]
    by_worker = await make(sessionmaker, moves)
    stop = asyncio.Event()
    job = asyncio.create_task(
        jobs.run_periodically(sessionmaker, replace(settings, lifecycle_minutes=60), stop)
    )
    try:
        for _ in range(100):
            if (await state(sessionmaker, by_worker))[0].status == status_flow.CERRADO:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(job, timeout=10)
    assert (await state(sessionmaker, by_worker))[1] == [events.AUTO_CLOSED]

    by_command = await make(sessionmaker, moves)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "APP_ENV": "test",
        "SECRET_KEY": settings.secret_key,
        "DATABASE_URL": settings.database_url,
        "BASE_URL": BASE,
    }
    when = noon(add_working_days(resolved_at.date(), 8, RM)).isoformat()
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "helpdesk", "lifecycle", "--now", when],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("lifecycle: ")
    assert (await state(sessionmaker, by_command))[0].status == status_flow.CERRADO
