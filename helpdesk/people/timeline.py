"""A person's timeline: what happened with them, newest first, gathered from sources.

Each source is one bounded query (newest ``limit`` rows, staff names joined in) that turns
rows into ``TimelineEntry`` values; the page shows the newest ``limit`` of them all. The
person's own record events are a source here; the domains that hold a person's requests,
appointments and the like register theirs with ``register_source``, from ``app.py``, so this
module imports none of them. Internal notes appear as a short excerpt only
(``NOTE_EXCERPT``): the request's page has the full text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, check_person_access, region_scope
from helpdesk.audit import wording
from helpdesk.audit.models import AuditEvent
from helpdesk.core.i18n import gettext as _
from helpdesk.people.models import Person

LIMIT: Final = 100
NOTE_EXCERPT: Final = 80
MESSAGE_EXCERPT: Final = 200


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # audit, or a registered source's: request | message | note | status ...
    title: str
    excerpt: str = ""
    folio: str | None = None  # links the entry to its request
    person_id: int | None = None  # links the entry to another person's record (merges)


# (db, person, limit, region scope): a regional agent sees only their region's requests of
# a person who also has requests elsewhere.
TimelineSource = Callable[[AsyncSession, Person, int, str | None], Awaitable[list[TimelineEntry]]]


def excerpt(text: str, length: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def field_labels() -> dict[str, str]:
    """A person record's fields in words: the audit log's own labels, one table for both."""
    return wording.field_labels()


def _audit_entry(event: AuditEvent, person: Person) -> TimelineEntry:
    changes: dict[str, Any] = event.changes or {}
    if event.action == "person.merge" and "merged_into" in changes:
        kept = changes["merged_into"][1]
        return TimelineEntry(
            event.at,
            "audit",
            _("Ficha fusionada con la ficha N° %(id)s", id=kept),
            person_id=kept if isinstance(kept, int) else None,
        )
    if event.action == "person.merge" and "merged_from" in changes:
        merged = changes["merged_from"][1]
        return TimelineEntry(
            event.at,
            "audit",
            _("Se fusionó aquí la ficha N° %(id)s", id=merged),
            person_id=merged if isinstance(merged, int) else None,
        )
    if event.action == "person.unmerge":
        other = (changes.get("merged_into") or changes.get("merged_from") or [None])[0]
        return TimelineEntry(
            event.at,
            "audit",
            _("Fusión con la ficha N° %(id)s deshecha", id=other),
            person_id=other if isinstance(other, int) else None,
        )
    titles = {
        "person.create": _("Ficha creada"),
        "person.update": _("Datos de la ficha actualizados"),
    }
    title = titles.get(event.action, event.action)
    if event.entity_id != person.id:
        title = _("%(what)s (ficha N° %(id)s, fusionada aquí)", what=title, id=event.entity_id)
    labels = field_labels()
    # Which fields changed, never their values: the page above shows the current ones.
    fields = ", ".join(labels.get(name, name) for name in changes if name != "source")
    return TimelineEntry(event.at, "audit", title, fields, person_id=None)


async def person_events(
    db: AsyncSession, person: Person, limit: int, scope: str | None = None
) -> list[TimelineEntry]:
    """Audit events on the person, and on the records merged into it (history kept)."""
    own = list(await _events(db, [person.id], limit))
    merged_ids = [
        e.changes["merged_from"][1]
        for e in own
        if e.action == "person.merge"
        and isinstance((e.changes or {}).get("merged_from"), list)
        and not _undone(own, e)
    ]
    merged = [
        e
        for e in await _events(db, merged_ids, limit)
        if e.action not in ("person.merge", "person.unmerge")
    ]
    return [_audit_entry(e, person) for e in [*own, *merged]]


def _undone(own: Sequence[AuditEvent], merge: AuditEvent) -> bool:
    """An undone merge's record lives on its own again: its events are no longer this one's."""
    merged = merge.changes["merged_from"][1]
    return any(
        e.action == "person.unmerge"
        and e.id > merge.id
        and (e.changes or {}).get("merged_from", [None])[0] == merged
        for e in own
    )


async def _events(db: AsyncSession, ids: Sequence[int], limit: int) -> Sequence[AuditEvent]:
    ids = [i for i in ids if isinstance(i, int)]
    if not ids:
        return []
    rows = await db.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "person", AuditEvent.entity_id.in_(ids))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return rows.all()


_OWN: Final[tuple[TimelineSource, ...]] = (person_events,)
# Every source, in order: the registered ones, then the record's own. Entries of the same
# instant keep that order, so a request's opening shows above the record it created.
SOURCES: list[TimelineSource] = [*_OWN]


def register_source(source: TimelineSource) -> None:
    """Adds another domain's source (one bounded query returning ``TimelineEntry`` values of
    its own kind); ``app.py`` calls this for each. Registering a source again changes nothing."""
    if source not in SOURCES:
        SOURCES.insert(len(SOURCES) - len(_OWN), source)


async def timeline(
    db: AsyncSession,
    viewer: Viewer,
    person: Person,
    limit: int = LIMIT,
    sources: Sequence[TimelineSource] = SOURCES,
) -> list[TimelineEntry]:
    """The newest ``limit`` entries of every source, newest first."""
    check_person_access(viewer, person.id, person.region_code)
    scope = region_scope(viewer)
    entries = [entry for source in sources for entry in await source(db, person, limit, scope)]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]
