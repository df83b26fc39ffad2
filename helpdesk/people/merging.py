"""Two records of the same human: merging one into the other, after the preview
(``merge_preview.py``) showed both and the staff member confirmed.

A merge keeps history: the duplicate's row stays (``merged_into_id`` points at the record
kept, and its audit events stay on it); its requests and its citizen account move to the
kept record, and the kept record's empty identity and contact fields are filled from it.
What other domains hold of the duplicate (its requests, ...) is moved by their own hooks,
registered from ``app.py`` with ``register_merge_hook``. A ``PersonMerge`` row remembers
exactly what moved and changed, so that a supervisor can undo it (``unmerging.py``). Which
pairs may be merged, and by whom, is decided in ``merge_rules.py``. Every change is an audit
event. Like every service here, it checks the viewer's role and region, writes in the
caller's unit of work and never commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import CitizenAccount
from helpdesk.accounts.permissions import Viewer, check_person_access, region_scope
from helpdesk.audit import service as audit
from helpdesk.core.db import lock_in_order, utcnow
from helpdesk.core.i18n import gettext as _
from helpdesk.people import merge_rules
from helpdesk.people import service as people
from helpdesk.people.models import Person, PersonMerge

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
    merge_id: int | None = None  # the PersonMerge row an undo starts from

    @property
    def requests_moved(self) -> int:
        return self.moved.get("requests", 0)


# move(db, duplicate, kept, actor) -> ids of the rows it moved. Runs inside the merge's unit
# of work, after its checks and before the records change; each moved row gets its own
# audit event. restore(db, ids, duplicate, kept, actor) -> how many rows went back: the
# undo's, given the ids ``move`` returned (only those still on the kept record go back).
MoveRows = Callable[[AsyncSession, Person, Person, audit.Actor], Awaitable[Sequence[int]]]
RestoreRows = Callable[[AsyncSession, Sequence[int], Person, Person, audit.Actor], Awaitable[int]]


@dataclass(frozen=True)
class MergeHook:
    move: MoveRows
    restore: RestoreRows


MERGE_HOOKS: dict[str, MergeHook] = {}


def register_merge_hook(name: str, move: MoveRows, restore: RestoreRows) -> None:
    """Another domain re-points its rows of a merged duplicate, and back on an undo
    (``app.py`` registers each, named after what it moves). Registering the same hook again
    changes nothing."""
    hook = MergeHook(move, restore)
    if MERGE_HOOKS.setdefault(name, hook) != hook:
        raise ValueError(f"another merge hook is registered as {name!r}")


def _empty(value: Any) -> bool:
    return value is None or value == ""


def fills(duplicate: Person, kept: Person) -> tuple[dict[str, Any], dict[str, Any]]:
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


async def account_of(db: AsyncSession, person: Person) -> CitizenAccount | None:
    return await db.scalar(select(CitizenAccount).where(CitizenAccount.person_id == person.id))


async def refusal(
    db: AsyncSession, viewer: Viewer, duplicate: Person, kept: Person, reason: str | None
) -> str | None:
    """Why this merge cannot go ahead for this viewer (translated), or None. Also what the
    preview shows before the confirmation."""
    if duplicate.id == kept.id:
        return _("Una persona no puede fusionarse consigo misma.")
    if duplicate.merged_into_id is not None:
        return _("Esta ficha ya se fusionó con otra persona.")
    if kept.merged_into_id is not None:
        return _("La otra ficha ya se fusionó con otra persona; elija la ficha que la reúne.")
    found = merge_rules.refusal(merge_rules.conflicts(duplicate, kept), viewer, reason)
    if found is not None:
        return found
    dup_account, kept_account = await account_of(db, duplicate), await account_of(db, kept)
    if dup_account is not None and kept_account is not None:
        # An account is how a citizen signs in (its password or ClaveÚnica link) and a person
        # has at most one; dropping either would lock someone out, so a human decides first.
        return _(
            "Las dos fichas tienen una cuenta en el portal, y una persona solo puede tener "
            "una. Pida a la persona que deje de usar una de ellas antes de fusionar."
        )
    kept_email = fills(duplicate, kept)[0].get("email", kept.email)
    if dup_account is not None and dup_account.kind == "portal" and kept_email != duplicate.email:
        # Portal accounts sign in with their person's email: moved to a record with another
        # address, the account could no longer sign in.
        return _(
            "La ficha duplicada tiene una cuenta del portal que ingresa con su correo, "
            "distinto del de la otra ficha. Fusione en el otro sentido o corrija el correo."
        )
    return None


async def merge_people(
    db: AsyncSession,
    viewer: Viewer,
    duplicate: Person,
    kept: Person,
    actor: audit.Actor,
    now: datetime | None = None,
    override_reason: str | None = None,
) -> MergeResult:
    """Merge ``duplicate`` into ``kept``; raises ``PersonMergeRefused`` (nothing written).
    ``override_reason``: a supervisor's reason to merge records whose documents differ."""
    region_scope(viewer)  # staff who work persons; regional agents within their region
    check_person_access(viewer, duplicate.id, duplicate.region_code)
    check_person_access(viewer, kept.id, kept.region_code)
    if duplicate.id != kept.id:
        await lock_in_order(db, duplicate, kept)
    reason = (override_reason or "").strip()[: merge_rules.REASON_MAX] or None
    refused = await refusal(db, viewer, duplicate, kept, reason)
    if refused is not None:
        raise PersonMergeRefused(refused)
    overridden = [
        c.code for c in merge_rules.conflicts(duplicate, kept) if c.level == merge_rules.OVERRIDE
    ]
    dup_account = await account_of(db, duplicate)
    to_kept, from_duplicate = fills(duplicate, kept)

    now = now or utcnow()
    result = MergeResult()
    moved_ids: dict[str, list[int]] = {}
    for name, hook in MERGE_HOOKS.items():
        moved_ids[name] = list(await hook.move(db, duplicate, kept, actor))
        result.moved[name] = len(moved_ids[name])
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
    cleared = await people.update_person(db, viewer, duplicate, from_duplicate, actor)
    result.filled = await people.update_person(db, viewer, kept, to_kept, actor)
    duplicate.merged_into_id = kept.id
    duplicate.updated_at = kept.updated_at = now
    record = PersonMerge(
        duplicate_id=duplicate.id,
        kept_id=kept.id,
        merged_at=now,
        merged_by=actor.id if actor.type == "staff" else None,
        override_reason=reason if overridden else None,
        moved=moved_ids,
        account_id=dup_account.id if dup_account is not None else None,
        kept_changes=result.filled,
        duplicate_changes=cleared,
    )
    db.add(record)
    await db.flush()
    result.merge_id = record.id
    why = {"override": [None, overridden], "reason": [None, reason]} if overridden else {}
    audit.record(
        db,
        actor,
        "person.merge",
        "person",
        duplicate.id,
        {"merged_into": [None, kept.id], **why},
    )
    audit.record(
        db, actor, "person.merge", "person", kept.id, {"merged_from": [None, duplicate.id], **why}
    )
    await db.flush()
    return result
