"""A request's properties edited in place on its staff page: status, priority, assignee,
team and kind, from one form.

Everything asked is checked before anything is written, so a refusal leaves the request as
it was (the page shown with the reason reads the same object); then only the fields that
changed are applied, each with its own audit event. Region scoping: the viewer must see the
request, a team must work its region (or every region), and an assignee must work it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import PEOPLE_ROLES, Viewer
from helpdesk.audit import service as audit
from helpdesk.core.db import utcnow
from helpdesk.core.i18n import gettext as _
from helpdesk.reference.models import Office
from helpdesk.tickets import kinds, status_flow, status_moves
from helpdesk.tickets.models import Team, Ticket
from helpdesk.tickets.workbench import service as agent_service


@dataclass(frozen=True)
class Wanted:
    """What the form asks; None in status, priority or kind: not sent (kept as it is)."""

    status: str | None = None
    priority: str | None = None
    kind: str | None = None
    assignee_sent: bool = False
    assignee_id: int | None = None
    team_sent: bool = False
    team_code: str | None = None


class PropertyRefused(Exception):
    """A value the rules refuse; ``field`` is the form field the reason is shown next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Choices:
    """The options the side pane offers this viewer for this request."""

    statuses: tuple[str, ...]
    priorities: tuple[Choice, ...]
    kinds: tuple[Choice, ...]
    assignees: tuple[Choice, ...]
    teams: tuple[Choice, ...]
    may_assign_others: bool


def _same_family(ticket: Ticket) -> list[kinds.RequestKind]:
    """The kinds a request may take: its folio (SIAC-… or AYU-…) names its family."""
    current = kinds.KINDS.get(ticket.kind)
    family = current.family if current else None
    return [k for k in kinds.KINDS.values() if family is None or k.family == family]


async def _eligible_staff(
    db: AsyncSession, ticket: Ticket, staff_id: int | None = None
) -> list[tuple[int, str]]:
    """Active staff who work requests in the ticket's region (regional agents of that region,
    everyone with all regions); one account when ``staff_id`` is given."""
    stmt = (
        select(StaffAccount.id, StaffAccount.full_name)
        .outerjoin(Office, Office.id == StaffAccount.office_id)
        .where(
            StaffAccount.active.is_(True),
            StaffAccount.role.in_(sorted(PEOPLE_ROLES)),
            or_(StaffAccount.role != "regional_agent", Office.region_code == ticket.region_code),
        )
        .order_by(StaffAccount.full_name, StaffAccount.id)
    )
    if staff_id is not None:
        stmt = stmt.where(StaffAccount.id == staff_id)
    return [(row.id, row.full_name) for row in await db.execute(stmt)]


def _teams_for(ticket: Ticket) -> Any:
    return select(Team.code, Team.name).where(
        or_(Team.region_code.is_(None), Team.region_code == ticket.region_code)
    )


async def choices(db: AsyncSession, viewer: Viewer, ticket: Ticket) -> Choices:
    agent_service.check_access(viewer, ticket)
    may_assign = viewer.role in agent_service.REASSIGN_ROLES
    if may_assign:
        staff = await _eligible_staff(db, ticket)
    else:  # themselves, and whoever holds it now
        holder = await agent_service.staff_names(db, [ticket.assignee_id])
        staff = sorted({(viewer.id, viewer.name), *holder.items()}, key=lambda s: s[1])
    teams = (await db.execute(_teams_for(ticket).order_by(Team.name, Team.code))).all()
    names = kinds.priority_names()
    return Choices(
        statuses=(ticket.status, *agent_service.allowed_targets(ticket)),
        priorities=tuple(Choice(p, names[p]) for p in kinds.PRIORITIES),
        kinds=tuple(Choice(k.code, k.name) for k in _same_family(ticket)),
        assignees=tuple(Choice(str(i), name) for i, name in staff),
        teams=tuple(Choice(code, name) for code, name in teams),
        may_assign_others=may_assign,
    )


async def _check(
    db: AsyncSession, viewer: Viewer, ticket: Ticket, wanted: Wanted, now: datetime
) -> None:
    """Raises PropertyRefused for the first value the rules refuse."""
    merged = ticket.merged_into_id is not None
    changes_other_than_status = (
        (wanted.priority not in (None, ticket.priority))
        or (wanted.kind not in (None, ticket.kind))
        or (wanted.assignee_sent and wanted.assignee_id != ticket.assignee_id)
        or (wanted.team_sent and wanted.team_code != ticket.team_code)
    )
    if merged and changes_other_than_status:
        raise PropertyRefused("form", _("Esta solicitud se fusionó con otra y ya no se atiende."))
    if wanted.kind not in (None, ticket.kind) and wanted.kind not in {
        k.code for k in _same_family(ticket)
    }:
        raise PropertyRefused("tipo", _("Ese tipo no corresponde a esta solicitud."))
    if wanted.team_sent and wanted.team_code not in (None, ticket.team_code):
        team = await db.scalar(_teams_for(ticket).where(Team.code == wanted.team_code))
        if team is None:
            raise PropertyRefused("equipo", _("Elija un equipo que atienda esta región."))
    if wanted.assignee_sent and wanted.assignee_id != ticket.assignee_id:
        _check_assignee(viewer, ticket, wanted.assignee_id)
        if wanted.assignee_id not in (None, viewer.id) and not await _eligible_staff(
            db, ticket, wanted.assignee_id
        ):
            raise PropertyRefused(
                "asignada", _("Elija a una persona del equipo que atienda esta región.")
            )
    if wanted.status not in (None, ticket.status):
        target = wanted.status or ""
        try:
            status_moves.check(ticket, [target], status_flow.AGENT, now)
        except status_flow.TransitionNotAllowed as refusal:
            raise PropertyRefused("estado", refusal.message) from None
        if target in agent_service.ENDING_MOVES and await agent_service.reply_owed(db, ticket):
            raise PropertyRefused(
                "estado",
                _(
                    "La persona respondió que la respuesta automática no resolvió su consulta. "
                    "Escríbale una respuesta antes de resolver o cerrar la solicitud."
                ),
            )


