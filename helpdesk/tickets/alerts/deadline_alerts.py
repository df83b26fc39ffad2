"""Alerting supervisors before a legal deadline passes.

A request is due soon when its clock runs and its legal due date is today or has at most
``days`` días hábiles left, counted with the working calendar of its region (national and
regional holidays, the admin's closures): on a Friday with ``days=2`` that reaches Tuesday,
or Wednesday when Monday is a holiday. Each supervisor responsible for it (those of an office
in the request's region, and those without an office, who are central) gets one email in
their own language. The request keeps the due date it was alerted about
(``deadline_alerted_on``), so each due date alerts once, and a new one (after a pause, or a
reopening) alerts again.

Several workers may run this at once. On PostgreSQL each batch locks its rows with
``FOR UPDATE SKIP LOCKED``: a concurrent run skips them, and once committed they no longer
match. SQLite has a single writer: a batch takes the write lock before reading, so a
concurrent run waits and then reads the rows already marked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from sqlalchemy import ColumnElement, and_, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.accounts.models import StaffAccount
from helpdesk.audit import service as audit
from helpdesk.calendar import snapshot as reference_cache
from helpdesk.calendar.service import local_today
from helpdesk.calendar.working_days import WorkingCalendar
from helpdesk.core import links
from helpdesk.core.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, format_date
from helpdesk.core.settings import Settings
from helpdesk.notifications import outbox
from helpdesk.reference.models import Office
from helpdesk.tickets import status_flow
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue.service import OPEN_LITERALS

log = logging.getLogger(__name__)

ALERT_TEMPLATE: Final = "deadline_alert"
SUPERVISOR: Final = "supervisor"
BATCH_SIZE: Final = 100
# Paused requests have no due date; resolved and closed ones need no answer.
RUNNING: Final = tuple(s for s in status_flow.STATUSES if status_flow.clock_running(s))


def window_end(today: date, days: int, calendar: WorkingCalendar) -> date:
    """The last due date with at most ``days`` días hábiles left (as
    ``deadlines.working_days_left`` counts them): the day before the next working day."""
    day, counted = today, 0
    while True:
        following = day + timedelta(days=1)
        if calendar.is_working_day(following):
            if counted == days:
                return day
            counted += 1
        day = following


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str


@dataclass(frozen=True)
class AlertPlan:
    """What one run needs, read once: each region's window and its supervisors."""

    today: date
    base_url: str
    ends: Mapping[str | None, date]
    supervisors: Mapping[str | None, Sequence[Recipient]] = field(default_factory=dict)

    def recipients(self, region_code: str | None) -> list[Recipient]:
        central = list(self.supervisors.get(None, ()))
        if region_code is None:
            return central
        return central + list(self.supervisors.get(region_code, ()))

    def condition(self) -> ColumnElement[bool]:
        by_end: dict[date, list[str | None]] = defaultdict(list)
        for code, end in self.ends.items():
            by_end[end].append(code)
        windows = []
        for end, codes in sorted(by_end.items()):
            named = [c for c in codes if c is not None]
            region: ColumnElement[bool] = Ticket.region_code.in_(named) if named else false()
            if None in codes:
                region = or_(region, Ticket.region_code.is_(None))
            windows.append(and_(region, Ticket.legal_due_on <= end))
        return and_(
            # The open statuses as literals lets SQLite walk ix_requests_open_due (a partial
            # index) instead of every running request; RUNNING then leaves the paused ones.
            Ticket.status.in_(OPEN_LITERALS),
            Ticket.status.in_(RUNNING),
            Ticket.merged_into_id.is_(None),
            Ticket.legal_due_on >= self.today,
            or_(*windows),
            or_(
                Ticket.deadline_alerted_on.is_(None),
                Ticket.deadline_alerted_on != Ticket.legal_due_on,
            ),
        )


async def _calendars(db: AsyncSession) -> dict[str | None, WorkingCalendar]:
    """Each region's calendar, and the central one (None): the ones new requests use."""
    reference = await reference_cache.current(db)
    codes: list[str | None] = [None, *(r.code for r in reference.regions)]
    return {code: reference.calendar(code) for code in codes}


