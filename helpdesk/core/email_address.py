"""Email addresses, checked once by one rule (the email-validator library) wherever one
comes in: forms, the API, incoming mail. The mailer can then trust every address it sends to.

Syntax only (no DNS): an address the domain does not accept is refused by its mail server,
and the outbox treats that refusal as final (notifications/worker.py).
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254  # RFC 5321's path limit, and the database columns'


def normalized(value: str) -> str | None:
    """The address as stored (lowercase, an internationalized domain in its ASCII form), or
    None when it is not a plain address: no display name, quoting, comments, IP literals,
    reserved domains (.local, .test, localhost) or non-ASCII before the @."""
    value = value.strip()
    if not value or len(value) > MAX_LENGTH:
        return None
    try:
        checked = validate_email(
            value,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError:
        return None
    address = (checked.ascii_email or checked.normalized).lower()
    return address if len(address) <= MAX_LENGTH else None