def _check_assignee(viewer: Viewer, ticket: Ticket, new: int | None) -> None:
    before = ticket.assignee_id
    if viewer.role in agent_service.REASSIGN_ROLES:
        return
    if new is None and before != viewer.id:
        raise PropertyRefused(
            "asignada",
            _("Solo quien tiene la solicitud asignada o un supervisor puede liberarla."),
        )
    if new == viewer.id and before is not None:
        raise PropertyRefused(
            "asignada",
            _("Otra persona ya tiene esta solicitud. Pida a un supervisor que la reasigne."),
        )
    if new not in (None, viewer.id):
        raise PropertyRefused(
            "asignada", _("Solo supervisores y administradores pueden asignar a otra persona.")
        )


async def apply(
    db: AsyncSession,
    viewer: Viewer,
    ticket: Ticket,
    wanted: Wanted,
    actor: audit.Actor,
    now: datetime | None = None,
) -> list[str]:
    """Checks every value, then applies the changed ones; returns the fields changed.
    Raises PropertyRefused (nothing written) when a value is refused."""
    agent_service.check_access(viewer, ticket)
    now = now or utcnow()
    await _check(db, viewer, ticket, wanted, now)
    changed: list[str] = []
    if wanted.kind not in (None, ticket.kind):
        await _change_kind(db, ticket, wanted.kind or "", actor, now)
        changed.append("kind")
    if wanted.priority not in (None, ticket.priority):
        before = ticket.priority
        ticket.priority = wanted.priority or before
        audit.record(
            db, actor, "request.priority", "request", ticket.id,
            {"priority": [before, ticket.priority]},
        )  # fmt: skip
        changed.append("priority")
    if wanted.team_sent and wanted.team_code != ticket.team_code:
        before_team = ticket.team_code
        ticket.team_code = wanted.team_code
        audit.record(
            db, actor, "request.team", "request", ticket.id,
            {"team_code": [before_team, wanted.team_code]},
        )  # fmt: skip
        changed.append("team")
    if wanted.assignee_sent and wanted.assignee_id != ticket.assignee_id:
        await _assign(db, viewer, ticket, wanted.assignee_id, actor, now)
        changed.append("assignee")
    if wanted.status not in (None, ticket.status):
        await agent_service.change_status(db, viewer, ticket, wanted.status or "", actor, now)
        changed.append("status")
    if changed:
        ticket.updated_at = now
    return changed


async def _change_kind(
    db: AsyncSession, ticket: Ticket, code: str, actor: audit.Actor, now: datetime
) -> None:
    """The new kind's legal deadline, counted from the same reception and pauses, when the
    clock runs (a paused or answered request gets it when its clock restarts)."""
    old = kinds.KINDS.get(ticket.kind)
    new = kinds.KINDS[code]
    changes: dict[str, list[Any]] = {"kind": [ticket.kind, code]}
    ticket.kind = code
    if ticket.tramite_code and (old is None or new.topic != old.topic):
        changes["tramite_code"] = [ticket.tramite_code, None]  # another topic's trámite
        ticket.tramite_code = None
    if status_flow.clock_running(ticket.status):
        before = ticket.legal_due_on
        await status_moves.restart_clock(db, ticket, now)
        if ticket.legal_due_on != before:
            changes["legal_due_on"] = [
                before.isoformat() if before else None,
                ticket.legal_due_on.isoformat() if ticket.legal_due_on else None,
            ]
    audit.record(db, actor, "request.kind", "request", ticket.id, changes)


async def _assign(
    db: AsyncSession,
    viewer: Viewer,
    ticket: Ticket,
    new: int | None,
    actor: audit.Actor,
    now: datetime,
) -> None:
    if new is None:
        await agent_service.unassign(db, viewer, ticket, actor, now)
    elif new == viewer.id:
        await agent_service.claim(db, viewer, ticket, actor, now)  # opens a new request
    else:
        before = ticket.assignee_id
        ticket.assignee_id = new
        audit.record(
            db, actor, "request.assign", "request", ticket.id, {"assignee_id": [before, new]}
        )
