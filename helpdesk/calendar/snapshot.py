"""The reference data every new request reads, kept in memory: regions, active trámites,
office time zones and closures, plus the extras other domains register (the inbox's
deadlines per kind).

Opening a request needs all of it (the form's choices, the office's zone, the working
calendar, the deadline rule), and reading five small tables costs more than writing the
request. Each process keeps one snapshot per database, and one row says whether it is
current: ``reference_generation.value``, a random value replaced in the same transaction as
any change to those tables made through the ORM (a session hook, so admin pages, the
reference sync and tests alike), which makes every worker and host see a change from their
next request on. Checking it is one primary-key read.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from helpdesk.calendar.models import Closure
from helpdesk.calendar.working_days import WorkingCalendar
from helpdesk.core.db import Base
from helpdesk.core.i18n import get_locale
from helpdesk.reference.models import Office, Region, Tramite, TramiteName
from helpdesk.reference.service import name_in

DEFAULT_ZONE = "America/Santiago"

ExtraLoader = Callable[[AsyncSession], Awaitable[Any]]
_EXTRAS: dict[str, tuple[type, ExtraLoader]] = {}
CACHED: tuple[type, ...] = (Region, Office, Tramite, TramiteName, Closure)


def register_extra(name: str, model: type, load: ExtraLoader) -> None:
    """Another domain's small table kept in the snapshot as ``extras[name]``, loaded by
    ``load`` and read again whenever a row of ``model`` changes. Registered at import of the
    module that reads it; registering the same name again replaces it."""
    global CACHED
    _EXTRAS[name] = (model, load)
    extra_models = (model for model, _load in _EXTRAS.values())
    CACHED = tuple(dict.fromkeys((Region, Office, Tramite, TramiteName, Closure, *extra_models)))
    _snapshots.clear()


class ReferenceGeneration(Base):
    __tablename__ = "reference_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[str] = mapped_column(String(32))


@dataclass(frozen=True)
class RegionInfo:
    code: str
    name: str
    ordinal: int


@dataclass(frozen=True)
class TramiteInfo:
    code: str
    topic: str
    name: str
    description: str
    ordinal: int
    names: tuple[tuple[str, str], ...] = ()  # (locale, name) besides the Spanish ``name``

    def name_in(self, locale: str) -> tuple[str, str]:
        """(name, language) for a reader of ``locale``: Spanish where it has no name."""
        return name_in(locale, self.name, dict(self.names))

    @property
    def local_name(self) -> tuple[str, str]:
        """(name, language) in the current page's language."""
        return self.name_in(get_locale())


@dataclass(frozen=True)
class Snapshot:
    generation: str
    regions: tuple[RegionInfo, ...]
    tramites: tuple[TramiteInfo, ...]  # the active ones, by topic and ordinal
    zones: Mapping[str, str]  # region code -> its first office's time zone
    closures: tuple[tuple[date, str | None], ...]
    extras: Mapping[str, Any]
    _calendars: dict[str | None, WorkingCalendar] = field(default_factory=dict, compare=False)

    def zone(self, region_code: str | None) -> ZoneInfo:
        """The handling office's time zone (Magallanes differs from the rest)."""
        return ZoneInfo(self.zones.get(region_code or "") or DEFAULT_ZONE)

    def calendar(self, region_code: str | None) -> WorkingCalendar:
        found = self._calendars.get(region_code)
        if found is None:
            days = frozenset(d for d, r in self.closures if r is None or r == region_code)
            found = self._calendars[region_code] = WorkingCalendar(region_code, days)
        return found


_GENERATIONS = ReferenceGeneration.__table__
_GENERATION = select(_GENERATIONS.c.value).where(_GENERATIONS.c.id == 1)  # Core: every unit of work
_snapshots: dict[str, Snapshot] = {}
_SESSION_KEY = "helpdesk.reference_snapshot"


async def current(db: AsyncSession) -> Snapshot:
    """This database's reference data, read again only when it changed; checked once per
    session, so one unit of work sees one state throughout."""
    held = db.info.get(_SESSION_KEY)
    if held is not None:
        return held
    generation = await db.scalar(_GENERATION) or ""
    key = str(db.get_bind().url)
    snapshot = _snapshots.get(key)
    if snapshot is None or snapshot.generation != generation:
        snapshot = _snapshots[key] = await _load(db, generation)
    db.info[_SESSION_KEY] = snapshot
    return snapshot


async def _load(db: AsyncSession, generation: str) -> Snapshot:
    regions = (await db.execute(select(Region).order_by(Region.ordinal))).scalars()
    tramites = await db.scalars(
        select(Tramite).where(Tramite.active.is_(True)).order_by(Tramite.topic, Tramite.ordinal)
    )
    names: dict[str, list[tuple[str, str]]] = {}
    for code, locale, name in await db.execute(
        select(TramiteName.tramite_code, TramiteName.locale, TramiteName.name)
    ):
        names.setdefault(code, []).append((locale, name))
    zones: dict[str, str] = {}
    offices = await db.execute(
        select(Office.region_code, Office.timezone).order_by(Office.region_code, Office.id)
    )
    for region_code, zone in offices:
        zones.setdefault(region_code, zone)
    closures = await db.execute(select(Closure.day, Closure.region_code))
    extras = {name: await load(db) for name, (_model, load) in _EXTRAS.items()}
    return Snapshot(
        generation=generation,
        regions=tuple(RegionInfo(r.code, r.name, r.ordinal) for r in regions),
        tramites=tuple(
            TramiteInfo(
                t.code, t.topic, t.name, t.description, t.ordinal, tuple(names.get(t.code, ()))
            )
            for t in tramites
        ),
        zones=zones,
        closures=tuple((day, region) for day, region in closures),
        extras=extras,
    )


def _bump(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)  # this session reads its own change
    session.execute(
        update(ReferenceGeneration)
        .where(ReferenceGeneration.id == 1)
        .values(value=uuid.uuid4().hex)
        .execution_options(synchronize_session=False)
    )


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _context: Any, _instances: Any) -> None:
    changed = (
        any(isinstance(o, CACHED) for o in session.new)
        or any(isinstance(o, CACHED) for o in session.deleted)
        or any(isinstance(o, CACHED) and session.is_modified(o) for o in session.dirty)
    )
    if changed:
        _bump(session)


@event.listens_for(Session, "do_orm_execute")
def _on_bulk_change(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete or state.is_insert) and any(
        m.class_ in CACHED for m in state.all_mappers
    ):
        _bump(state.session)
