"""Demo accounts for development: one staff member per role, in two regions, and citizens.

Idempotent. Production refuses to start while any of them exists (``is_demo``);
``removal.remove_demo`` deletes them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.accounts.models import CitizenAccount, StaffAccount
from helpdesk.accounts.staff import NewStaff, create_staff
from helpdesk.audit.service import SYSTEM
from helpdesk.core.db import utcnow
from helpdesk.core.security import hash_password
from helpdesk.people.models import Person
from helpdesk.tickets.answers.templates import seed_defaults

DEMO_STAFF_PASSWORD = "demo-portal-2026"  # noqa: S105 (demo only; production refuses demo accounts)
DEMO_CITIZEN_PASSWORD = "demo-migrante-2026"  # noqa: S105

DEMO_STAFF = (
    NewStaff("agente.rm@demo.portal", "Camila Rojas (agente RM)", "regional_agent", "santiago"),
    NewStaff(
        "agente.ta@demo.portal", "Jean Pierre Louis (agente Tarapacá)", "regional_agent", "iquique"
    ),
    NewStaff("analista@demo.portal", "Andrés Muñoz (analista central)", "central_analyst"),
    NewStaff("supervisora@demo.portal", "Paula Soto (supervisora)", "supervisor"),
    NewStaff("editora@demo.portal", "Daniela Fuentes (editora KB)", "kb_editor"),
    NewStaff("admin@demo.portal", "Admin Demo", "admin"),
)

DEMO_CITIZENS = (
    {
        "given_names": "Marie Carmelle",
        "surnames": "Joseph",
        "birth_date": date(1990, 3, 14),
        "country_of_birth": "HT",
        "document_type": "passport",
        "document_number": "HT1234567",
        "document_country": "HT",
        "email": "marie.joseph@demo.portal",
        "preferred_locale": "ht",
        "region_code": "RM",
    },
    {
        "given_names": "Luis Alberto",
        "surnames": "Pérez Gómez",
        "birth_date": date(1985, 7, 2),
        "country_of_birth": "VE",
        "document_type": "national_id",
        "document_number": "V12345678",
        "document_country": "VE",
        "email": "luis.perez@demo.portal",
        "preferred_locale": "es",
        "region_code": "TA",
    },
    {
        "given_names": "Wei",
        "surnames": "Zhang",
        "birth_date": date(1993, 11, 20),
        "country_of_birth": "CN",
        "document_type": "passport",
        "document_number": "E98765432",
        "document_country": "CN",
        "email": "wei.zhang@demo.portal",
        "preferred_locale": "zh",
        "region_code": "RM",
    },
)


async def load_demo(db: AsyncSession) -> int:
    created = 0
    for data in DEMO_STAFF:
        if await db.scalar(select(StaffAccount.id).where(StaffAccount.email == data.email)):
            continue
        await create_staff(db, replace(data, password=DEMO_STAFF_PASSWORD), SYSTEM, is_demo=True)
        created += 1
    for fields in DEMO_CITIZENS:
        if await db.scalar(select(Person.id).where(Person.email == fields["email"])):
            continue
        person = Person(**fields, email_verified_at=utcnow())
        db.add(person)
        await db.flush()
        db.add(
            CitizenAccount(
                person_id=person.id,
                kind="portal",
                is_demo=True,
                password_hash=hash_password(DEMO_CITIZEN_PASSWORD),
            )
        )
        created += 1
    created += await seed_defaults(db)
    return created
