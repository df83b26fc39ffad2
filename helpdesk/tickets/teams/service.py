"""Routing a new request to its team and round-robin assignment among the team's agents.

A kind may belong to a team (``TeamKind``). A new request of that kind joins the team and
goes to the next eligible member after the one who got the previous request
(``Team.last_assigned_id``), in staff id order, wrapping around. Eligible: marked available
in the team, an active account, a role that works requests, and allowed to work the region
of the team and of the request (a regional agent only their office's region; central staff
every region, as ``permissions.region_scope`` says). No team, or nobody eligible: the request
stays unassigned for someone to claim.

Language first: among the eligible members, those who answer in the request's language
(``StaffAccount.languages``, declared by each agent) take turns on it; when none of them
does, every eligible member does. A Creole request reaches the Creole speakers first.

The team row is locked while choosing (``FOR UPDATE`` on PostgreSQL; on SQLite the single
writer lock, taken first), so concurrent creations take turns and spread evenly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import PEOPLE_ROLES, Viewer, require_staff
from helpdesk.audit import service as audit
from helpdesk.core.i18n import gettext as _
from helpdesk.core.language import DEFAULT_LANGUAGE, LANGUAGES
from helpdesk.reference.models import Office
from helpdesk.tickets.models import Team, TeamKind, TeamMember, Ticket

REGIONAL_AGENT = "regional_agent"


class AvailabilityRefused(Exception):
    """``message`` is for the agent, already translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def next_after(candidates: list[int], last: int | None) -> int | None:
    """The first id after ``last`` (ids ascending), wrapping to the first one."""
    if not candidates:
        return None
    if last is not None:
        for staff_id in candidates:
            if staff_id > last:
                return staff_id
    return candidates[0]


def parse_languages(value: str | None) -> tuple[str, ...]:
    """The portal languages in a stored or submitted list ("ht,es"), in the portal's order;
    anything else is dropped."""
    given = {part.strip() for part in (value or "").split(",")}
    return tuple(code for code in LANGUAGES if code in given)


def spoken(declared: str | None) -> frozenset[str]:
    """The languages someone answers in: what they declared, or Spanish when they declared
    nothing (every member of the service works in Spanish)."""
    return frozenset(parse_languages(declared)) or frozenset({DEFAULT_LANGUAGE})


def speakers_first(members: Sequence[tuple[int, str]], language: str | None) -> list[int]:
    """The ids (ascending) who take turns on a request in ``language``: those who speak it,
    or everyone when nobody does."""
    speaking = [staff_id for staff_id, declared in members if language in spoken(declared)]
    return speaking or [staff_id for staff_id, _declared in members]


async def _locked_team(db: AsyncSession, code: str) -> Team | None:
    stmt = select(Team).where(Team.code == code).execution_options(populate_existing=True)
    if db.get_bind().dialect.name == "postgresql":
        # FOR NO KEY UPDATE: it excludes other routings but not the key-share locks that
        # rows pointing at the team take (a request saved with this team_code); plain
        # FOR UPDATE would deadlock two transactions that each hold one of those.
        return await db.scalar(stmt.with_for_update(key_share=True))
    # SQLite: a write that changes nothing takes the write lock before the read below.
    await db.execute(
        update(Team)
        .where(Team.code == code)
        .values(last_assigned_id=Team.last_assigned_id)
        .execution_options(synchronize_session=False)
    )
    return await db.scalar(stmt)


async def eligible_members(
    db: AsyncSession, team: Team, region_code: str | None
) -> list[tuple[int, str]]:
    """(staff id, declared languages), ids ascending, of those who may receive the team's
    next request of ``region_code``."""
    stmt = (
        select(StaffAccount.id, StaffAccount.languages)
        .join(TeamMember, TeamMember.staff_id == StaffAccount.id)
        .outerjoin(Office, Office.id == StaffAccount.office_id)
        .where(
            TeamMember.team_code == team.code,
            TeamMember.available.is_(True),
            StaffAccount.active.is_(True),
            StaffAccount.role.in_(PEOPLE_ROLES),
        )
        .order_by(StaffAccount.id)
    )
    for region in {team.region_code, region_code} - {None}:
        stmt = stmt.where(or_(StaffAccount.role != REGIONAL_AGENT, Office.region_code == region))
    if region_code is None:
        # A request with no region (e.g. from the OIRS mailbox) is outside every regional
        # agent's scope: only central staff could open it once assigned.
        stmt = stmt.where(StaffAccount.role != REGIONAL_AGENT)
    return [(staff_id, languages) for staff_id, languages in await db.execute(stmt)]


