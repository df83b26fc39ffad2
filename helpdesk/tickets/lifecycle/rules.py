"""The lifecycle's rules as pure functions of dates and a working calendar: when a request's
deadline may be extended, when a resolved one closes by itself, when a wait on the person
turns into a warning of abandonment and then into abandonment.

- **Prórroga** (Ley 20.285 art. 14, Ley 19.880 art. 26): once, only for a kind whose rule
  allows it, only while the service's clock runs, and only before the deadline ends (on the
  due date itself it is still in time: the deadline ends with that day).
- **Auto-close**: a resolved request the person has not touched for ``days`` días hábiles
  after its resolution (or their last message, if later) is closed by the system.
- **Abandonment** (Ley 19.880 art. 43): a request waiting on the person with no activity
  from them for more than 30 días hábiles gets a warning; if they still do not act within
  7 días hábiles of it, it is closed as abandoned. Their reply ends the wait, and with it the
  warning; a warning older than the last wait or their last message no longer counts.

Neither timer touches a request whose clock runs on the service's side: auto-close reads
only resolved requests, abandonment only those waiting on the person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from helpdesk.calendar.working_days import WorkingCalendar, add_working_days
from helpdesk.core.i18n import gettext as _
from helpdesk.tickets import status_flow
from helpdesk.tickets.kinds import DeadlineRule

ABANDONMENT_AFTER: Final = 30  # días hábiles of inactivity before the warning (art. 43)
ABANDONMENT_NOTICE: Final = 7  # días hábiles the warning gives the person to act
AUTO_CLOSE_DAYS: Final = 7  # the default of Settings.auto_close_working_days

WARN: Final = "warn"
CLOSE: Final = "close"
LIFT: Final = "lift"  # the warning no longer counts: the person acted, or the wait ended

# --- Prórroga.

NO_EXTENSION: Final = "no_extension"
ALREADY_EXTENDED: Final = "already_extended"
CLOCK_STOPPED: Final = "clock_stopped"
EXPIRED: Final = "expired"


def extension_refusal(
    rule: DeadlineRule,
    *,
    status: str,
    merged: bool,
    legal_due_on: date | None,
    extended_days: int | None,
    today: date,
) -> str | None:
    """Why the request's legal deadline cannot be extended today (a code), or None."""
    if rule.extension_days is None:
        return NO_EXTENSION
    if extended_days is not None:
        return ALREADY_EXTENDED
    if merged or not status_flow.clock_running(status) or legal_due_on is None:
        return CLOCK_STOPPED
    if today > legal_due_on:
        return EXPIRED
    return None


def extension_refusal_message(code: str) -> str:
    return {
        NO_EXTENSION: _("El plazo de este tipo de solicitud no admite prórroga."),
        ALREADY_EXTENDED: _("El plazo de esta solicitud ya se prorrogó; solo se prorroga una vez."),
        CLOCK_STOPPED: _(
            "Solo se prorroga un plazo que está corriendo: esta solicitud espera a la persona"
            " o ya fue respondida."
        ),
        EXPIRED: _("El plazo ya venció: la prórroga debe comunicarse antes del vencimiento."),
    }[code]


# --- Auto-close and abandonment.


def _local_day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def auto_close_due(
    *,
    status: str,
    resolved_at: datetime | None,
    last_person_activity: datetime | None,
    today: date,
    days: int,
    calendar: WorkingCalendar,
    zone: ZoneInfo,
) -> bool:
    """Whether the system closes this resolved request today."""
    if status != status_flow.RESUELTO or resolved_at is None:
        return False
    since = max(resolved_at, last_person_activity or resolved_at)
    return today > add_working_days(_local_day(since, zone), days, calendar)


def act_by(warned_at: datetime, calendar: WorkingCalendar, zone: ZoneInfo) -> date:
    """The last day the person has to act after a warning of abandonment."""
    return add_working_days(_local_day(warned_at, zone), ABANDONMENT_NOTICE, calendar)


def abandonment_action(
    *,
    status: str,
    waiting_since: datetime | None,
    last_person_activity: datetime | None,
    warned_at: datetime | None,
    today: date,
    calendar: WorkingCalendar,
    zone: ZoneInfo,
) -> str | None:
    """WARN, CLOSE, LIFT (forget a warning that no longer counts) or None (nothing today)."""
    if status != status_flow.EN_ESPERA_CIUDADANO or waiting_since is None:
        return LIFT if warned_at is not None else None
    since = max(waiting_since, last_person_activity or waiting_since)
    if warned_at is not None and warned_at >= since:
        return CLOSE if today > act_by(warned_at, calendar, zone) else None
    if today > add_working_days(_local_day(since, zone), ABANDONMENT_AFTER, calendar):
        return WARN  # a stale warning is replaced by a new one
    return LIFT if warned_at is not None else None
