"""Turning an outbox row into an email and handing it to the SMTP server (aiosmtplib).

Rendering happens in the row's locale inside a copied context, so the worker's own locale
never changes. Subjects and plain-text bodies are rendered without HTML escaping (a sibling
environment of the app's), the HTML alternative with it.
"""

from __future__ import annotations

import contextvars
from email.message import EmailMessage
from email.utils import format_datetime
from types import TracebackType

import aiosmtplib
import jinja2

from helpdesk.core import email_address, i18n
from helpdesk.core.settings import Settings
from helpdesk.notifications.models import OutboxMessage
from helpdesk.notifications.reply_address import ReplyAddresses

EMAIL_TEMPLATES_DIR = "emails"


class RenderError(Exception):
    """The message cannot be built (missing template or variable): retrying will not help."""


class RefusedAddress(RenderError):
    """Not an address any server accepts (one queued before addresses were checked on the
    way in, core/email_address.py): no SMTP server is asked, and nothing is retried."""


class EmailRenderer:
    def __init__(
        self, env: jinja2.Environment, mail_from: str, replies: ReplyAddresses | None = None
    ) -> None:
        # The app's environment escapes every template; the overlay shares its loader,
        # gettext callables and filters but leaves .txt output as written.
        self.html_env = env
        self.text_env = env.overlay(autoescape=False)
        self.mail_from = mail_from
        self.replies = replies

    def render(self, row: OutboxMessage) -> EmailMessage:
        if email_address.normalized(row.to_address) is None:
            raise RefusedAddress(f"not a valid address: {row.to_address!r}")
        # A copied context: set_locale below must not leak into the worker's task.
        try:
            return contextvars.copy_context().run(self._render, row)
        except jinja2.TemplateError as exc:
            raise RenderError(f"{row.template}: {exc}") from exc

    def _render(self, row: OutboxMessage) -> EmailMessage:
        i18n.set_locale(row.locale)
        context = dict(row.context or {})
        base = f"{EMAIL_TEMPLATES_DIR}/{row.template}"
        subject = self.text_env.get_template(f"{base}/subject.txt").render(context)
        text = self.text_env.get_template(f"{base}/body.txt").render(context)
        html = self.html_env.get_template(f"{base}/body.html").render(context)

        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = row.to_address
        # A request's email is answered at its secret reply address (reply_address.py).
        folio = context.get("folio")
        replies = self.replies if isinstance(folio, str) and folio else None
        if replies is not None and (reply_to := replies.address(str(folio))):
            message["Reply-To"] = reply_to
        # One line whatever the template's whitespace: headers cannot hold newlines.
        message["Subject"] = " ".join(subject.split())
        message["Message-ID"] = row.message_id
        if row.in_reply_to:
            message["In-Reply-To"] = row.in_reply_to
            message["References"] = row.in_reply_to
        # The enqueue time, not the send time: a retry is the same message.
        message["Date"] = format_datetime(row.created_at)
        message.set_content(text.strip() + "\n")
        message.add_alternative(html, subtype="html")
        _attach(message, context.get("attachments"))
        # After set_content, which drops every Content-* header already present.
        message["Content-Language"] = i18n.get_locale()
        return message


def _attach(message: EmailMessage, attachments: object) -> None:
    """Text files the caller put in the row's context (``attachments``: a list of
    ``{"filename", "content_type", "text"}``), e.g. an appointment's .ics: kept in the row,
    so a retry sends the same file."""
    if not attachments:
        return
    if not isinstance(attachments, list):
        raise RenderError("attachments must be a list")
    for item in attachments:
        try:
            maintype, subtype = str(item["content_type"]).split("/", 1)
            text, filename = str(item["text"]), str(item["filename"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RenderError(f"attachment not understood: {exc}") from exc
        if maintype != "text":
            raise RenderError(f"only text attachments: {maintype}/{subtype}")
        message.add_attachment(text, subtype=subtype, filename=filename)


class SmtpConnection:
    """One SMTP session for a batch of messages, reconnecting if the server drops it."""

    def __init__(self, settings: Settings) -> None:
        self._client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            # Explicit: no opportunistic upgrade that would fail on a self-signed relay.
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout,
        )
        self._connect_error: BaseException | None = None

    async def __aenter__(self) -> SmtpConnection:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client.is_connected:
            try:
                await self._client.quit()
            except aiosmtplib.SMTPException:
                self._client.close()

    async def send(self, message: EmailMessage) -> None:
        # An unreachable server fails the rest of the batch at once instead of waiting out
        # the timeout once per message.
        if self._connect_error is not None:
            raise self._connect_error
        if not self._client.is_connected:
            try:
                await self._client.connect()
            except (aiosmtplib.SMTPException, OSError) as exc:
                self._connect_error = exc
                raise
        try:
            await self._client.send_message(message)
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused):
            raise  # the server answered: the session is still usable
        except BaseException:
            # Unknown session state (timeout, dropped connection): start afresh next time.
            self._client.close()
            raise


def is_permanent(exc: BaseException) -> bool:
    """Errors that another attempt cannot fix: a broken template, every recipient refused (5xx)."""
    if isinstance(exc, RenderError):
        return True
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(r.code >= 500 for r in exc.recipients)
    return False
