"""Writing a batch of checked rows: a few bulk Core statements per batch, no ORM objects.

Per batch: one read of the cases it names (by number), one insert of the new cases, one
insert of the events (``ON CONFLICT DO NOTHING`` on the event's unique key, ``RETURNING``
what was really added), then updates of the cases whose details or current status moved.
An event already stored is skipped by the database itself, so importing a file twice, or
again after an interruption, adds nothing twice.

The current status is the latest event: the latest ``status_on``, and of two events of the
same day the one imported last (the higher id)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import String, bindparam, cast, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from helpdesk.cases.models import Case, CaseEvent
from helpdesk.cases.validation import CaseRow
from helpdesk.core.db import utcnow

cases = Case.__table__
events = CaseEvent.__table__
# Numbers per IN list: under SQLite's and asyncpg's limits on bound parameters.
IN_CHUNK: Final = 5000
DETAILS: Final = (
    "case_type",
    "subcategory",
    "document_type",
    "document_number",
    "document_country",
    "region_code",
    "submitted_on",
)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A case whose current status moved in this batch: ``old_status`` None for a new case;
    equal to ``new_status`` when the same status came again on a later day (a second
    requerimiento), which a follower may want to hear of too."""

    case_id: int
    number: str
    old_status: str | None
    new_status: str
    status_on: date


@dataclass
class BatchResult:
    created: int = 0
    added: int = 0
    changes: list[StatusChange] = field(default_factory=list)


def note_digest(note: str | None) -> str:
    return hashlib.blake2b(note.encode(), digest_size=8).hexdigest() if note else ""


def _insert(conn: AsyncConnection, table: Any) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


