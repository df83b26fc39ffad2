"""Issue 16 in a browser: an English speaker on a 360 px phone books an appointment from
the home page (trámite → office → day → time), proves her address, gets the confirmation
with its .ics in English and the office's time, and moves the appointment by its link.

The interface's English strings may not be translated yet: the test reads the pages'
structure and the email's row (language, .ics), not the chrome's words."""

from __future__ import annotations

import re
import uuid

import icalendar
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.appointments.demo import load_services
from helpdesk.appointments.models import Appointment
from helpdesk.notifications.models import OutboxMessage
from tests.e2e.conftest import ConsoleLog, new_context
from tests.e2e.test_case_lookup import PHONE, fits_and_passes_axe

pytestmark = pytest.mark.e2e


async def _email(
    sessionmaker: async_sessionmaker[AsyncSession], to: str, template: str
) -> OutboxMessage:
    async with sessionmaker() as db:
        row = await db.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == to, OutboxMessage.template == template)
            .order_by(OutboxMessage.id.desc())
        )
    assert row is not None, f"no {template} email to {to}"
    return row


async def _choose(page: Page, name: str, where: str, index: int = 0) -> None:
    await fits_and_passes_axe(page, where)
    await page.locator(f"main input[name={name}]").nth(index).check()
    await page.locator("main form button[type=submit]").first.click()


async def test_english_phone_booking_then_a_move_by_the_private_link(
    browser: Browser, live_server: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as db, db.begin():
        await load_services(db)
    email = f"grace.{uuid.uuid4().hex[:8]}@test.portal"
    console = ConsoleLog()
    phone = await new_context(browser, live_server, locale="en")
    try:
        page = await phone.new_page()
        await page.set_viewport_size(PHONE)
        console.watch(page)
        await page.goto("/")
        await page.locator("main a[href='/citas']").click()
        await expect(page).to_have_url(re.compile(r"/citas$"))
        await page.locator("main input[value='rd-solicitud']").check()
        await fits_and_passes_axe(page, "trámites")
        await page.locator("main form button[type=submit]").click()
        await _choose(page, "oficina", "offices")
        await _choose(page, "dia", "days")
        # No proven address yet: prove it, and come back to the same step.
        await fits_and_passes_axe(page, "times without an address")
        await page.locator("main a[href^='/correo']").click()
        await page.locator("main input[name=email]").fill(email)
        await page.locator("main form button[type=submit]").click()
        proof = await _email(sessionmaker, email, "prove_email")
        await page.goto(str(proof.context["link"]))
        await page.locator("main form button[type=submit]").click()
        await expect(page).to_have_url(re.compile(r"/citas\?.*dia="))
        await _choose(page, "hora", "times")
        await expect(page).to_have_url(re.compile(r"/citas/c/"))
        await fits_and_passes_axe(page, "appointment")

        confirmation = await _email(sessionmaker, email, "appointment_confirmation")
        assert confirmation.locale == "en"
        [ics] = confirmation.context["attachments"]
        [event] = icalendar.Calendar.from_ical(ics["text"]).walk("VEVENT")
        assert event["DTSTART"].params["TZID"] == "America/Santiago"
        async with sessionmaker() as db:
            booked = await db.scalar(select(Appointment).where(Appointment.email == email))
        assert booked is not None
        assert event.decoded("DTSTART") == booked.starts_at

        # By the email's link: another day, its first free time.
        await page.goto(str(confirmation.context["link"]))
        await page.locator("main select[name=dia]").select_option(index=1)
        await page.locator("main form[method=get] button[type=submit]").click()
        await fits_and_passes_axe(page, "another day's times")
        await page.locator("main input[name=hora]").first.check()
        await page.locator("main form[action$='/cambiar'] button[type=submit]").click()
        await expect(page).to_have_url(re.compile(r"/citas/c/[^/]+$"))
        async with sessionmaker() as db:
            moved = await db.scalar(select(Appointment).where(Appointment.email == email))
        assert moved is not None and moved.starts_at > booked.starts_at
        again = await _email(sessionmaker, email, "appointment_confirmation")
        assert again.id != confirmation.id and again.context["moved"] is True
    finally:
        await phone.close()
    assert not console.errors, "\n".join(console.errors)
