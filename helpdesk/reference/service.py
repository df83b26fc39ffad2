"""Reading and syncing reference data; a trámite's name in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.core.i18n import DEFAULT_LOCALE
from helpdesk.reference import data
from helpdesk.reference.models import Office, Region, Tramite, TramiteName
from helpdesk.reference.tramite_names import TRAMITE_NAMES


async def sync_reference_data(db: AsyncSession) -> None:
    """Idempotent: adds what the shipped data has and the database lacks, and never undoes
    an admin's edit. Deletes nothing.

    Regions and offices' shipped facts (name, city, address, zone) follow the data: no admin
    page edits them. What admins set is left alone: an office's in-person attention (and
    its opening hours, in the calendar), and every trámite an admin added or edited
    (``Tramite.edited_at``), names in every language included. A trámite no admin touched
    takes the shipped name, category, order and translations.
    """
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
    await _sync_tramites(db)
    await db.flush()


async def _sync_tramites(db: AsyncSession) -> None:
    tramites = {t.code: t for t in (await db.scalars(select(Tramite))).all()}
    names = {(n.tramite_code, n.locale): n for n in (await db.scalars(select(TramiteName))).all()}
    followed: list[str] = []
    for ordinal, row in enumerate(data.TRAMITES, start=1):
        tramite = tramites.get(row.code)
        if tramite is None:
            db.add(Tramite(code=row.code, topic=row.topic, name=row.name, ordinal=ordinal))
        elif tramite.edited_at is not None:
            continue
        else:
            tramite.topic, tramite.name, tramite.ordinal = row.topic, row.name, ordinal
        followed.append(row.code)
    await db.flush()  # the trámites before their names
    for code in followed:
        for locale, name in TRAMITE_NAMES.get(code, {}).items():
            found = names.get((code, locale))
            if found is None:
                db.add(TramiteName(tramite_code=code, locale=locale, name=name))
            else:
                found.name = name


def name_in(locale: str, spanish: str, names: Mapping[str, str]) -> tuple[str, str]:
    """A trámite's (name, language) for a reader of ``locale``: its name in that language,
    Spanish where it has none."""
    found = names.get(locale) if locale != DEFAULT_LOCALE else None
    return (found, locale) if found else (spanish, DEFAULT_LOCALE)


async def tramite_names(
    db: AsyncSession, codes: Iterable[str], locale: str
) -> dict[str, tuple[str, str]]:
    """code -> (name, language) of the given trámites for a reader of ``locale``."""
    wanted = list(codes)
    if not wanted:
        return {}
    rows = await db.execute(select(Tramite.code, Tramite.name).where(Tramite.code.in_(wanted)))
    spanish: dict[str, str] = dict(rows.all())
    translated: dict[str, dict[str, str]] = {}
    if locale != DEFAULT_LOCALE:
        found = await db.execute(
            select(TramiteName.tramite_code, TramiteName.name).where(
                TramiteName.tramite_code.in_(wanted), TramiteName.locale == locale
            )
        )
        for code, name in found:
            translated[code] = {locale: name}
    return {code: name_in(locale, es, translated.get(code, {})) for code, es in spanish.items()}


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


async def office_by_slug(db: AsyncSession, slug: str) -> OfficeInfo | None:
    return next((o for o in await list_offices(db) if o.slug == slug), None)


async def list_tramites(db: AsyncSession) -> list[Tramite]:
    return list(
        (await db.scalars(select(Tramite).where(Tramite.active).order_by(Tramite.ordinal))).all()
    )


async def office_region(db: AsyncSession, office_id: int) -> str | None:
    return await db.scalar(select(Office.region_code).where(Office.id == office_id))
