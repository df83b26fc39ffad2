"""Admins form teams, choose their members and route each kind of request to a team.

Assignment itself (round-robin among available members) happens when a request opens;
this module only keeps the tables it reads. A regional agent works one region's requests
only, so they may join a team of that region, never another region's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import PEOPLE_ROLES, Viewer
from helpdesk.audit import service as audit
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import gettext as _
from helpdesk.reference.models import Office, Region
from helpdesk.tickets.admin.deadlines import NO_ID
from helpdesk.tickets.admin.forms import TeamInput
from helpdesk.tickets.answers.admin import AdminInputError, require_admin
from helpdesk.tickets.kinds import KINDS
from helpdesk.tickets.models import Team, TeamKind, TeamMember


@dataclass(frozen=True)
class TeamRow:
    team: Team
    region_name: str | None
    members: int
    available: int


async def list_teams(db: AsyncSession, viewer: Viewer) -> list[TeamRow]:
    require_admin(viewer)
    counts = {
        code: (total, available or 0)
        for code, total, available in await db.execute(
            select(
                TeamMember.team_code,
                func.count(),
                func.sum(case((TeamMember.available.is_(True), 1), else_=0)),
            ).group_by(TeamMember.team_code)
        )
    }
    rows = await db.execute(
        select(Team, Region.name)
        .outerjoin(Region, Region.code == Team.region_code)
        .order_by(Team.name)
    )
    return [TeamRow(t, name, *counts.get(t.code, (0, 0))) for t, name in rows]


async def create_team(
    db: AsyncSession, viewer: Viewer, data: TeamInput, actor: audit.Actor
) -> Team:
    require_admin(viewer)
    if await db.get(Team, data.code) is not None:
        raise AdminInputError("codigo", _("Ya existe un equipo con ese código."))
    if data.region_code is not None and await db.get(Region, data.region_code) is None:
        raise AdminInputError("region", _("Elija una región de la lista."))
    team = Team(code=data.code, name=data.name, region_code=data.region_code)
    db.add(team)
    await db.flush()
    values = {"codigo": data.code, "nombre": data.name, "region": data.region_code}
    audit.record(db, actor, "team.create", "team", NO_ID, audit.diff({}, values))
    return team


async def get_team(db: AsyncSession, viewer: Viewer, code: str) -> tuple[Team, str | None]:
    require_admin(viewer)
    team = await db.get(Team, code)
    if team is None:
        raise NotFound("team")
    region = await db.get(Region, team.region_code) if team.region_code else None
    return team, region.name if region else None


@dataclass(frozen=True)
class StaffRow:
    id: int
    name: str
    email: str
    role: str
    region_code: str | None
    active: bool
    available: bool = False


def _staff_query() -> Select[Any]:
    return select(
        StaffAccount.id,
        StaffAccount.full_name,
        StaffAccount.email,
        StaffAccount.role,
        Office.region_code,
        StaffAccount.active,
    ).outerjoin(Office, Office.id == StaffAccount.office_id)


async def team_members(db: AsyncSession, viewer: Viewer, team: Team) -> list[StaffRow]:
    require_admin(viewer)
    rows = await db.execute(
        _staff_query()
        .add_columns(TeamMember.available)
        .join(TeamMember, TeamMember.staff_id == StaffAccount.id)
        .where(TeamMember.team_code == team.code)
        .order_by(StaffAccount.full_name, StaffAccount.id)
    )
    return [StaffRow(*row) for row in rows]


def _may_join(team: Team, role: str, region_code: str | None) -> bool:
    if role not in PEOPLE_ROLES:
        return False  # kb editors do not work requests
    return role != "regional_agent" or region_code == team.region_code


async def eligible_staff(db: AsyncSession, viewer: Viewer, team: Team) -> list[StaffRow]:
    """Active staff who work requests, may work this team's region and are not members."""
    require_admin(viewer)
    members = select(TeamMember.staff_id).where(TeamMember.team_code == team.code)
    rows = await db.execute(
        _staff_query()
        .where(StaffAccount.active.is_(True), StaffAccount.id.not_in(members))
        .order_by(StaffAccount.full_name, StaffAccount.id)
    )
    return [s for s in (StaffRow(*row) for row in rows) if _may_join(team, s.role, s.region_code)]


async def add_member(
    db: AsyncSession, viewer: Viewer, code: str, staff_id: int, actor: audit.Actor
) -> None:
    team, _region = await get_team(db, viewer, code)
    row = (await db.execute(_staff_query().where(StaffAccount.id == staff_id))).first()
    if row is None or not row.active:
        raise AdminInputError("persona", _("Elija una persona activa de la lista."))
    if not _may_join(team, row.role, row.region_code):
        raise AdminInputError(
            "persona", _("Esa persona no atiende solicitudes de la región de este equipo.")
        )
    if await db.get(TeamMember, (code, staff_id)) is not None:
        return
    db.add(TeamMember(team_code=code, staff_id=staff_id, available=True))
    audit.record(
        db, actor, "team.member_add", "staff_account", staff_id, {"equipo": [None, team.code]}
    )


async def _member(db: AsyncSession, viewer: Viewer, code: str, staff_id: int) -> TeamMember:
    await get_team(db, viewer, code)
    member = await db.get(TeamMember, (code, staff_id))
    if member is None:
        raise NotFound("team member")
    return member


async def remove_member(
    db: AsyncSession, viewer: Viewer, code: str, staff_id: int, actor: audit.Actor
) -> None:
    member = await _member(db, viewer, code, staff_id)
    await db.delete(member)
    audit.record(
        db, actor, "team.member_remove", "staff_account", staff_id, {"equipo": [code, None]}
    )


async def set_member_available(
    db: AsyncSession, viewer: Viewer, code: str, staff_id: int, available: bool, actor: audit.Actor
) -> None:
    member = await _member(db, viewer, code, staff_id)
    if member.available != available:
        member.available = available
        changes = {"equipo": [code, code], "disponible": [not available, available]}
        audit.record(db, actor, "team.member_available", "staff_account", staff_id, changes)


# --- Which team receives each kind.


async def routing(db: AsyncSession, viewer: Viewer) -> dict[str, str]:
    require_admin(viewer)
    return {row.kind: row.team_code for row in (await db.scalars(select(TeamKind))).all()}


async def set_routing(
    db: AsyncSession, viewer: Viewer, wanted: Mapping[str, str | None], actor: audit.Actor
) -> None:
    """Each kind to its team (None: no team); one audit event per kind that changes."""
    require_admin(viewer)
    teams = set((await db.scalars(select(Team.code))).all())
    unknown = [k for k, team in wanted.items() if k not in KINDS or (team and team not in teams)]
    if unknown:
        raise AdminInputError("form", _("Elija equipos de la lista."))
    rows = {row.kind: row for row in (await db.scalars(select(TeamKind))).all()}
    for kind, team in wanted.items():
        row = rows.get(kind)
        before = row.team_code if row else None
        if before == team:
            continue
        if row is None:
            db.add(TeamKind(kind=kind, team_code=team))
        elif team is None:
            await db.delete(row)
        else:
            row.team_code = team
        changes = {"tipo": [kind, kind], "equipo": [before, team]}
        audit.record(db, actor, "team.route_kind", "team_kind", NO_ID, changes)
