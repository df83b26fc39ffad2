"""The outbox worker: claims due rows with a lease, sends them, records the outcome.

Delivery is at least once. A row is claimed for ``lease`` (claimed_by/claimed_until, committed
before any SMTP traffic), sent, then marked sent in its own short transaction only if this
worker still holds the claim. A worker that dies mid-batch leaves its rows claimed until the
lease expires; another worker then sends them again. The only duplicate possible is a crash
between the SMTP server's acceptance and the mark, and it carries the same Message-ID.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import jinja2
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.db import make_engine, make_sessionmaker, utcnow
from helpdesk.core.settings import Settings
from helpdesk.core.templating import make_environment
from helpdesk.notifications.mailer import EmailRenderer, SmtpConnection, is_permanent
from helpdesk.notifications.models import OutboxMessage
from helpdesk.notifications.reply_address import ReplyAddresses

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Backoff:
    """Retry delays: base, 2×base, 4×base… capped; the row fails for good after max_attempts."""

    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 12

    def delay(self, attempts: int) -> timedelta:
        # attempts counts the failure just recorded (1 after the first failure).
        return min(self.base * 2 ** max(attempts - 1, 0), self.cap)


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        OutboxMessage.status == "pending",
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


class Worker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        env: jinja2.Environment | None = None,
        *,
        clock: Clock = utcnow,
        backoff: Backoff = Backoff(),
        lease: timedelta = timedelta(minutes=5),
        batch_size: int = 10,
        poll_seconds: float | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.renderer = EmailRenderer(
            env or make_environment(settings),
            settings.mail_from,
            ReplyAddresses.from_settings(settings),
        )
        self.clock = clock
        self.backoff = backoff
        self.lease = lease
        self.batch_size = batch_size
        self.poll_seconds = settings.worker_poll_seconds if poll_seconds is None else poll_seconds
        self.worker_id = worker_id or new_worker_id()

    async def claim(self) -> list[OutboxMessage]:
        """Claims up to batch_size due rows for this worker and commits the claim."""
        now = self.clock()
        async with self.sessionmaker() as db, db.begin():
            due = _due(now)
            oldest = select(OutboxMessage.id).where(due)
            oldest = oldest.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            oldest = oldest.limit(self.batch_size)
            if db.get_bind().dialect.name == "postgresql":
                # Concurrent workers skip each other's locked rows instead of queueing.
                ids = list(await db.scalars(oldest.with_for_update(skip_locked=True)))
                if not ids:
                    return []
                target = OutboxMessage.id.in_(ids)
            else:
                # SQLite has one writer at a time: a single UPDATE takes the write lock before
                # reading, and repeating the due condition means a row is claimed only once.
                target = OutboxMessage.id.in_(oldest.scalar_subquery())
            claim = (
                update(OutboxMessage)
                .where(target, due)
                .values(claimed_by=self.worker_id, claimed_until=now + self.lease)
                .returning(OutboxMessage)
                .execution_options(synchronize_session=False)
            )
            rows = list(await db.scalars(claim))
            # Detached before the commit so the rows stay readable whatever expire_on_commit.
            db.expunge_all()
        return sorted(rows, key=lambda row: row.id)

    async def deliver(self, rows: Sequence[OutboxMessage]) -> int:
        """Sends claimed rows over one SMTP session; returns how many were marked sent."""
        sent = 0
        async with SmtpConnection(self.settings) as smtp:
            for row in rows:
                if row.claimed_until is not None and self.clock() >= row.claimed_until:
                    # A slow batch outlived its lease: another worker may own the row now,
                    # so sending it here would only make a duplicate.
                    log.warning("outbox %s: lease expired before sending, left", row.id)
                    continue
                try:
                    await smtp.send(self.renderer.render(row))
                except Exception as exc:
                    await self._record_failure(row, exc)
                    continue
                if await self._mark_sent(row):
                    sent += 1
        return sent

    async def run_once(self) -> int:
        """One batch: claim, send, record. Returns how many messages were sent."""
        rows = await self.claim()
        if not rows:
            return 0
        return await self.deliver(rows)

    async def run_forever(self, stop: asyncio.Event) -> None:
        log.info("mail worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                rows = await self.claim()
                if rows:
                    await self.deliver(rows)
            except Exception:
                # The database or the network hiccuped: keep the worker alive, try again later.
                log.exception("mail worker batch failed")
                rows = []
            if len(rows) >= self.batch_size:
                continue  # a full batch: more are probably waiting
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)
        log.info("mail worker %s stopped", self.worker_id)

    def _still_ours(self, row: OutboxMessage) -> ColumnElement[bool]:
        return and_(
            OutboxMessage.id == row.id,
            OutboxMessage.status == "pending",
            OutboxMessage.claimed_by == self.worker_id,
        )

    async def _mark_sent(self, row: OutboxMessage) -> bool:
        now = self.clock()
        async with self.sessionmaker() as db, db.begin():
            result = await db.execute(
                update(OutboxMessage)
                .where(self._still_ours(row))
                .values(
                    status="sent",
                    sent_at=now,
                    claimed_by=None,
                    claimed_until=None,
                    last_error=None,
                )
                .execution_options(synchronize_session=False)
            )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            # The lease ran out and another worker took the row: it will send it again,
            # with the same Message-ID.
            log.warning("outbox %s sent but no longer claimed by %s", row.id, self.worker_id)
            return False
        log.info("outbox %s sent to the SMTP server (%s)", row.id, row.template)
        return True

    async def _record_failure(self, row: OutboxMessage, exc: BaseException) -> None:
        now = self.clock()
        attempts = row.attempts + 1
        gave_up = attempts >= self.backoff.max_attempts or is_permanent(exc)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        async with self.sessionmaker() as db, db.begin():
            await db.execute(
                update(OutboxMessage)
                .where(self._still_ours(row))
                .values(
                    attempts=attempts,
                    last_error=error,
                    next_attempt_at=now + self.backoff.delay(attempts),
                    status="failed" if gave_up else "pending",
                    claimed_by=None,
                    claimed_until=None,
                )
                .execution_options(synchronize_session=False)
            )
        log.warning(
            "outbox %s attempt %d %s: %s",
            row.id,
            attempts,
            "failed for good" if gave_up else "will be retried",
            error,
        )


# Periodic work run beside the mail loop (e.g. deadline alerts); returns when ``stop`` is set.
Job = Callable[[async_sessionmaker[AsyncSession], Settings, asyncio.Event], Awaitable[None]]


async def run_worker_process(settings: Settings, jobs: Sequence[Job] = ()) -> None:
    """``python -m helpdesk worker``: a standalone worker until SIGINT or SIGTERM."""
    engine = make_engine(
        settings.database_url,
        background_checkpoints=True,
        sqlite_driver=settings.sqlite_driver,
    )
    sessionmaker = make_sessionmaker(engine)
    worker = Worker(sessionmaker, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await asyncio.gather(
            worker.run_forever(stop), *(job(sessionmaker, settings, stop) for job in jobs)
        )
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await engine.dispose()
