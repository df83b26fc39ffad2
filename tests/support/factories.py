"""Creating test data through the service layer, each row unique to its test."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.accounts.models import CitizenAccount
from helpdesk.accounts.staff import NewStaff, create_staff
from helpdesk.audit.service import SYSTEM
from helpdesk.core.db import utcnow
from helpdesk.core.security import hash_password
from helpdesk.people.models import Person
from tests.support.http import Browser

STAFF_PASSWORD = "a-long-staff-password"
CITIZEN_PASSWORD = "citizen-password-1"


async def staff_member(
    sessionmaker: async_sessionmaker[AsyncSession], role: str, office: str | None = None
) -> str:
    """Creates a staff account and returns its email."""
    if role == "regional_agent" and office is None:
        office = "santiago"
    email = f"{role}.{uuid.uuid4().hex[:8]}@test.portal"
    async with sessionmaker() as db, db.begin():
        await create_staff(
            db, NewStaff(email, f"Test {role}", role, office, STAFF_PASSWORD), SYSTEM
        )
    return email


async def person(
    sessionmaker: async_sessionmaker[AsyncSession], region: str | None = "RM", **fields: object
) -> int:
    values: dict[str, object] = {
        "given_names": "Rose",
        "surnames": "Pierre",
        "document_type": "passport",
        "document_number": uuid.uuid4().hex[:10].upper(),
        "document_country": "HT",
        "birth_date": date(1991, 5, 4),
        "region_code": region,
        "email": f"p.{uuid.uuid4().hex[:8]}@test.portal",
    }
    values.update(fields)
    async with sessionmaker() as db, db.begin():
        row = Person(**values)
        db.add(row)
        await db.flush()
        return row.id


async def citizen(
    sessionmaker: async_sessionmaker[AsyncSession], region: str | None = "RM"
) -> tuple[str, int]:
    """A portal account with a verified email; returns (email, person id)."""
    person_id = await person(sessionmaker, region, email_verified_at=utcnow())
    async with sessionmaker() as db, db.begin():
        row = await db.get(Person, person_id)
        assert row is not None and row.email
        db.add(
            CitizenAccount(
                person_id=person_id, kind="portal", password_hash=hash_password(CITIZEN_PASSWORD)
            )
        )
        return row.email, person_id


async def sign_in_staff(client: Browser, email: str, password: str = STAFF_PASSWORD) -> None:
    response = await client.submit("/staff/ingresar", {"email": email, "password": password})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/staff"


async def sign_in_citizen(client: Browser, email: str, password: str = CITIZEN_PASSWORD) -> None:
    response = await client.submit("/cuenta/ingresar", {"email": email, "password": password})
    assert response.status_code == 303, response.text
