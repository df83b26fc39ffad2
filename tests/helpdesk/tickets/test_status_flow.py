"""The request status flow: every (from, to, actor) case, allowed or refused, and the clock."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk.calendar.working_days import Pause, WorkingCalendar, due_date
from helpdesk.core import i18n
from helpdesk.tickets.status_flow import (
    ACTOR_KINDS,
    AUTO_CLOSE_AFTER,
    REOPEN_WINDOW,
    STATUSES,
    TransitionNotAllowed,
    allowed_targets,
    auto_close_due,
    check_transition,
    clock_running,
    ends_pause,
    is_allowed,
    is_open,
    starts_pause,
    status_name,
    status_names,
)

SANTIAGO = ZoneInfo("America/Santiago")
RESOLVED_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
IN_WINDOW = {"resolved_at": RESOLVED_AT, "now": RESOLVED_AT + timedelta(days=1)}

# Written out by hand, apart from the module's table: who may make each move that exists.
C, A, S = "citizen", "agent", "system"
ALLOWED = {
    ("nuevo", "abierto"): {A, S},
    ("nuevo", "en_espera_ciudadano"): {A},
    ("nuevo", "cerrado"): {C, A},
    ("abierto", "en_espera_ciudadano"): {A},
    ("abierto", "resuelto"): {A, S},
    ("abierto", "cerrado"): {C, A},
    ("en_espera_ciudadano", "abierto"): {C, A, S},
    ("en_espera_ciudadano", "cerrado"): {C, A, S},
    ("resuelto", "cerrado"): {C, A, S},
    ("resuelto", "reabierto"): {C, A},
    ("cerrado", "reabierto"): {A},
    ("reabierto", "en_espera_ciudadano"): {A},
    ("reabierto", "resuelto"): {A, S},
    ("reabierto", "cerrado"): {C, A},
}


def expected_code(current: str, target: str, actor: str) -> str | None:
    if current == target:
        return "same_status"
    if (current, target) not in ALLOWED:
        return "no_such_move"
    if actor not in ALLOWED[(current, target)]:
        return "actor_not_allowed"
    return None


CASES = [
    pytest.param(
        current,
        target,
        actor,
        expected_code(current, target, actor),
        id=f"{current}-{target}-{actor}",
    )
    for current, target, actor in itertools.product(STATUSES, STATUSES, ACTOR_KINDS)
]


@pytest.fixture(autouse=True)
def spanish() -> None:
    i18n.set_locale("es")


def test_the_table_covers_every_status_and_actor() -> None:
    assert STATUSES == (
        "nuevo",
        "abierto",
        "en_espera_ciudadano",
        "resuelto",
        "cerrado",
        "reabierto",
    )
    assert ACTOR_KINDS == ("citizen", "agent", "system")
    assert len(CASES) == 6 * 6 * 3


@pytest.mark.parametrize(("current", "target", "actor", "code"), CASES)
def test_every_move(current: str, target: str, actor: str, code: str | None) -> None:
    if code is None:
        check_transition(current, target, actor, **IN_WINDOW)
        assert is_allowed(current, target, actor, **IN_WINDOW)
        return
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition(current, target, actor, **IN_WINDOW)
    assert refused.value.code == code
    assert (refused.value.current, refused.value.target, refused.value.actor_kind) == (
        current,
        target,
        actor,
    )
    assert refused.value.message and str(refused.value) == refused.value.message
    assert not is_allowed(current, target, actor, **IN_WINDOW)


@pytest.mark.parametrize(("current", "actor"), list(itertools.product(STATUSES, ACTOR_KINDS)))
def test_allowed_targets_match_the_table(current: str, actor: str) -> None:
    expected = tuple(t for t in STATUSES if expected_code(current, t, actor) is None)
    assert allowed_targets(current, actor, **IN_WINDOW) == expected


def test_any_open_status_can_wait_on_the_citizen_only_by_an_agent() -> None:
    for status in ("nuevo", "abierto", "reabierto"):
        assert "en_espera_ciudadano" in allowed_targets(status, "agent")
        assert "en_espera_ciudadano" not in allowed_targets(status, "system")
        assert "en_espera_ciudadano" not in allowed_targets(status, "citizen")


def test_a_citizen_reopens_a_resolved_request_only_within_the_window() -> None:
    edge = RESOLVED_AT + REOPEN_WINDOW
    check_transition("resuelto", "reabierto", "citizen", resolved_at=RESOLVED_AT, now=edge)
    late = edge + timedelta(seconds=1)
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition("resuelto", "reabierto", "citizen", resolved_at=RESOLVED_AT, now=late)
    assert refused.value.code == "reopen_window_closed"
    assert "reabierto" not in allowed_targets(
        "resuelto", "citizen", resolved_at=RESOLVED_AT, now=late
    )
    # Without the times the window counts as closed, so forgetting them cannot open a door.
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition("resuelto", "reabierto", "citizen")
    assert refused.value.code == "reopen_window_closed"
    # A window the caller sets (an admin setting) replaces the default.
    check_transition(
        "resuelto",
        "reabierto",
        "citizen",
        resolved_at=RESOLVED_AT,
        now=late,
        reopen_window=timedelta(days=30),
    )
    # Agents are not bound by it.
    check_transition("resuelto", "reabierto", "agent", resolved_at=RESOLVED_AT, now=late)
    check_transition("resuelto", "reabierto", "agent")


def test_a_closed_request_is_reopened_only_by_an_agent() -> None:
    check_transition("cerrado", "reabierto", "agent")
    for actor in ("citizen", "system"):
        with pytest.raises(TransitionNotAllowed) as refused:
            check_transition("cerrado", "reabierto", actor)
        assert refused.value.code == "actor_not_allowed"
    assert allowed_targets("cerrado", "citizen") == ()
    assert allowed_targets("cerrado", "system") == ()


def test_a_merged_request_never_moves_again() -> None:
    for current, target, actor in itertools.product(STATUSES, STATUSES, ACTOR_KINDS):
        with pytest.raises(TransitionNotAllowed) as refused:
            check_transition(current, target, actor, merged=True, **IN_WINDOW)
        assert refused.value.code == "merged"
    assert allowed_targets("cerrado", "agent", merged=True) == ()
    # Merging itself is an agent closing the duplicate, possible from every other status.
    for status in STATUSES:
        if status != "cerrado":
            check_transition(status, "cerrado", "agent")


def test_unknown_statuses_and_actors_are_refused_with_their_own_code() -> None:
    cases = [
        ("pendiente", "abierto", "agent", "unknown_status"),
        ("nuevo", "<script>", "agent", "unknown_status"),
        ("nuevo", "abierto", "supervisor", "unknown_actor"),
    ]
    for current, target, actor, code in cases:
        with pytest.raises(TransitionNotAllowed) as refused:
            check_transition(current, target, actor)
        assert refused.value.code == code
        assert "<script>" not in refused.value.message  # input is never echoed back
    with pytest.raises(ValueError, match="status"):
        allowed_targets("pendiente", "agent")
    with pytest.raises(ValueError, match="actor"):
        allowed_targets("nuevo", "robot")
    with pytest.raises(ValueError, match="status"):
        is_open("pendiente")
    with pytest.raises(ValueError, match="status"):
        clock_running("")


def test_refusals_speak_spanish_and_name_the_statuses() -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition("nuevo", "resuelto", "agent")
    assert refused.value.message == "Una solicitud en estado «Nuevo» no puede pasar a «Resuelto»."
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition("abierto", "abierto", "agent")
    assert refused.value.message == "La solicitud ya está en estado «Abierto»."
    with pytest.raises(TransitionNotAllowed) as refused:
        check_transition("cerrado", "reabierto", "citizen")
    assert "nueva solicitud" in refused.value.message


def test_status_names() -> None:
    names = status_names()
    assert tuple(names) == STATUSES
    assert names["en_espera_ciudadano"] == "En espera del ciudadano"
    assert all(name.strip() for name in names.values())
    assert len(set(names.values())) == len(STATUSES)
    assert status_name("reabierto") == "Reabierto"


@pytest.mark.parametrize(
    ("status", "open_", "running"),
    [
        ("nuevo", True, True),
        ("abierto", True, True),
        ("en_espera_ciudadano", True, False),
        ("resuelto", False, False),
        ("cerrado", False, False),
        ("reabierto", True, True),
    ],
)
def test_open_and_clock(status: str, open_: bool, running: bool) -> None:
    assert is_open(status) is open_
    assert clock_running(status) is running


def test_pauses_begin_and_end_with_the_wait() -> None:
    for current, target in itertools.product(STATUSES, STATUSES):
        waiting_before = current == "en_espera_ciudadano"
        waiting_after = target == "en_espera_ciudadano"
        assert starts_pause(current, target) is (waiting_after and not waiting_before)
        assert ends_pause(current, target) is (waiting_before and not waiting_after)


def test_the_wait_stops_the_legal_clock() -> None:
    """A history of moves, turned into deadlines.Pause rows as the service will do."""
    received = datetime(2025, 9, 1, 10, tzinfo=SANTIAGO)  # a Monday
    history = [
        (received, "nuevo", "abierto"),
        (datetime(2025, 9, 2, 11, tzinfo=SANTIAGO), "abierto", "en_espera_ciudadano"),
        (datetime(2025, 9, 5, 9, tzinfo=SANTIAGO), "en_espera_ciudadano", "abierto"),
    ]
    pauses: list[Pause] = []
    for at, current, target in history:
        if starts_pause(current, target):
            pauses.append(Pause(at))
        elif ends_pause(current, target):
            pauses[-1] = Pause(pauses[-1].start, at)
        assert clock_running(target) is (target != "en_espera_ciudadano")
    calendar = WorkingCalendar("RM")
    without = due_date(received, 10, calendar, SANTIAGO)
    with_wait = due_date(received, 10, calendar, SANTIAGO, pauses)
    # Paused on 3, 4 and 5 September: three working days later, across Fiestas Patrias.
    assert without == date(2025, 9, 15)
    assert with_wait == date(2025, 9, 22)
    # While the wait is open there is no due date at all.
    assert due_date(received, 10, calendar, SANTIAGO, [Pause(history[1][0])]) is None


def test_auto_close_after_the_resolution() -> None:
    assert not auto_close_due(RESOLVED_AT, RESOLVED_AT + AUTO_CLOSE_AFTER)
    assert auto_close_due(RESOLVED_AT, RESOLVED_AT + AUTO_CLOSE_AFTER + timedelta(minutes=1))
    assert auto_close_due(RESOLVED_AT, RESOLVED_AT + timedelta(days=2), after=timedelta(days=1))
    check_transition("resuelto", "cerrado", "system")
