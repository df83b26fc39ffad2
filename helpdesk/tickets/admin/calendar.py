"""Admins set each kind's deadlines and the extra non-working days the deadlines skip.

Both feed ``service.rule_for`` and ``service.working_calendar``, which every new request
and every restarted clock read; due dates already stored are not recomputed (a request's
deadline is fixed when it is counted). Past closures are kept: they explain the due
dates that were counted with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit import service as audit
from helpdesk.calendar.models import Closure
from helpdesk.calendar.service import local_today
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import gettext as _
from helpdesk.reference.models import Region
from helpdesk.tickets.admin.forms import ClosureInput
from helpdesk.tickets.answers.admin import AdminInputError, require_admin
from helpdesk.tickets.kinds import KINDS, DeadlineRule
from helpdesk.tickets.models import KindDeadline

# Kinds and their deadlines have text keys; the audit log's entity id is a number, so these
# events carry 0 and name the kind in their changes.
NO_ID = 0


def today() -> date:
    return local_today()


class ClosureRefused(Exception):
    """``message`` is for the admin, already translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Plazos por tipo.


@dataclass(frozen=True)
class KindDeadlineRow:
    code: str
    name: str
    family: str
    default: DeadlineRule
    override: DeadlineRule | None

    @property
    def rule(self) -> DeadlineRule:
        return self.override or self.default


async def list_deadlines(db: AsyncSession, viewer: Viewer) -> list[KindDeadlineRow]:
    require_admin(viewer)
    overrides = {row.kind: row for row in (await db.scalars(select(KindDeadline))).all()}
    return [
        KindDeadlineRow(
            code,
            kind.name,
            kind.family,
            kind.deadline,
            DeadlineRule(o.legal_days, o.target_days) if (o := overrides.get(code)) else None,
        )
        for code, kind in KINDS.items()
    ]


async def get_deadline(db: AsyncSession, viewer: Viewer, kind: str) -> KindDeadlineRow:
    require_admin(viewer)
    if kind not in KINDS:
        raise NotFound("kind")
    row = await db.get(KindDeadline, kind)
    override = DeadlineRule(row.legal_days, row.target_days) if row else None
    return KindDeadlineRow(
        kind, KINDS[kind].name, KINDS[kind].family, KINDS[kind].deadline, override
    )


def _values(rule: DeadlineRule | None) -> dict[str, int | None]:
    if rule is None:
        return {"legal": None, "meta": None}
    return {"legal": rule.legal_days, "meta": rule.target_days}


async def set_deadline(
    db: AsyncSession,
    viewer: Viewer,
    kind: str,
    legal_days: int,
    target_days: int | None,
    actor: audit.Actor,
) -> None:
    current = await get_deadline(db, viewer, kind)
    new = DeadlineRule(legal_days, target_days)  # raises on a target beyond the legal term
    row = await db.get(KindDeadline, kind)
    if row is None:
        db.add(KindDeadline(kind=kind, legal_days=legal_days, target_days=target_days))
    else:
        row.legal_days, row.target_days = legal_days, target_days
    changes = audit.diff(_values(current.rule), _values(new))
    if changes or current.override is None:
        changes["tipo"] = [kind, kind]
        audit.record(db, actor, "kind_deadline.set", "kind_deadline", NO_ID, changes)


async def reset_deadline(db: AsyncSession, viewer: Viewer, kind: str, actor: audit.Actor) -> None:
    """Back to the shipped default."""
    current = await get_deadline(db, viewer, kind)
    row = await db.get(KindDeadline, kind)
    if row is None:
        return
    await db.delete(row)
    changes = audit.diff(_values(current.rule), _values(current.default))
    changes["tipo"] = [kind, kind]
    audit.record(db, actor, "kind_deadline.reset", "kind_deadline", NO_ID, changes)


# --- Feriados y cierres.


@dataclass(frozen=True)
class ClosureRow:
    closure: Closure
    region_name: str | None
    removable: bool


async def upcoming_closures(db: AsyncSession, viewer: Viewer, on: date) -> list[ClosureRow]:
    require_admin(viewer)
    rows = await db.execute(
        select(Closure, Region.name)
        .outerjoin(Region, Region.code == Closure.region_code)
        .where(Closure.day >= on)
        .order_by(Closure.day, Closure.region_code, Closure.id)
    )
    return [ClosureRow(c, name, c.day > on) for c, name in rows]


async def add_closure(
    db: AsyncSession, viewer: Viewer, data: ClosureInput, actor: audit.Actor
) -> Closure:
    require_admin(viewer)
    if data.region_code is not None and await db.get(Region, data.region_code) is None:
        raise AdminInputError("region", _("Elija una región de la lista."))
    same = (
        Closure.region_code.is_(None)
        if data.region_code is None
        else (Closure.region_code == data.region_code)
    )
    if await db.scalar(select(Closure.id).where(Closure.day == data.day, same)):
        raise AdminInputError("fecha", _("Ese día ya es un cierre para el mismo alcance."))
    closure = Closure(day=data.day, region_code=data.region_code, reason=data.reason)
    db.add(closure)
    await db.flush()
    values = {"fecha": data.day.isoformat(), "region": data.region_code, "motivo": data.reason}
    audit.record(db, actor, "closure.create", "closure", closure.id, audit.diff({}, values))
    return closure


async def delete_closure(
    db: AsyncSession, viewer: Viewer, closure_id: int, on: date, actor: audit.Actor
) -> None:
    require_admin(viewer)
    closure = await db.get(Closure, closure_id)
    if closure is None:
        raise NotFound("closure")
    if closure.day <= on:
        raise ClosureRefused(
            _("Los cierres de hoy y de días pasados se conservan: explican plazos ya contados.")
        )
    values = {
        "fecha": closure.day.isoformat(),
        "region": closure.region_code,
        "motivo": closure.reason,
    }
    await db.delete(closure)
    audit.record(db, actor, "closure.delete", "closure", closure_id, audit.diff(values, {}))
