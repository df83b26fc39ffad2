"""Admins keep the trámites the portal form offers in each category: their display name
and whether they are offered at all. Codes and topics come from the shipped catalogue
(``reference.data``): requests, rules and articles point at them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit import service as audit
from helpdesk.core.errors import NotFound
from helpdesk.reference.models import Tramite
from helpdesk.tickets.admin.deadlines import NO_ID
from helpdesk.tickets.answers.admin import require_admin


async def list_tramites(db: AsyncSession, viewer: Viewer) -> list[Tramite]:
    """Every trámite, offered or not, by category and catalogue order."""
    require_admin(viewer)
    rows = await db.scalars(select(Tramite).order_by(Tramite.topic, Tramite.ordinal))
    return list(rows.all())


async def update_tramite(
    db: AsyncSession, viewer: Viewer, code: str, name: str, active: bool, actor: audit.Actor
) -> Tramite:
    require_admin(viewer)
    tramite = await db.get(Tramite, code)
    if tramite is None:
        raise NotFound("tramite")
    before = {"nombre": tramite.name, "activo": tramite.active}
    tramite.name, tramite.active = name, active
    changes = audit.diff(before, {"nombre": name, "activo": active})
    if changes:
        changes["codigo"] = [code, code]
        audit.record(db, actor, "tramite.update", "tramite", NO_ID, changes)
    return tramite
