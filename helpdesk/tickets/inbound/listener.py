"""The OIRS mailbox's SMTP listener: aiosmtpd in front of ``inbound_service.receive``.

The OIRS mailbox (or the MTA in front of it) forwards each message here over SMTP. Every
message is recorded in its own unit of work, and the 250 is sent only after the commit; a
database failure answers 451 so the sending server keeps the message and retries later
(at-least-once; a retried message whose first delivery did commit is recognised by its
Message-ID and dropped). We chose this push design over polling the mailbox by IMAP: see
``inbound_service``. The listener has no authentication or TLS of its own: bind it to
loopback or a private interface that only the forwarding MTA reaches, and list the OIRS
addresses in ``recipients`` so it is not an open relay into the help desk (each request's
secret reply address, ``trust.replies``, is accepted too). What the listener believes of a
message's sender comes from ``trust``: see ``inbound.trust`` and docs/mail.md.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Iterable
from email.utils import parseaddr

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.db import make_engine, make_sessionmaker
from helpdesk.core.settings import Settings
from helpdesk.notifications import outbox
from helpdesk.tickets import attachment_store, file_storage
from helpdesk.tickets.inbound.service import NO_TRUST, InboundOutcome, receive
from helpdesk.tickets.inbound.trust import InboundTrust

log = logging.getLogger(__name__)

DATA_SIZE_LIMIT = 30 * 1024 * 1024  # five 10 MB files grow by a third in base64


class InboundHandler:
    """aiosmtpd handler: RCPT checks the address, DATA records the message."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        our_addresses: Iterable[str],
        message_id_domain: str,
        attachments_dir: attachment_store.Store,
        base_url: str,
        recipients: Iterable[str] | None = None,
        trust: InboundTrust = NO_TRUST,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.trust = trust
        self.our_addresses = frozenset(a.strip().lower() for a in our_addresses if a.strip())
        self.message_id_domain = message_id_domain
        self.attachments_dir = attachments_dir
        self.base_url = base_url
        self.recipients = (
            None if recipients is None else frozenset(r.strip().lower() for r in recipients)
        )

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        known = self.recipients is None or address.strip().lower() in self.recipients
        if not known and not self.trust.replies.is_ours(address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        peer = session.peer[0] if isinstance(session.peer, tuple) else None
        outcome: InboundOutcome | None = None
        try:
            async with self.sessionmaker() as db, db.begin():
                outcome = await receive(
                    db,
                    raw,
                    envelope.mail_from or "",
                    our_addresses=self.our_addresses,
                    message_id_domain=self.message_id_domain,
                    attachments_dir=self.attachments_dir,
                    base_url=self.base_url,
                    peer_ip=peer,
                    recipients=list(envelope.rcpt_tos),
                    trust=self.trust,
                )
        except Exception:
            # Most likely the database; whatever it was, the mail is not lost: the sender
            # keeps it and retries. Files written for a rolled-back message go too.
            log.exception("inbound mail from %r not recorded, answered 451", envelope.mail_from)
            if outcome is not None:
                await attachment_store.discard(self.attachments_dir, outcome.stored)
            return "451 4.3.0 Temporary failure, please try again later"
        log.info("inbound mail from %r: %s %s", envelope.mail_from, outcome.action, outcome.folio)
        return "250 2.0.0 Message accepted"


class OirsListener:
    """Start and stop the SMTP server on the running loop (tests), or run it until signalled."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        host: str,
        port: int,
        *,
        our_addresses: Iterable[str],
        message_id_domain: str,
        attachments_dir: attachment_store.Store,
        base_url: str,
        recipients: Iterable[str] | None = None,
        hostname: str = "portal-ayuda-oirs",
        data_size_limit: int = DATA_SIZE_LIMIT,
        trust: InboundTrust = NO_TRUST,
    ) -> None:
        self.handler = InboundHandler(
            sessionmaker,
            our_addresses=our_addresses,
            message_id_domain=message_id_domain,
            attachments_dir=attachments_dir,
            base_url=base_url,
            recipients=recipients,
            trust=trust,
        )
        self.host = host
        self.port = port
        self.hostname = hostname
        self.data_size_limit = data_size_limit
        self._server: asyncio.Server | None = None

    async def start(self) -> tuple[str, int]:
        """Listen; returns the bound address (port 0 picks a free port)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(
                self.handler,
                hostname=self.hostname,
                enable_SMTPUTF8=True,
                data_size_limit=self.data_size_limit,
            ),
            self.host,
            self.port,
        )
        host, port = self._server.sockets[0].getsockname()[:2]
        self.port = port
        log.info("OIRS listener on %s:%s", host, port)
        return host, port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        """Serve until ``stop`` is set, or until SIGINT/SIGTERM when no event is given."""
        loop = asyncio.get_running_loop()
        handled: list[int] = []
        if stop is None:
            stop = asyncio.Event()
            # asyncio installs signal handlers on the main thread only; elsewhere (a test, an
            # embedding program) the caller's ``stop`` is the way to end it.
            if threading.current_thread() is threading.main_thread():
                for signum in (signal.SIGINT, signal.SIGTERM):
                    loop.add_signal_handler(signum, stop.set)
                    handled.append(signum)
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()
            for signum in handled:
                loop.remove_signal_handler(signum)


async def run_listener_process(
    settings: Settings, host: str, port: int, addresses: Iterable[str]
) -> None:
    """``python -m helpdesk oirs-listener``: the listener until SIGINT or SIGTERM.

    ``addresses`` are the OIRS mailbox addresses: the only recipients accepted, and (with
    MAIL_FROM's address) the senders recognised as our own mail come back.
    """
    import helpdesk.models  # noqa: F401 (every table known, so foreign keys resolve)

    mailbox = [a.strip().lower() for a in addresses if a.strip()]
    ours = [*mailbox, parseaddr(settings.mail_from)[1].lower()]
    engine = make_engine(settings.database_url, sqlite_driver=settings.sqlite_driver)
    sessionmaker = make_sessionmaker(engine)
    listener = OirsListener(
        sessionmaker,
        host,
        port,
        our_addresses=ours,
        message_id_domain=outbox.MESSAGE_ID_DOMAIN,
        attachments_dir=file_storage.from_settings(settings, sessionmaker),
        base_url=settings.base_url,
        recipients=mailbox or None,
        trust=InboundTrust.from_settings(settings),
    )
    try:
        await listener.run_forever()
    finally:
        await engine.dispose()
