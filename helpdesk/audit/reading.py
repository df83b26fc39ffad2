"""Reading the audit log, newest first, narrowed to one person or one request, each event in
words (``wording.py``) with the names of the staff, persons, teams and statuses it mentions:
one query per kind of id on the page, never one per event. Who reads what: ``access.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import StaffAccount
from helpdesk.accounts.permissions import Viewer, check_person_access, region_scope
from helpdesk.audit import access, wording
from helpdesk.audit.models import AuditEvent
from helpdesk.core.errors import NotFound, PermissionDenied
from helpdesk.people.models import Person
from helpdesk.tickets.kinds import kind_names
from helpdesk.tickets.models import Team, Ticket
from helpdesk.tickets.status_flow import status_names

PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditFilter:
    person_id: int | None = None
    folio: str | None = None
    before_id: int | None = None


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    who: str
    sentence: str
    details: list[str]
    entity: str  # the record, in words
    folio: str | None  # links a request's event to its page
    person_id: int | None  # links a person's event to their page
    ip_address: str | None


@dataclass(frozen=True)
class AuditPage:
    entries: list[Entry]
    next_before: int | None
    shows_addresses: bool


def _ids(values: Iterable[object]) -> set[int]:
    return {v for v in values if isinstance(v, int) and not isinstance(v, bool)}


async def _pairs(db: AsyncSession, stmt: Select[tuple[int, str]], ids: set) -> dict:
    """``{id: name}`` for the ids shown on a page (the first column is the id)."""
    if not ids:
        return {}
    id_column = stmt.selected_columns[0]
    rows = await db.execute(stmt.where(id_column.in_(ids)))
    return {row[0]: row[1] for row in rows}


def _values(events: list[AuditEvent], fields: frozenset[str]) -> list[object]:
    found: list[object] = []
    for event in events:
        for name, change in (event.changes or {}).items():
            if name in fields:
                found += change if isinstance(change, list) else [change]
    return found


async def names_for(db: AsyncSession, events: list[AuditEvent]) -> wording.Names:
    """Every name the page's sentences need, in one query per kind of id."""
    staff = _ids(e.actor_id for e in events if e.actor_type == "staff")
    staff |= _ids(e.entity_id for e in events if e.entity_type in ("staff_account", "staff"))
    staff |= _ids(_values(events, wording.STAFF_FIELDS))
    people = _ids(e.entity_id for e in events if e.entity_type == "person")
    people |= _ids(_values(events, wording.PERSON_FIELDS))
    people |= _ids(
        _values(
            [e for e in events if e.entity_type == "person"],
            frozenset({"merged_into", "merged_from"}),
        )
    )
    teams = {v for v in _values(events, wording.TEAM_FIELDS) if isinstance(v, str)}
    requests = _ids(e.entity_id for e in events if e.entity_type == "request")
    person_rows = []
    if people:
        query = select(Person.id, Person.given_names, Person.surnames).where(Person.id.in_(people))
        person_rows = list((await db.execute(query)).all())
    return wording.Names(
        staff=await _pairs(db, select(StaffAccount.id, StaffAccount.full_name), staff),
        people={r.id: Person.name_from(r.given_names, r.surnames) for r in person_rows},
        folios=await _pairs(db, select(Ticket.id, Ticket.folio), requests),
        teams=await _pairs(db, select(Team.code, Team.name), teams),
        statuses=status_names(),
        kinds=kind_names(),
    )


async def _check_request(db: AsyncSession, viewer: Viewer, folio: str) -> int:
    """The request's id when the viewer may see it; NotFound alike when it does not exist
    or lies outside the viewer's region."""
    row = (
        await db.execute(
            select(Ticket.id, Ticket.region_code).where(Ticket.folio == folio.strip().upper())
        )
    ).first()
    scope = region_scope(viewer)
    if row is None or (scope is not None and row.region_code != scope):
        raise NotFound("request")
    return row.id


async def _check_person(db: AsyncSession, viewer: Viewer, person_id: int) -> None:
    """NotFound alike when the record does not exist or lies outside the viewer's region."""
    row = (
        await db.execute(select(Person.id, Person.region_code).where(Person.id == person_id))
    ).first()
    try:
        check_person_access(viewer, person_id, row.region_code if row else None)
    except PermissionDenied:
        raise NotFound("person") from None
    if row is None:
        raise NotFound("person")


async def audit_page(db: AsyncSession, viewer: Viewer, wanted: AuditFilter) -> AuditPage:
    """Raises PermissionDenied for a role that reads no such log, NotFound for a record
    the viewer cannot see (or that does not exist)."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1)
    if wanted.folio is None and wanted.person_id is None:
        if not access.may_read_full_log(viewer):
            raise PermissionDenied("the whole audit log")
    elif not access.may_read_record_log(viewer):
        raise PermissionDenied("audit log")
    if wanted.folio is not None:
        request_id = await _check_request(db, viewer, wanted.folio)
        stmt = stmt.where(AuditEvent.entity_type == "request", AuditEvent.entity_id == request_id)
    if wanted.person_id is not None:
        await _check_person(db, viewer, wanted.person_id)
        stmt = stmt.where(
            AuditEvent.entity_type == "person", AuditEvent.entity_id == wanted.person_id
        )
    if wanted.before_id is not None:
        stmt = stmt.where(AuditEvent.id < wanted.before_id)
    events = list((await db.scalars(stmt)).all())
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    names = await names_for(db, events)
    addresses = access.shows_addresses(viewer)
    entries = []
    for event in events:
        said = wording.describe(event, names)
        entries.append(
            Entry(
                id=event.id,
                at=event.at,
                who=said.who,
                sentence=said.sentence,
                details=said.details,
                entity=wording.entity_in_words(event, names),
                folio=names.folios.get(event.entity_id) if event.entity_type == "request" else None,
                person_id=event.entity_id if event.entity_type == "person" else None,
                ip_address=event.ip_address if addresses else None,
            )
        )
    return AuditPage(entries, events[-1].id if more else None, addresses)
