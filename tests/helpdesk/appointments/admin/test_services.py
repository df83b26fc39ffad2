"""The admin sets what an office attends by appointment: validated, audited, applied to
the times not begun; only an admin may."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.appointments import demo
from helpdesk.appointments.admin import services as services_admin
from helpdesk.appointments.models import AppointmentService, AppointmentSlot
from helpdesk.audit.models import AuditEvent
from helpdesk.core import links
from tests.helpdesk.appointments.test_booking import _book
from tests.support.factories import sign_in_staff, staff_member

TRAMITE = "multas-descargos"  # not among the demo services


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[list[str]] = []
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.cells.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False

    def handle_data(self, data: str) -> None:
        if self._in_body and self.cells and data.strip():
            self.cells[-1].append(data.strip())


@pytest.fixture(autouse=True)
async def no_extra_service(sessionmaker: async_sessionmaker[AsyncSession]):
    yield
    async with sessionmaker() as db, db.begin():
        await db.execute(
            delete(AppointmentService).where(AppointmentService.tramite_code == TRAMITE)
        )
        # The demo's values again for the other tests, however this one ended.
        minutes, counters, reserved = demo.SERVICES["rd-solicitud"]
        await db.execute(
            update(AppointmentService)
            .where(AppointmentService.tramite_code == "rd-solicitud")
            .values(duration_minutes=minutes, counters=counters, priority_seats=reserved)
        )


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"tramite": "", "duracion": "20", "mesones": "2"}, "tramite"),
        ({"tramite": TRAMITE, "duracion": "2", "mesones": "2"}, "duracion"),
        ({"tramite": TRAMITE, "duracion": "veinte", "mesones": "2"}, "duracion"),
        ({"tramite": TRAMITE, "duracion": "20", "mesones": "0"}, "mesones"),
        ({"tramite": TRAMITE, "duracion": "20", "mesones": "2", "preferentes": "3"}, "preferentes"),
        (
            {"tramite": TRAMITE, "duracion": "20", "mesones": "2", "preferentes": "-1"},
            "preferentes",
        ),
    ],
)
def test_parse_service_refuses(form: dict[str, str], field: str) -> None:
    _data, errors = services_admin.parse_service(form)
    assert field in errors


async def test_admin_adds_changes_and_removes_a_service(
    client, sessionmaker: async_sessionmaker[AsyncSession], offices: dict[str, int], unique: str
) -> None:
    url = links.url_path("appointments_admin_services", slug="iquique")
    agent = await staff_member(sessionmaker, "regional_agent", "iquique")
    await sign_in_staff(client, agent)
    assert (await client.get(url)).status_code == 403

    admin = await staff_member(sessionmaker, "admin", "santiago")
    await sign_in_staff(client, admin)
    bad = await client.submit(url, {"tramite": TRAMITE, "duracion": "1", "mesones": "2"})
    assert bad.status_code == 422
    unknown = await client.submit(url, {"tramite": "nada", "duracion": "20", "mesones": "2"})
    assert unknown.status_code == 422
    added = await client.submit(url, {"tramite": TRAMITE, "duracion": "20", "mesones": "2"})
    assert added.status_code == 303
    rows = _Rows()
    rows.feed((await client.get(url)).text)
    name = "Descargos ante una multa"
    assert [name, "20 min", "2", "0", "Quitar", name] in rows.cells

    # A booked time takes the new seats; the change is audited.
    await _book(sessionmaker, offices["iquique"], f"a-{unique}@example.cl")  # rd-solicitud
    one = {"tramite": "rd-solicitud", "duracion": "30", "mesones": "3", "preferentes": "1"}
    assert (await client.submit(url, one)).status_code == 303
    async with sessionmaker() as db:
        seat = await db.scalar(
            select(AppointmentSlot).where(
                AppointmentSlot.office_id == offices["iquique"],
                AppointmentSlot.tramite_code == "rd-solicitud",
            )
        )
        assert seat is not None and (seat.capacity, seat.priority_seats) == (3, 1)
        actions = set(
            await db.scalars(
                select(AuditEvent.action).where(AuditEvent.entity_type == "appointment_service")
            )
        )
    assert {"appointment_service.create", "appointment_service.update"} <= actions
    back = {"tramite": "rd-solicitud", "duracion": "30", "mesones": "1", "preferentes": "0"}
    assert (await client.submit(url, back)).status_code == 303

    remove = links.url_path("appointments_admin_service_remove", slug="iquique", tramite=TRAMITE)
    assert (await client.submit(remove, {}, page=url)).status_code == 303
    async with sessionmaker() as db:
        gone = await db.scalar(
            select(AppointmentService.id).where(AppointmentService.tramite_code == TRAMITE)
        )
    assert gone is None
