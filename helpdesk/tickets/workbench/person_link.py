"""Requests a regional agent opened for an email whose record lies outside their region.

Opening such a request (``opening.writing``) gives it a new record, as for an unknown email,
so the agent learns nothing about the other record; the record the email belongs to is held
in ``PendingPersonLink``. A central analyst, a supervisor or an admin sees it on the
request's page and links the request to it: the request and its citizen messages move to
that record, audited, in the caller's unit of work.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import ALL_REGIONS_ROLES, Viewer
from helpdesk.audit import service as audit
from helpdesk.core.errors import PermissionDenied
from helpdesk.people import service as people_service
from helpdesk.people.models import Person
from helpdesk.tickets.models import PendingPersonLink, Ticket, TicketMessage
from helpdesk.tickets.workbench.service import check_access

# Who may see the held record and confirm the link: those who see every region.
CONFIRM_ROLES = ALL_REGIONS_ROLES


async def held_record(db: AsyncSession, viewer: Viewer, ticket: Ticket) -> Person | None:
    """The record this request's email belongs to while the link waits, for those who may
    confirm it; None for everyone else."""
    if viewer.role not in CONFIRM_ROLES:
        return None
    pending = await db.get(PendingPersonLink, ticket.id)
    if pending is None:
        return None
    return await people_service.survivor(db, await db.get(Person, pending.candidate_id))


async def confirm(db: AsyncSession, viewer: Viewer, ticket: Ticket, actor: audit.Actor) -> bool:
    """Links the request to the held record; False when there was nothing to link."""
    check_access(viewer, ticket)
    if viewer.role not in CONFIRM_ROLES:
        raise PermissionDenied("only analysts and supervisors confirm a person link")
    pending = await db.get(PendingPersonLink, ticket.id)
    if pending is None:
        return False
    person = await people_service.survivor(db, await db.get(Person, pending.candidate_id))
    await db.delete(pending)
    if person is None or person.id == ticket.person_id:
        return False
    before = ticket.person_id
    ticket.person_id = person.id
    await db.execute(
        update(TicketMessage)
        .where(TicketMessage.request_id == ticket.id, TicketMessage.author_kind == "citizen")
        .values(author_id=person.id)
    )
    audit.record(
        db, actor, "request.person", "request", ticket.id, {"person_id": [before, person.id]}
    )
    return True
