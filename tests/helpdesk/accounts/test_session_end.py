"""Signing out ends the session on the server: a copy of the cookie stops working, the
account's other sessions do not, "sign out everywhere" still ends them all, and the rows
that remember ended sessions are deleted once no cookie can need them."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx2
import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from helpdesk.accounts import ended_sessions
from helpdesk.accounts.models import EndedSession
from helpdesk.core.db import utcnow
from tests.support import factories
from tests.support.http import Browser

# kind: (home page, sign-out, sign-out everywhere)
PATHS = {
    "staff": ("/staff", "/staff/salir", "/staff/salir-todas"),
    "citizen": ("/cuenta", "/cuenta/salir", "/cuenta/salir-todas"),
}


@asynccontextmanager
async def browser(app, cookie: str | None = None) -> AsyncIterator[Browser]:  # type: ignore[no-untyped-def]
    cookies = {"session": cookie} if cookie else None
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(
        transport=transport, base_url="http://testserver", cookies=cookies
    ) as http:
        yield Browser(http)


async def account(kind: str, sessionmaker) -> Callable[[Browser], Awaitable[None]]:  # type: ignore[no-untyped-def]
    """A new account of that kind; returns how to sign a browser in to it."""
    if kind == "staff":
        email = await factories.staff_member(sessionmaker, "supervisor")
        return lambda b: factories.sign_in_staff(b, email)
    email, _ = await factories.citizen(sessionmaker)
    return lambda b: factories.sign_in_citizen(b, email)


async def signed_in(response: httpx2.Response) -> bool:
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


@pytest.mark.parametrize("kind", ["staff", "citizen"])
async def test_signing_out_ends_a_copied_cookie(app, sessionmaker, kind: str) -> None:
    home, signout, _ = PATHS[kind]
    sign_in = await account(kind, sessionmaker)
    async with browser(app) as owner:
        await sign_in(owner)
        copied = owner.http.cookies["session"]
        async with browser(app, copied) as thief:
            assert await signed_in(await thief.get(home))
            response = await owner.submit(signout, {}, page=home)
            assert response.status_code == 303
            assert not await signed_in(await owner.get(home))
            response = await thief.get(home)
            assert not await signed_in(response)
            assert "ingresar" in response.headers["location"]
        # The exact cookie that was copied, not the one the thief's browser got back.
        async with browser(app, copied) as replay:
            assert not await signed_in(await replay.get(home))


@pytest.mark.parametrize("kind", ["staff", "citizen"])
async def test_other_sessions_of_the_account_stay_signed_in(app, sessionmaker, kind) -> None:  # type: ignore[no-untyped-def]
    home, signout, _ = PATHS[kind]
    sign_in = await account(kind, sessionmaker)
    async with browser(app) as phone, browser(app) as laptop:
        await sign_in(phone)
        await sign_in(laptop)
        assert (await phone.submit(signout, {}, page=home)).status_code == 303
        assert not await signed_in(await phone.get(home))
        assert await signed_in(await laptop.get(home))
        await sign_in(phone)  # signing in again after signing out works
        assert await signed_in(await phone.get(home))


@pytest.mark.parametrize("kind", ["staff", "citizen"])
async def test_sign_out_everywhere_still_ends_every_session(app, sessionmaker, kind) -> None:  # type: ignore[no-untyped-def]
    home, _, everywhere = PATHS[kind]
    sign_in = await account(kind, sessionmaker)
    async with browser(app) as phone, browser(app) as laptop:
        await sign_in(phone)
        await sign_in(laptop)
        async with browser(app, laptop.http.cookies["session"]) as thief:
            assert (await phone.submit(everywhere, {}, page=home)).status_code == 303
            for other in (phone, laptop, thief):
                assert not await signed_in(await other.get(home))


async def test_signing_out_twice_with_copies_of_one_cookie(app, sessionmaker) -> None:
    sign_in = await account("staff", sessionmaker)
    async with browser(app) as owner:
        await sign_in(owner)
        async with browser(app, owner.http.cookies["session"]) as copy:
            csrf = await copy.csrf("/staff")
            assert (await owner.submit("/staff/salir", {}, page="/staff")).status_code == 303
            response = await copy.post("/staff/salir", data={"csrf_token": csrf})
            assert response.status_code == 303


async def test_a_session_from_before_session_ids_counts_as_signed_out(
    app, settings, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    sign_in = await account("staff", sessionmaker)
    async with browser(app) as owner:
        await sign_in(owner)
        signer = TimestampSigner(str(settings.secret_key))
        data = signer.unsign(owner.http.cookies["session"])
        session = json.loads(base64.b64decode(data))
        del session["viewer"]["sid"]
        old = signer.sign(base64.b64encode(json.dumps(session).encode())).decode()
    async with browser(app, old) as legacy:
        assert not await signed_in(await legacy.get("/staff"))


async def test_ended_rows_are_deleted_once_no_cookie_can_need_them(sessionmaker) -> None:
    max_age = 8 * 3600
    now = utcnow()
    long_ago = now - timedelta(seconds=max_age) - ended_sessions.IN_FLIGHT_MARGIN * 2
    old, recent, new = (ended_sessions.new_session_id() for _ in range(3))
    async with sessionmaker() as db, db.begin():
        await ended_sessions.end(db, old, max_age, now=long_ago)
        await ended_sessions.end(db, recent, max_age, now=now - timedelta(hours=1))
    async with sessionmaker() as db, db.begin():
        assert await ended_sessions.is_ended(db, old)
        await ended_sessions.end(db, new, max_age, now=now)
        await ended_sessions.end(db, new, max_age, now=now)  # twice: no error
    async with sessionmaker() as db:
        assert not await ended_sessions.is_ended(db, old)
        assert await ended_sessions.is_ended(db, recent)
        assert await ended_sessions.is_ended(db, new)
        expired = select(func.count()).where(EndedSession.expires_at < now)
        assert await db.scalar(expired) == 0
        row = await db.get(EndedSession, new)
        assert row is not None
        assert row.expires_at == now + timedelta(seconds=max_age) + ended_sessions.IN_FLIGHT_MARGIN
