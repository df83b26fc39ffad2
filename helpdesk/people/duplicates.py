"""Likely duplicates of a person record: other records with the same RUN (also written as a
Chilean cédula's number), the same document, or the same confirmed e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.permissions import Viewer, region_scope
from helpdesk.people.identity import normalize_document_number, normalize_run
from helpdesk.people.models import DOCUMENT_TYPES, Person

MATCHES_SHOWN: Final = 20


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
