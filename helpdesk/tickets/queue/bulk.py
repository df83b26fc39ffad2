"""Bulk actions on the queue: one action applied to up to ``MAX_FOLIOS`` requests at once.

The batch is all or nothing. Every request is checked first (region, who holds it, the
status flow) and only then is anything written, so a refusal names its folio and leaves every
request as it was; the writes go through the same service functions as the single actions,
with their history and audit events, in the caller's unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import PEOPLE_ROLES, Viewer, region_scope
from helpdesk.audit import service as audit
from helpdesk.core.db import utcnow
from helpdesk.core.errors import PermissionDenied
from helpdesk.core.i18n import gettext as _
from helpdesk.reference.models import Office
from helpdesk.tickets import status_flow
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue import tags
from helpdesk.tickets.workbench import service as agent_service

TAKE, STATUS, TAG, ASSIGN = "tomar", "estado", "etiqueta", "asignar"
ACTIONS = (TAKE, STATUS, TAG, ASSIGN)
MAX_FOLIOS = 100


@dataclass(frozen=True)
class BulkAction:
    action: str
    folios: tuple[str, ...]
    status: str | None = None  # estado
    tag: str | None = None  # etiqueta
    agent_id: int | None = None  # asignar


class BulkRefused(Exception):
    """The batch was refused; ``message`` names the folio (when one is to blame) and why."""

    def __init__(self, reason: str, folio: str | None = None) -> None:
        message = _("%(folio)s: %(reason)s", folio=folio, reason=reason) if folio else reason
        super().__init__(message)
        self.message = message
        self.folio = folio


def unknown_folio() -> str:
    """Why a folio is refused when it does not exist or is in a region not the viewer's."""
    return _("no hay una solicitud con ese folio.")


@dataclass(frozen=True)
class _Assignee:
    id: int
    name: str
    region_code: str | None  # set for regional agents only: they work their region


async def _assignee(db: AsyncSession, viewer: Viewer, agent_id: int | None) -> _Assignee:
    if viewer.role not in agent_service.REASSIGN_ROLES:
        raise BulkRefused(_("Solo supervisores y administradores pueden asignar a otra persona."))
    row = (
        await db.execute(
            select(StaffAccount, Office.region_code)
            .outerjoin(Office, Office.id == StaffAccount.office_id)
            .where(StaffAccount.id == (agent_id or 0))
        )
    ).first()
    if row is None or not row[0].active or row[0].role not in PEOPLE_ROLES:
        raise BulkRefused(_("Elija a una persona del equipo que atienda solicitudes."))
    account, region = row
    return _Assignee(
        account.id, account.full_name, region if account.role == "regional_agent" else None
    )


def _check(
    viewer: Viewer, action: BulkAction, ticket: Ticket, assignee: _Assignee | None, now: datetime
) -> None:
    """Raises BulkRefused (with the folio) when this request cannot take the action."""
    try:
        agent_service.check_access(viewer, ticket)
    except PermissionDenied:
        # The same words as for a folio that does not exist: nothing about other regions.
        raise BulkRefused(unknown_folio(), ticket.folio) from None
    merged = ticket.merged_into_id is not None
    if action.action in (TAKE, ASSIGN) and merged:
        raise BulkRefused(_("la solicitud se fusionó con otra y ya no se atiende."), ticket.folio)
    if action.action == TAKE:
        holder = ticket.assignee_id
        if holder not in (None, viewer.id) and viewer.role not in agent_service.REASSIGN_ROLES:
            raise BulkRefused(_("otra persona ya tiene esta solicitud."), ticket.folio)
    elif action.action == STATUS and action.status != ticket.status:
        try:
            status_flow.check_transition(
                ticket.status,
                action.status or "",
                status_flow.AGENT,
                resolved_at=ticket.resolved_at,
                now=now,
                merged=merged,
            )
        except status_flow.TransitionNotAllowed as refusal:
            raise BulkRefused(refusal.message, ticket.folio) from None
    elif (
        action.action == ASSIGN
        and assignee is not None
        and assignee.region_code not in (None, ticket.region_code)
    ):
        raise BulkRefused(_("%(name)s atiende otra región.", name=assignee.name), ticket.folio)


async def _assign(
    db: AsyncSession, ticket: Ticket, assignee: _Assignee, actor: audit.Actor, now: datetime
) -> bool:
    before = ticket.assignee_id
    if before == assignee.id:
        return False
    ticket.assignee_id = assignee.id
    ticket.updated_at = now
    audit.record(
        db, actor, "request.assign", "request", ticket.id, {"assignee_id": [before, assignee.id]}
    )
    return True


async def _apply_one(
    db: AsyncSession,
    viewer: Viewer,
    action: BulkAction,
    ticket: Ticket,
    assignee: _Assignee | None,
    actor: audit.Actor,
    now: datetime,
) -> bool:
    if action.action == TAKE:
        if ticket.assignee_id == viewer.id:
            return False
        await agent_service.claim(db, viewer, ticket, actor, now)
        return True
    if action.action == STATUS:
        if action.status == ticket.status:
            return False  # already there: nothing to do, not a refusal
        await agent_service.change_status(db, viewer, ticket, action.status or "", actor, now)
        return True
    if action.action == TAG:
        return await tags.add_tag(db, viewer, ticket, action.tag or "", actor)
    assert assignee is not None
    return await _assign(db, ticket, assignee, actor, now)


async def apply(
    db: AsyncSession,
    viewer: Viewer,
    action: BulkAction,
    actor: audit.Actor,
    now: datetime | None = None,
) -> int:
    """Applies ``action`` to every folio or to none (raises BulkRefused); returns how many
    requests changed (those already in the asked state are left alone)."""
    region_scope(viewer)  # refuses roles without requests before reading anything
    if action.action not in ACTIONS:
        raise ValueError(f"unknown bulk action {action.action!r}")
    folios = tuple(dict.fromkeys(f.upper() for f in action.folios))
    if not folios:
        raise BulkRefused(_("Seleccione al menos una solicitud."))
    if len(folios) > MAX_FOLIOS:
        raise BulkRefused(
            _("Seleccione como máximo %(max)s solicitudes a la vez.", max=str(MAX_FOLIOS))
        )
    if action.action == STATUS and action.status not in status_flow.STATUSES:
        raise BulkRefused(_("Elija un estado de la lista."))
    if action.action == TAG:
        try:
            action = BulkAction(TAG, folios, tag=tags.normalize_tag(action.tag or ""))
        except tags.InvalidTag as invalid:
            raise BulkRefused(invalid.message) from None
    assignee = await _assignee(db, viewer, action.agent_id) if action.action == ASSIGN else None
    now = now or utcnow()
    found = {r.folio: r for r in await db.scalars(select(Ticket).where(Ticket.folio.in_(folios)))}
    batch = []
    for folio in folios:
        ticket = found.get(folio)
        if ticket is None:
            raise BulkRefused(unknown_folio(), folio)
        _check(viewer, action, ticket, assignee, now)
        batch.append(ticket)
    changed = 0
    for ticket in batch:
        try:
            changed += await _apply_one(db, viewer, action, ticket, assignee, actor, now)
        except status_flow.TransitionNotAllowed as refusal:
            # A rule that needs the database (a reply owed to the person after her "No"):
            # the whole batch is refused, and the caller's rollback undoes what was done.
            raise BulkRefused(refusal.message, ticket.folio) from None
    return changed
