"""Offices as the service names them: one directorate per region, named by the region, the
city in the address (DOMAIN.md: "Dirección Regional de Tarapacá")."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.reference import data
from helpdesk.reference.models import Office


def test_every_region_has_one_directorate_named_by_region() -> None:
    directorates = [o for o in data.OFFICES if o.kind == "direccion_regional"]
    assert sorted(o.region_code for o in directorates) == sorted(r.code for r in data.REGIONS)
    for office in directorates:
        assert office.name == data.DIRECTORATE_NAMES[office.region_code]
        assert office.name.startswith("Dirección Regional")
        assert office.name != f"Dirección Regional {office.city}"  # not after the city


async def test_migrated_offices_carry_the_names_and_cities(sessionmaker) -> None:
    async with sessionmaker() as db:
        offices = {o.slug: o for o in (await db.scalars(select(Office))).all()}
    assert (offices["iquique"].name, offices["iquique"].city) == (
        "Dirección Regional de Tarapacá",
        "Iquique",
    )
    assert offices["santiago"].name == "Dirección Regional Metropolitana"
    assert offices["coyhaique"].name == "Dirección Regional de Aysén"
    assert offices["calama"].name == "Oficina Calama (El Loa)"  # branches keep their names
