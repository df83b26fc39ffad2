"""Agent queues: the views agents work from, region-scoped in the service layer.

Pages are keyset-paginated on the request id (newest first) and never count every row, so a
queue answers as fast with a million requests as with a hundred.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.people.models import Person
from helpdesk.tickets import status_flow
from helpdesk.tickets.models import Request

VIEWS = ("all", "mine", "unassigned", "due_soon", "overdue", "waiting")
OPEN_STATUSES = tuple(s for s in status_flow.STATUSES if status_flow.is_open(s))
DUE_SOON_DAYS = 3
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilter:
    view: str = "all"
    kind: str | None = None
    region_code: str | None = None  # narrows further; never widens an agent's scope


@dataclass(frozen=True)
class QueueRow:
    id: int
    folio: str
    kind: str
    subject: str
    status: str
    priority: str
    region_code: str | None
    legal_due_on: date | None
    assignee_id: int | None
    person_name: str


def _view(stmt: Select[tuple[Request, str, str]], viewer: Viewer, view: str, today: date):
    if view == "mine":
        return stmt.where(Request.assignee_id == viewer.id, Request.status.in_(OPEN_STATUSES))
    if view == "unassigned":
        return stmt.where(Request.assignee_id.is_(None), Request.status.in_(OPEN_STATUSES))
    if view == "due_soon":
        return stmt.where(
            Request.status.in_(OPEN_STATUSES),
            Request.legal_due_on >= today,
            Request.legal_due_on <= today + timedelta(days=DUE_SOON_DAYS),
        )
    if view == "overdue":
        return stmt.where(Request.status.in_(OPEN_STATUSES), Request.legal_due_on < today)
    if view == "waiting":
        return stmt.where(Request.status == status_flow.EN_ESPERA_CIUDADANO)
    return stmt


async def queue_page(
    db: AsyncSession,
    viewer: Viewer,
    queue: QueueFilter,
    today: date,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[QueueRow]:
    """One page of a queue, newest first; pass the last row's id as ``before_id`` for the next."""
    if queue.view not in VIEWS:
        raise ValueError(f"unknown view {queue.view!r}")
    scope = region_scope(viewer)  # regional agents: their region only, whatever they ask
    stmt = (
        select(Request, Person.given_names, Person.surnames)
        .join(Person, Person.id == Request.person_id)
        .order_by(Request.id.desc())
        .limit(limit)
    )
    if scope is not None:
        stmt = stmt.where(Request.region_code == scope)
    if queue.region_code is not None:
        stmt = stmt.where(Request.region_code == queue.region_code)
    if queue.kind is not None:
        stmt = stmt.where(Request.kind == queue.kind)
    if before_id is not None:
        stmt = stmt.where(Request.id < before_id)
    stmt = _view(stmt, viewer, queue.view, today)
    rows = (await db.execute(stmt)).all()
    return [
        QueueRow(
            r.id,
            r.folio,
            r.kind,
            r.subject,
            r.status,
            r.priority,
            r.region_code,
            r.legal_due_on,
            r.assignee_id,
            f"{given} {surnames}".strip(),
        )
        for r, given, surnames in rows
    ]
