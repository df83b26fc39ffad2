"""The development mail catcher: a real SMTP server writing a Maildir, and its listing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from helpdesk.core.settings import Settings
from helpdesk.notifications.catcher import MaildirHandler, list_messages, start_catcher
from helpdesk.notifications.mailer import EmailRenderer, SmtpConnection
from helpdesk.notifications.models import OutboxMessage


def outbox_row(message_id: str, created_at: datetime, locale: str = "es") -> OutboxMessage:
    return OutboxMessage(
        template="prove_email",
        locale=locale,
        to_address=f"{message_id}@example.cl",
        context={"link": f"https://portal.example/correo/confirmar/{message_id}"},
        message_id=f"<{message_id}@portal-ayuda.local>",
        in_reply_to=None,
        created_at=created_at,
    )


async def test_catches_messages_and_lists_them_newest_first(
    tmp_path: Path, settings: Settings, email_env: jinja2.Environment
) -> None:
    catcher = await start_catcher("127.0.0.1", 0, tmp_path / "mail")
    try:
        config = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=catcher.address[1])
        renderer = EmailRenderer(email_env, config.mail_from)
        async with SmtpConnection(config) as smtp:
            await smtp.send(renderer.render(outbox_row("older", datetime(2026, 1, 5, tzinfo=UTC))))
            newer = outbox_row("newer", datetime(2026, 1, 6, tzinfo=UTC), locale="en")
            await smtp.send(renderer.render(newer))
    finally:
        await catcher.stop()

    newest, oldest = list_messages(tmp_path / "mail")
    assert (newest.to, oldest.to) == ("newer@example.cl", "older@example.cl")
    assert oldest.subject == "Confirme su correo para continuar"
    assert oldest.date == datetime(2026, 1, 5, tzinfo=UTC)
    assert (oldest.language, newest.language) == ("es", "en")
    assert "https://portal.example/correo/confirmar/older" in oldest.text
    assert oldest.key != newest.key


def test_an_empty_or_missing_maildir_lists_nothing(tmp_path: Path) -> None:
    assert list_messages(tmp_path / "never-created") == []


def test_the_maildir_is_created_with_its_missing_parents(tmp_path: Path) -> None:
    # A fresh checkout has no var/ when the knowledge-base index is kept elsewhere.
    directory = tmp_path / "var" / "mail"
    MaildirHandler(directory)
    assert (directory / "new").is_dir()
