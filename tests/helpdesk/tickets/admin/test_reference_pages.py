"""The admin's pages for trámites (names in every language, new ones) and offices
(in-person attention and opening hours), through HTTP; and the names reaching people in
the request form. The database is shared by the run: what a test changes it puts back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import time
from html.parser import HTMLParser

import httpx2
import pytest
from sqlalchemy import delete, select

from helpdesk.audit.models import AuditEvent
from helpdesk.calendar import opening_hours
from helpdesk.calendar.models import OfficeHours
from helpdesk.reference.models import Office, Tramite, TramiteName
from helpdesk.reference.tramite_names import TRAMITE_NAMES
from tests.support.factories import citizen, sign_in_citizen, sign_in_staff, staff_member
from tests.support.http import Browser, page_text

P = "/staff/admin/solicitudes"
NAMES = {
    "nombre_es": "Trámite de prueba",
    "nombre_ht": "Demach tès",
    "nombre_en": "Test procedure",
    "nombre_fr": "",
    "nombre_zh": "",
    "nombre_ru": "",
}


class _Options(HTMLParser):
    """The request form's trámite options: value -> (lang attribute, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, tuple[str | None, str]] = {}
        self._open: tuple[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "option":
            self._open = (values.get("value") or "", values.get("lang"))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.found[self._open[0]] = (self._open[1], data.strip())
            self._open = None


@pytest.fixture
async def citizen_client(app, sessionmaker) -> AsyncIterator[Browser]:
    """A signed-in citizen with a verified email: the one who sees the request form."""
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.8", 40000))
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        browser = Browser(http)
        email, _person_id = await citizen(sessionmaker)
        await sign_in_citizen(browser, email)
        yield browser


async def tramite_options(browser: Browser, locale: str) -> dict[str, tuple[str | None, str]]:
    chosen = await browser.submit("/idioma", {"lang": locale, "next": "/solicitudes/nueva"})
    assert chosen.status_code == 303
    page = await browser.get("/solicitudes/nueva")
    assert page.status_code == 200 and f'lang="{locale}"' in page.text[:200]
    parser = _Options()
    parser.feed(page.text)
    return parser.found


async def as_admin(client, sessionmaker) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "admin"))


async def last_event(sessionmaker, action: str) -> AuditEvent:
    async with sessionmaker() as db:
        event = await db.scalar(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
        )
    assert event is not None
    return event


async def test_non_admins_get_403(client, sessionmaker) -> None:
    await sign_in_staff(client, await staff_member(sessionmaker, "supervisor"))
    for path in ("/tramites", "/tramites/nuevo", "/tramites/pt-artistas", "/oficinas",
                 "/oficinas/arica"):  # fmt: skip
        assert (await client.get(P + path)).status_code == 403, path
    for path in ("/tramites/nuevo", "/tramites/pt-artistas", "/oficinas/arica"):
        response = await client.submit(P + path, {**NAMES, "presencial": "1"}, page="/staff")
        assert response.status_code == 403, path


async def test_an_admin_adds_a_tramite_named_in_each_language(
    client, citizen_client, sessionmaker
) -> None:
    await as_admin(client, sessionmaker)
    code = f"prueba-{uuid.uuid4().hex[:8]}"
    new = P + "/tramites/nuevo"
    form = {**NAMES, "codigo": code, "categoria": "multas", "activo": "1"}
    missing = await client.submit(new, {**form, "nombre_es": "", "categoria": "x"})
    assert missing.status_code == 422
    text = page_text(missing.text)
    assert "Escriba el nombre en español" in text
    assert "Elija una categoría de la lista." in text
    reserved = await client.submit(new, {**form, "codigo": "nuevo"})
    assert reserved.status_code == 422
    assert "Ese código no se puede usar: elija otro." in page_text(reserved.text)
    try:
        assert (await client.submit(new, form)).status_code == 303
        taken = await client.submit(new, form)
        assert taken.status_code == 422
        assert "Ya existe un trámite con ese código." in page_text(taken.text)
        async with sessionmaker() as db:
            tramite = await db.get(Tramite, code)
            assert (tramite.name, tramite.topic, tramite.active) == (
                NAMES["nombre_es"],
                "multas",
                True,
            )
            assert tramite.edited_at is not None
            names = dict(
                (await db.execute(
                    select(TramiteName.locale, TramiteName.name).where(
                        TramiteName.tramite_code == code
                    )
                )).all()
            )  # fmt: skip
        assert names == {"ht": "Demach tès", "en": "Test procedure"}
        event = await last_event(sessionmaker, "tramite.create")
        assert event.changes["codigo"] == [None, code]
        assert event.changes["nombre_ht"] == [None, "Demach tès"]
        listing = page_text((await client.get(P + "/tramites")).text)
        assert NAMES["nombre_es"] in listing
        # The request form offers it in Creole; in French, in Spanish (it has no French name).
        assert (await tramite_options(citizen_client, "ht"))[code] == (None, "Demach tès")
        assert (await tramite_options(citizen_client, "fr"))[code] == ("es", NAMES["nombre_es"])
        assert (await tramite_options(citizen_client, "es"))[code] == (None, NAMES["nombre_es"])
    finally:
        async with sessionmaker() as db, db.begin():
            await db.execute(delete(TramiteName).where(TramiteName.tramite_code == code))
            await db.execute(delete(Tramite).where(Tramite.code == code))