async def _supervisors(db: AsyncSession) -> dict[str | None, list[Recipient]]:
    """Active supervisors by the region of their office; None: central (no office)."""
    rows = await db.execute(
        select(StaffAccount.email, StaffAccount.preferred_locale, Office.region_code)
        .outerjoin(Office, Office.id == StaffAccount.office_id)
        .where(StaffAccount.role == SUPERVISOR, StaffAccount.active.is_(True))
        .order_by(StaffAccount.id)
    )
    found: dict[str | None, list[Recipient]] = defaultdict(list)
    for email, locale, region_code in rows:
        locale = locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE
        found[region_code].append(Recipient(email, locale))
    return dict(found)


async def make_plan(db: AsyncSession, today: date, base_url: str, days: int = 2) -> AlertPlan:
    calendars = await _calendars(db)
    ends = {code: window_end(today, days, calendar) for code, calendar in calendars.items()}
    return AlertPlan(today, base_url, ends, await _supervisors(db))


def _alert(db: AsyncSession, plan: AlertPlan, ticket: Ticket) -> int:
    due = ticket.legal_due_on
    assert due is not None
    recipients = plan.recipients(ticket.region_code)
    for recipient in recipients:
        outbox.enqueue(
            db,
            ALERT_TEMPLATE,
            recipient.email,
            recipient.locale,
            {
                "folio": ticket.folio,
                "subject": ticket.subject,
                "due": format_date(due, recipient.locale),
                "link": links.absolute_url(plan.base_url, "staff_request", folio=ticket.folio),
            },
        )
    before = ticket.deadline_alerted_on
    ticket.deadline_alerted_on = due
    audit.record(
        db,
        audit.SYSTEM,
        "request.deadline_alert",
        "request",
        ticket.id,
        {
            "deadline_alerted_on": [before.isoformat() if before else None, due.isoformat()],
            "recipients": [None, len(recipients)],
        },
    )
    return len(recipients)


async def alert_batch(db: AsyncSession, plan: AlertPlan, limit: int = BATCH_SIZE) -> int:
    """Alerts up to ``limit`` due requests in the caller's transaction; returns how many."""
    postgres = db.get_bind().dialect.name == "postgresql"
    if not postgres:
        # A write that changes nothing, so this transaction holds SQLite's write lock before
        # it reads: a concurrent run waits here instead of alerting the same rows.
        await db.execute(
            update(Ticket)
            .where(false())
            .values(deadline_alerted_on=Ticket.deadline_alerted_on)
            .execution_options(synchronize_session=False)
        )
    stmt = (
        select(Ticket)
        .where(plan.condition())
        .order_by(Ticket.legal_due_on, Ticket.id)
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    if postgres:
        # NO KEY UPDATE: rows that only point at a request (a new message) do not hide it.
        stmt = stmt.with_for_update(skip_locked=True, key_share=True)
    requests = (await db.scalars(stmt)).all()
    for ticket in requests:
        _alert(db, plan, ticket)
    await db.flush()
    return len(requests)


async def alert_due_requests(
    db: AsyncSession,
    today: date,
    base_url: str,
    *,
    days: int = 2,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Every due request not yet alerted for its due date, in the caller's transaction."""
    plan = await make_plan(db, today, base_url, days)
    total = 0
    while True:
        count = await alert_batch(db, plan, batch_size)
        total += count
        if count < batch_size:
            return total


async def run_alerts(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    today: date | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """One pass with a transaction per batch, so locks are short: the worker and the CLI."""
    today = today or local_today()
    async with sessionmaker() as db:
        plan = await make_plan(db, today, settings.base_url, settings.deadline_alert_days)
    total = 0
    while True:
        async with sessionmaker() as db, db.begin():
            count = await alert_batch(db, plan, batch_size)
        total += count
        if count < batch_size:
            return total


async def run_periodically(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, stop: asyncio.Event
) -> None:
    """Beside the mail worker: a pass every ``deadline_alert_minutes`` until ``stop``."""
    if settings.deadline_alert_minutes <= 0:
        return
    while not stop.is_set():
        try:
            count = await run_alerts(sessionmaker, settings)
            if count:
                log.info("deadline alerts sent for %d requests", count)
        except Exception:
            # A database hiccup must not stop the mail worker beside it: try next time.
            log.exception("deadline alerts failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.deadline_alert_minutes * 60)
