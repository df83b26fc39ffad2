"""When two person records may be merged, and who may merge or undo: pure rules over the two
records and the viewer, tested by tables (tests/helpdesk/people/test_merge_rules.py).

Three levels, decided from what the identifiers mean:

- **refused**: two valid, different RUN (also a RUN against a Chilean cédula carrying
  another RUN). The State gives a RUN once, for life: two of them are two people, and no
  one may override that. A mistyped RUN is corrected on its record first.
- **override**: the same type of document with different numbers. A passport is renewed
  with a new number, so the same human may hold two; only a supervisor (or an admin) merges
  them, writing why, and the reason is audited with the merge.
- **warning**: facts that usually differ between two people (birth date, names, e-mail)
  but also between two records of one person typed by different hands; the preview shows
  them loudly, and what they mean (whose e-mail the replies will go to).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

from helpdesk.accounts.permissions import Viewer
from helpdesk.core.i18n import gettext as _
from helpdesk.people.identity import normalize_document_number, normalize_run

REFUSED: Final = "refused"
OVERRIDE: Final = "override"
WARNING: Final = "warning"

# Who may merge: every staff member who works persons (region_scope decides, in merging.py).
OVERRIDE_ROLES: Final = frozenset({"supervisor", "admin"})
UNDO_ROLES: Final = frozenset({"supervisor", "admin"})
REASON_MIN: Final = 10
REASON_MAX: Final = 500


class PersonFacts(Protocol):
    """What the rules read of a record (a ``Person``, or any object with these fields)."""

    run: str | None
    document_type: str | None
    document_number: str | None
    document_country: str | None
    birth_date: object
    given_names: str
    surnames: str
    email: str | None


@dataclass(frozen=True)
class Conflict:
    code: str  # run | document | birth_date | names | email
    level: str  # refused | override | warning
    message: str  # for the staff member, translated


def _run(person: PersonFacts) -> str | None:
    """The RUN a record carries, as RUN or as a Chilean cédula's number."""
    if person.run:
        return normalize_run(person.run)
    if person.document_type == "national_id" and person.document_country == "CL":
        return normalize_run(person.document_number or "")
    return None


def _words(person: PersonFacts) -> set[str]:
    return {w for w in f"{person.given_names} {person.surnames}".casefold().split() if w}


def conflicts(duplicate: PersonFacts, kept: PersonFacts) -> list[Conflict]:
    """What stands between the two records, most serious first."""
    found: list[Conflict] = []
    dup_run, kept_run = _run(duplicate), _run(kept)
    if dup_run and kept_run and dup_run != kept_run:
        found.append(
            Conflict(
                "run", REFUSED, _("Las dos fichas tienen RUN distintos: no son la misma persona.")
            )
        )
    if (
        duplicate.document_type
        and duplicate.document_type == kept.document_type
        and duplicate.document_number
        and kept.document_number
        and normalize_document_number(duplicate.document_number)
        != normalize_document_number(kept.document_number)
    ):
        found.append(
            Conflict(
                "document",
                OVERRIDE,
                _(
                    "Las dos fichas tienen documentos del mismo tipo con números distintos. "
                    "Solo un supervisor puede fusionarlas, indicando el motivo (por ejemplo, "
                    "un pasaporte renovado)."
                ),
            )
        )
    if duplicate.birth_date and kept.birth_date and duplicate.birth_date != kept.birth_date:
        found.append(Conflict("birth_date", WARNING, _("Las fechas de nacimiento son distintas.")))
    dup_words, kept_words = _words(duplicate), _words(kept)
    if dup_words and kept_words and not dup_words & kept_words:
        found.append(
            Conflict("names", WARNING, _("Los nombres no tienen ninguna palabra en común."))
        )
    if duplicate.email and kept.email and duplicate.email.lower() != kept.email.lower():
        found.append(
            Conflict(
                "email",
                WARNING,
                _(
                    "Los correos son distintos: las respuestas a las solicitudes de la ficha "
                    "duplicada se enviarán a %(email)s, el correo de la ficha que se conserva.",
                    email=kept.email,
                ),
            )
        )
    return found


def may_override(viewer: Viewer) -> bool:
    return viewer.is_staff and viewer.role in OVERRIDE_ROLES


def may_undo(viewer: Viewer) -> bool:
    return viewer.is_staff and viewer.role in UNDO_ROLES


def refusal(found: list[Conflict], viewer: Viewer, reason: str | None) -> str | None:
    """Why the merge cannot go ahead (translated), or None. ``reason`` is the override's."""
    for conflict in found:
        if conflict.level == REFUSED:
            return conflict.message
    if any(c.level == OVERRIDE for c in found):
        if not may_override(viewer):
            return _(
                "Los documentos de las dos fichas no coinciden: solo un supervisor puede "
                "fusionarlas."
            )
        if reason is None or len(reason.strip()) < REASON_MIN:
            return _(
                "Escriba por qué se trata de la misma persona (al menos %(n)s caracteres).",
                n=REASON_MIN,
            )
    return None