async def test_an_admin_renames_a_tramite_in_each_language(
    client, citizen_client, sessionmaker
) -> None:
    await as_admin(client, sessionmaker)
    code = "pt-artistas"
    url = P + f"/tramites/{code}"
    page = await client.get(url)
    assert page.status_code == 200
    assert TRAMITE_NAMES[code]["ht"] in page.text  # the form shows the names it has
    async with sessionmaker() as db:
        spanish = (await db.get(Tramite, code)).name
    form = {f"nombre_{loc}": name for loc, name in TRAMITE_NAMES[code].items()}
    try:
        refused = await client.submit(url, {**form, "nombre_es": " ", "activo": "1"})
        assert refused.status_code == 422
        assert "Escriba el nombre en español" in page_text(refused.text)
        renamed = {**form, "nombre_es": "Artistas y deportistas", "nombre_ht": "Atis ak atlèt",
                   "nombre_ru": ""}  # fmt: skip
        assert (await client.submit(url, renamed)).status_code == 303
        async with sessionmaker() as db:
            row = await db.get(Tramite, code)
            assert (row.name, row.active) == ("Artistas y deportistas", False)
        event = await last_event(sessionmaker, "tramite.update")
        assert event.changes["activo"] == [True, False]
        assert event.changes["nombre_es"] == [spanish, "Artistas y deportistas"]
        assert event.changes["nombre_ht"] == [TRAMITE_NAMES[code]["ht"], "Atis ak atlèt"]
        assert event.changes["nombre_ru"] == [TRAMITE_NAMES[code]["ru"], None]
        assert "nombre_en" not in event.changes
        assert code not in await tramite_options(citizen_client, "ht")  # withdrawn: not offered
        await client.submit(url, {**renamed, "activo": "1"})
        assert (await tramite_options(citizen_client, "ht"))[code] == (None, "Atis ak atlèt")
        assert (await tramite_options(citizen_client, "ru"))[code] == (
            "es",
            "Artistas y deportistas",
        )
    finally:
        async with sessionmaker() as db, db.begin():
            row = await db.get(Tramite, code)
            row.name, row.active, row.edited_at = spanish, True, None
            await db.execute(delete(TramiteName).where(TramiteName.tramite_code == code))
            db.add_all(
                TramiteName(tramite_code=code, locale=loc, name=name)
                for loc, name in TRAMITE_NAMES[code].items()
            )


async def test_the_request_form_names_tramites_in_the_page_language(citizen_client) -> None:
    for locale in ("ht", "en", "fr", "zh", "ru"):
        options = await tramite_options(citizen_client, locale)
        assert options["rd-solicitud"] == (None, TRAMITE_NAMES["rd-solicitud"][locale])
        assert not [v for v, (lang, _t) in options.items() if lang == "es"], locale
    spanish = await tramite_options(citizen_client, "es")
    assert spanish["rd-solicitud"] == (None, "Solicitud de residencia definitiva")


async def test_an_admin_sets_attention_and_opening_hours(client, sessionmaker) -> None:
    await as_admin(client, sessionmaker)
    url = P + "/oficinas/talca"
    async with sessionmaker() as db:
        office = await db.scalar(select(Office).where(Office.slug == "talca"))
        attends = office.attends_in_person
    assert (await client.get(P + "/oficinas/no-existe")).status_code == 404
    form = {"presencial": "1", "horario_0": "09:00-13:00, 12:00-14:00", "horario_2": "17:00-09:00"}
    try:
        refused = await client.submit(url, form)
        assert refused.status_code == 422
        text = page_text(refused.text)
        assert "Los horarios 09:00-13:00 y 12:00-14:00 se superponen." in text
        assert "En 17:00-09:00 la hora de apertura debe ser anterior a la de cierre." in text
        assert 'value="09:00-13:00, 12:00-14:00"' in refused.text  # what was typed, shown again
        closed = await client.submit(url, {"horario_4": "09:00-13:00"})
        assert closed.status_code == 422 and "sin atención presencial" in page_text(closed.text)
        ok = {"presencial": "1", "horario_0": "09:00-14:00",
              "horario_2": "09:00-13:00, 14:30-17:00", "horario_4": "9:00-14:00"}  # fmt: skip
        assert (await client.submit(url, ok)).status_code == 303
        async with sessionmaker() as db:
            week = await opening_hours.office_week(db, office.id)
        assert week == {
            0: ((time(9), time(14)),),
            2: ((time(9), time(13)), (time(14, 30), time(17))),
            4: ((time(9), time(14)),),
        }
        event = await last_event(sessionmaker, "office.update")
        assert event.entity_id == office.id
        assert event.changes["horario_miercoles"] == [None, "09:00-13:00, 14:30-17:00"]
        listing = page_text((await client.get(P + "/oficinas")).text)
        assert "miércoles" in listing and "2:30" in listing
        edit = await client.get(url)
        assert 'value="09:00-13:00, 14:30-17:00"' in edit.text
        assert (await client.submit(url, {})).status_code == 303  # no longer in person
        async with sessionmaker() as db:
            assert (await db.get(Office, office.id)).attends_in_person is False
        event = await last_event(sessionmaker, "office.update")
        assert event.changes["atencion_presencial"] == [True, False]
    finally:
        async with sessionmaker() as db, db.begin():
            await db.execute(delete(OfficeHours).where(OfficeHours.office_id == office.id))
            (await db.get(Office, office.id)).attends_in_person = attends
