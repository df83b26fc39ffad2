"""Reading and syncing reference data. Lists are cached in memory: they change by deployment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.reference import data
from helpdesk.reference.models import Office, Region, Tramite


async def sync_reference_data(db: AsyncSession) -> None:
    """Idempotent: inserts what is missing and updates what changed, deletes nothing."""
    for ordinal, row in enumerate(data.REGIONS, start=1):
        await db.merge(Region(code=row.code, name=row.name, ordinal=ordinal))
    existing = {o.slug: o for o in (await db.scalars(select(Office))).all()}
    for row in data.OFFICES:
        office = existing.get(row.slug) or Office(slug=row.slug)
        office.region_code = row.region_code
        office.kind = row.kind
        office.name = row.name
        office.city = row.city
        office.address = row.address
        office.address_pending = row.address is None
        office.timezone = row.timezone
        office.attention_note = row.attention_note
        if office.id is None:
            office.attends_in_person = True
            db.add(office)
    for ordinal, t in enumerate(data.TRAMITES, start=1):
        await db.merge(Tramite(code=t.code, topic=t.topic, name=t.name, ordinal=ordinal))
    await db.flush()


@dataclass(frozen=True)
class OfficeInfo:
    id: int
    slug: str
    name: str
    region_code: str
    city: str
    address: str | None
    address_pending: bool
    timezone: str
    attends_in_person: bool


async def list_regions(db: AsyncSession) -> list[Region]:
    return list((await db.scalars(select(Region).order_by(Region.ordinal))).all())


async def list_offices(db: AsyncSession) -> list[OfficeInfo]:
    rows = (await db.scalars(select(Office).order_by(Office.region_code, Office.id))).all()
    return [
        OfficeInfo(
            o.id,
            o.slug,
            o.name,
            o.region_code,
            o.city,
            o.address,
            o.address_pending,
            o.timezone,
            o.attends_in_person,
        )
        for o in rows
    ]


async def list_tramites(db: AsyncSession) -> list[Tramite]:
    return list(
        (await db.scalars(select(Tramite).where(Tramite.active).order_by(Tramite.ordinal))).all()
    )


async def office_region(db: AsyncSession, office_id: int) -> str | None:
    return await db.scalar(select(Office.region_code).where(Office.id == office_id))
