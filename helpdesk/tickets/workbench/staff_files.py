"""Files an agent attaches to a reply: the person's own limits and checks
(``tickets.uploads``), stored through the configured storage, recorded on the reply's message
so that staff download them from the request's page and the person from theirs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.audit import service as audit
from helpdesk.tickets.attachments import StoredAttachment
from helpdesk.tickets.models import Ticket, TicketAttachment, TicketMessage


def attach(
    db: AsyncSession,
    ticket: Ticket,
    message: TicketMessage,
    stored: Sequence[StoredAttachment],
    actor: audit.Actor,
) -> None:
    """The reply's files, with one audit event for them all (none when there are none)."""
    if not stored:
        return
    db.add_all(
        TicketAttachment(
            request_id=ticket.id,
            message_id=message.id,
            storage_name=s.storage_name,
            display_name=s.display_name,
            content_type=s.content_type,
            size=s.size,
            sha256=s.sha256,
        )
        for s in stored
    )
    audit.record(
        db,
        actor,
        "request.staff_attachments",
        "request",
        ticket.id,
        {"message": [None, message.id], "attachments": [None, len(stored)]},
    )
