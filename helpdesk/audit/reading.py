"""Reading the audit log: supervisors and admins, newest first, narrowed to one person or
one request, with names instead of ids."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer, can_read_audit
from helpdesk.audit.models import AuditEvent
from helpdesk.core.errors import PermissionDenied
from helpdesk.tickets.models import Ticket

PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditFilter:
    person_id: int | None = None
    request_id: int | None = None
    before_id: int | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    staff_names: dict[int, str]
    folios: dict[int, str]  # request id -> folio, for the requests on this page
    next_before: int | None


def _ids(values: Iterable[int | None]) -> set[int]:
    return {v for v in values if v is not None}


async def _pairs(db: AsyncSession, stmt: Select[tuple[int, str]], ids: set[int]) -> dict[int, str]:
    """``{id: name}`` for the ids shown on a page (the first column is the id)."""
    if not ids:
        return {}
    id_column = stmt.selected_columns[0]
    rows = await db.execute(stmt.where(id_column.in_(ids)))
    return {row[0]: row[1] for row in rows}


async def request_id_for(db: AsyncSession, folio: str) -> int | None:
    return await db.scalar(select(Ticket.id).where(Ticket.folio == folio.strip().upper()))


async def audit_page(db: AsyncSession, viewer: Viewer, wanted: AuditFilter) -> AuditPage:
    if not can_read_audit(viewer):
        raise PermissionDenied("audit log")
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1)
    if wanted.before_id is not None:
        stmt = stmt.where(AuditEvent.id < wanted.before_id)
    if wanted.person_id is not None:
        stmt = stmt.where(
            AuditEvent.entity_type == "person", AuditEvent.entity_id == wanted.person_id
        )
    if wanted.request_id is not None:
        stmt = stmt.where(
            AuditEvent.entity_type == "request", AuditEvent.entity_id == wanted.request_id
        )
    events = list((await db.scalars(stmt)).all())
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    staff = _ids(e.actor_id for e in events if e.actor_type == "staff")
    requests = _ids(e.entity_id for e in events if e.entity_type == "request")
    names = await _pairs(db, select(StaffAccount.id, StaffAccount.full_name), staff)
    folios = await _pairs(db, select(Ticket.id, Ticket.folio), requests)
    return AuditPage(events, names, folios, events[-1].id if more else None)
