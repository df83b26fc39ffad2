"""Reading the booking pages' choices: plain functions from form or query values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from helpdesk.appointments.models import PRIORITY_GROUPS
from helpdesk.core.i18n import gettext as _


def text(values: Mapping[str, Any], name: str, limit: int = 80) -> str:
    value = values.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def office_id(values: Mapping[str, Any]) -> int | None:
    raw = text(values, "oficina", 12)
    return int(raw) if raw.isdecimal() else None


def day(values: Mapping[str, Any]) -> date | None:
    raw = text(values, "dia", 10)
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


def start(values: Mapping[str, Any]) -> datetime | None:
    """A time as the page offers it: ISO 8601 with the office's offset."""
    raw = text(values, "hora", 40)
    try:
        found = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return found if found is not None and found.tzinfo is not None else None


def priority_group(values: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(the group declared or None, the error)."""
    raw = text(values, "prioridad", 20)
    if not raw:
        return None, None
    if raw not in PRIORITY_GROUPS:
        return None, _("Elija un grupo de la lista o ninguno.")
    return raw, None
