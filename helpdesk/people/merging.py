"""Two records of the same human: finding likely duplicates and merging one into another.

A merge keeps history: the duplicate's row stays (``merged_into_id`` points at the record
kept, and its audit events stay on it); its requests and its citizen account move to the
kept record, and the kept record's empty identity and contact fields are filled from it.
What other domains hold of the duplicate (its requests, ...) is moved by their own hooks,
registered from ``app.py`` with ``register_merge_hook``. Every change is an audit event.
Like every service here, it checks the viewer's role and region, writes in the caller's unit
of work and never commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import CitizenAccount
from helpdesk.accounts.permissions import Viewer, check_person_access, region_scope
from helpdesk.audit import service as audit
from helpdesk.core.db import lock_in_order, utcnow
from helpdesk.core.i18n import gettext as _
from helpdesk.people import service as people
from helpdesk.people.identity import normalize_document_number, normalize_run
from helpdesk.people.models import DOCUMENT_TYPES, Person

# Filled one by one when empty on the kept record.
_SIMPLE_FIELDS: Final = (
    "given_names",
    "surnames",
    "birth_date",
    "country_of_birth",
    "phone",
    "region_code",
)
_DOCUMENT: Final = ("document_type", "document_number", "document_country")
MATCHES_SHOWN: Final = 20


class PersonMergeRefused(Exception):
    """A refused merge; ``message`` is for the staff member, already translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class MergeResult:
    moved: dict[str, int] = field(default_factory=dict)  # rows each merge hook moved, by name
    account_moved: bool = False
    filled: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def requests_moved(self) -> int:
        return self.moved.get("requests", 0)


# (db, duplicate, kept, actor) -> how many rows moved. Runs inside the merge's unit of work,
# after its checks and before the records change; each moved row gets its own audit event.
MergeHook = Callable[[AsyncSession, Person, Person, audit.Actor], Awaitable[int]]
MERGE_HOOKS: dict[str, MergeHook] = {}


def register_merge_hook(name: str, hook: MergeHook) -> None:
    """Another domain re-points its rows of a merged duplicate (``app.py`` registers each,
    named after what it moves). Registering the same hook again changes nothing."""
    if MERGE_HOOKS.setdefault(name, hook) is not hook:
        raise ValueError(f"another merge hook is registered as {name!r}")


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _fills(duplicate: Person, kept: Person) -> tuple[dict[str, Any], dict[str, Any]]:
    """(changes for the kept record, changes for the duplicate). RUN and document are
    unique columns, so they move (cleared on the duplicate) rather than being copied."""
    to_kept: dict[str, Any] = {}
    from_duplicate: dict[str, Any] = {}
    for name in _SIMPLE_FIELDS:
        if _empty(getattr(kept, name)) and not _empty(getattr(duplicate, name)):
            to_kept[name] = getattr(duplicate, name)
    if kept.sex_gender == "not_declared" and duplicate.sex_gender != "not_declared":
        to_kept["sex_gender"] = duplicate.sex_gender
    if kept.email is None and duplicate.email:
        to_kept["email"] = duplicate.email
        to_kept["email_verified_at"] = duplicate.email_verified_at
    elif kept.email == duplicate.email and kept.email_verified_at is None:
        to_kept["email_verified_at"] = duplicate.email_verified_at
    if kept.run is None and duplicate.run:
        to_kept["run"], from_duplicate["run"] = duplicate.run, None
    if kept.document_number is None and duplicate.document_number:
        for name in _DOCUMENT:
            to_kept[name], from_duplicate[name] = getattr(duplicate, name), None
    return {k: v for k, v in to_kept.items() if v is not None}, from_duplicate


async def _account(db: AsyncSession, person: Person) -> CitizenAccount | None:
    return await db.scalar(select(CitizenAccount).where(CitizenAccount.person_id == person.id))


