"""Test helpers for mail: a real SMTP server on loopback (aiosmtpd) and a settable clock."""

from __future__ import annotations

import asyncio
import email.policy
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP, Envelope, Session


class RecordingSMTPServer:
    """Accepts every message and keeps it; can be stopped and restarted on the same port."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused: set[str] = set()  # recipients answered with 550
        self.port = 0
        self._server: asyncio.Server | None = None
        self._arrived = asyncio.Condition()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        parsed = email.message_from_bytes(
            envelope.original_content or b"", _class=EmailMessage, policy=email.policy.default
        )
        assert isinstance(parsed, EmailMessage)
        async with self._arrived:
            self.messages.append(parsed)
            self._arrived.notify_all()
        return "250 OK"

    async def wait_for(self, count: int) -> None:
        """Until count messages arrived; callers bound it with asyncio.timeout."""
        async with self._arrived:
            await self._arrived.wait_for(lambda: len(self.messages) >= count)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        # port 0 the first time (a free one), then the same port again after an outage.
        self._server = await loop.create_server(lambda: SMTP(self), "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def message_ids(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.messages)


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta
