"""The status flow of a request, as pure rules: which moves exist and who may make them.

Statuses: nuevo → abierto ⇄ en espera del ciudadano → resuelto → cerrado, with reabierto
for a resolved (or, by an agent, closed) request that needs more work. Actors are kinds,
not people: "citizen" (the person, through the private link or the account), "agent" (any
staff working requests; role and region checks happen elsewhere) and "system" (respuestas
tipo, timers, the mail listener).

Decisions the table encodes, beyond the obvious moves:
- A request is never resolved straight from nuevo or from en espera: the first answer (an
  agent's, or an automatic one) opens it, and a citizen's reply ends the wait. The service
  records the two moves in one unit of work, so the history shows both.
- The legal clock stops only in en espera del ciudadano (a ``deadlines.Pause`` runs from
  entering it to leaving it); leaving it for abierto or cerrado ends the pause.
- Any status that is not cerrado may be closed by an agent (a merged duplicate, spam, an
  abandoned request); the citizen may withdraw an open request (desistimiento) and close a
  resolved one; the system closes a resolved request after ``AUTO_CLOSE_AFTER`` and a
  waiting one whose citizen never answered (art. 31 of Ley 19.880), timed by the caller.
- A resolved request may be reopened by its citizen within ``REOPEN_WINDOW`` of the
  resolution, by an agent at any time. A closed request is reopened only by an agent (a
  closure by mistake or by the timer while the citizen was writing); a citizen writing
  after closure starts a new request linked to the old one, so closed stays final for them
  and for the statistics.
- A request merged into another is closed for good: its conversation lives on in the
  surviving request, so no move at all is allowed from it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from helpdesk.core.i18n import gettext as _

NUEVO: Final = "nuevo"
ABIERTO: Final = "abierto"
EN_ESPERA_CIUDADANO: Final = "en_espera_ciudadano"
RESUELTO: Final = "resuelto"
CERRADO: Final = "cerrado"
REABIERTO: Final = "reabierto"
STATUSES: Final = (NUEVO, ABIERTO, EN_ESPERA_CIUDADANO, RESUELTO, CERRADO, REABIERTO)
INITIAL_STATUS: Final = NUEVO

CITIZEN: Final = "citizen"
AGENT: Final = "agent"
SYSTEM: Final = "system"
ACTOR_KINDS: Final = (CITIZEN, AGENT, SYSTEM)

# Days of the calendar, not días hábiles: neither is a legal term, both are the service's
# choice (an admin setting can replace them; callers pass their own values).
AUTO_CLOSE_AFTER: Final = timedelta(days=7)
REOPEN_WINDOW: Final = AUTO_CLOSE_AFTER

_OPEN: Final = frozenset({NUEVO, ABIERTO, EN_ESPERA_CIUDADANO, REABIERTO})
_CLOCK_RUNNING: Final = frozenset({NUEVO, ABIERTO, REABIERTO})

_EVERYONE: Final = frozenset(ACTOR_KINDS)
_AGENT: Final = frozenset({AGENT})
_STAFF: Final = frozenset({AGENT, SYSTEM})
_PEOPLE: Final = frozenset({CITIZEN, AGENT})

# (from, to) -> who may make the move. A pair that is missing does not exist for anyone.
_MOVES: Final[dict[tuple[str, str], frozenset[str]]] = {
    (NUEVO, ABIERTO): _STAFF,  # an agent takes it, or a respuesta tipo answers it
    (NUEVO, EN_ESPERA_CIUDADANO): _AGENT,
    (NUEVO, CERRADO): _PEOPLE,
    (ABIERTO, EN_ESPERA_CIUDADANO): _AGENT,
    (ABIERTO, RESUELTO): _STAFF,  # system: the citizen said the automatic answer solved it
    (ABIERTO, CERRADO): _PEOPLE,
    (EN_ESPERA_CIUDADANO, ABIERTO): _EVERYONE,  # agent: an answer given at the counter
    (EN_ESPERA_CIUDADANO, CERRADO): _EVERYONE,  # system: abandoned after the given term
    (RESUELTO, CERRADO): _EVERYONE,  # system: after AUTO_CLOSE_AFTER
    (RESUELTO, REABIERTO): _PEOPLE,  # citizen: within REOPEN_WINDOW only
    (CERRADO, REABIERTO): _AGENT,
    (REABIERTO, EN_ESPERA_CIUDADANO): _AGENT,
    (REABIERTO, RESUELTO): _STAFF,
    (REABIERTO, CERRADO): _PEOPLE,
}


class TransitionNotAllowed(Exception):
    """A refused move. ``code`` is for programs and tests; ``message`` is for people, in the
    locale active when it was raised."""

    def __init__(self, code: str, message: str, current: str, target: str, actor_kind: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.current = current
        self.target = target
        self.actor_kind = actor_kind


def status_names() -> dict[str, str]:
    """Each status's name in the active locale, in flow order."""
    return {
        NUEVO: _("Nuevo"),
        ABIERTO: _("Abierto"),
        EN_ESPERA_CIUDADANO: _("En espera del ciudadano"),
        RESUELTO: _("Resuelto"),
        CERRADO: _("Cerrado"),
        REABIERTO: _("Reabierto"),
    }


def status_name(status: str) -> str:
    return status_names()[status]


