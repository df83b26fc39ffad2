"""What the merge preview shows before the confirmation: both records side by side (identity,
documents, e-mail, requests), what the record kept will look like, where replies will go,
the conflicts between them (``merge_rules``), and whether this viewer may go ahead.

The preview carries a fingerprint of both records; the confirmation must send it back, so
a merge never applies to records that changed after the staff member read them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.people import merge_rules, merging, timeline
from helpdesk.people import service as people
from helpdesk.people.models import Person

# The facts shown side by side, in this order (labels from the timeline's field names).
SHOWN_FIELDS = (
    "given_names",
    "surnames",
    "run",
    "document_type",
    "document_number",
    "document_country",
    "birth_date",
    "country_of_birth",
    "email",
    "phone",
    "region_code",
)


@dataclass(frozen=True)
class Row:
    field: str
    label: str
    duplicate: Any
    kept: Any
    after: Any  # the kept record's value after the merge
    differs: bool  # both set and different


@dataclass(frozen=True)
class MergePreview:
    duplicate: Person
    kept: Person
    rows: list[Row]
    duplicate_requests: list[timeline.TimelineEntry]
    kept_requests: list[timeline.TimelineEntry]
    conflicts: list[merge_rules.Conflict]
    refusal: str | None  # why this viewer cannot merge (without an override reason)
    needs_override: bool  # a supervisor may go ahead with a reason
    may_override: bool
    reply_email: str | None  # where replies to every request will go after the merge
    account_moves: bool
    fingerprint: str


def fingerprint(duplicate: Person, kept: Person) -> str:
    """Changes whenever either record's facts or merge state change."""
    facts = [
        {**people.snapshot(p), "id": p.id, "merged_into_id": p.merged_into_id}
        for p in (duplicate, kept)
    ]
    text = json.dumps(facts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


async def requests_of(
    db: AsyncSession, person: Person, scope: str | None
) -> list[timeline.TimelineEntry]:
    """The person's requests as the registered timeline sources tell them (folio, subject),
    within the viewer's region: this domain imports none of the inbox."""
    found = []
    for source in timeline.SOURCES:
        found += [e for e in await source(db, person, timeline.LIMIT, scope) if e.kind == "request"]
    return found


async def preview(
    db: AsyncSession, viewer: Viewer, duplicate: Person, kept: Person
) -> MergePreview:
    """The caller has checked access to both records (``people.get_person``)."""
    scope = region_scope(viewer)
    found = merge_rules.conflicts(duplicate, kept)
    # The refusal without a reason; with one, only the override's own conditions remain.
    refusal = await merging.refusal(db, viewer, duplicate, kept, "x" * merge_rules.REASON_MIN)
    to_kept, _ = merging.fills(duplicate, kept)
    labels = timeline.field_labels()
    rows = []
    for name in SHOWN_FIELDS:
        a, b = getattr(duplicate, name), getattr(kept, name)
        rows.append(
            Row(name, labels.get(name, name), a, b, to_kept.get(name, b), bool(a and b and a != b))
        )
    return MergePreview(
        duplicate=duplicate,
        kept=kept,
        rows=rows,
        duplicate_requests=await requests_of(db, duplicate, scope),
        kept_requests=await requests_of(db, kept, scope),
        conflicts=found,
        refusal=refusal,
        needs_override=any(c.level == merge_rules.OVERRIDE for c in found),
        may_override=merge_rules.may_override(viewer),
        reply_email=to_kept.get("email", kept.email),
        account_moves=await merging.account_of(db, duplicate) is not None,
        fingerprint=fingerprint(duplicate, kept),
    )
