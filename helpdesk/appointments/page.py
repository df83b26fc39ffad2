"""What both booking pages show: an office's free days and times in words, in the
office's local time (the time on its door), for the page's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel import dates

from helpdesk.appointments.slots import FreeTime
from helpdesk.core.i18n import BABEL_LOCALES, format_weekday_date, get_locale
from helpdesk.core.i18n import gettext as _
from helpdesk.reference.models import Office


@dataclass(frozen=True)
class DayChoice:
    day: date
    label: str
    count: int


@dataclass(frozen=True)
class TimeChoice:
    value: str  # ISO 8601 with the office's offset: what the form posts back
    label: str
    remaining: int


def day_choices(free: list[FreeTime]) -> list[DayChoice]:
    counts: dict[date, int] = {}
    for item in free:
        counts[item.start.date()] = counts.get(item.start.date(), 0) + 1
    return [DayChoice(d, format_weekday_date(d), n) for d, n in counts.items()]


def time_label(start: datetime) -> str:
    return dates.format_time(start, format="short", locale=BABEL_LOCALES[get_locale()])


def when(start: datetime) -> str:
    """A time in full, in its own zone: "miércoles, 9 de diciembre de 2026, 9:00"."""
    return f"{format_weekday_date(start.date())}, {time_label(start)}"


def time_choices(free: list[FreeTime], day: date | None = None) -> list[TimeChoice]:
    chosen = [f for f in free if day is None or f.start.date() == day]
    label = time_label if day is not None else when
    return [TimeChoice(f.start.isoformat(), label(f.start), f.remaining) for f in chosen]


def place(office: Office) -> str:
    return f"{office.address}, {office.city}" if office.address else office.city


def priority_names() -> list[tuple[str, str]]:
    return [
        ("nna", _("Niño, niña o adolescente")),
        ("embarazada", _("Mujer embarazada")),
        ("discapacidad", _("Persona con discapacidad")),
        ("persona_mayor", _("Persona mayor")),
    ]
