"""Closures: extra non-working days an admin declares (a holiday set by a special law, an
office closed by a strike or an emergency), for the whole country or one region.

Every deadline and, later, every appointment slot reads them through the working calendar.
Past closures are kept: they explain the due dates that were counted with them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, require_staff
from helpdesk.audit import service as audit
from helpdesk.calendar.models import Closure
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import gettext as _
from helpdesk.reference.models import Region

REASON_MAX: Final = 200
# What other domains do when a closure is added, in its transaction (appointments cancel
# the ones it hits); registered from app.py, so the calendar imports none of them.
ClosureHook = Callable[[AsyncSession, Closure, audit.Actor], Awaitable[None]]
_HOOKS: list[ClosureHook] = []


def register_closure_hook(hook: ClosureHook) -> None:
    if hook not in _HOOKS:
        _HOOKS.append(hook)


LAST_YEAR: Final = 2099


class ClosureRefused(Exception):
    """``message`` is for the admin, already translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ClosureInvalid(Exception):
    """Input the database refuses; ``message`` belongs next to the form's ``field``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class NewClosure:
    day: date
    region_code: str | None
    reason: str


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_closure(form: Mapping[str, Any], today: date) -> tuple[NewClosure, dict[str, str]]:
    errors: dict[str, str] = {}
    raw = _text(form, "fecha")
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        errors["fecha"] = _("Escriba la fecha como AAAA-MM-DD.")
    elif day < today:
        errors["fecha"] = _("Elija hoy o una fecha futura: los cierres pasados no se agregan.")
    elif day.year > LAST_YEAR:
        errors["fecha"] = _("Elija una fecha anterior a %(year)s.", year=LAST_YEAR + 1)
    reason = _text(form, "motivo")
    if not reason:
        errors["motivo"] = _("Escriba el motivo (por ejemplo, la ley que declara el feriado).")
    elif len(reason) > REASON_MAX:
        errors["motivo"] = _("El motivo puede tener hasta %(max)s caracteres.", max=REASON_MAX)
    region = _text(form, "region").upper()[:2] or None
    return NewClosure(day or today, region, reason[:REASON_MAX]), errors


@dataclass(frozen=True)
class ClosureRow:
    closure: Closure
    region_name: str | None
    removable: bool


async def upcoming_closures(db: AsyncSession, viewer: Viewer, on: date) -> list[ClosureRow]:
    require_staff(viewer, "admin")
    rows = await db.execute(
        select(Closure, Region.name)
        .outerjoin(Region, Region.code == Closure.region_code)
        .where(Closure.day >= on)
        .order_by(Closure.day, Closure.region_code, Closure.id)
    )
    return [ClosureRow(c, name, c.day > on) for c, name in rows]


async def add_closure(
    db: AsyncSession, viewer: Viewer, data: NewClosure, actor: audit.Actor
) -> Closure:
    require_staff(viewer, "admin")
    if data.region_code is not None and await db.get(Region, data.region_code) is None:
        raise ClosureInvalid("region", _("Elija una región de la lista."))
    same = (
        Closure.region_code.is_(None)
        if data.region_code is None
        else (Closure.region_code == data.region_code)
    )
    if await db.scalar(select(Closure.id).where(Closure.day == data.day, same)):
        raise ClosureInvalid("fecha", _("Ese día ya es un cierre para el mismo alcance."))
    closure = Closure(day=data.day, region_code=data.region_code, reason=data.reason)
    db.add(closure)
    await db.flush()
    values = {"fecha": data.day.isoformat(), "region": data.region_code, "motivo": data.reason}
    audit.record(db, actor, "closure.create", "closure", closure.id, audit.diff({}, values))
    for hook in _HOOKS:
        await hook(db, closure, actor)
    return closure


async def delete_closure(
    db: AsyncSession, viewer: Viewer, closure_id: int, on: date, actor: audit.Actor
) -> None:
    require_staff(viewer, "admin")
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
