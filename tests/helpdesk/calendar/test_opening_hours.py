"""Offices' opening hours: the rules that read what an admin types, by table, and the
service that saves them with the in-person flag, audited."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.calendar import opening_hours
from helpdesk.calendar.opening_hours import OfficeAttention, parse_day, parse_office_hours
from helpdesk.core.errors import PermissionDenied
from helpdesk.core.i18n import set_locale
from helpdesk.reference.models import Office

T = time


@pytest.mark.parametrize(
    ("typed", "intervals"),
    [
        ("", ()),
        ("   ", ()),
        ("09:00-14:00", ((T(9), T(14)),)),
        ("9:00 - 14:00", ((T(9), T(14)),)),
        ("09.00–13.30", ((T(9), T(13, 30)),)),
        ("14:30-17:00, 09:00-13:00", ((T(9), T(13)), (T(14, 30), T(17)))),
        ("09:00-13:00; 14:00-17:00", ((T(9), T(13)), (T(14), T(17)))),
        ("08:00-12:00,12:00-13:00", ((T(8), T(12)), (T(12), T(13)))),  # touching is fine
        ("18:00-24:00", ((T(18), T(23, 59)),)),
    ],
)
def test_a_day_is_read(typed: str, intervals: tuple) -> None:
    assert parse_day(typed) == (intervals, None)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("de 9 a 14", "Escriba cada horario como 09:00-13:00"),
        ("09:00", "Escriba cada horario como 09:00-13:00"),
        ("25:00-26:00", "Escriba cada horario como 09:00-13:00"),
        ("09:70-10:00", "Escriba cada horario como 09:00-13:00"),
        ("14:00-09:00", "En 14:00-09:00 la hora de apertura debe ser anterior a la de cierre."),
        ("09:00-09:00", "En 09:00-09:00 la hora de apertura debe ser anterior a la de cierre."),
        ("09:00-13:00, 12:00-15:00", "Los horarios 09:00-13:00 y 12:00-15:00 se superponen."),
        ("10:00-11:00, 09:00-17:00", "Los horarios 09:00-17:00 y 10:00-11:00 se superponen."),
        ("08-09:00", "Escriba cada horario como 09:00-13:00"),
        (", ".join(["08:00-08:10"] * 5), "Escriba hasta 4 horarios por día."),
    ],
)
def test_a_day_is_refused_with_a_clear_message(typed: str, message: str) -> None:
    set_locale("es")
    intervals, error = parse_day(typed)
    assert intervals == () and error is not None and error.startswith(message)


def test_the_messages_are_localized() -> None:
    try:
        set_locale("en")
        english = parse_day("14:00-09:00")[1]
        set_locale("es")
        spanish = parse_day("14:00-09:00")[1]
    finally:
        set_locale("es")
    assert english and spanish and "14:00-09:00" in english and "14:00-09:00" in spanish


@pytest.mark.parametrize(
    ("form", "attends", "week", "error_fields"),
    [
        ({"presencial": "1", "horario_0": "09:00-14:00"}, True, {0: ((T(9), T(14)),)}, []),
        ({"presencial": "1"}, True, {}, []),
        ({}, False, {}, []),
        ({"horario_4": "09:00-13:00"}, False, {4: ((T(9), T(13)),)}, ["presencial"]),
        ({"presencial": "1", "horario_2": "x", "horario_3": "10:00-09:00"}, True, {},
         ["horario_2", "horario_3"]),
        ({"presencial": "1", "horario_7": "09:00-13:00"}, True, {}, []),  # no eighth day
    ],
)  # fmt: skip
def test_the_office_form(form: dict, attends: bool, week: dict, error_fields: list) -> None:
    data, errors = parse_office_hours(form)
    assert (data.attends_in_person, data.week) == (attends, week)
    assert sorted(errors) == error_fields


NNBSP = "\u202f"  # CLDR's narrow no-break space before a.m./p.m.


@pytest.mark.parametrize(
    ("locale", "day", "hours"),
    [
        ("es", "lunes", f"9:00{NNBSP}a.{NNBSP}m.–1:00{NNBSP}p.{NNBSP}m., 2:30{NNBSP}p.{NNBSP}m.–"
                        f"5:00{NNBSP}p.{NNBSP}m."),
        ("en", "Monday", f"9:00{NNBSP}AM–1:00{NNBSP}PM, 2:30{NNBSP}PM–5:00{NNBSP}PM"),
        ("fr", "lundi", "09:00–13:00, 14:30–17:00"),
        ("ht", "lendi", "09:00–13:00, 14:30–17:00"),
        ("zh", "星期一", "09:00–13:00, 14:30–17:00"),
        ("ru", "понедельник", "09:00–13:00, 14:30–17:00"),
    ],
)  # fmt: skip
def test_weekday_names_and_hours_in_the_readers_language(locale: str, day: str, hours: str) -> None:
    week = {0: ((T(9), T(13)), (T(14, 30), T(17)))}
    assert opening_hours.format_week(week, locale) == [(day, hours)]


def test_the_form_shows_the_week_as_typed() -> None:
    week = {0: ((T(9), T(13)), (T(14, 30), T(17)))}
    assert opening_hours.week_text(week)["horario_0"] == "09:00-13:00, 14:30-17:00"
    assert opening_hours.week_text(week)["horario_1"] == ""
    assert parse_day(opening_hours.week_text(week)["horario_0"]) == (week[0], None)


ADMIN = Viewer(kind="staff", id=1, name="Admin", role="admin")
AGENT = Viewer(kind="staff", id=2, name="Agente", role="regional_agent", region_code="RM")


async def test_saving_replaces_the_week_and_is_audited(sessionmaker) -> None:
    async with sessionmaker() as db:
        office = await db.scalar(select(Office).where(Office.slug == "arica"))
        assert office is not None
        before = (office.attends_in_person, await opening_hours.office_week(db, office.id))
    first = OfficeAttention(True, {0: ((T(9), T(14)),), 2: ((T(9), T(13)), (T(15), T(17)))})
    second = OfficeAttention(False, {})
    actor = Actor("staff", 1)
    try:
        async with sessionmaker() as db, db.begin():
            await opening_hours.save_office_attention(db, ADMIN, "arica", first, actor)
        async with sessionmaker() as db, db.begin():
            assert await opening_hours.office_week(db, office.id) == first.week
            await opening_hours.save_office_attention(db, ADMIN, "arica", second, actor)
        async with sessionmaker() as db:
            assert await opening_hours.office_week(db, office.id) == {}
            assert (await db.get(Office, office.id)).attends_in_person is False
            event = await db.scalar(
                select(AuditEvent)
                .where(AuditEvent.action == "office.update", AuditEvent.entity_id == office.id)
                .order_by(AuditEvent.id.desc())
            )
        assert event is not None
        assert event.changes["atencion_presencial"] == [True, False]
        assert event.changes["horario_miercoles"] == ["09:00-13:00, 15:00-17:00", None]
        with pytest.raises(PermissionDenied):
            async with sessionmaker() as db:
                await opening_hours.save_office_attention(db, AGENT, "arica", first, actor)
    finally:
        async with sessionmaker() as db, db.begin():
            await opening_hours.save_office_attention(
                db, ADMIN, "arica", OfficeAttention(*before), actor
            )
