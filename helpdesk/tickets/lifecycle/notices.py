"""The lifecycle's emails to the person: the prórroga's notice, the warning of abandonment and
the closure by abandonment. Like every email about a request, each goes to the person in the
language ``citizen.emails.recipient`` decides, carries the request's private link (they may
have no account) and is threaded under the conversation's last email, through the outbox."""

from __future__ import annotations

from datetime import date
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.core import links
from helpdesk.core.i18n import format_date
from helpdesk.notifications import outbox
from helpdesk.tickets.citizen import emails as person_emails
from helpdesk.tickets.citizen import private_links
from helpdesk.tickets.models import Ticket

EXTENSION_TEMPLATE: Final = "deadline_extension"
WARNING_TEMPLATE: Final = "abandonment_warning"
ABANDONED_TEMPLATE: Final = "request_abandoned"


async def email_person(
    db: AsyncSession,
    ticket: Ticket,
    template: str,
    base_url: str,
    dates: dict[str, date] | None = None,
    **extra: str,
) -> bool:
    """Queues ``template`` to the request's person, ``dates`` written out in their language
    (Babel; the dates are the office's days already); False when the person has no email
    address."""
    to = await person_emails.recipient(db, ticket)
    if to is None:
        return False
    context: dict[str, str] = {
        "folio": ticket.folio,
        "subject": ticket.subject,
        "link": private_links.url_for(ticket, base_url),
        "lost_link": links.absolute_url(base_url, "request_lost_link"),
        **{name: format_date(day, to.locale) for name, day in (dates or {}).items()},
        **extra,
    }
    in_reply_to = await person_emails.last_email_id(db, ticket)
    outbox.enqueue(db, template, to.email, to.locale, context, in_reply_to=in_reply_to)
    return True
