"""Merging a duplicate request into the one kept, and linking related requests.

A merge deletes and moves nothing: the duplicate is closed (its status history says so),
points at the request kept (``merged_into_id``) and gets a "duplicate" link; its messages
stay on it, and the kept request's page shows them. Both requests get an internal note and
an audit event. The status flow then refuses every move of the duplicate, agents cannot
write on it, and the citizen is told where the conversation continues (their replies by
email follow the merge already, see ``inbound_service``; on the web they are refused).

Like ``agent_service``, every function checks the viewer's role and region, writes in the
caller's unit of work and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.audit import service as audit
from helpdesk.core.db import lock_in_order, utcnow
from helpdesk.core.errors import PermissionDenied
from helpdesk.core.i18n import gettext as _
from helpdesk.tickets import status_flow
from helpdesk.tickets.models import Ticket, TicketLink
from helpdesk.tickets.workbench import service as agent_service

RELATED: Final = "related"
DUPLICATE: Final = "duplicate"
# The page shows at most this many merged conversations (merges are rare; this is a guard).
MERGED_SHOWN: Final = 20


class LinkRefused(Exception):
    """A refused merge or link; ``message`` is for the agent, already translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def find_for_staff(db: AsyncSession, viewer: Viewer, folio: str) -> Ticket | None:
    """The request with this folio if the viewer may work it; an unknown folio and one of
    another region give the same None, so the form reveals nothing about other regions."""
    region_scope(viewer)
    found = await db.scalar(select(Ticket).where(Ticket.folio == folio.strip().upper()))
    if found is None:
        return None
    try:
        agent_service.check_access(viewer, found)
    except PermissionDenied:
        return None
    return found


async def _link_between(db: AsyncSession, a: Ticket, b: Ticket) -> TicketLink | None:
    return await db.scalar(
        select(TicketLink).where(
            or_(
                (TicketLink.request_id == a.id) & (TicketLink.related_id == b.id),
                (TicketLink.request_id == b.id) & (TicketLink.related_id == a.id),
            )
        )
    )


# --- Merging.


async def _close_duplicate(
    db: AsyncSession, viewer: Viewer, duplicate: Ticket, actor: audit.Actor, now: datetime
) -> None:
    if duplicate.status == status_flow.CERRADO:
        return
    # An agent may close any open request, so the merge closes the duplicate as the agent.
    # Its conversation goes on in the request kept: no reply owed here, no closing email.
    await agent_service.change_status(
        db, viewer, duplicate, status_flow.CERRADO, actor, now, merging=True
    )


async def merge_requests(
    db: AsyncSession,
    viewer: Viewer,
    duplicate: Ticket,
    kept: Ticket,
    actor: audit.Actor,
    now: datetime | None = None,
) -> TicketLink:
    """Merge ``duplicate`` into ``kept``; raises ``LinkRefused`` (nothing written) when the
    pair cannot be merged."""
    agent_service.check_access(viewer, duplicate)
    agent_service.check_access(viewer, kept)
    if duplicate.id == kept.id:
        raise LinkRefused(_("Una solicitud no puede fusionarse consigo misma."))
    await lock_in_order(db, duplicate, kept)
    if duplicate.merged_into_id is not None:
        raise LinkRefused(
            _("La solicitud %(folio)s ya se fusionó con otra.", folio=duplicate.folio)
        )
    if kept.merged_into_id is not None:
        raise LinkRefused(
            _(
                "La solicitud %(folio)s se fusionó con otra; elija la solicitud que la reúne.",
                folio=kept.folio,
            )
        )
    now = now or utcnow()
    await _close_duplicate(db, viewer, duplicate, actor, now)
    duplicate.merged_into_id = kept.id
    duplicate.updated_at = now
    kept.updated_at = now

    link = await _link_between(db, duplicate, kept)
    if link is None:
        link = TicketLink(created_by=viewer.id, created_at=now)
        db.add(link)
    # A "related" link between the two becomes the merge's link (one row per pair).
    link.request_id, link.related_id, link.relation = duplicate.id, kept.id, DUPLICATE

    text = _(
        "La solicitud %(duplicate)s se fusionó con %(kept)s.",
        duplicate=duplicate.folio,
        kept=kept.folio,
    )
    await agent_service.add_note(db, viewer, duplicate, text, actor, now)
    await agent_service.add_note(db, viewer, kept, text, actor, now)
    audit.record(
        db, actor, "request.merge", "request", duplicate.id, {"merged_into": [None, kept.folio]}
    )
    audit.record(
        db, actor, "request.merge", "request", kept.id, {"merged_from": [None, duplicate.folio]}
    )
    await db.flush()
    return link


# --- Linking.


