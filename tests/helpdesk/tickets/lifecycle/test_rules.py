"""The lifecycle's pure rules, by tables: when a deadline may be extended, when a resolved
request closes by itself, when a wait on the person turns into a warning of abandonment and
then into abandonment (RM's calendar of 2025: 18 and 19 September are holidays)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.calendar.working_days import CORRIDOS, WorkingCalendar
from helpdesk.core import i18n
from helpdesk.tickets import status_flow
from helpdesk.tickets.kinds import DeadlineRule
from helpdesk.tickets.lifecycle import rules

SANTIAGO = ZoneInfo("America/Santiago")
RM = WorkingCalendar("RM")
TRANSPARENCY = DeadlineRule(20, extension_days=10)
DUE = date(2025, 10, 14)

ABIERTO = status_flow.ABIERTO
ESPERA = status_flow.EN_ESPERA_CIUDADANO
RESUELTO = status_flow.RESUELTO
CERRADO = status_flow.CERRADO


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SANTIAGO)


@pytest.mark.parametrize(
    ("rule", "status", "merged", "due", "extended", "today", "refusal"),
    [
        (TRANSPARENCY, ABIERTO, False, DUE, None, date(2025, 10, 1), None),
        (TRANSPARENCY, status_flow.NUEVO, False, DUE, None, date(2025, 10, 1), None),
        (TRANSPARENCY, status_flow.REABIERTO, False, DUE, None, date(2025, 10, 1), None),
        # On the due date itself it is still in time; the day after, it is not.
        (TRANSPARENCY, ABIERTO, False, DUE, None, DUE, None),
        (TRANSPARENCY, ABIERTO, False, DUE, None, date(2025, 10, 15), rules.EXPIRED),
        # Once only.
        (TRANSPARENCY, ABIERTO, False, DUE, 10, date(2025, 10, 1), rules.ALREADY_EXTENDED),
        (TRANSPARENCY, ABIERTO, False, DUE, 10, date(2025, 10, 20), rules.ALREADY_EXTENDED),
        # A kind without extension.
        (DeadlineRule(10), ABIERTO, False, DUE, None, date(2025, 10, 1), rules.NO_EXTENSION),
        # Only while the service's clock runs.
        (TRANSPARENCY, ESPERA, False, None, None, date(2025, 10, 1), rules.CLOCK_STOPPED),
        (TRANSPARENCY, RESUELTO, False, DUE, None, date(2025, 10, 1), rules.CLOCK_STOPPED),
        (TRANSPARENCY, CERRADO, False, DUE, None, date(2025, 10, 1), rules.CLOCK_STOPPED),
        (TRANSPARENCY, ABIERTO, True, DUE, None, date(2025, 10, 1), rules.CLOCK_STOPPED),
        # Días corridos extend the same way.
        (
            DeadlineRule(30, unit=CORRIDOS, extension_days=30),
            ABIERTO,
            False,
            DUE,
            None,
            DUE,
            None,
        ),
    ],
)
def test_extension_refusals(rule, status, merged, due, extended, today, refusal) -> None:
    found = rules.extension_refusal(
        rule, status=status, merged=merged, legal_due_on=due, extended_days=extended, today=today
    )
    assert found == refusal
    if refusal is not None:
        i18n.set_locale("es")
        assert rules.extension_refusal_message(refusal).endswith(".")


RESOLVED = at("2025-09-08")  # Monday; 7 días hábiles later is Wed 17 Sep


@pytest.mark.parametrize(
    ("status", "resolved_at", "activity", "today", "days", "due"),
    [
        (RESUELTO, RESOLVED, None, date(2025, 9, 17), 7, False),
        (RESUELTO, RESOLVED, None, date(2025, 9, 18), 7, True),
        (RESUELTO, RESOLVED, None, date(2025, 9, 12), 3, True),  # a shorter setting
        # A message of the person after the resolution counts from its day (Wed 10 Sep:
        # seven días hábiles end on Tue 23 Sep, past the holidays).
        (RESUELTO, RESOLVED, at("2025-09-10"), date(2025, 9, 22), 7, False),
        (RESUELTO, RESOLVED, at("2025-09-10"), date(2025, 9, 24), 7, True),
        # An older message changes nothing.
        (RESUELTO, RESOLVED, at("2025-09-01"), date(2025, 9, 18), 7, True),
        # Nothing but resolved requests.
        (ABIERTO, RESOLVED, None, date(2025, 12, 1), 7, False),
        (ESPERA, RESOLVED, None, date(2025, 12, 1), 7, False),
        (CERRADO, RESOLVED, None, date(2025, 12, 1), 7, False),
        (RESUELTO, None, None, date(2025, 12, 1), 7, False),
    ],
)
def test_auto_close(status, resolved_at, activity, today, days, due) -> None:
    assert (
        rules.auto_close_due(
            status=status,
            resolved_at=resolved_at,
            last_person_activity=activity,
            today=today,
            days=days,
            calendar=RM,
            zone=SANTIAGO,
        )
        is due
    )


WAITING = at("2025-08-01")  # Friday; 30 días hábiles later is Mon 15 Sep
WARNED = at("2025-09-16")  # Tuesday; 7 días hábiles later, past 18-19 Sep, is Mon 29 Sep


@pytest.mark.parametrize(
    ("status", "waiting", "activity", "warned", "today", "action"),
    [
        (ESPERA, WAITING, None, None, date(2025, 9, 15), None),  # exactly 30: not more
        (ESPERA, WAITING, None, None, date(2025, 9, 16), rules.WARN),
        # A message of the person during the wait counts as activity.
        (ESPERA, WAITING, at("2025-08-20"), None, date(2025, 9, 16), None),
        # Warned: nothing until the seven días hábiles pass, then abandonment.
        (ESPERA, WAITING, None, WARNED, date(2025, 9, 29), None),
        (ESPERA, WAITING, None, WARNED, date(2025, 9, 30), rules.CLOSE),
        # The person wrote after the warning: it no longer counts.
        (ESPERA, WAITING, at("2025-09-17"), WARNED, date(2025, 9, 29), rules.LIFT),
        # A reply ended the wait (the request is open again): the warning is lifted.
        (ABIERTO, WAITING, None, WARNED, date(2025, 9, 29), rules.LIFT),
        (RESUELTO, WAITING, None, WARNED, date(2025, 9, 29), rules.LIFT),
        # A new wait after the warning starts the count again, and a new warning later.
        (ESPERA, at("2025-09-22"), None, WARNED, date(2025, 9, 29), rules.LIFT),
        (ESPERA, at("2025-09-22"), None, WARNED, date(2025, 12, 1), rules.WARN),
        # The service's clock runs: never touched.
        (ABIERTO, WAITING, None, None, date(2025, 12, 1), None),
        (status_flow.NUEVO, None, None, None, date(2025, 12, 1), None),
        (status_flow.REABIERTO, WAITING, None, None, date(2025, 12, 1), None),
        (RESUELTO, WAITING, None, None, date(2025, 12, 1), None),
    ],
)
def test_abandonment(status, waiting, activity, warned, today, action) -> None:
    found = rules.abandonment_action(
        status=status,
        waiting_since=waiting,
        last_person_activity=activity,
        warned_at=warned,
        today=today,
        calendar=RM,
        zone=SANTIAGO,
    )
    assert found == action


def test_the_warning_gives_seven_working_days_in_the_offices_zone() -> None:
    assert rules.act_by(WARNED, RM, SANTIAGO) == date(2025, 9, 29)
    # 00:30 UTC on Wed 17 Sep is still Tue 16 Sep in Santiago.
    late = datetime(2025, 9, 17, 0, 30, tzinfo=ZoneInfo("UTC"))
    assert rules.act_by(late, RM, SANTIAGO) == date(2025, 9, 29)
