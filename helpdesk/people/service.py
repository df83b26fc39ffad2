"""Persons: lookups, creation and changes, with region scoping and an audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, check_person_access, region_scope
from helpdesk.audit import service as audit
from helpdesk.core.errors import NotFound, PermissionDenied
from helpdesk.people.models import Person

AUDITED_FIELDS = (
    "run",
    "document_type",
    "document_number",
    "document_country",
    "birth_date",
    "given_names",
    "surnames",
    "country_of_birth",
    "email",
    "email_verified_at",
    "phone",
    "preferred_locale",
    "sex_gender",
    "region_code",
)


def snapshot(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in AUDITED_FIELDS}


async def get_person(db: AsyncSession, viewer: Viewer, person_id: int) -> Person:
    """The record if the viewer may see it; one outside their region (or not theirs) is
    answered exactly as one that does not exist (NotFound)."""
    if viewer.is_staff:
        region_scope(viewer)  # refuse roles without records before revealing anything
    person = await db.get(Person, person_id)
    if person is None:
        raise NotFound("person")
    try:
        check_person_access(viewer, person.id, person.region_code)
    except PermissionDenied:
        raise NotFound("person") from None
    return person


async def list_people(
    db: AsyncSession, viewer: Viewer, after_id: int | None = None, limit: int = 50
) -> list[Person]:
    """Keyset-paginated, newest first, limited to the viewer's region."""
    # Merged records stay for the history but are not listed: their survivor is.
    stmt = (
        select(Person)
        .where(Person.merged_into_id.is_(None))
        .order_by(Person.id.desc())
        .limit(limit)
    )
    scope = region_scope(viewer)
    if scope is not None:
        stmt = stmt.where(Person.region_code == scope)
    if after_id is not None:
        stmt = stmt.where(Person.id < after_id)
    return list((await db.scalars(stmt)).all())


# Merges can chain (A into B, then B into C); no real chain comes near this.
MERGE_DEPTH = 10


async def survivor(db: AsyncSession, person: Person | None) -> Person | None:
    """The record a merged person lives on in (the person itself when not merged)."""
    for _ in range(MERGE_DEPTH):
        if person is None or person.merged_into_id is None:
            break
        person = await db.get(Person, person.merged_into_id)
    return person


async def find_by_run(db: AsyncSession, run: str) -> Person | None:
    return await survivor(db, await db.scalar(select(Person).where(Person.run == run)))


async def find_by_document(
    db: AsyncSession, document_type: str, number: str, country: str
) -> Person | None:
    found = await db.scalar(
        select(Person).where(
            Person.document_type == document_type,
            Person.document_number == number,
            Person.document_country == country,
        )
    )
    return await survivor(db, found)


def create_person(db: AsyncSession, actor: audit.Actor, **fields: Any) -> Person:
    person = Person(**fields)
    db.add(person)
    return person


async def audit_created(db: AsyncSession, actor: audit.Actor, person: Person) -> None:
    await db.flush()
    audit.record(db, actor, "person.create", "person", person.id, audit.diff({}, snapshot(person)))


async def update_person(
    db: AsyncSession, viewer: Viewer | None, person: Person, changes: dict[str, Any],
    actor: audit.Actor,
) -> dict[str, list[Any]]:  # fmt: skip
    """Applies changes and logs what really changed; returns that diff."""
    if viewer is not None:
        check_person_access(viewer, person.id, person.region_code)
    before = snapshot(person)
    for name, value in changes.items():
        if name not in AUDITED_FIELDS:
            raise ValueError(f"not a person field: {name}")
        setattr(person, name, value)
    changed = audit.diff(before, snapshot(person))
    if changed:
        await db.flush()
        audit.record(db, actor, "person.update", "person", person.id, changed)
    return changed


async def set_preferred_locale(
    db: AsyncSession, viewer: Viewer, locale: str, actor: audit.Actor
) -> None:
    """Remembers a citizen's language on their person record (emails follow it)."""
    if viewer.kind != "citizen" or viewer.person_id is None:
        return
    person = await db.get(Person, viewer.person_id)
    if person is not None:
        await update_person(db, viewer, person, {"preferred_locale": locale}, actor)


@dataclass(frozen=True)
class PortalIdentity:
    given_names: str
    surnames: str
    birth_date: date
    country_of_birth: str
    document_type: str
    document_number: str
    document_country: str
