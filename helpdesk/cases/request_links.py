"""Requests linked to applications (issue 15, item 6).

A person links one by opening a request from the case's page: the form carries the case's
private token, which proves they may see it (``reference_for_token``, registered into the
inbox's opening form from ``app.py``). Staff link and unlink beside a request, within their
region. Every link and unlink is audited on the request.

This domain never imports the inbox: the request comes from a finder ``app.py`` registers
(the workbench's own, which checks the viewer's access and region), seen only through
``LinkedRequest``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.audit import service as audit
from helpdesk.cases import private_links, statuses
from helpdesk.cases.models import Case, RequestCase
from helpdesk.cases.validation import normalize_case_number
from helpdesk.core.i18n import gettext as _

LINK = "request.case_link"
UNLINK = "request.case_unlink"
MAX_NUMBER = 40


class LinkedRequest(Protocol):
    id: int
    folio: str
    person_id: int
    region_code: str | None


RequestFinder = Callable[[AsyncSession, Viewer, str], Awaitable[LinkedRequest]]
_finders: list[RequestFinder] = []


def register_request_finder(finder: RequestFinder) -> None:
    """The inbox's "the request this staff member may work, by folio" (raises NotFound
    for another region's as for an unknown one)."""
    _finders[:] = [finder]


async def request_for_staff(db: AsyncSession, viewer: Viewer, folio: str) -> LinkedRequest:
    if not _finders:
        raise RuntimeError("app.py registers the request finder (register_contributions)")
    return await _finders[0](db, viewer, folio)


async def link(
    db: AsyncSession,
    request_id: int,
    case: Case,
    actor: audit.Actor,
    staff_id: int | None = None,
) -> bool:
    """Links them (audited); False when they were linked already."""
    if await db.get(RequestCase, (request_id, case.id)) is not None:
        return False
    db.add(RequestCase(request_id=request_id, case_id=case.id, linked_by=staff_id))
    audit.record(db, actor, LINK, "request", request_id, {"case": [None, case.number]})
    return True


async def unlink(db: AsyncSession, request_id: int, case: Case, actor: audit.Actor) -> bool:
    removed = await db.execute(
        delete(RequestCase).where(
            RequestCase.request_id == request_id, RequestCase.case_id == case.id
        )
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        return False
    audit.record(db, actor, UNLINK, "request", request_id, {"case": [case.number, None]})
    return True


async def linked_cases(db: AsyncSession, request_id: int, viewer: Viewer) -> list[Case]:
    """The cases linked to a request that the viewer's region shows, oldest link first."""
    stmt = (
        select(Case)
        .join(RequestCase, RequestCase.case_id == Case.id)
        .where(RequestCase.request_id == request_id)
        .order_by(RequestCase.created_at, Case.id)
    )
    scope = region_scope(viewer)
    if scope is not None:
        stmt = stmt.where(Case.region_code == scope)
    return list((await db.scalars(stmt)).all())


async def case_for_staff(db: AsyncSession, viewer: Viewer, number: str) -> Case | None:
    """The case with this number if the viewer's region holds it; another region's case
    answers as an unknown number does."""
    scope = region_scope(viewer)
    wanted = normalize_case_number(number)
    if not wanted or len(wanted) > MAX_NUMBER:
        return None
    case = await db.scalar(select(Case).where(Case.number == wanted))
    if case is None or (scope is not None and case.region_code != scope):
        return None
    return case


def label(case: Case) -> str:
    return _(
        "Sobre su solicitud N° %(number)s (%(type)s)",
        number=case.number,
        type=statuses.type_name(case.case_type),
    )


async def reference_for_token(
    db: AsyncSession, token: str
) -> tuple[str, Callable[[AsyncSession, int], Awaitable[None]]] | None:
    """For the request form: the case a private token opens, as the form's label and what
    to write once the request exists. A forged or stale token is None, like an unknown one."""
    case_id = private_links.case_id_from(token)
    case = await db.get(Case, case_id) if case_id is not None else None
    if case is None:
        return None
    linked_id = case.id

    async def link_new_request(opening_db: AsyncSession, request_id: int) -> None:
        found = await opening_db.get(Case, linked_id)
        if found is not None:  # gone meanwhile: the request stands alone
            await link(opening_db, request_id, found, audit.Actor("citizen", None))

    return label(case), link_new_request
