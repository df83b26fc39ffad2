"""The lifecycle's emails to the person: the prórroga's notice, the warning of abandonment and
the closure by abandonment, in the request's language, through the outbox."""

from __future__ import annotations

from datetime import date
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.core import links
from helpdesk.core.i18n import format_date
from helpdesk.notifications import outbox
from helpdesk.people.models import Person
from helpdesk.tickets.models import Ticket

EXTENSION_TEMPLATE: Final = "deadline_extension"
WARNING_TEMPLATE: Final = "abandonment_warning"
ABANDONED_TEMPLATE: Final = "request_abandoned"


def person_locale(ticket: Ticket) -> str:
    """The language of the person's emails: the request's, as replies choose it today."""
    return ticket.locale


async def email_person(
    db: AsyncSession,
    ticket: Ticket,
    template: str,
    base_url: str,
    dates: dict[str, date] | None = None,
    **extra: str,
) -> bool:
    """Queues ``template`` to the request's person, ``dates`` written out in their language
    (Babel); False when the person has no email address."""
    person = await db.get(Person, ticket.person_id)
    if person is None or not person.email:
        return False
    locale = person_locale(ticket)
    context: dict[str, str] = {
        "folio": ticket.folio,
        "subject": ticket.subject,
        "account_link": links.absolute_url(base_url, "my_request", folio=ticket.folio),
        "lost_link": links.absolute_url(base_url, "request_lost_link"),
        **{name: format_date(day, locale) for name, day in (dates or {}).items()},
        **extra,
    }
    outbox.enqueue(db, template, person.email, locale, context)
    return True