def is_open(status: str) -> bool:
    """Whether the request still needs work: resolved and closed ones do not."""
    _require_status(status)
    return status in _OPEN


def clock_running(status: str) -> bool:
    """Whether the response deadline counts down: not while waiting on the citizen, and not
    once the request is answered (resolved or closed)."""
    _require_status(status)
    return status in _CLOCK_RUNNING


def starts_pause(current: str, target: str) -> bool:
    """The move stops the legal clock: open a ``deadlines.Pause`` at its time."""
    return target == EN_ESPERA_CIUDADANO and current != EN_ESPERA_CIUDADANO


def ends_pause(current: str, target: str) -> bool:
    """The move leaves the wait: close the open ``deadlines.Pause`` at its time."""
    return current == EN_ESPERA_CIUDADANO and target != EN_ESPERA_CIUDADANO


def within_reopen_window(
    resolved_at: datetime, now: datetime, window: timedelta = REOPEN_WINDOW
) -> bool:
    return now - resolved_at <= window


def auto_close_due(
    resolved_at: datetime, now: datetime, after: timedelta = AUTO_CLOSE_AFTER
) -> bool:
    """Whether the timer should close a resolved request (``resuelto`` → ``cerrado``, system)."""
    return now - resolved_at > after


def check_transition(
    current: str,
    target: str,
    actor_kind: str,
    *,
    resolved_at: datetime | None = None,
    now: datetime | None = None,
    reopen_window: timedelta = REOPEN_WINDOW,
    merged: bool = False,
) -> None:
    """Raise ``TransitionNotAllowed`` unless ``actor_kind`` may move a request from
    ``current`` to ``target``.

    ``resolved_at`` and ``now`` matter only for a citizen reopening a resolved request:
    without them the window counts as closed. ``merged`` marks a request merged into
    another, which no one may move again.
    """
    refusal = _refusal(current, target, actor_kind, resolved_at, now, reopen_window, merged)
    if refusal is not None:
        code, message = refusal
        raise TransitionNotAllowed(code, message, current, target, actor_kind)


def is_allowed(
    current: str,
    target: str,
    actor_kind: str,
    *,
    resolved_at: datetime | None = None,
    now: datetime | None = None,
    reopen_window: timedelta = REOPEN_WINDOW,
    merged: bool = False,
) -> bool:
    return _refusal(current, target, actor_kind, resolved_at, now, reopen_window, merged) is None


def allowed_targets(
    current: str,
    actor_kind: str,
    *,
    resolved_at: datetime | None = None,
    now: datetime | None = None,
    reopen_window: timedelta = REOPEN_WINDOW,
    merged: bool = False,
) -> tuple[str, ...]:
    """The statuses ``actor_kind`` may move the request to, in flow order (for buttons)."""
    _require_status(current)
    if actor_kind not in ACTOR_KINDS:
        raise ValueError(f"unknown actor kind {actor_kind!r}")
    return tuple(
        target
        for target in STATUSES
        if _refusal(current, target, actor_kind, resolved_at, now, reopen_window, merged) is None
    )


def _refusal(
    current: str,
    target: str,
    actor_kind: str,
    resolved_at: datetime | None,
    now: datetime | None,
    reopen_window: timedelta,
    merged: bool,
) -> tuple[str, str] | None:
    if current not in STATUSES or target not in STATUSES:
        return "unknown_status", _("Ese estado de solicitud no existe.")
    if actor_kind not in ACTOR_KINDS:
        return "unknown_actor", _("No se reconoce quién pide el cambio de estado.")
    names = status_names()
    if merged:
        return "merged", _(
            "Esta solicitud se unió a otra y quedó cerrada; continúe en la solicitud que la reúne."
        )
    if current == target:
        return "same_status", _(
            "La solicitud ya está en estado «%(status)s».", status=names[current]
        )
    actors = _MOVES.get((current, target))
    if actors is None:
        return "no_such_move", _(
            "Una solicitud en estado «%(current)s» no puede pasar a «%(target)s».",
            current=names[current],
            target=names[target],
        )
    if actor_kind not in actors:
        return "actor_not_allowed", _actor_refusal(current, target, actor_kind, names)
    if (current, target, actor_kind) == (RESUELTO, REABIERTO, CITIZEN) and (
        resolved_at is None
        or now is None
        or not within_reopen_window(resolved_at, now, reopen_window)
    ):
        return "reopen_window_closed", _(
            "El plazo para reabrir esta solicitud terminó. Puede abrir una nueva solicitud."
        )
    return None


def _actor_refusal(current: str, target: str, actor_kind: str, names: dict[str, str]) -> str:
    if actor_kind == CITIZEN:
        if current == CERRADO:
            return _("Esta solicitud está cerrada. Puede abrir una nueva solicitud.")
        return _(
            "Usted no puede cambiar esta solicitud a «%(target)s»; lo hace el equipo de atención.",
            target=names[target],
        )
    if actor_kind == AGENT:
        return _(
            "El personal no puede pasar una solicitud de «%(current)s» a «%(target)s».",
            current=names[current],
            target=names[target],
        )
    return _(
        "El sistema no puede pasar una solicitud de «%(current)s» a «%(target)s».",
        current=names[current],
        target=names[target],
    )


def _require_status(status: str) -> None:
    # A stored or coded status that is not in the flow is a programming error, not input.
    if status not in STATUSES:
        raise ValueError(f"unknown request status {status!r}")
