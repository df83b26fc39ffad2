"""Mail test fixtures: a recording SMTP server, settings that point at it, a clock, no old rows."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import jinja2
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.db import utcnow
from helpdesk.core.settings import Settings
from helpdesk.core.templating import make_environment
from helpdesk.notifications.models import OutboxMessage
from tests.helpdesk.notifications.support import FakeClock, RecordingSMTPServer


@pytest.fixture(autouse=True)
async def empty_outbox(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    """The database lives for the whole run: start each mail test without other tests' rows."""

    async def clear() -> None:
        async with sessionmaker() as db, db.begin():
            await db.execute(delete(OutboxMessage))

    await clear()
    yield
    await clear()


@pytest.fixture
async def smtp_server() -> AsyncIterator[RecordingSMTPServer]:
    server = RecordingSMTPServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def mail_settings(settings: Settings, smtp_server: RecordingSMTPServer) -> Settings:
    return dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=smtp_server.port, smtp_timeout=5
    )


@pytest.fixture
def clock() -> FakeClock:
    # Ahead of real time, so rows enqueued during the test (next_attempt_at = now) are due.
    return FakeClock(utcnow() + timedelta(minutes=1))


@pytest.fixture(scope="session")
def email_env() -> jinja2.Environment:
    return make_environment(Settings())


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
