"""``migrate`` syncs reference data without undoing an admin's edit: it adds what is new
(trámites, their names in each language, offices) and leaves alone what an admin set."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import delete, select

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from helpdesk.calendar import opening_hours
from helpdesk.calendar.opening_hours import OfficeAttention
from helpdesk.cli_db import migrate
from helpdesk.core.i18n import SUPPORTED_LOCALES
from helpdesk.reference import data, tramite_names
from helpdesk.reference.models import Office, Tramite, TramiteName
from helpdesk.reference.service import name_in
from helpdesk.tickets.admin import tramites as admin_tramites
from helpdesk.tickets.admin.forms import TramiteInput

ADMIN = Viewer(kind="staff", id=1, name="Admin", role="admin")
ACTOR = Actor("staff", 1)
OTHER_LOCALES = [loc for loc in SUPPORTED_LOCALES if loc != "es"]


def test_every_shipped_tramite_is_named_in_every_language() -> None:
    shipped = {t.code: t.name for t in data.TRAMITES}
    assert set(tramite_names.TRAMITE_NAMES) == set(shipped)
    for code, names in tramite_names.TRAMITE_NAMES.items():
        assert sorted(names) == sorted(OTHER_LOCALES), code
        assert all(name.strip() and len(name) <= 200 for name in names.values()), code
        assert names["zh"] != shipped[code] and names["ru"] != shipped[code], code


@pytest.mark.parametrize(
    ("locale", "names", "expected"),
    [
        ("ht", {"ht": "Rekou administratif"}, ("Rekou administratif", "ht")),
        ("ht", {"en": "Administrative appeal"}, ("Recurso administrativo", "es")),
        ("es", {"es": "otro", "en": "Administrative appeal"}, ("Recurso administrativo", "es")),
        ("zh", {}, ("Recurso administrativo", "es")),
        ("ru", {"ru": ""}, ("Recurso administrativo", "es")),
    ],
)
def test_a_name_in_the_readers_language_or_spanish(locale, names, expected) -> None:
    assert name_in(locale, "Recurso administrativo", names) == expected


async def _names(sessionmaker, code: str) -> dict[str, str]:
    async with sessionmaker() as db:
        rows = await db.scalars(select(TramiteName).where(TramiteName.tramite_code == code))
        return {n.locale: n.name for n in rows}


async def test_migrated_tramites_carry_their_translations(sessionmaker) -> None:
    names = await _names(sessionmaker, "pt-prorroga")
    assert names == tramite_names.TRAMITE_NAMES["pt-prorroga"]


async def test_migrate_keeps_an_admins_edits(engine, sessionmaker) -> None:
    code = "rt-inversionistas"
    async with sessionmaker() as db:
        tramite = await db.get(Tramite, code)
        assert tramite is not None and tramite.edited_at is None
        arica = await db.scalar(select(Office).where(Office.slug == "arica"))
        assert arica is not None
        office_before = OfficeAttention(
            arica.attends_in_person, await opening_hours.office_week(db, arica.id)
        )
    renamed = {"es": "Residencia para inversionistas", "ht": "Rezidans pou envestisè"}
    week = {1: ((time(8, 30), time(13)),)}
    try:
        async with sessionmaker() as db, db.begin():
            edit = TramiteInput(code, "", renamed, active=False)
            await admin_tramites.update_tramite(db, ADMIN, code, edit, ACTOR)
            attention = OfficeAttention(True, week)
            await opening_hours.save_office_attention(db, ADMIN, "arica", attention, ACTOR)
            office = await db.scalar(select(Office).where(Office.slug == "calama"))
            office.attends_in_person = False
        await migrate(engine)
        async with sessionmaker() as db:
            tramite = await db.get(Tramite, code)
            assert (tramite.name, tramite.active) == (renamed["es"], False)
            assert tramite.edited_at is not None
            calama = await db.scalar(select(Office).where(Office.slug == "calama"))
            assert calama.attends_in_person is False
            assert await opening_hours.office_week(db, arica.id) == week
        # The names the admin left out stay out (Spanish shows there), the others stay hers.
        assert await _names(sessionmaker, code) == {"ht": renamed["ht"]}
    finally:
        async with sessionmaker() as db, db.begin():
            tramite = await db.get(Tramite, code)
            tramite.edited_at, tramite.active = None, True
            office = await db.scalar(select(Office).where(Office.slug == "calama"))
            office.attends_in_person = True
            await opening_hours.save_office_attention(db, ADMIN, "arica", office_before, ACTOR)
        await migrate(engine)
    assert await _names(sessionmaker, code) == tramite_names.TRAMITE_NAMES[code]


async def test_migrate_adds_new_shipped_entries_and_follows_unedited_ones(
    engine, sessionmaker, monkeypatch
) -> None:
    new = data.TramiteRow("rt-prueba-nueva", "residencia_temporal", "Residencia temporal: prueba")
    new_names = {"en": "Temporary residence: test", "ht": "Rezidans tanporè: tès"}
    corrected = {
        **tramite_names.TRAMITE_NAMES["rt-estudiantes"],
        "en": "Temporary residence: study",
    }
    monkeypatch.setattr(data, "TRAMITES", (*data.TRAMITES, new))
    monkeypatch.setitem(tramite_names.TRAMITE_NAMES, new.code, new_names)
    monkeypatch.setitem(tramite_names.TRAMITE_NAMES, "rt-estudiantes", corrected)
    try:
        await migrate(engine)
        async with sessionmaker() as db:
            added = await db.get(Tramite, new.code)
            assert added is not None
            assert (added.name, added.topic, added.active) == (new.name, new.topic, True)
        assert await _names(sessionmaker, new.code) == new_names
        assert (await _names(sessionmaker, "rt-estudiantes"))["en"] == corrected["en"]
    finally:
        async with sessionmaker() as db, db.begin():
            await db.execute(delete(TramiteName).where(TramiteName.tramite_code == new.code))
            await db.execute(delete(Tramite).where(Tramite.code == new.code))
        monkeypatch.undo()
        await migrate(engine)
    english = (await _names(sessionmaker, "rt-estudiantes"))["en"]
    assert english == "Temporary residence: students"