async def merge_people(
    db: AsyncSession,
    viewer: Viewer,
    duplicate: Person,
    kept: Person,
    actor: audit.Actor,
    now: datetime | None = None,
) -> MergeResult:
    """Merge ``duplicate`` into ``kept``; raises ``PersonMergeRefused`` (nothing written)."""
    region_scope(viewer)  # staff who work persons; regional agents within their region
    check_person_access(viewer, duplicate.id, duplicate.region_code)
    check_person_access(viewer, kept.id, kept.region_code)
    if duplicate.id == kept.id:
        raise PersonMergeRefused(_("Una persona no puede fusionarse consigo misma."))
    await lock_in_order(db, duplicate, kept)
    if duplicate.merged_into_id is not None:
        raise PersonMergeRefused(_("Esta ficha ya se fusionó con otra persona."))
    if kept.merged_into_id is not None:
        raise PersonMergeRefused(
            _("La otra ficha ya se fusionó con otra persona; elija la ficha que la reúne.")
        )
    dup_run, kept_run = normalize_run(duplicate.run or ""), normalize_run(kept.run or "")
    if dup_run and kept_run and dup_run != kept_run:
        raise PersonMergeRefused(_("Las dos fichas tienen RUN distintos: no son la misma persona."))
    dup_account, kept_account = await _account(db, duplicate), await _account(db, kept)
    if dup_account is not None and kept_account is not None:
        # An account is how a citizen signs in (its password or ClaveÚnica link) and a person
        # has at most one; dropping either would lock someone out, so a human decides first.
        raise PersonMergeRefused(
            _(
                "Las dos fichas tienen una cuenta en el portal, y una persona solo puede tener "
                "una. Pida a la persona que deje de usar una de ellas antes de fusionar."
            )
        )
    to_kept, from_duplicate = _fills(duplicate, kept)
    kept_email = to_kept.get("email", kept.email)
    if dup_account is not None and dup_account.kind == "portal" and kept_email != duplicate.email:
        # Portal accounts sign in with their person's email: moved to a record with another
        # address, the account could no longer sign in.
        raise PersonMergeRefused(
            _(
                "La ficha duplicada tiene una cuenta del portal que ingresa con su correo, "
                "distinto del de la otra ficha. Fusione en el otro sentido o corrija el correo."
            )
        )

    now = now or utcnow()
    result = MergeResult()
    for name, hook in MERGE_HOOKS.items():
        result.moved[name] = await hook(db, duplicate, kept, actor)
    if dup_account is not None:
        dup_account.person_id = kept.id
        result.account_moved = True
        audit.record(
            db,
            actor,
            "citizen_account.person",
            "citizen_account",
            dup_account.id,
            {"person_id": [duplicate.id, kept.id]},
        )
    # Clear the duplicate's unique identifiers (flushed) before the kept record takes them.
    await people.update_person(db, viewer, duplicate, from_duplicate, actor)
    result.filled = await people.update_person(db, viewer, kept, to_kept, actor)
    duplicate.merged_into_id = kept.id
    duplicate.updated_at = kept.updated_at = now
    audit.record(
        db, actor, "person.merge", "person", duplicate.id, {"merged_into": [None, kept.id]}
    )
    audit.record(
        db, actor, "person.merge", "person", kept.id, {"merged_from": [None, duplicate.id]}
    )
    await db.flush()
    return result


# --- Likely duplicates.


@dataclass
class Match:
    person: Person
    reasons: list[str]  # "run", "document", "email"


def _run_as_document(run: str | None) -> str | None:
    # A Chilean cédula recorded as a document carries the RUN's digits and check digit.
    return normalize_document_number(run) if run else None


def _cedula(person: Person) -> str | None:
    if person.document_type == "national_id" and person.document_country == "CL":
        return person.document_number
    return None


def _reasons(person: Person, other: Person) -> list[str]:
    reasons: list[str] = []
    if (
        (person.run and person.run == other.run)
        or (person.run and _run_as_document(person.run) == _cedula(other))
        or (other.run and _run_as_document(other.run) == _cedula(person))
    ):
        reasons.append("run")
    if (
        person.document_number
        and person.document_number == other.document_number
        and person.document_country == other.document_country
    ):
        reasons.append("document")
    if (
        person.email
        and person.email == other.email
        and person.email_verified_at is not None
        and other.email_verified_at is not None
    ):
        reasons.append("email")
    return reasons


async def find_matches(db: AsyncSession, viewer: Viewer, person: Person) -> list[Match]:
    """Other records (in the viewer's scope, not merged) with the same RUN (also as a Chilean
    cédula number), the same document number and country, or the same verified email."""
    scope = region_scope(viewer)
    terms = []
    if person.run:
        terms.append(Person.run == person.run)
        terms.append(
            and_(
                Person.document_type == "national_id",
                Person.document_number == _run_as_document(person.run),
                Person.document_country == "CL",
            )
        )
    cedula_run = normalize_run(_cedula(person) or "")
    if cedula_run:
        terms.append(Person.run == cedula_run)
    if person.document_number and person.document_country:
        # Any document type: the same passport number may be typed as "other". The IN on the
        # unique index's first column lets both databases use that index.
        terms.append(
            and_(
                Person.document_type.in_(DOCUMENT_TYPES),
                Person.document_number == person.document_number,
                Person.document_country == person.document_country,
            )
        )
    if person.email and person.email_verified_at is not None:
        terms.append(and_(Person.email == person.email, Person.email_verified_at.is_not(None)))
    if not terms:
        return []
    stmt = (
        select(Person)
        .where(or_(*terms), Person.id != person.id, Person.merged_into_id.is_(None))
        .order_by(Person.id)
        .limit(MATCHES_SHOWN)
    )
    if scope is not None:
        stmt = stmt.where(Person.region_code == scope)
    rows = (await db.scalars(stmt)).all()
    return [Match(row, _reasons(person, row)) for row in rows]
