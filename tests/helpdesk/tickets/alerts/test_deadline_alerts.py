"""Supervisors' deadline alerts: the window in días hábiles of the request's region, one alert
per due date, the right supervisors in their language, and no double alert when two workers
run at once. Each test uses its own far-future dates, so other tests' requests stay out of
its windows; most work in one session that is rolled back at the end."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.accounts.models import StaffAccount
from helpdesk.audit.models import AuditEvent
from helpdesk.audit.service import Actor
from helpdesk.calendar.models import Closure
from helpdesk.calendar.working_days import WorkingCalendar, working_days_left
from helpdesk.core.templating import make_environment
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from helpdesk.tickets import status_flow
from helpdesk.tickets.alerts import deadline_alerts
from helpdesk.tickets.alerts.deadline_alerts import alert_due_requests, make_plan, window_end
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import NewRequest, open_request
from tests.support.factories import staff_member

ANON = Actor("anonymous", None, "203.0.113.9")
BASE = "https://ayuda.example.cl"
NOW = datetime(2030, 1, 7, 10, tzinfo=ZoneInfo("America/Santiago"))
SUBJECT = "Plazo <b>urgente</b>"
# Friday 18 May 2046; Monday 21 May (Glorias Navales) is a national holiday.
NATIONAL_FRIDAY = date(2046, 5, 18)
# Friday 4 June 2049; Monday 7 June is a holiday in Arica y Parinacota only.
REGIONAL_FRIDAY = date(2049, 6, 4)


@pytest.mark.parametrize(
    ("today", "days", "region", "end"),
    [
        (date(2049, 6, 9), 2, "RM", date(2049, 6, 13)),  # Wed: Thu, Fri, and the weekend
        (date(2049, 6, 11), 2, "RM", date(2049, 6, 15)),  # Fri: over the weekend to Tue
        (NATIONAL_FRIDAY, 2, "RM", date(2046, 5, 23)),  # Fri: Mon is a holiday, to Wed
        (REGIONAL_FRIDAY, 2, "RM", date(2049, 6, 8)),
        (REGIONAL_FRIDAY, 2, "AP", date(2049, 6, 9)),  # Arica's holiday pushes it a day
        (date(2049, 6, 11), 0, "RM", date(2049, 6, 13)),  # today, and the weekend after it
    ],
)
def test_window_counts_working_days_of_the_region(today, days, region, end) -> None:
    calendar = WorkingCalendar(region)
    assert window_end(today, days, calendar) == end
    # The window is exactly the dates with at most ``days`` días hábiles left.
    day = today
    while day <= end:
        assert working_days_left(today, day, calendar) <= days
        day += timedelta(days=1)
    assert working_days_left(today, end + timedelta(days=1), calendar) > days


async def supervisor(sessionmaker, office: str | None, locale: str = "es") -> str:
    email = await staff_member(sessionmaker, "supervisor", office)
    async with sessionmaker() as db, db.begin():
        account = await db.scalar(select(StaffAccount).where(StaffAccount.email == email))
        assert account is not None
        account.preferred_locale = locale
    return email


async def due_request(
    db: AsyncSession, region: str | None, due: date | None, status: str = "abierto"
) -> Ticket:
    email = f"c.{uuid.uuid4().hex[:8]}@test.portal"
    data = NewRequest("reclamo", SUBJECT, "Sin respuesta", "web", email, "es", region_code=region)
    request = (await open_request(db, data, ANON, BASE, NOW)).ticket
    request.status, request.legal_due_on = status, due
    await db.flush()
    return request


async def alerts(db: AsyncSession, folio: str) -> dict[str, OutboxMessage]:
    rows = await db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == deadline_alerts.ALERT_TEMPLATE)
    )
    found = [row for row in rows if row.context.get("folio") == folio]
    by_address = {row.to_address: row for row in found}
    assert len(by_address) == len(found), "one supervisor alerted twice"
    return by_address


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text = ""

    def handle_data(self, data: str) -> None:
        self.text += data


async def test_alerts_responsible_supervisors_once_in_their_language(
    db, sessionmaker, settings
) -> None:
    central = await supervisor(sessionmaker, None, "fr")
    santiago = await supervisor(sessionmaker, "santiago")
    arica = await supervisor(sessionmaker, "arica")
    request = await due_request(db, "RM", date(2046, 5, 23))

    assert await alert_due_requests(db, NATIONAL_FRIDAY, BASE) >= 1
    sent = await alerts(db, request.folio)
    assert central in sent and santiago in sent and arica not in sent
    french = sent[central]
    assert french.locale == "fr" and sent[santiago].locale == "es"
    assert french.context == {
        "folio": request.folio,
        "subject": SUBJECT,
        "due": "23 mai 2046",
        "link": f"{BASE}/staff/solicitudes/{request.folio}",
    }
    assert sent[santiago].context["due"] == "23 de mayo de 2046"
    assert request.deadline_alerted_on == date(2046, 5, 23)
    event = await db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "request.deadline_alert", AuditEvent.entity_id == request.id
        )
    )
    assert event is not None and event.changes["deadline_alerted_on"] == [None, "2046-05-23"]

    # The rendered email: the subject as text in the HTML part, the folio in the subject.
    email = EmailRenderer(make_environment(settings), settings.mail_from).render(french)
    assert request.folio in email["Subject"]
    html = email.get_body(("html",)).get_content()
    assert "<b>urgente</b>" not in html
    parser = _Text()
    parser.feed(html)
    assert SUBJECT in parser.text and "23 mai 2046" in parser.text
    assert f"{BASE}/staff/solicitudes/{request.folio}" in email.get_body(("plain",)).get_content()

    # Later runs the same day, or the next, do not alert that due date again.
    await alert_due_requests(db, NATIONAL_FRIDAY, BASE)
    await alert_due_requests(db, NATIONAL_FRIDAY + timedelta(days=3), BASE)
    assert (await alerts(db, request.folio)).keys() == sent.keys()


async def test_closed_paused_overdue_and_later_requests_are_not_alerted(db) -> None:
    today = NATIONAL_FRIDAY
    skipped = [
        await due_request(db, "RM", date(2046, 5, 22), status_flow.RESUELTO),
        await due_request(db, "RM", date(2046, 5, 22), status_flow.CERRADO),
        await due_request(db, "RM", None, status_flow.EN_ESPERA_CIUDADANO),  # clock stopped
        await due_request(db, "RM", date(2046, 5, 24)),  # three días hábiles left
        await due_request(db, "RM", date(2046, 5, 17)),  # already overdue
    ]
    kept = [
        await due_request(db, "RM", today, status_flow.NUEVO),
        await due_request(db, None, date(2046, 5, 23), status_flow.REABIERTO),
    ]
    await alert_due_requests(db, today, BASE)
    for request in skipped:
        assert await alerts(db, request.folio) == {}
        assert request.deadline_alerted_on is None
    for request in kept:
        assert request.deadline_alerted_on == request.legal_due_on


async def test_a_new_due_date_alerts_again(db, sessionmaker) -> None:
    await supervisor(sessionmaker, None)
    request = await due_request(db, "RM", date(2046, 5, 23))
    await alert_due_requests(db, NATIONAL_FRIDAY, BASE)
    first = len(await alerts(db, request.folio))
    assert first >= 1

    # Paused (no due date), then resumed with a later one: alerted again when it nears.
    request.status, request.legal_due_on = status_flow.EN_ESPERA_CIUDADANO, None
    await db.flush()
    await alert_due_requests(db, NATIONAL_FRIDAY, BASE)
    request.status, request.legal_due_on = status_flow.ABIERTO, date(2046, 5, 30)
    await db.flush()
    await alert_due_requests(db, NATIONAL_FRIDAY, BASE)  # still too far
    assert len(await alerts(db, request.folio)) == first
    await alert_due_requests(db, date(2046, 5, 28), BASE)
    rows = await db.scalars(
        select(OutboxMessage).where(OutboxMessage.template == deadline_alerts.ALERT_TEMPLATE)
    )
    days = [r.context["due"][:2] for r in rows if r.context.get("folio") == request.folio]
    assert days.count("23") == first and days.count("30") == first  # each supervisor, once each
    assert request.deadline_alerted_on == date(2046, 5, 30)


async def test_regional_holiday_and_regional_supervisors(db, sessionmaker) -> None:
    santiago = await supervisor(sessionmaker, "santiago")
    arica = await supervisor(sessionmaker, "arica")
    wednesday = date(2049, 6, 9)
    in_arica = await due_request(db, "AP", wednesday)
    in_santiago = await due_request(db, "RM", wednesday)
    await alert_due_requests(db, REGIONAL_FRIDAY, BASE)
    sent = await alerts(db, in_arica.folio)
    assert arica in sent and santiago not in sent
    assert await alerts(db, in_santiago.folio) == {}  # three días hábiles left in Santiago
    assert in_santiago.deadline_alerted_on is None


async def test_closures_shorten_the_window(db) -> None:
    friday = date(2052, 11, 8)
    monday = friday + timedelta(days=3)
    db.add(Closure(day=monday, region_code="AT", reason=f"Cierre {uuid.uuid4().hex[:6]}"))
    await db.flush()
    plan = await make_plan(db, friday, BASE)
    assert plan.ends["AT"] == plan.ends["RM"] + timedelta(days=1)
    assert plan.ends[None] == plan.ends["RM"]


async def run_two_workers(
    sessionmaker: async_sessionmaker[AsyncSession], today: date, batch_size: int
) -> list[int]:
    async def one() -> int:
        async with sessionmaker() as db, db.begin():
            return await alert_due_requests(db, today, BASE, batch_size=batch_size)

    return list(await asyncio.gather(one(), one()))


async def test_two_concurrent_runs_alert_each_request_once(sessionmaker, settings) -> None:
    central = await supervisor(sessionmaker, None)
    today = date(2055, 3, 3)  # a Wednesday
    async with sessionmaker() as db, db.begin():
        folios = [(await due_request(db, "RM", today + timedelta(days=1))).folio for _ in range(9)]
    counts = await run_two_workers(sessionmaker, today, batch_size=2)
    assert sum(counts) >= len(folios)
    # The worker's own loop, two at once, finds nothing left.
    again = await asyncio.gather(
        deadline_alerts.run_alerts(sessionmaker, settings, today, batch_size=2),
        deadline_alerts.run_alerts(sessionmaker, settings, today, batch_size=2),
    )
    assert again == [0, 0]
    async with sessionmaker() as db:
        for folio in folios:
            assert central in await alerts(db, folio)


async def test_worker_job_and_command_line(sessionmaker, settings) -> None:
    central = await supervisor(sessionmaker, None)
    today = deadline_alerts.local_today()
    async with sessionmaker() as db, db.begin():
        by_worker = (await due_request(db, "RM", today)).folio
    stop = asyncio.Event()
    job = asyncio.create_task(
        deadline_alerts.run_periodically(
            sessionmaker, replace(settings, deadline_alert_minutes=60), stop
        )
    )
    try:
        for _ in range(100):
            async with sessionmaker() as db:
                if await alerts(db, by_worker):
                    break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(job, timeout=10)
    async with sessionmaker() as db:
        assert central in await alerts(db, by_worker)

    async with sessionmaker() as db, db.begin():
        by_command = (await due_request(db, "RM", today)).folio
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "APP_ENV": "test",
        "SECRET_KEY": settings.secret_key,
        "DATABASE_URL": settings.database_url,
        "BASE_URL": BASE,
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "helpdesk", "alert-deadlines"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("deadline alerts: ")
    async with sessionmaker() as db:
        sent = await alerts(db, by_command)
        assert sent[central].context["link"] == f"{BASE}/staff/solicitudes/{by_command}"
