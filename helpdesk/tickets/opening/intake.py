"""What follows the opening of a request: its team and assignee, and an automatic answer.

Opening a request (``service.open_request``) writes what the person needs at once: the
request with its folio and deadline, the first message, the history and the confirmation
email. Routing (the team's round-robin lock) and the automatic answer (keyword rules, then a
knowledge-base search) cost several times more, and a moment's wait does not hurt them, so
the request is marked ``intake_pending`` and the worker completes it, in the web process
under ``make run`` and in ``python -m helpdesk worker`` in production.

Each request is done in two steps: the answer is looked up in a read-only session (the
search takes milliseconds and holds no lock), then routing and the answer are written in a
short transaction that re-reads the request and does nothing if another worker finished it
first, or answers nothing if an agent was quicker. Concurrent workers never do the same
request twice: PostgreSQL takes the row with ``FOR UPDATE SKIP LOCKED``, and SQLite claims
it with an ``UPDATE`` (its one write lock, taken before the read).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.db import utcnow
from helpdesk.core.settings import Settings
from helpdesk.notifications.models import OutboxMessage
from helpdesk.notifications.worker import Job
from helpdesk.tickets import status_flow
from helpdesk.tickets.answers import auto_reply
from helpdesk.tickets.answers.kb_match import ArticleSearch
from helpdesk.tickets.models import Ticket, TicketMessage
from helpdesk.tickets.teams import service as teams
from knowledge_base.search.index import KnowledgeIndex

log = logging.getLogger(__name__)

BATCH_SIZE: Final = 50


@dataclass(frozen=True)
class Plan:
    """What the read-only step found for one request."""

    answer: auto_reply.Found | None
    email: str
    private_link: str
    thread_id: str | None


def _unanswered(ticket: Ticket) -> bool:
    return ticket.status == status_flow.INITIAL_STATUS and ticket.first_response_at is None


async def _plan(
    db: AsyncSession, ticket: Ticket, base_url: str, index: ArticleSearch | None
) -> Plan | None:
    """The answer and the confirmation email it threads under; None when there is nothing
    to answer (an agent was quicker, or the request was opened without an email)."""
    if not _unanswered(ticket):
        return None
    first = (
        await db.execute(
            select(TicketMessage.body, TicketMessage.email_message_id)
            .where(TicketMessage.request_id == ticket.id)
            .order_by(TicketMessage.id)
            .limit(1)
        )
    ).first()
    if first is None or first.email_message_id is None:
        return None
    # The confirmation email carries the private link; the database keeps only its digest.
    confirmation = await db.scalar(
        select(OutboxMessage).where(OutboxMessage.message_id == first.email_message_id)
    )
    if confirmation is None or not isinstance(confirmation.context.get("link"), str):
        return None
    answer = await auto_reply.find_answer(db, ticket, first.body, base_url, index)
    link = confirmation.context["link"]
    return Plan(answer, confirmation.to_address, link, first.email_message_id)


async def _apply(db: AsyncSession, ticket: Ticket, plan: Plan | None, now: datetime) -> None:
    ticket.intake_pending = False
    await teams.route_new_request(db, ticket)
    if plan is None or plan.answer is None:
        return
    if not _unanswered(ticket):
        return  # an agent answered between the lookup and now
    await auto_reply.send_answer(
        db,
        ticket,
        plan.answer,
        email=plan.email,
        private_link=plan.private_link,
        thread_id=plan.thread_id,
        now=now,
    )


async def complete_intake(
    db: AsyncSession,
    ticket: Ticket,
    base_url: str,
    *,
    now: datetime | None = None,
    index: ArticleSearch | None = None,
) -> None:
    """Routes and (when a rule or the knowledge base can) answers ``request`` in the
    caller's transaction. Does nothing for a request whose intake is done."""
    if not ticket.intake_pending:
        return
    plan = await _plan(db, ticket, base_url, index)
    await _apply(db, ticket, plan, now or utcnow())


async def pending_ids(
    db: AsyncSession, after_id: int = 0, limit: int = BATCH_SIZE
) -> Sequence[int]:
    return (
        await db.scalars(
            select(Ticket.id)
            .where(Ticket.intake_pending.is_(True), Ticket.id > after_id)
            .order_by(Ticket.id)
            .limit(limit)
        )
    ).all()


async def _complete_one(
    sessionmaker: async_sessionmaker[AsyncSession],
    request_id: int,
    base_url: str,
    index: ArticleSearch | None,
) -> bool:
    async with sessionmaker() as db:
        ticket = await db.get(Ticket, request_id)
        if ticket is None or not ticket.intake_pending:
            return False
        plan = await _plan(db, ticket, base_url, index)
    async with sessionmaker() as db, db.begin():
        ticket = await _claim(db, request_id)
        if ticket is None:
            return False  # done, or being done, by another worker
        await _apply(db, ticket, plan, utcnow())
    return True


async def _claim(db: AsyncSession, request_id: int) -> Ticket | None:
    """The request, still pending, taken for this transaction; None when another worker has
    it. PostgreSQL skips a row another worker holds; on SQLite the claiming UPDATE takes
    the write lock before it reads (a SELECT would run outside the transaction)."""
    pending = (Ticket.id == request_id, Ticket.intake_pending.is_(True))
    if db.get_bind().dialect.name == "postgresql":
        stmt = select(Ticket).where(*pending).with_for_update(skip_locked=True)
        return await db.scalar(stmt)
    claimed = await db.scalar(
        update(Ticket).where(*pending).values(intake_pending=False).returning(Ticket.id)
    )
    if claimed is None:
        return None
    return await db.get(Ticket, request_id, populate_existing=True)


async def run_pending(
    sessionmaker: async_sessionmaker[AsyncSession],
    base_url: str,
    index: ArticleSearch | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Completes every request waiting for its intake; returns how many this call did."""
    done, after_id = 0, 0
    while True:
        async with sessionmaker() as db:
            ids = await pending_ids(db, after_id, batch_size)
        for request_id in ids:
            try:
                done += await _complete_one(sessionmaker, request_id, base_url, index)
            except Exception:
                # One request that cannot be completed must not hold up the others; it stays
                # pending and is tried again on the next pass.
                log.exception("intake of request %s failed", request_id)
        if len(ids) < batch_size:
            return done
        after_id = ids[-1]


def make_job(index: ArticleSearch | None = None) -> Job:
    """The worker's intake job; ``index``: the process's knowledge base when it has one open
    (the web process), otherwise the job opens its own."""

    async def job(
        sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, stop: asyncio.Event
    ) -> None:
        search = index
        if search is None:
            own = KnowledgeIndex(settings.kb_index_dir)
            await own.ensure_ready(sessionmaker)
            search = own
        while not stop.is_set():
            try:
                count = await run_pending(sessionmaker, settings.base_url, search)
                if count:
                    log.info("intake completed for %d requests", count)
            except Exception:
                log.exception("intake pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.worker_poll_seconds)

    return job
