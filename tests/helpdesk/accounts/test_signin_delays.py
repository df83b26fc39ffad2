"""Repeated wrong passwords slow sign-in down (growing delays per email and per address)
instead of locking the owner out; failures on a known account stay in the audit log."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from helpdesk.accounts import signin, throttle
from helpdesk.accounts.models import CitizenAccount, StaffAccount
from helpdesk.accounts.routes_citizen import CITIZEN_SIGNIN
from helpdesk.audit.models import AuditEvent
from tests.conftest import make_app
from tests.helpdesk.accounts.test_citizen_accounts import outbox_for, token_from
from tests.support import factories
from tests.support.http import Browser, page_text

STAFF = ("/staff/ingresar", factories.STAFF_PASSWORD, "staff_account")
CITIZEN = ("/cuenta/ingresar", factories.CITIZEN_PASSWORD, "citizen_account")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC) + timedelta(
            minutes=uuid.uuid4().int % 100_000  # clear of other tests' counters on one database
        )

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(signin, "utcnow", lambda: clock.now)
    return clock


@asynccontextmanager
async def browser_from(app: Starlette, address: str) -> AsyncIterator[Browser]:
    transport = httpx2.ASGITransport(app=app, client=(address, 40000))
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Browser(http)


def fresh_address() -> str:
    return f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


async def account(kind: tuple[str, str, str], sessionmaker) -> tuple[str, int]:
    if kind is STAFF:
        email = await factories.staff_member(sessionmaker, "supervisor")
        async with sessionmaker() as db:
            staff_id = await db.scalar(select(StaffAccount.id).where(StaffAccount.email == email))
        return email, int(staff_id)
    email, person_id = await factories.citizen(sessionmaker)
    async with sessionmaker() as db:
        citizen_id = await db.scalar(
            select(CitizenAccount.id).where(CitizenAccount.person_id == person_id)
        )
    return email, int(citizen_id)


async def failures_audited(sessionmaker, entity: str, entity_id: int) -> int:
    async with sessionmaker() as db:
        return int(
            await db.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.entity_type == entity,
                    AuditEvent.entity_id == entity_id,
                    AuditEvent.action.like("%.sign_in_failed"),
                )
            )
        )


@pytest.mark.parametrize("kind", [STAFF, CITIZEN], ids=["staff", "citizen"])
async def test_owner_waits_seconds_not_a_lock_and_failures_are_audited(
    kind, app, sessionmaker, clock: Clock
) -> None:
    path, password, entity = kind
    email, account_id = await account(kind, sessionmaker)
    async with browser_from(app, fresh_address()) as attacker:
        for _ in range(5):
            wrong = await attacker.submit(path, {"email": email, "password": "not-the-password"})
            assert wrong.status_code == 401
        # During the wait even the right password is refused, unchecked and uncounted.
        refused = await attacker.submit(path, {"email": email, "password": password})
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
        assert "Intente de nuevo en 1 segundo." in page_text(refused.text)
        assert await failures_audited(sessionmaker, entity, account_id) == 5
        clock.advance(1)
        assert (
            await attacker.submit(path, {"email": email, "password": "nope-nope-1"})
        ).status_code == 401
        doubled = await attacker.submit(path, {"email": email, "password": password})
        assert doubled.status_code == 429 and doubled.headers["retry-after"] == "2"
        assert await failures_audited(sessionmaker, entity, account_id) == 6
    clock.advance(2)
    async with browser_from(app, fresh_address()) as owner:
        signed_in = await owner.submit(path, {"email": email, "password": password})
        assert signed_in.status_code == 303
    # Success clears the email's count: one more mistake is just a mistake.
    async with browser_from(app, fresh_address()) as owner:
        assert (
            await owner.submit(path, {"email": email, "password": "typo-typo-1"})
        ).status_code == 401
        assert (await owner.submit(path, {"email": email, "password": password})).status_code == 303


@pytest.mark.parametrize("kind", [STAFF, CITIZEN], ids=["staff", "citizen"])
async def test_unknown_email_behaves_like_a_known_one(kind, app, clock: Clock) -> None:
    path = kind[0]
    email = f"nadie.{uuid.uuid4().hex[:8]}@test.portal"
    async with browser_from(app, fresh_address()) as visitor:
        statuses = [
            (await visitor.submit(path, {"email": email, "password": "x" * 12})).status_code
            for _ in range(6)
        ]
        assert statuses == [401] * 5 + [429]
        clock.advance(5 * 60)  # the longest wait there is: never 15 minutes
        assert (
            await visitor.submit(path, {"email": email, "password": "x" * 12})
        ).status_code == 401


async def test_one_address_trying_many_emails_is_slowed_down(settings, clock: Clock) -> None:
    app = make_app(settings, login_address_max_failures=3)
    address = fresh_address()
    try:
        async with browser_from(app, address) as sprayer:
            for _ in range(3):
                email = f"x.{uuid.uuid4().hex[:8]}@test.portal"
                response = await sprayer.submit(STAFF[0], {"email": email, "password": "y" * 12})
                assert response.status_code == 401
            # A fourth email, never tried, from the same address: the address waits.
            other = {"email": f"z.{uuid.uuid4().hex[:8]}@test.portal", "password": "y" * 12}
            assert (await sprayer.submit(CITIZEN[0], other)).status_code == 429
        async with browser_from(app, fresh_address()) as elsewhere:
            assert (await elsewhere.submit(CITIZEN[0], other)).status_code == 401
    finally:
        await app.state.engine.dispose()


async def test_wait_message_is_in_the_page_language(app, clock: Clock) -> None:
    email = f"nadie.{uuid.uuid4().hex[:8]}@test.portal"
    async with browser_from(app, fresh_address()) as visitor:
        for _ in range(5):
            await visitor.submit(STAFF[0], {"email": email, "password": "x" * 12})
        refused = await visitor.submit(
            STAFF[0], {"email": email, "password": "x" * 12}, headers={"Accept-Language": "en"}
        )
    assert refused.status_code == 429
    assert "1 second" in page_text(refused.text)


def test_citizen_form_counts_under_the_scope_a_reset_link_clears() -> None:
    assert CITIZEN_SIGNIN.rate_scope == signin.CITIZEN_SCOPE


async def test_emailed_reset_link_ends_the_wait(app, sessionmaker, clock: Clock) -> None:
    email, _ = await factories.citizen(sessionmaker)
    async with browser_from(app, fresh_address()) as attacker:
        for _ in range(8):
            clock.advance(10)
            await attacker.submit(CITIZEN[0], {"email": email, "password": "not-it-at-all"})
    async with browser_from(app, fresh_address()) as owner:
        waiting = await owner.submit(CITIZEN[0], {"email": email, "password": "new-password-1"})
        assert waiting.status_code == 429
        await owner.submit("/cuenta/recuperar", {"email": email})
        [message] = await outbox_for(sessionmaker, email)
        reset = await owner.submit(
            f"/cuenta/restablecer/{token_from(message)}",
            {"password": "new-password-1", "password_confirm": "new-password-1"},
        )
        assert reset.status_code == 200
        await factories.sign_in_citizen(owner, email, "new-password-1")


async def test_a_finished_wait_lets_one_concurrent_attempt_through(
    sessionmaker, clock: Clock
) -> None:
    key = signin.email_key("staff-login", f"c.{uuid.uuid4().hex[:8]}@test.portal")
    async with sessionmaker() as db, db.begin():
        for _ in range(6):
            await throttle.record_failure(db, [key], clock.now, timedelta(hours=1))
    async with sessionmaker() as db:
        [(count, last)] = (await throttle.failures(db, [key])).values()
    assert count == 6 and last == clock.now
    clock.advance(3)
    async with sessionmaker() as db, db.begin():
        assert await throttle.claim(db, key, last, clock.now)
        assert not await throttle.claim(db, key, last, clock.now)
