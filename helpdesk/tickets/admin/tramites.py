"""Admins keep the trámites the portal form offers in each category: their names in every
language, whether they are offered at all, and new trámites. Shipped codes and categories
come from the catalogue (``reference.data``): requests, rules and articles point at them.

A trámite an admin adds or edits is marked (``Tramite.edited_at``): the reference sync at
``migrate`` leaves it as the admin left it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit import service as audit
from helpdesk.core.db import utcnow
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from helpdesk.core.i18n import gettext as _
from helpdesk.reference.models import Tramite, TramiteName
from helpdesk.tickets.admin.deadlines import NO_ID
from helpdesk.tickets.admin.forms import TramiteInput
from helpdesk.tickets.answers.admin import AdminInputError, require_admin


@dataclass(frozen=True)
class TramiteRow:
    tramite: Tramite
    names: dict[str, str]  # locale -> name, Spanish included

    @property
    def missing(self) -> list[str]:
        """The languages it has no name in (the form shows them Spanish)."""
        return [locale for locale in SUPPORTED_LOCALES if locale not in self.names]


async def _names(db: AsyncSession, codes: list[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {code: {} for code in codes}
    rows = await db.execute(
        select(TramiteName.tramite_code, TramiteName.locale, TramiteName.name).where(
            TramiteName.tramite_code.in_(codes)
        )
    )
    for code, locale, name in rows:
        found[code][locale] = name
    return found


async def list_tramites(db: AsyncSession, viewer: Viewer) -> list[TramiteRow]:
    """Every trámite, offered or not, by category and catalogue order."""
    require_admin(viewer)
    rows = list((await db.scalars(select(Tramite).order_by(Tramite.topic, Tramite.ordinal))).all())
    names = await _names(db, [t.code for t in rows])
    return [TramiteRow(t, {DEFAULT_LOCALE: t.name, **names[t.code]}) for t in rows]


async def get_tramite(db: AsyncSession, viewer: Viewer, code: str) -> TramiteRow:
    require_admin(viewer)
    tramite = await db.get(Tramite, code)
    if tramite is None:
        raise NotFound("tramite")
    names = await _names(db, [code])
    return TramiteRow(tramite, {DEFAULT_LOCALE: tramite.name, **names[code]})


def _audit_values(names: dict[str, str], active: bool) -> dict[str, object]:
    values: dict[str, object] = {f"nombre_{loc}": names.get(loc) for loc in SUPPORTED_LOCALES}
    values["activo"] = active
    return values


async def _set_names(db: AsyncSession, code: str, names: dict[str, str]) -> None:
    held = {n.locale: n for n in (await db.scalars(select(TramiteName).where(
        TramiteName.tramite_code == code
    ))).all()}  # fmt: skip
    for locale in SUPPORTED_LOCALES:
        if locale == DEFAULT_LOCALE:
            continue
        name, row = names.get(locale), held.get(locale)
        if name and row is None:
            db.add(TramiteName(tramite_code=code, locale=locale, name=name))
        elif name and row is not None:
            row.name = name
        elif row is not None:
            await db.delete(row)


async def create_tramite(
    db: AsyncSession, viewer: Viewer, data: TramiteInput, actor: audit.Actor
) -> Tramite:
    require_admin(viewer)
    if await db.get(Tramite, data.code) is not None:
        raise AdminInputError("codigo", _("Ya existe un trámite con ese código."))
    last = await db.scalar(select(func.max(Tramite.ordinal))) or 0
    tramite = Tramite(
        code=data.code,
        topic=data.topic,
        name=data.names[DEFAULT_LOCALE],
        description="",
        ordinal=last + 1,
        active=data.active,
        edited_at=utcnow(),
    )
    db.add(tramite)
    await db.flush()
    await _set_names(db, data.code, data.names)
    changes = audit.diff({}, {"codigo": data.code, "categoria": data.topic})
    changes.update(audit.diff({}, _audit_values(data.names, data.active)))
    audit.record(db, actor, "tramite.create", "tramite", NO_ID, changes)
    return tramite


async def update_tramite(
    db: AsyncSession, viewer: Viewer, code: str, data: TramiteInput, actor: audit.Actor
) -> Tramite:
    """Names in every language and whether it is offered; code and category stay."""
    row = await get_tramite(db, viewer, code)
    tramite = row.tramite
    before = _audit_values(row.names, tramite.active)
    changes = audit.diff(before, _audit_values(data.names, data.active))
    if changes:
        tramite.name, tramite.active = data.names[DEFAULT_LOCALE], data.active
        tramite.edited_at = utcnow()
        await _set_names(db, code, data.names)
        changes["codigo"] = [code, code]
        audit.record(db, actor, "tramite.update", "tramite", NO_ID, changes)
    return tramite