async def route_new_request(db: AsyncSession, ticket: Ticket) -> int | None:
    """Sets the request's team (by its kind) and assignee (round-robin); returns the
    assignee's id, or None when it stays unassigned. Called by ``service.open_request``."""
    before = {"team_code": ticket.team_code, "assignee_id": ticket.assignee_id}
    code = ticket.team_code or await db.scalar(
        select(TeamKind.team_code).where(TeamKind.kind == ticket.kind)
    )
    if code is None or ticket.assignee_id is not None:
        ticket.team_code = code
        _record(db, ticket, before)
        return ticket.assignee_id
    team = await _locked_team(db, code)  # before the request points at it: see _locked_team
    ticket.team_code = code
    chosen = None
    if team is not None:
        members = await eligible_members(db, team, ticket.region_code)
        chosen = next_after(speakers_first(members, ticket.locale), team.last_assigned_id)
        if chosen is not None:
            ticket.assignee_id = team.last_assigned_id = chosen
    _record(db, ticket, before)
    return chosen


def _record(db: AsyncSession, ticket: Ticket, before: dict[str, object]) -> None:
    after = {"team_code": ticket.team_code, "assignee_id": ticket.assignee_id}
    changes = audit.diff(before, after)
    if changes:
        action = "request.assign" if "assignee_id" in changes else "request.team"
        audit.record(db, audit.SYSTEM, action, "request", ticket.id, changes)


# --- The agent's own availability.


@dataclass(frozen=True)
class Membership:
    team_code: str
    team_name: str
    available: bool


async def memberships(db: AsyncSession, viewer: Viewer) -> list[Membership]:
    require_staff(viewer)
    rows = await db.execute(
        select(Team.code, Team.name, TeamMember.available)
        .join(TeamMember, TeamMember.team_code == Team.code)
        .where(TeamMember.staff_id == viewer.id)
        .order_by(Team.name, Team.code)
    )
    return [Membership(code, name, available) for code, name, available in rows]


async def set_availability(
    db: AsyncSession, viewer: Viewer, available: bool, actor: audit.Actor
) -> list[Membership]:
    """Marks the viewer available (or not) for round-robin in every team they belong to."""
    rows = (
        await db.scalars(
            select(TeamMember)
            .where(TeamMember.staff_id == require_staff(viewer).id)
            .order_by(TeamMember.team_code)
        )
    ).all()
    if not rows:
        raise AvailabilityRefused(_("Usted no pertenece a ningún equipo."))
    changed = [row.team_code for row in rows if row.available != available]
    for row in rows:
        row.available = available
    if changed:
        audit.record(
            db,
            actor,
            "staff.availability",
            "staff",
            viewer.id,
            {"available": [not available, available], "teams": [None, changed]},
        )
    await db.flush()
    return await memberships(db, viewer)


# --- The languages an agent answers in.


async def languages_of(db: AsyncSession, viewer: Viewer) -> tuple[str, ...]:
    declared = await db.scalar(
        select(StaffAccount.languages).where(StaffAccount.id == require_staff(viewer).id)
    )
    return parse_languages(declared)


async def set_languages(
    db: AsyncSession, viewer: Viewer, languages: Iterable[str], actor: audit.Actor
) -> tuple[str, ...]:
    """Records the languages the viewer answers in (only portal languages are kept)."""
    account = await db.get(StaffAccount, require_staff(viewer).id)
    if account is None:
        raise AvailabilityRefused(_("Su cuenta ya no existe."))
    value = ",".join(parse_languages(",".join(languages)))
    if value != account.languages:
        audit.record(
            db,
            actor,
            "staff.languages",
            "staff",
            account.id,
            {"languages": [account.languages, value]},
        )
        account.languages = value
        await db.flush()
    return parse_languages(value)
