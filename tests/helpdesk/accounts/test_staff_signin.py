"""Staff sign-in: passwords, throttling, disabling, signing out everywhere, admin page
(the delays after repeated failures: test_signin_delays.py)."""

from __future__ import annotations

import httpx2
from sqlalchemy import select

from helpdesk.accounts.models import StaffAccount
from tests.conftest import make_app
from tests.support import factories
from tests.support.http import Browser, page_text


async def test_wrong_password_is_refused_with_a_clear_message(client, sessionmaker) -> None:
    email = await factories.staff_member(sessionmaker, "supervisor")
    response = await client.submit(
        "/staff/ingresar", {"email": email, "password": "wrong-password"}
    )
    assert response.status_code == 401
    assert "El correo o la contraseña no son correctos." in page_text(response.text)


async def test_unknown_account_gets_the_same_answer(client) -> None:
    response = await client.submit(
        "/staff/ingresar", {"email": "nobody@test.portal", "password": "x" * 12}
    )
    assert response.status_code == 401
    assert "El correo o la contraseña no son correctos." in page_text(response.text)


async def test_empty_form_gets_field_errors(client) -> None:
    response = await client.submit("/staff/ingresar", {"email": "", "password": ""})
    assert response.status_code == 422
    text = page_text(response.text)
    assert "Ingrese su correo electrónico." in text and "Ingrese su contraseña." in text


async def test_login_rate_limit_per_address(settings, sessionmaker) -> None:
    app = make_app(settings, login_rate_per_minute=3)
    transport = httpx2.ASGITransport(app=app, client=("198.51.100.9", 1234))
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        browser = Browser(http)
        statuses = [
            (
                await browser.submit(
                    "/staff/ingresar", {"email": "x@test.portal", "password": "y" * 12}
                )
            ).status_code
            for _ in range(4)
        ]
    await app.state.engine.dispose()
    assert statuses == [401, 401, 401, 429]


async def test_sign_out_everywhere_ends_other_sessions(app, sessionmaker) -> None:
    email = await factories.staff_member(sessionmaker, "supervisor")
    browsers = []
    for _ in range(2):
        http = httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app), base_url="http://testserver"
        )
        browser = Browser(http)
        await factories.sign_in_staff(browser, email)
        browsers.append(browser)
    first, second = browsers
    assert (await second.get("/staff")).status_code == 200
    response = await first.submit("/staff/salir-todas", {}, page="/staff")
    assert response.status_code == 303
    assert (await second.get("/staff")).status_code == 303  # sent back to sign in
    for browser in browsers:
        await browser.http.aclose()


async def test_admin_creates_and_disables_staff(client, sessionmaker) -> None:
    admin = await factories.staff_member(sessionmaker, "admin")
    await factories.sign_in_staff(client, admin)
    bad = await client.submit(
        "/staff/admin/cuentas", {"email": "no-es-correo", "full_name": "", "role": "regional_agent"}
    )
    assert bad.status_code == 422
    assert "Un agente regional necesita una oficina." in page_text(bad.text)
    new_email = f"nuevo.{factories.uuid.uuid4().hex[:6]}@test.portal"
    created = await client.submit(
        "/staff/admin/cuentas",
        {
            "email": new_email,
            "full_name": "Nuevo Agente",
            "role": "regional_agent",
            "office_slug": "iquique",
            "password": "another-long-password",
        },
    )
    assert created.status_code == 303
    async with sessionmaker() as db:
        account = await db.scalar(select(StaffAccount).where(StaffAccount.email == new_email))
        assert account is not None and account.role == "regional_agent" and account.office_id
    disabled = await client.submit(
        f"/staff/admin/cuentas/{account.id}/estado", {"active": "0"}, page="/staff/admin/cuentas"
    )
    assert disabled.status_code == 303
    refused = await client.submit(
        "/staff/ingresar", {"email": new_email, "password": "another-long-password"}
    )
    assert refused.status_code == 401


async def test_disabled_staff_loses_open_session(client, sessionmaker) -> None:
    email = await factories.staff_member(sessionmaker, "central_analyst")
    await factories.sign_in_staff(client, email)
    assert (await client.get("/staff")).status_code == 200
    from helpdesk.accounts.staff import disable_staff_by_email

    async with sessionmaker() as db, db.begin():
        assert await disable_staff_by_email(db, email)
    assert (await client.get("/staff")).status_code == 303


async def test_session_cookie_flags(client, sessionmaker) -> None:
    email = await factories.staff_member(sessionmaker, "supervisor")
    token = await client.csrf("/staff/ingresar")
    response = await client.post(
        "/staff/ingresar",
        data={"email": email, "password": factories.STAFF_PASSWORD, "csrf_token": token},
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


async def test_secure_cookie_outside_development(settings) -> None:
    app = make_app(settings, session_https_only=True)
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="https://testserver"
    ) as http:
        response = await http.get("/")
    await app.state.engine.dispose()
    assert "secure" in response.headers["set-cookie"].lower()
