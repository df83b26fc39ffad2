"""The outbox worker against a real SMTP server on loopback: outages, crashes, concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import jinja2
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.settings import Settings
from helpdesk.notifications import outbox
from helpdesk.notifications.models import OutboxMessage
from helpdesk.notifications.worker import Backoff, Worker
from tests.helpdesk.notifications.support import FakeClock, RecordingSMTPServer

Sessions = async_sessionmaker[AsyncSession]
BACKOFF = Backoff(base=timedelta(seconds=30), cap=timedelta(minutes=10), max_attempts=5)
LEASE = timedelta(minutes=5)


async def enqueue(sessionmaker: Sessions, count: int, template: str = "prove_email") -> set[str]:
    async with sessionmaker() as db, db.begin():
        rows = [
            outbox.enqueue(
                db, template, f"persona{i}@example.cl", "es", {"link": f"https://portal/p/{i}"}
            )
            for i in range(count)
        ]
    return {row.message_id for row in rows}


async def all_rows(sessionmaker: Sessions) -> list[OutboxMessage]:
    async with sessionmaker() as db:
        return list(await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def drain(worker: Worker) -> int:
    """Batches until nothing is due, as run_forever does; returns how many were sent."""
    total = 0
    while rows := await worker.claim():
        total += await worker.deliver(rows)
    return total


def make_worker(
    sessionmaker: Sessions,
    settings: Settings,
    env: jinja2.Environment,
    clock: FakeClock,
    **kwargs: object,
) -> Worker:
    options: dict[str, object] = {"backoff": BACKOFF, "lease": LEASE, "batch_size": 10}
    options.update(kwargs)
    return Worker(sessionmaker, settings, env, clock=clock, **options)  # type: ignore[arg-type]


async def test_sends_each_due_message_once_and_marks_it_sent(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    clock: FakeClock,
    smtp_server: RecordingSMTPServer,
) -> None:
    ids = await enqueue(sessionmaker, 3)
    worker = make_worker(sessionmaker, mail_settings, email_env, clock)

    assert await worker.run_once() == 3
    assert await worker.run_once() == 0

    assert smtp_server.message_ids() == dict.fromkeys(ids, 1)
    for row in await all_rows(sessionmaker):
        assert (row.status, row.sent_at, row.claimed_by, row.claimed_until) == (
            "sent",
            clock.now,
            None,
            None,
        )
        assert row.attempts == 0


async def test_smtp_outage_retries_with_backoff_then_delivers_each_message_once(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    clock: FakeClock,
    smtp_server: RecordingSMTPServer,
) -> None:
    ids = await enqueue(sessionmaker, 7)
    worker = make_worker(sessionmaker, mail_settings, email_env, clock, batch_size=3)
    await smtp_server.stop()

    # Every due row is tried once and fails; nothing is lost, nothing is claimed any more.
    assert await drain(worker) == 0
    rows = await all_rows(sessionmaker)
    assert len(rows) == 7
    for row in rows:
        assert (row.status, row.attempts, row.claimed_by) == ("pending", 1, None)
        assert row.next_attempt_at == clock.now + BACKOFF.base
        assert row.last_error
    # Not due yet: no attempt before the backoff has passed.
    clock.advance(BACKOFF.base - timedelta(seconds=1))
    assert await drain(worker) == 0
    assert {row.attempts for row in await all_rows(sessionmaker)} == {1}

    # The second failure doubles the wait.
    clock.advance(timedelta(seconds=1))
    assert await drain(worker) == 0
    for row in await all_rows(sessionmaker):
        assert (row.status, row.attempts) == ("pending", 2)
        assert row.next_attempt_at == clock.now + 2 * BACKOFF.base

    await smtp_server.start()  # same port
    assert await drain(worker) == 0  # still waiting out the backoff
    clock.advance(2 * BACKOFF.base)
    assert await drain(worker) == 7

    assert smtp_server.message_ids() == dict.fromkeys(ids, 1)
    # Running again, even much later, sends nothing twice.
    clock.advance(timedelta(days=1))
    assert await drain(worker) == 0
    assert len(smtp_server.messages) == 7
    rows = await all_rows(sessionmaker)
    assert {(row.status, row.attempts) for row in rows} == {("sent", 2)}


async def test_gives_up_after_max_attempts(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    clock: FakeClock,
    smtp_server: RecordingSMTPServer,
) -> None:
    await enqueue(sessionmaker, 1)
    worker = make_worker(sessionmaker, mail_settings, email_env, clock)
    await smtp_server.stop()

    for _ in range(BACKOFF.max_attempts):
        await worker.run_once()
        clock.advance(BACKOFF.cap)
    [row] = await all_rows(sessionmaker)
    assert (row.status, row.attempts) == ("failed", BACKOFF.max_attempts)

    await smtp_server.start()
    clock.advance(timedelta(days=1))
    assert await worker.run_once() == 0
    assert smtp_server.messages == []


def test_backoff_doubles_and_is_capped() -> None:
    backoff = Backoff(base=timedelta(seconds=30), cap=timedelta(hours=1))
    delays = [backoff.delay(n).total_seconds() for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


async def test_a_broken_template_fails_at_once_without_blocking_the_others(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    clock: FakeClock,
    smtp_server: RecordingSMTPServer,
) -> None:
    [broken] = await enqueue(sessionmaker, 1, template="no_such_template")
    [good] = await enqueue(sessionmaker, 1)
    worker = make_worker(sessionmaker, mail_settings, email_env, clock)

    assert await worker.run_once() == 1

    by_id = {row.message_id: row for row in await all_rows(sessionmaker)}
    assert (by_id[broken].status, by_id[broken].attempts) == ("failed", 1)
    assert "no_such_template" in (by_id[broken].last_error or "")
    assert by_id[good].status == "sent"
    assert smtp_server.message_ids() == {good: 1}


async def test_a_refused_recipient_fails_for_good_and_the_batch_goes_on(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    clock: FakeClock,
    smtp_server: RecordingSMTPServer,
) -> None:
    ids = await enqueue(sessionmaker, 3)
    smtp_server.refused.add("persona1@example.cl")
    worker = make_worker(sessionmaker, mail_settings, email_env, clock)

    assert await worker.run_once() == 2

    by_address = {row.to_address: row for row in await all_rows(sessionmaker)}
    refused = by_address.pop("persona1@example.cl")
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert "550" in (refused.last_error or "")
    assert {row.status for row in by_address.values()} == {"sent"}
    assert smtp_server.message_ids() == dict.fromkeys(ids - {refused.message_id}, 1)


async def test_rows_claimed_by_a_crashed_worker_are_delivered_by_another_after_the_lease(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    clock: FakeClock,
    smtp_server: RecordingSMTPServer,
) -> None:
    ids = await enqueue(sessionmaker, 4)
    crashed = make_worker(sessionmaker, mail_settings, email_env, clock, worker_id="crashed")
    claimed = await crashed.claim()  # ...and the process dies before sending
    assert {row.message_id for row in claimed} == ids
    for row in await all_rows(sessionmaker):
        assert (row.claimed_by, row.claimed_until) == ("crashed", clock.now + LEASE)

    second = make_worker(sessionmaker, mail_settings, email_env, clock, worker_id="second")
    assert await second.run_once() == 0  # the lease still holds
    clock.advance(LEASE + timedelta(seconds=1))
    assert await second.run_once() == 4
    assert smtp_server.message_ids() == dict.fromkeys(ids, 1)

    # Were the first worker only paused, its expired claim sends and marks nothing.
    assert await crashed.deliver(claimed) == 0
    assert smtp_server.message_ids() == dict.fromkeys(ids, 1)
    assert {row.status for row in await all_rows(sessionmaker)} == {"sent"}


class CrashesAfterSmtpAccepts(Worker):
    async def _mark_sent(self, row: OutboxMessage) -> bool:
        raise RuntimeError("killed between the SMTP server's 250 and the database mark")


async def test_a_crash_between_smtp_and_the_mark_resends_with_the_same_message_id(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    clock: FakeClock,
    smtp_server: RecordingSMTPServer,
) -> None:
    [message_id] = await enqueue(sessionmaker, 1)
    doomed = CrashesAfterSmtpAccepts(
        sessionmaker, mail_settings, email_env, clock=clock, backoff=BACKOFF, lease=LEASE
    )
    try:
        await doomed.run_once()
    except RuntimeError:
        pass
    else:
        raise AssertionError("the simulated crash did not happen")

    clock.advance(LEASE + timedelta(seconds=1))
    assert await make_worker(sessionmaker, mail_settings, email_env, clock).run_once() == 1
    # At-least-once: the resend carries the same Message-ID, so it is recognisable.
    assert smtp_server.message_ids() == {message_id: 2}
    [row] = await all_rows(sessionmaker)
    assert (row.status, row.sent_at) == ("sent", clock.now)


async def test_concurrent_claims_never_overlap(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    clock: FakeClock,
) -> None:
    ids = await enqueue(sessionmaker, 12)
    workers = [
        make_worker(sessionmaker, mail_settings, email_env, clock, batch_size=5, worker_id=f"w{n}")
        for n in range(4)
    ]
    batches = await asyncio.gather(*(worker.claim() for worker in workers))

    claimed = [row.message_id for batch in batches for row in batch]
    assert len(claimed) == len(set(claimed)) == 12
    assert set(claimed) == ids
    owners = {row.message_id: row.claimed_by for row in await all_rows(sessionmaker)}
    for worker, batch in zip(workers, batches, strict=True):
        assert all(owners[row.message_id] == worker.worker_id for row in batch)


async def test_two_workers_running_together_deliver_each_message_once(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    clock: FakeClock,
    smtp_server: RecordingSMTPServer,
) -> None:
    ids = await enqueue(sessionmaker, 30)
    first, second = (
        make_worker(sessionmaker, mail_settings, email_env, clock, batch_size=4, worker_id=name)
        for name in ("first", "second")
    )

    sent = await asyncio.gather(drain(first), drain(second))

    assert sum(sent) == 30
    assert smtp_server.message_ids() == dict.fromkeys(ids, 1)
    assert {row.status for row in await all_rows(sessionmaker)} == {"sent"}


async def test_run_forever_delivers_and_stops_when_asked(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    smtp_server: RecordingSMTPServer,
) -> None:
    worker = Worker(sessionmaker, mail_settings, email_env, poll_seconds=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(stop))
    ids = await enqueue(sessionmaker, 2)  # enqueued while the worker is already polling

    async with asyncio.timeout(5):
        await smtp_server.wait_for(2)
    stop.set()
    await asyncio.wait_for(task, timeout=2)

    assert smtp_server.message_ids() == dict.fromkeys(ids, 1)
