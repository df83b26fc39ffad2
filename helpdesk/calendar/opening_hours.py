"""Offices' in-person attention: whether an office attends people at its counter, and its
opening hours per weekday (one or more intervals a day, in the office's time zone).

The rules are plain functions (``parse_day``, ``parse_office_hours``); the admin sets both
facts through ``save_office_attention``, audited. The reference sync never touches them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from itertools import pairwise
from typing import Any, Final

from babel import dates
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, require_staff
from helpdesk.audit import service as audit
from helpdesk.calendar.models import OfficeHours
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import BABEL_LOCALES, CREOLE_WEEKDAYS, get_locale
from helpdesk.core.i18n import gettext as _
from helpdesk.reference.models import Office

WEEKDAYS: Final = range(7)  # 0 is Monday, as date.weekday()
INTERVALS_MAX: Final = 4  # a day's intervals; more is a typing slip
Interval = tuple[time, time]
Week = dict[int, tuple[Interval, ...]]  # weekday -> its intervals in order; closed days absent

_INTERVAL = re.compile(r"(\d{1,2})[:.h](\d{2})\s*[-–—]\s*(\d{1,2})[:.h](\d{2})")
_SEPARATORS = re.compile(r"[,;\n]")


def day_field(weekday: int) -> str:
    return f"horario_{weekday}"


def weekday_name(weekday: int, locale: str | None = None) -> str:
    """Monday..Sunday in the locale's language (Creole from our own list: CLDR has none)."""
    loc = locale or get_locale()
    if loc == "ht":
        return CREOLE_WEEKDAYS[weekday]
    return str(dates.get_day_names("wide", locale=BABEL_LOCALES[loc])[weekday])


def _time(hours: str, minutes: str) -> time | None:
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return time.max.replace(second=0, microsecond=0)  # "until midnight": 23:59
    return time(h, m) if h < 24 and m < 60 else None


def show(interval: Interval) -> str:
    """An interval as the admin writes it: 09:00-13:30."""
    return f"{interval[0]:%H:%M}-{interval[1]:%H:%M}"


def parse_day(raw: str) -> tuple[tuple[Interval, ...], str | None]:
    """A day's intervals typed as ``09:00-13:00, 14:00-17:30`` (empty: closed) -> (the
    intervals in order, the error for the admin or None)."""
    intervals: list[Interval] = []
    for part in _SEPARATORS.split(raw):
        text = part.strip()
        if not text:
            continue
        match = _INTERVAL.fullmatch(text)
        opens = _time(*match.group(1, 2)) if match else None
        closes = _time(*match.group(3, 4)) if match else None
        if opens is None or closes is None:
            return (), _(
                "Escriba cada horario como 09:00-13:00 y separe varios con comas"
                " («%(text)s» no se entiende).",
                text=text[:30],
            )
        if opens >= closes:
            return (), _(
                "En %(interval)s la hora de apertura debe ser anterior a la de cierre.",
                interval=show((opens, closes)),
            )
        intervals.append((opens, closes))
    if len(intervals) > INTERVALS_MAX:
        return (), _("Escriba hasta %(max)s horarios por día.", max=INTERVALS_MAX)
    intervals.sort()
    for earlier, later in pairwise(intervals):
        if later[0] < earlier[1]:
            return (), _(
                "Los horarios %(first)s y %(second)s se superponen.",
                first=show(earlier),
                second=show(later),
            )
    return tuple(intervals), None


@dataclass(frozen=True)
class OfficeAttention:
    attends_in_person: bool
    week: Week


def parse_office_hours(form: Mapping[str, Any]) -> tuple[OfficeAttention, dict[str, str]]:
    """The office form: the in-person checkbox and one text field per weekday."""
    errors: dict[str, str] = {}
    week: Week = {}
    for weekday in WEEKDAYS:
        raw = form.get(day_field(weekday))
        intervals, problem = parse_day(raw if isinstance(raw, str) else "")
        if problem is not None:
            errors[day_field(weekday)] = problem
        elif intervals:
            week[weekday] = intervals
    attends = form.get("presencial") in ("1", "on")
    if not attends and week and not errors:
        errors["presencial"] = _(
            "Una oficina sin atención presencial no tiene horario de atención: borre los"
            " horarios o marque la atención presencial."
        )
    return OfficeAttention(attends, week), errors


def week_text(week: Week) -> dict[str, str]:
    """The form's values for a week: ``horario_0`` -> ``09:00-13:00, 14:00-17:00``."""
    return {day_field(d): ", ".join(show(i) for i in week.get(d, ())) for d in WEEKDAYS}


def format_week(week: Week, locale: str | None = None) -> list[tuple[str, str]]:
    """(weekday name, its hours) for each open day, times in the reader's format."""
    loc = BABEL_LOCALES[locale or get_locale()]

    def hour(value: time) -> str:
        return dates.format_time(value, format="short", locale=loc)

    return [
        (
            weekday_name(d, locale),
            ", ".join(f"{hour(opens)}–{hour(closes)}" for opens, closes in week[d]),
        )
        for d in WEEKDAYS
        if d in week
    ]


# --- Reading and saving.


async def office_week(db: AsyncSession, office_id: int) -> Week:
    rows = await db.scalars(
        select(OfficeHours)
        .where(OfficeHours.office_id == office_id)
        .order_by(OfficeHours.weekday, OfficeHours.opens)
    )
    week: dict[int, list[Interval]] = {}
    for row in rows:
        week.setdefault(row.weekday, []).append((row.opens, row.closes))
    return {d: tuple(intervals) for d, intervals in week.items()}


async def offices_weeks(db: AsyncSession, office_ids: Sequence[int]) -> dict[int, Week]:
    """office id -> its week, for the offices given (an office with no hours: empty)."""
    found: dict[int, dict[int, list[Interval]]] = {i: {} for i in office_ids}
    rows = await db.scalars(
        select(OfficeHours)
        .where(OfficeHours.office_id.in_(list(office_ids)))
        .order_by(OfficeHours.office_id, OfficeHours.weekday, OfficeHours.opens)
    )
    for row in rows:
        found[row.office_id].setdefault(row.weekday, []).append((row.opens, row.closes))
    return {o: {d: tuple(i) for d, i in week.items()} for o, week in found.items()}


_AUDIT_DAYS: Final = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")


def _audit_values(attends: bool, week: Week) -> dict[str, Any]:
    values: dict[str, Any] = {"atencion_presencial": attends}
    texts = week_text(week)
    values.update({f"horario_{_AUDIT_DAYS[d]}": texts[day_field(d)] or None for d in WEEKDAYS})
    return values


async def save_office_attention(
    db: AsyncSession, viewer: Viewer, slug: str, data: OfficeAttention, actor: audit.Actor
) -> Office:
    """Sets whether the office attends in person and its weekly hours (replacing them)."""
    require_staff(viewer, "admin")
    office = await db.scalar(select(Office).where(Office.slug == slug))
    if office is None:
        raise NotFound("office")
    before = _audit_values(office.attends_in_person, await office_week(db, office.id))
    office.attends_in_person = data.attends_in_person
    await db.execute(delete(OfficeHours).where(OfficeHours.office_id == office.id))
    for weekday, intervals in sorted(data.week.items()):
        for opens, closes in intervals:
            db.add(OfficeHours(office_id=office.id, weekday=weekday, opens=opens, closes=closes))
    changes = audit.diff(before, _audit_values(data.attends_in_person, data.week))
    if changes:
        changes["oficina"] = [slug, slug]
        audit.record(db, actor, "office.update", "office", office.id, changes)
    return office
