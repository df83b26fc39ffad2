"""CSRF: every state-changing form and API call needs the session's token."""

from __future__ import annotations

import pytest

from tests.support import factories
from tests.support.http import page_text


@pytest.mark.parametrize(
    "path",
    [
        "/staff/ingresar",
        "/cuenta/ingresar",
        "/cuenta/registro",
        "/idioma",
        "/correo",
        "/cuenta/recuperar",
    ],
)
async def test_form_without_token_is_refused(client, path: str) -> None:
    await client.get("/")  # a session exists, but the form carries no token
    response = await client.post(path, data={"email": "a@b.cl", "password": "x" * 12})
    assert response.status_code == 403
    assert "El formulario expiró" in page_text(response.text)


async def test_form_with_wrong_token_is_refused(client) -> None:
    await client.get("/")
    response = await client.post("/idioma", data={"lang": "en", "csrf_token": "forged"})
    assert response.status_code == 403


async def test_token_from_another_session_is_refused(client, app) -> None:
    import httpx2

    from tests.support.http import Browser

    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://testserver"
    ) as other:
        foreign_token = await Browser(other).csrf("/")
    await client.get("/")
    response = await client.post("/idioma", data={"lang": "en", "csrf_token": foreign_token})
    assert response.status_code == 403


async def test_multipart_form_token_is_read(client) -> None:
    token = await client.csrf("/")
    response = await client.post(
        "/idioma", data={"lang": "fr", "csrf_token": token}, files={"x": ("a.txt", b"hi")}
    )
    assert response.status_code == 303


async def test_api_call_with_cookie_needs_header(client, sessionmaker) -> None:
    email, _ = await factories.citizen(sessionmaker)
    await factories.sign_in_citizen(client, email)
    refused = await client.http.put("/api/v1/me/language", json={"locale": "ht"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    token = await client.csrf("/cuenta")
    accepted = await client.http.put(
        "/api/v1/me/language", json={"locale": "ht"}, headers={"X-CSRF-Token": token}
    )
    assert accepted.status_code == 204


async def test_api_call_without_any_cookie_needs_no_token(app, sessionmaker) -> None:
    """An integration adding a message with a request's private token carries no cookie:
    nothing for a forged request to ride on, so no CSRF token is asked for."""
    import httpx2

    from tests.helpdesk.tickets.api.test_routes import new_body, staff_token

    auth = await staff_token(sessionmaker)
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://testserver"
    ) as bare:
        opened = (await bare.post("/api/v1/requests", json=new_body(), headers=auth)).json()
        added = await bare.post(
            f"/api/v1/requests/{opened['folio']}/messages",
            params={"token": opened["token"]},
            json={"text": "Sin cookies"},
        )
        assert added.status_code == 201, added.text
        assert "set-cookie" not in added.headers
        # Outside the API a cookie-less form is still refused (login forgery).
        signin = await bare.post("/cuenta/ingresar", data={"email": "a@b.cl", "password": "x"})
        assert signin.status_code == 403
