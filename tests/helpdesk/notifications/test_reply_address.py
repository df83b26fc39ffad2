"""Every email about a request carries its secret reply address as Reply-To; other emails,
and every email while the scheme is off, carry none."""

from __future__ import annotations

import jinja2

from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.reply_address import ReplyAddresses
from tests.helpdesk.notifications.test_mailer import MAIL_FROM, row

REPLIES = ReplyAddresses("a-secret-of-at-least-32-characters!", "respuestas", "oirs.example")
RECEIVED = {
    "folio": "AYU-2026-000123",
    "subject": "Mi visa",
    "link": "https://portal.example/solicitudes/AYU-2026-000123/t",
    "due": "2 de abril de 2026",
}


def test_a_request_email_is_answered_at_its_reply_address(
    email_env: jinja2.Environment,
) -> None:
    message = EmailRenderer(email_env, MAIL_FROM, REPLIES).render(
        row("request_received", context=RECEIVED)
    )
    assert message["Reply-To"] == REPLIES.address("AYU-2026-000123")
    assert REPLIES.folio_of(message["Reply-To"]) == "AYU-2026-000123"
    assert message["From"] == MAIL_FROM


def test_no_reply_address_without_a_folio_or_with_the_scheme_off(
    email_env: jinja2.Environment,
) -> None:
    account = EmailRenderer(email_env, MAIL_FROM, REPLIES).render(row("verify_email"))
    assert account["Reply-To"] is None
    off = ReplyAddresses(REPLIES.secret, "respuestas", "")
    request = EmailRenderer(email_env, MAIL_FROM, off).render(
        row("request_received", context=RECEIVED)
    )
    assert request["Reply-To"] is None