async def _load(conn: AsyncConnection, numbers: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    columns = [cases.c.id, cases.c.number, cases.c.status, cases.c.status_on]
    columns += [cases.c[name] for name in DETAILS]
    for start in range(0, len(numbers), IN_CHUNK):
        chunk = numbers[start : start + IN_CHUNK]
        result = await conn.execute(select(*columns).where(cases.c.number.in_(chunk)))
        found.update((row.number, row) for row in result)
    return found


def _details(row: CaseRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in DETAILS}


async def _create(
    conn: AsyncConnection, rows: list[tuple[CaseRow, CaseRow]], now: datetime
) -> dict[str, int]:
    """Inserts (details row, latest row) per new case; their ids by number."""
    if not rows:
        return {}
    values = [
        {
            **_details(details),
            "number": details.number,
            "status": latest.status,
            "status_on": latest.status_on,
            "created_at": now,
            "updated_at": now,
        }
        for details, latest in rows
    ]
    statement = _insert(conn, cases).on_conflict_do_nothing(index_elements=["number"])
    result = await conn.execute(statement.returning(cases.c.id, cases.c.number), values)
    return {row.number: row.id for row in result}


async def write_batch(
    conn: AsyncConnection, rows: Sequence[CaseRow], now: datetime | None = None
) -> BatchResult:
    """Writes ``rows`` (one event each) in the caller's transaction."""
    now = now or utcnow()
    result = BatchResult()
    if not rows:
        return result
    last: dict[str, CaseRow] = {}  # the details of a case: its last row in the file
    latest: dict[str, CaseRow] = {}  # its latest event in this batch
    for row in rows:
        last[row.number] = row
        seen = latest.get(row.number)
        if seen is None or row.status_on >= seen.status_on:
            latest[row.number] = row
    stored = await _load(conn, list(last))
    new = [(last[n], latest[n]) for n in last if n not in stored]
    ids = await _create(conn, new, now)
    result.created = len(ids)
    for number, case_id in ids.items():
        row = latest[number]
        result.changes.append(StatusChange(case_id, number, None, row.status, row.status_on))
    if len(ids) < len(new):  # another import created some meanwhile
        stored.update(await _load(conn, [r.number for r, _ in new if r.number not in ids]))
    ids.update((number, row.id) for number, row in stored.items())

    changed_details = []
    for number, row in last.items():
        if number not in stored:
            continue
        details = _details(row)
        if details["subcategory"] is None:  # a file without the column says nothing of it
            details["subcategory"] = stored[number].subcategory
        if any(getattr(stored[number], k) != v for k, v in details.items()):
            changed_details.append({"_id": stored[number].id, **details})
    if changed_details:
        values = {name: bindparam(name) for name in DETAILS}
        statement = update(cases).where(cases.c.id == bindparam("_id")).values(values)
        await conn.execute(statement.values(updated_at=now), changed_details)

    created = set(ids.values()) - {row.id for row in stored.values()}
    fresh: dict[tuple[Any, ...], str | None] = {}  # events of cases this batch created
    known: list[dict[str, Any]] = []
    for row in rows:
        case_id = ids[row.number]
        digest = note_digest(row.note)
        if case_id in created:
            fresh.setdefault((case_id, row.status, row.status_on, digest), row.note)
        else:
            known.append(
                {
                    "case_id": case_id,
                    "status": row.status,
                    "status_on": row.status_on,
                    "note": row.note,
                    "note_digest": digest,
                }
            )
    await _add_fresh(conn, fresh)
    added = await _add_known(conn, known)
    result.added = len(fresh) + len(added)
    await _move_statuses(conn, stored, added, result, now)
    return result


_EVENT_CONFLICT: Final = ["case_id", "status", "status_on", "note_digest"]
_SQLITE_ADD_EVENT: Final = (
    "INSERT INTO case_events (case_id, status, status_on, note, note_digest)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


async def _add_fresh(conn: AsyncConnection, fresh: dict[tuple[Any, ...], str | None]) -> None:
    """Events of new cases: none can be stored yet, so all of them (without repeats) are
    added and nothing needs reading back. On SQLite the rows go to the driver as tuples,
    dates as the ISO text SQLAlchemy stores: most of the import's rows take this path, and
    SQLAlchemy's per-row parameter handling cost more than SQLite's insert."""
    if not fresh:
        return
    if conn.dialect.name == "sqlite":
        await conn.exec_driver_sql(
            _SQLITE_ADD_EVENT,
            [
                (case_id, status, on.isoformat(), note, digest)
                for (case_id, status, on, digest), note in fresh.items()
            ],
        )
        return
    values = [
        {"case_id": c, "status": s, "status_on": on, "note": note, "note_digest": d}
        for (c, s, on, d), note in fresh.items()
    ]
    statement = _insert(conn, events).on_conflict_do_nothing(index_elements=_EVENT_CONFLICT)
    await conn.execute(statement, values)


async def _add_known(conn: AsyncConnection, values: list[dict[str, Any]]) -> Sequence[Any]:
    """Events of cases stored before: the database skips those it has (``RETURNING`` tells
    which were added)."""
    if not values:
        return []
    statement = _insert(conn, events).on_conflict_do_nothing(index_elements=_EVENT_CONFLICT)
    # The day comes back as ISO text (the same on both databases): parsing a date per
    # returned row cost more than the rest of reading them.
    day = cast(events.c.status_on, String).label("status_on")
    returning = statement.returning(events.c.id, events.c.case_id, events.c.status, day)
    return (await conn.execute(returning, values)).all()


async def _move_statuses(
    conn: AsyncConnection,
    stored: dict[str, Any],
    added: Sequence[Any],
    result: BatchResult,
    now: datetime,
) -> None:
    """For cases that existed before the batch: the latest added event becomes the current
    status when it is not older than the current one."""
    by_id = {row.id: row for row in stored.values()}
    newest: dict[int, Any] = {}
    for event in added:
        if event.case_id not in by_id:
            continue  # created by this batch, with its latest status already
        seen = newest.get(event.case_id)
        if seen is None or (event.status_on, event.id) > (seen.status_on, seen.id):
            newest[event.case_id] = event
    moves = []
    for case_id, event in newest.items():
        case = by_id[case_id]
        current = case.status_on.isoformat()
        if event.status_on < current:
            continue  # history filled in after the fact: the current status stays
        if (event.status, event.status_on) == (case.status, current):
            continue
        on = date.fromisoformat(event.status_on)
        moves.append({"_id": case_id, "status": event.status, "status_on": on})
        result.changes.append(StatusChange(case_id, case.number, case.status, event.status, on))
    if moves:
        statement = (
            update(cases)
            .where(cases.c.id == bindparam("_id"))
            .values(status=bindparam("status"), status_on=bindparam("status_on"), updated_at=now)
        )
        await conn.execute(statement, moves)
