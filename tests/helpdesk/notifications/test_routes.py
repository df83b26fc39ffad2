"""/staff/correo: the caught development mail, for admins only, only with the catcher on."""

from __future__ import annotations

import mailbox
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import jinja2
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from helpdesk.core.settings import Settings
from helpdesk.notifications.mailer import EmailRenderer
from helpdesk.notifications.models import OutboxMessage
from tests.conftest import make_app
from tests.support import factories
from tests.support.http import Browser, page_text, parse


@pytest.fixture
async def catcher_app(settings: Settings, tmp_path: Path) -> AsyncIterator[Starlette]:
    app = make_app(settings, mail_catcher=True, mail_catcher_dir=str(tmp_path / "mail"))
    yield app
    await app.state.engine.dispose()


@pytest.fixture
async def browser(catcher_app: Starlette) -> AsyncIterator[Browser]:
    transport = httpx2.ASGITransport(app=catcher_app, client=("192.0.2.25", 40000))
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Browser(http)


def catch(directory: Path, email_env: jinja2.Environment) -> None:
    """Puts a rendered email into the Maildir, as the catcher would."""
    row = OutboxMessage(
        template="prove_email",
        locale="es",
        to_address="rose@example.cl",
        context={"link": "https://portal.example/correo/confirmar/abc"},
        message_id="<route-test@portal-ayuda.local>",
        in_reply_to=None,
        created_at=datetime(2026, 2, 1, 12, tzinfo=UTC),
    )
    message = EmailRenderer(email_env, "Portal <no-responder@portal.example>").render(row)
    mailbox.Maildir(directory, create=True).add(message.as_bytes())


async def test_admins_read_the_caught_mail(
    catcher_app: Starlette,
    browser: Browser,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    email_env: jinja2.Environment,
) -> None:
    catch(tmp_path / "mail", email_env)
    await factories.sign_in_staff(browser, await factories.staff_member(sessionmaker, "admin"))

    response = await browser.get(catcher_app.url_path_for("dev_mail"))

    assert response.status_code == 200
    assert parse(response.text).html_lang == "es"
    text = page_text(response.text)
    assert "Correo de desarrollo" in text
    assert "Confirme su correo para continuar" in text
    assert "rose@example.cl" in text
    assert "https://portal.example/correo/confirmar/abc" in text


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("regional_agent", 403),
        ("central_analyst", 403),
        ("supervisor", 403),
        ("kb_editor", 403),
        ("admin", 200),
    ],
)
async def test_only_admins_may_read_the_caught_mail(
    catcher_app: Starlette,
    browser: Browser,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    email_env: jinja2.Environment,
    role: str,
    status: int,
) -> None:
    """The caught mail holds every region's private links (issue 13)."""
    catch(tmp_path / "mail", email_env)
    await factories.sign_in_staff(browser, await factories.staff_member(sessionmaker, role))

    response = await browser.get(catcher_app.url_path_for("dev_mail"))

    assert response.status_code == status
    shown = "https://portal.example/correo/confirmar/abc" in response.text
    assert shown is (status == 200)
    assert ("rose@example.cl" in response.text) is (status == 200)


async def test_an_empty_catcher_says_so(
    catcher_app: Starlette, browser: Browser, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await factories.sign_in_staff(browser, await factories.staff_member(sessionmaker, "admin"))
    response = await browser.get(catcher_app.url_path_for("dev_mail"))
    assert response.status_code == 200
    assert "Todavía no hay mensajes." in page_text(response.text)


async def test_signed_out_visitors_are_sent_to_sign_in(
    catcher_app: Starlette, browser: Browser
) -> None:
    response = await browser.get(catcher_app.url_path_for("dev_mail"))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/ingresar")


async def test_citizens_are_refused(
    catcher_app: Starlette, browser: Browser, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    email, _ = await factories.citizen(sessionmaker)
    await factories.sign_in_citizen(browser, email)
    response = await browser.get(catcher_app.url_path_for("dev_mail"))
    assert response.status_code == 403


async def test_the_page_does_not_exist_without_the_catcher(
    app: Starlette, client: Browser, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    assert not app.state.settings.mail_catcher
    await factories.sign_in_staff(client, await factories.staff_member(sessionmaker, "admin"))
    response = await client.get(app.url_path_for("dev_mail"))
    assert response.status_code == 404
