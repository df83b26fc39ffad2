"""Emails to the person a request belongs to: who receives them, in which language, and
the email that tells them their request's status changed.

Every email about a request goes to its person's address in the language
``core.language.email_language`` decides (``recipient``), and carries the request's private
link (``private_links.url_for``), so a person without an account can open it.

Status changes: ``status_moves.move`` tells its listeners (registered by ``app.py``) of every
move; ``notify_status`` writes one email for a move the person should know about
(``tells_person``). A reply that also moves the request says so itself and asks the move
not to notify, so the person gets one email, not two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import CitizenAccount
from helpdesk.core import language
from helpdesk.notifications import outbox
from helpdesk.people.models import Person
from helpdesk.tickets import status_flow
from helpdesk.tickets.citizen import private_links
from helpdesk.tickets.models import Ticket, TicketMessage

STATUS_TEMPLATE: Final = "request_status"
# Moves the person learns of by email: their request answered for good, ended, or taken up
# again. Opening, waiting and the end of a wait are the service's own bookkeeping (a wait on
# the person comes with the reply that asks them something).
NOTIFIED_TARGETS: Final = frozenset(
    {status_flow.RESUELTO, status_flow.CERRADO, status_flow.REABIERTO}
)


def tells_person(before: str, target: str, by: str) -> bool:
    """Whether a move from ``before`` to ``target`` by ``by`` sends the person an email:
    the moves above, made by an agent or the system (the person knows what they did)."""
    return by != status_flow.CITIZEN and target in NOTIFIED_TARGETS and before != target


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str


async def recipient(db: AsyncSession, ticket: Ticket) -> Recipient | None:
    """Where and in which language emails about ``ticket`` go; None without an address.
    The profile's language counts when the person has an account (``core.language``)."""
    if ticket.person_id is None:
        return None
    row = (
        await db.execute(
            select(Person.email, Person.preferred_locale, CitizenAccount.id.label("account_id"))
            .outerjoin(CitizenAccount, CitizenAccount.person_id == Person.id)
            .where(Person.id == ticket.person_id)
        )
    ).first()
    if row is None or not row.email:
        return None
    profile = row.preferred_locale if row.account_id is not None else None
    return Recipient(
        row.email, language.email_language(profile=profile, request_language=ticket.locale)
    )


async def last_email_id(db: AsyncSession, ticket: Ticket) -> str | None:
    """The Message-ID of the latest email of this conversation, ours or the person's, to
    thread the next one under."""
    return await db.scalar(
        select(TicketMessage.email_message_id)
        .where(
            TicketMessage.request_id == ticket.id,
            TicketMessage.email_message_id.is_not(None),
            TicketMessage.internal.is_(False),
        )
        .order_by(TicketMessage.id.desc())
        .limit(1)
    )


async def notify_status(
    db: AsyncSession, ticket: Ticket, before: str, target: str, by: str
) -> None:
    """``status_moves``' listener: one email for a move the person should know about."""
    if not tells_person(before, target, by) or ticket.merged_into_id is not None:
        return
    to = await recipient(db, ticket)
    if to is None:
        return
    outbox.enqueue(
        db,
        STATUS_TEMPLATE,
        to.email,
        to.locale,
        {
            "folio": ticket.folio,
            "subject": ticket.subject,
            "status": target,
            "link": private_links.url_for(ticket),
        },
        in_reply_to=await last_email_id(db, ticket),
    )
