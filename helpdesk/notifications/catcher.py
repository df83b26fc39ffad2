"""Development mail catcher: an SMTP server on the app's loop that keeps every message in a Maildir.

Developers read the caught mail at /staff/correo; nothing leaves the machine. Production
refuses MAIL_CATCHER=true (see settings).
"""

from __future__ import annotations

import asyncio
import email.policy
import logging
import mailbox
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from helpdesk.core.settings import Settings

log = logging.getLogger(__name__)


class MaildirHandler:
    """aiosmtpd handler: each accepted message becomes one Maildir file."""

    def __init__(self, directory: str | Path) -> None:
        # Maildir creates only its own folder: var/ is missing on a fresh checkout when the
        # knowledge-base index lives elsewhere (KB_INDEX_DIR).
        Path(directory).parent.mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(directory, create=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        # File writes off the event loop: the catcher shares it with the web app.
        await asyncio.to_thread(self.maildir.add, content)
        return "250 Message accepted for delivery"


class MailCatcher:
    def __init__(self, server: asyncio.Server, address: tuple[str, int]) -> None:
        self.server = server
        self.address = address

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()


async def start_catcher(host: str, port: int, directory: str | Path) -> MailCatcher:
    handler = MaildirHandler(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="mail-catcher", enable_SMTPUTF8=True), host, port
    )
    address = server.sockets[0].getsockname()[:2]
    log.info("mail catcher listening on %s:%s, storing into %s", *address, directory)
    return MailCatcher(server, (address[0], address[1]))


async def start_catcher_from_settings(settings: Settings) -> MailCatcher:
    return await start_catcher(settings.smtp_host, settings.smtp_port, settings.mail_catcher_dir)


@dataclass(frozen=True)
class CaughtMessage:
    key: str
    subject: str
    to: str
    date: datetime
    language: str
    text: str


def _text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    content: Any = part.get_content()
    return str(content)


def _date(message: EmailMessage, fallback: float) -> datetime:
    try:
        parsed = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        return datetime.fromtimestamp(fallback, UTC)
    return parsed


def list_messages(directory: str | Path, limit: int = 100) -> list[CaughtMessage]:
    """The caught messages, newest first. Blocking file reads: call it in a thread."""
    found = []
    for sub in ("new", "cur"):
        folder = Path(directory, sub)
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.name.startswith("."):
                continue
            try:
                raw = path.read_bytes()
                modified = path.stat().st_mtime
            except FileNotFoundError:  # removed while listing
                continue
            parsed = email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default)
            found.append(
                CaughtMessage(
                    key=path.name.split(":", 1)[0],
                    subject=str(parsed["Subject"] or ""),
                    to=str(parsed["To"] or ""),
                    date=_date(parsed, modified),
                    language=str(parsed["Content-Language"] or ""),
                    text=_text_body(parsed),
                )
            )
    found.sort(key=lambda m: m.date, reverse=True)
    return found[:limit]
