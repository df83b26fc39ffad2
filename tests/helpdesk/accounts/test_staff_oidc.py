"""Staff sign-in with the institutional OpenID provider, end to end over real HTTP.

The same provider process plays the institution's provider; accounts are matched on the
provider's email claim, and only accounts an administrator created and left enabled get in.
"""

from __future__ import annotations

import uuid

import httpx2
import pytest
from sqlalchemy import select, update

from helpdesk.accounts.models import StaffAccount
from tests.support import factories
from tests.support.http import Browser, page_text
from tests.support.oidc_provider import STAFF_CLIENT_ID, approve, set_user

START = "/staff/oidc"
CALLBACK = "/staff/oidc/callback"
NOT_ENABLED = "Su cuenta institucional no está habilitada en este portal."


async def sign_in(browser: Browser, sub: str) -> httpx2.Response:
    start = await browser.get(START)
    assert start.status_code == 302, start.text
    params = httpx2.URL(start.headers["location"]).params
    assert params["scope"] == "openid email profile"
    assert params["client_id"] == STAFF_CLIENT_ID
    assert len(params["state"]) >= 30 and params["nonce"]
    code, state = await approve(start.headers["location"], sub)
    return await browser.get(CALLBACK, params={"code": code, "state": state})


async def linked_subject(sessionmaker, email: str) -> str | None:
    async with sessionmaker() as db:
        return await db.scalar(select(StaffAccount.oidc_subject).where(StaffAccount.email == email))


async def test_a_staff_member_signs_in_with_the_institutional_provider(
    browser, oidc_provider, provider_proxy, sessionmaker
) -> None:
    email = await factories.staff_member(sessionmaker, "central_analyst")
    sub = f"staff-{uuid.uuid4().hex}"
    await set_user(
        oidc_provider.url, sub, {"email": email.upper(), "email_verified": True, "name": "Ana"}
    )

    response = await sign_in(browser, sub)

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/staff"
    assert (await browser.get("/staff")).status_code == 200
    assert await linked_subject(sessionmaker, email) == sub
    [token_request] = provider_proxy.to("/oauth2/token")
    assert token_request.auth_scheme == "Basic"  # the default, client_secret_basic
    assert "client_secret" not in token_request.form
    # Next time the same subject signs in again.
    assert (await sign_in(browser, sub)).status_code == 303


async def test_a_linked_subject_does_not_take_over_another_account(
    open_browser, oidc_provider, sessionmaker
) -> None:
    """The provider now gives a linked subject the email of another account: refused, not a 500."""
    first = await factories.staff_member(sessionmaker, "central_analyst")
    second = await factories.staff_member(sessionmaker, "central_analyst")
    sub = f"staff-{uuid.uuid4().hex}"
    await set_user(oidc_provider.url, sub, {"email": first, "email_verified": True})
    assert (await sign_in(open_browser(), sub)).status_code == 303
    await set_user(oidc_provider.url, sub, {"email": second, "email_verified": True})

    browser = open_browser()
    response = await sign_in(browser, sub)

    assert response.status_code == 403, response.text
    assert NOT_ENABLED in page_text(response.text)
    assert (
        await linked_subject(sessionmaker, first),
        await linked_subject(sessionmaker, second),
    ) == (sub, None)
    assert (await browser.get("/staff")).status_code == 303


async def disable(sessionmaker, email: str) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(
            update(StaffAccount).where(StaffAccount.email == email).values(active=False)
        )


async def link_to_someone_else(sessionmaker, email: str) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(update(StaffAccount).where(StaffAccount.email == email)
                         .values(oidc_subject=f"earlier-{uuid.uuid4().hex}"))  # fmt: skip


@pytest.mark.parametrize(
    "case", ["unknown email", "disabled", "email not verified", "another subject"]
)
async def test_accounts_the_portal_does_not_know_are_refused(
    browser, oidc_provider, sessionmaker, case: str
) -> None:
    email = await factories.staff_member(sessionmaker, "central_analyst")
    claims: dict[str, object] = {"email": email, "email_verified": True}
    if case == "unknown email":
        claims["email"] = f"nadie.{uuid.uuid4().hex[:8]}@test.portal"
    elif case == "disabled":
        await disable(sessionmaker, email)
    elif case == "email not verified":
        claims["email_verified"] = False
    else:
        await link_to_someone_else(sessionmaker, email)
    before = await linked_subject(sessionmaker, email)
    sub = f"staff-{uuid.uuid4().hex}"
    await set_user(oidc_provider.url, sub, claims)

    response = await sign_in(browser, sub)

    assert response.status_code == 403, response.text
    assert NOT_ENABLED in page_text(response.text)
    assert await linked_subject(sessionmaker, email) == before
    staff_home = await browser.get("/staff")
    assert staff_home.status_code == 303
    assert staff_home.headers["location"].startswith("/staff/ingresar")
