"""Undoing a person merge (supervisors and admins): the absorbed record comes back with
exactly the requests, account, identifiers and contact data the merge took from it, as the
``PersonMerge`` row recorded them. What changed on the kept record since the merge stays:
a field goes back only while it still holds what the merge put there, and a request only
while it is still on the kept record. Audited like the merge; never commits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import CitizenAccount
from helpdesk.accounts.permissions import Viewer, check_person_access
from helpdesk.audit import service as audit
from helpdesk.core.db import lock_in_order, utcnow
from helpdesk.core.errors import NotFound, PermissionDenied
from helpdesk.core.i18n import gettext as _
from helpdesk.people import merge_rules
from helpdesk.people import service as people
from helpdesk.people.merging import MERGE_HOOKS, PersonMergeRefused
from helpdesk.people.models import Person, PersonMerge

_UNIQUE = ("run", "document_type", "document_number", "document_country")


def _from_json(name: str, value: Any) -> Any:
    """An audited value back to its column's type (the diff stored dates as text)."""
    if value is None:
        return None
    if name == "birth_date":
        return date.fromisoformat(value)
    if name == "email_verified_at":
        return datetime.fromisoformat(value)
    return value


def reverted(person: Person, changes: dict[str, list[Any]]) -> dict[str, Any]:
    """The fields of ``person`` that still hold what the merge wrote, back to their value
    before it. The document's three fields go back together or not at all."""
    back = {
        name: _from_json(name, before)
        for name, (before, after) in changes.items()
        if audit.jsonable(getattr(person, name)) == after
    }
    document = [n for n in _UNIQUE[1:] if n in changes]
    if document and not all(n in back for n in document):
        for name in document:
            back.pop(name, None)
    return back


async def get_merge(db: AsyncSession, viewer: Viewer, merge_id: int) -> PersonMerge:
    """The merge, when the viewer may see both records (else NotFound, as when unknown)."""
    row = await db.get(PersonMerge, merge_id)
    if row is None:
        raise NotFound("person merge")
    for person_id in (row.duplicate_id, row.kept_id):
        person = await db.get(Person, person_id)
        try:
            check_person_access(viewer, person_id, person.region_code if person else None)
        except PermissionDenied:
            raise NotFound("person merge") from None
    return row


async def merges_of(db: AsyncSession, person: Person) -> list[PersonMerge]:
    """Merges this record took part in, newest first (the page has checked access)."""
    rows = await db.scalars(
        select(PersonMerge)
        .where((PersonMerge.kept_id == person.id) | (PersonMerge.duplicate_id == person.id))
        .order_by(PersonMerge.id.desc())
    )
    return list(rows.all())


async def undo_merge(
    db: AsyncSession,
    viewer: Viewer,
    merge: PersonMerge,
    actor: audit.Actor,
    now: datetime | None = None,
) -> dict[str, int]:
    """Restores the absorbed record; returns the rows each hook moved back. Raises
    ``PermissionDenied`` for roles that may not undo, ``PersonMergeRefused`` (nothing
    written) when the records have moved on since."""
    if not merge_rules.may_undo(viewer):
        raise PermissionDenied("only supervisors undo merges")
    duplicate = await db.get(Person, merge.duplicate_id)
    kept = await db.get(Person, merge.kept_id)
    assert duplicate is not None and kept is not None  # foreign keys
    await lock_in_order(db, duplicate, kept)
    await db.refresh(merge, with_for_update=True)
    if merge.undone_at is not None:
        raise PersonMergeRefused(_("Esta fusión ya se deshizo."))
    if duplicate.merged_into_id != kept.id:
        raise PersonMergeRefused(_("Esta ficha ya no está fusionada con la otra."))
    if kept.merged_into_id is not None:
        raise PersonMergeRefused(
            _("La ficha que se conservó se fusionó después con otra; deshaga primero esa fusión.")
        )
    kept_back = reverted(kept, merge.kept_changes or {})
    dup_back = {
        name: _from_json(name, before)
        for name, (before, _after) in (merge.duplicate_changes or {}).items()
    }
    # Identifiers the merge moved but the kept record no longer holds (changed since) stay
    # where they are, rather than clashing with whichever record holds them now.
    for name in _UNIQUE:
        if name in dup_back and name in (merge.kept_changes or {}) and name not in kept_back:
            dup_back.pop(name)

    now = now or utcnow()
    restored = {
        name: await MERGE_HOOKS[name].restore(db, ids, duplicate, kept, actor)
        for name, ids in (merge.moved or {}).items()
        if name in MERGE_HOOKS
    }
    if merge.account_id is not None:
        account = await db.get(CitizenAccount, merge.account_id)
        if account is not None and account.person_id == kept.id:
            account.person_id = duplicate.id
            audit.record(
                db,
                actor,
                "citizen_account.person",
                "citizen_account",
                account.id,
                {"person_id": [kept.id, duplicate.id]},
            )
    # The kept record gives the unique identifiers back (flushed) before the duplicate
    # takes them again.
    await people.update_person(db, None, kept, kept_back, actor)
    await people.update_person(db, None, duplicate, dup_back, actor)
    duplicate.merged_into_id = None
    duplicate.updated_at = kept.updated_at = now
    merge.undone_at = now
    merge.undone_by = actor.id if actor.type == "staff" else None
    audit.record(
        db, actor, "person.unmerge", "person", duplicate.id, {"merged_into": [kept.id, None]}
    )
    audit.record(
        db, actor, "person.unmerge", "person", kept.id, {"merged_from": [duplicate.id, None]}
    )
    await db.flush()
    return restored