async def link_requests(
    db: AsyncSession, viewer: Viewer, a: Ticket, b: Ticket, actor: audit.Actor
) -> TicketLink:
    """Relate two requests (shown on both pages). Linking a linked pair changes nothing."""
    agent_service.check_access(viewer, a)
    agent_service.check_access(viewer, b)
    if a.id == b.id:
        raise LinkRefused(_("Una solicitud no puede vincularse consigo misma."))
    existing = await _link_between(db, a, b)
    if existing is not None:
        return existing
    link = TicketLink(request_id=a.id, related_id=b.id, relation=RELATED, created_by=viewer.id)
    db.add(link)
    await db.flush()
    audit.record(db, actor, "request.link", "request", a.id, {"related": [None, b.folio]})
    audit.record(db, actor, "request.link", "request", b.id, {"related": [None, a.folio]})
    return link


async def unlink_requests(
    db: AsyncSession, viewer: Viewer, ticket: Ticket, link_id: int, actor: audit.Actor
) -> bool:
    """Remove a "related" link of ``request``; False when it was already gone. A merge's
    link is history and stays."""
    agent_service.check_access(viewer, ticket)
    link = await db.get(TicketLink, link_id)
    # Another request's link is answered as one already gone: nothing about other regions.
    if link is None or ticket.id not in (link.request_id, link.related_id):
        return False
    if link.relation != RELATED:
        raise LinkRefused(_("Una fusión no se deshace; la solicitud fusionada queda cerrada."))
    other_id = link.related_id if link.request_id == ticket.id else link.request_id
    other = await db.get(Ticket, other_id)
    other_folio = other.folio if other else None
    await db.delete(link)
    audit.record(
        db, actor, "request.unlink", "request", ticket.id, {"related": [other_folio, None]}
    )
    if other is not None:
        audit.record(
            db, actor, "request.unlink", "request", other.id, {"related": [ticket.folio, None]}
        )
    return True


# --- Reading, for the staff page and the citizen's page.


@dataclass
class LinkedRequest:
    link_id: int
    folio: str
    # None when the viewer may not work the other request (another region): folio only.
    ticket: Ticket | None


@dataclass
class MergedRequest:
    folio: str
    ticket: Ticket | None
    entries: list[agent_service.StaffEntry] = field(default_factory=list)


@dataclass
class LinksView:
    related: list[LinkedRequest]
    merged_into: Ticket | None
    merged: list[MergedRequest]


async def links_view(db: AsyncSession, viewer: Viewer, ticket: Ticket) -> LinksView:
    """The related requests (both directions), where a duplicate went, and what was merged
    into this one with its conversation: two queries, plus the merged conversations."""
    links = (
        await db.scalars(
            select(TicketLink)
            .where(or_(TicketLink.request_id == ticket.id, TicketLink.related_id == ticket.id))
            .order_by(TicketLink.id)
        )
    ).all()
    other_ids = {
        link.related_id if link.request_id == ticket.id else link.request_id for link in links
    }
    if ticket.merged_into_id is not None:
        other_ids.add(ticket.merged_into_id)
    others: dict[int, Ticket] = {}
    if other_ids:
        rows = await db.scalars(select(Ticket).where(Ticket.id.in_(other_ids)))
        others = {row.id: row for row in rows}
    scope = region_scope(viewer)

    def visible(row: Ticket | None) -> Ticket | None:
        return row if row is not None and (scope is None or row.region_code == scope) else None

    related: list[LinkedRequest] = []
    merged: list[MergedRequest] = []
    for link in links:
        other = others.get(link.related_id if link.request_id == ticket.id else link.request_id)
        if other is None:
            continue
        if link.relation == RELATED:
            related.append(LinkedRequest(link.id, other.folio, visible(other)))
        elif link.related_id == ticket.id and len(merged) < MERGED_SHOWN:
            shown = visible(other)
            entries = await agent_service.conversation(db, shown) if shown else []
            merged.append(MergedRequest(other.folio, shown, entries))
    merged_into = others.get(ticket.merged_into_id) if ticket.merged_into_id else None
    return LinksView(related, merged_into, merged)


@dataclass(frozen=True)
class CitizenMergeNotice:
    # The kept folio, shown only when that request is the same person's.
    kept_folio: str | None

    @property
    def message(self) -> str:
        if self.kept_folio:
            return _(
                "Esta solicitud se fusionó con %(folio)s. Siga la conversación en esa "
                "solicitud (con el enlace de su correo o desde su cuenta).",
                folio=self.kept_folio,
            )
        return _(
            "Esta solicitud se fusionó con otra solicitud. Una persona de nuestro equipo "
            "le responderá."
        )


async def citizen_notice(db: AsyncSession, ticket: Ticket) -> CitizenMergeNotice | None:
    """What the citizen's page says about a merged request; None when it is not merged."""
    if ticket.merged_into_id is None:
        return None
    kept = await db.get(Ticket, ticket.merged_into_id)
    same_person = kept is not None and kept.person_id == ticket.person_id
    return CitizenMergeNotice(kept.folio if kept is not None and same_person else None)
