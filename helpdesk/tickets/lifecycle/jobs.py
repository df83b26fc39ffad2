"""The scheduled lifecycle work: closing resolved requests the person left alone, warning
of abandonment and closing abandoned requests (rules in ``rules.py``).

Each pass walks the candidates in id order, a batch per transaction, and asks the pure
rules what is due today in the request's office (its zone and working calendar). Every
action leaves a lifecycle event, an audit event and, for the person, an email through the
outbox; a closure goes through ``status_moves.move`` like any other.

Several workers may run at once. On PostgreSQL a batch locks its rows with ``FOR NO KEY
UPDATE SKIP LOCKED`` (a new message, which only points at the request, is not blocked), so a
concurrent run skips them, and once committed they no longer call for the same action: a
closed request is no longer a candidate, a warned one is not warned again while the
warning counts. SQLite has a single writer: a batch takes the write lock before reading,
so a concurrent run waits and then reads the rows already changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, Row, and_, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.audit import service as audit
from helpdesk.calendar import snapshot as reference_cache
from helpdesk.core.db import utcnow
from helpdesk.core.settings import Settings
from helpdesk.tickets import status_flow, status_moves
from helpdesk.tickets.lifecycle import events, notices, rules
from helpdesk.tickets.models import StatusChange, Ticket, TicketMessage

log = logging.getLogger(__name__)

BATCH_SIZE: Final = 100
SYSTEM: Final = status_flow.SYSTEM

# When the current wait on the person began, and the person's last message.
_WAIT_START = (
    select(func.max(StatusChange.at))
    .where(
        StatusChange.request_id == Ticket.id,
        StatusChange.to_status == status_flow.EN_ESPERA_CIUDADANO,
    )
    .correlate(Ticket)
    .scalar_subquery()
)
_PERSON_ACTIVITY = (
    select(func.max(TicketMessage.created_at))
    .where(TicketMessage.request_id == Ticket.id, TicketMessage.author_kind == "citizen")
    .correlate(Ticket)
    .scalar_subquery()
)


@dataclass
class Outcome:
    """What one pass did, by action."""

    closed: int = 0
    warned: int = 0
    abandoned: int = 0
    lifted: int = 0

    def __iadd__(self, other: Outcome) -> Outcome:
        self.closed += other.closed
        self.warned += other.warned
        self.abandoned += other.abandoned
        self.lifted += other.lifted
        return self

    @property
    def total(self) -> int:
        return self.closed + self.warned + self.abandoned + self.lifted


@dataclass(frozen=True)
class Plan:
    now: datetime
    base_url: str
    auto_close_days: int = rules.AUTO_CLOSE_DAYS


def auto_close_candidates(plan: Plan) -> ColumnElement[bool]:
    # N días hábiles are at least N days: a cheap bound the rule then refines.
    return and_(
        Ticket.status == status_flow.RESUELTO,
        Ticket.merged_into_id.is_(None),
        Ticket.resolved_at <= plan.now - timedelta(days=plan.auto_close_days),
    )


def abandonment_candidates(plan: Plan) -> ColumnElement[bool]:
    cutoff = plan.now - timedelta(days=rules.ABANDONMENT_AFTER)  # días hábiles are longer
    return or_(
        and_(
            Ticket.status == status_flow.EN_ESPERA_CIUDADANO,
            Ticket.merged_into_id.is_(None),
            _WAIT_START <= cutoff,  # noqa: SIM300 (a SQL subquery, not a constant)
        ),
        Ticket.abandonment_warned_at.is_not(None),
    )


async def _take_write_lock(db: AsyncSession) -> None:
    # A write that changes nothing, so this SQLite transaction holds the write lock before
    # it reads: a concurrent run waits here instead of acting on the same rows.
    await db.execute(
        update(Ticket)
        .where(false())
        .values(updated_at=Ticket.updated_at)
        .execution_options(synchronize_session=False)
    )


async def _candidates(
    db: AsyncSession, condition: ColumnElement[bool], after_id: int, limit: int
) -> Sequence[Row[tuple[Ticket, datetime | None, datetime | None]]]:
    stmt = (
        select(Ticket, _WAIT_START, _PERSON_ACTIVITY)
        .where(condition, Ticket.id > after_id)
        .order_by(Ticket.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    if db.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Ticket, skip_locked=True, key_share=True)
    else:
        await _take_write_lock(db)
    return (await db.execute(stmt)).all()


async def _auto_close(db: AsyncSession, plan: Plan, ticket: Ticket) -> None:
    await status_moves.move(db, ticket, status_flow.CERRADO, SYSTEM, audit.SYSTEM, plan.now)
    resolved_at = ticket.resolved_at
    events.record(
        db,
        ticket,
        events.AUTO_CLOSED,
        SYSTEM,
        None,
        plan.now,
        resolved_at=resolved_at.isoformat() if resolved_at else None,
        days=plan.auto_close_days,
    )


async def _warn(
    db: AsyncSession, plan: Plan, ticket: Ticket, snapshot_: reference_cache.Snapshot
) -> None:
    zone, calendar = snapshot_.zone(ticket.region_code), snapshot_.calendar(ticket.region_code)
    last_day = rules.act_by(plan.now, calendar, zone)
    before = ticket.abandonment_warned_at
    ticket.abandonment_warned_at = plan.now
    events.record(db, ticket, events.WARNED, SYSTEM, None, plan.now, act_by=last_day.isoformat())
    emailed = await notices.email_person(
        db, ticket, notices.WARNING_TEMPLATE, plan.base_url, {"act_by": last_day}
    )
    audit.record(
        db,
        audit.SYSTEM,
        "request.abandonment_warning",
        "request",
        ticket.id,
        {
            "abandonment_warned_at": [before.isoformat() if before else None, plan.now.isoformat()],
            "emailed": [None, emailed],
        },
    )


async def _abandon(db: AsyncSession, plan: Plan, ticket: Ticket) -> None:
    # The closure's own email says why (notify=False: no second, generic one).
    await status_moves.move(
        db, ticket, status_flow.CERRADO, SYSTEM, audit.SYSTEM, plan.now, notify=False
    )
    warned_at = ticket.abandonment_warned_at
    ticket.abandonment_warned_at = None  # the warning did its work; the event keeps it
    events.record(
        db,
        ticket,
        events.ABANDONED,
        SYSTEM,
        None,
        plan.now,
        warned_at=warned_at.isoformat() if warned_at else None,
    )
    await notices.email_person(db, ticket, notices.ABANDONED_TEMPLATE, plan.base_url)


def _lift(db: AsyncSession, plan: Plan, ticket: Ticket) -> None:
    before = ticket.abandonment_warned_at
    ticket.abandonment_warned_at = None
    events.record(db, ticket, events.LIFTED, SYSTEM, None, plan.now)
    audit.record(
        db,
        audit.SYSTEM,
        "request.abandonment_warning_lifted",
        "request",
        ticket.id,
        {"abandonment_warned_at": [before.isoformat() if before else None, None]},
    )


async def auto_close_batch(
    db: AsyncSession, plan: Plan, after_id: int = 0, limit: int = BATCH_SIZE
) -> tuple[Outcome, int | None]:
    """Closes the due ones among up to ``limit`` candidates after ``after_id``; returns what
    it did and the last id read (None: no candidates left after these)."""
    snapshot_ = await reference_cache.current(db)
    outcome, last = Outcome(), None
    rows = await _candidates(db, auto_close_candidates(plan), after_id, limit)
    for ticket, _wait, activity in rows:
        last = ticket.id
        zone = snapshot_.zone(ticket.region_code)
        if rules.auto_close_due(
            status=ticket.status,
            resolved_at=ticket.resolved_at,
            last_person_activity=activity,
            today=plan.now.astimezone(zone).date(),
            days=plan.auto_close_days,
            calendar=snapshot_.calendar(ticket.region_code),
            zone=zone,
        ):
            await _auto_close(db, plan, ticket)
            outcome.closed += 1
    await db.flush()
    return outcome, last if len(rows) == limit else None


async def abandonment_batch(
    db: AsyncSession, plan: Plan, after_id: int = 0, limit: int = BATCH_SIZE
) -> tuple[Outcome, int | None]:
    """Warns, closes or lifts among up to ``limit`` candidates after ``after_id``."""
    snapshot_ = await reference_cache.current(db)
    outcome, last = Outcome(), None
    rows = await _candidates(db, abandonment_candidates(plan), after_id, limit)
    for ticket, waiting_since, activity in rows:
        last = ticket.id
        zone = snapshot_.zone(ticket.region_code)
        action = rules.abandonment_action(
            status=ticket.status,
            waiting_since=waiting_since,
            last_person_activity=activity,
            warned_at=ticket.abandonment_warned_at,
            today=plan.now.astimezone(zone).date(),
            calendar=snapshot_.calendar(ticket.region_code),
            zone=zone,
        )
        if action == rules.WARN:
            await _warn(db, plan, ticket, snapshot_)
            outcome.warned += 1
        elif action == rules.CLOSE:
            await _abandon(db, plan, ticket)
            outcome.abandoned += 1
        elif action == rules.LIFT:
            _lift(db, plan, ticket)
            outcome.lifted += 1
    await db.flush()
    return outcome, last if len(rows) == limit else None


BATCHES: Final = (auto_close_batch, abandonment_batch)


async def run_in(db: AsyncSession, plan: Plan, batch_size: int = BATCH_SIZE) -> Outcome:
    """Every due action in the caller's transaction (tests, one-off use)."""
    total = Outcome()
    for batch in BATCHES:
        after: int | None = 0
        while after is not None:
            outcome, after = await batch(db, plan, after, batch_size)
            total += outcome
    return total


async def run_lifecycle(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> Outcome:
    """One pass with a transaction per batch, so locks are short: the worker and the CLI."""
    plan = Plan(now or utcnow(), settings.base_url, settings.auto_close_working_days)
    total = Outcome()
    for batch in BATCHES:
        after: int | None = 0
        while after is not None:
            async with sessionmaker() as db, db.begin():
                outcome, after = await batch(db, plan, after, batch_size)
            total += outcome
    return total


async def run_periodically(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, stop: asyncio.Event
) -> None:
    """Beside the mail worker: a pass every ``lifecycle_minutes`` until ``stop``."""
    if settings.lifecycle_minutes <= 0:
        return
    while not stop.is_set():
        try:
            outcome = await run_lifecycle(sessionmaker, settings)
            if outcome.total:
                log.info("lifecycle: %s", outcome)
        except Exception:
            # A database hiccup must not stop the mail worker beside it: try next time.
            log.exception("lifecycle pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.lifecycle_minutes * 60)
