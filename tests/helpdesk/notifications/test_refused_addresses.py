"""A recipient no server will take fails for good at once; a temporary refusal is retried.
Against a real SMTP server on loopback (aiosmtpd) that answers RCPT TO with set codes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import jinja2
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.settings import Settings
from helpdesk.notifications import outbox
from helpdesk.notifications.models import OutboxMessage
from helpdesk.notifications.worker import Backoff, Worker
from tests.helpdesk.notifications.support import FakeClock, RecordingSMTPServer

Sessions = async_sessionmaker[AsyncSession]
GOOD = "persona.buena@example.cl"


class AnsweringSMTPServer(RecordingSMTPServer):
    """Answers RCPT TO for the addresses in ``answers`` with the reply given there."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: dict[str, str] = {}
        self.asked: list[str] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.asked.append(address)
        if address in self.answers:
            return self.answers[address]
        return await super().handle_RCPT(server, session, envelope, address, options)


@pytest.fixture
async def smtp_server() -> AsyncIterator[AnsweringSMTPServer]:
    server = AnsweringSMTPServer()
    await server.start()
    yield server
    await server.stop()


async def queue(sessionmaker: Sessions, *addresses: str) -> None:
    async with sessionmaker() as db, db.begin():
        for address in addresses:
            outbox.enqueue(db, "prove_email", address, "es", {"link": "https://portal/p/1"})


async def rows(sessionmaker: Sessions) -> dict[str, OutboxMessage]:
    async with sessionmaker() as db:
        return {row.to_address: row for row in await db.scalars(select(OutboxMessage))}


def worker(sessionmaker: Sessions, settings: Settings, env: jinja2.Environment, clock) -> Worker:
    return Worker(sessionmaker, settings, env, clock=clock, backoff=Backoff(max_attempts=5))


@pytest.mark.parametrize(
    ("answer", "final"),
    [
        ("550 5.1.1 No such mailbox", True),
        ("553 5.1.3 Bad recipient address syntax", True),
        ("501 5.1.3 Invalid address", True),
        ("450 4.2.1 Mailbox busy, try later", False),
        ("451 4.3.0 Temporary lookup failure", False),
    ],
)
async def test_a_refused_recipient_is_final_only_when_the_server_says_so(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    clock: FakeClock,
    smtp_server: AnsweringSMTPServer,
    answer: str,
    final: bool,
) -> None:
    refused = "no.existe@example.cl"
    smtp_server.answers[refused] = answer
    await queue(sessionmaker, refused, GOOD)
    assert await worker(sessionmaker, mail_settings, email_env, clock).run_once() == 1
    by_address = await rows(sessionmaker)
    row = by_address[refused]
    assert (row.status, row.attempts) == ("failed" if final else "pending", 1)
    assert answer.split()[0] in (row.last_error or "")
    assert by_address[GOOD].status == "sent"


@pytest.mark.parametrize(
    "address", ['r"><svg/onload=alert(777)>@evil.cl', "script", "ana@portal.local"]
)
async def test_a_malformed_address_in_the_outbox_fails_for_good_without_smtp(
    sessionmaker: Sessions,
    mail_settings: Settings,
    email_env: jinja2.Environment,
    clock: FakeClock,
    smtp_server: AnsweringSMTPServer,
    address: str,
) -> None:
    """Rows queued before addresses were checked on the way in."""
    await queue(sessionmaker, address, GOOD)
    assert await worker(sessionmaker, mail_settings, email_env, clock).run_once() == 1
    by_address = await rows(sessionmaker)
    row = by_address[address]
    assert (row.status, row.attempts) == ("failed", 1)
    assert "RefusedAddress" in (row.last_error or "")
    assert smtp_server.asked == [GOOD]
