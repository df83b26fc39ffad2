"""Headers on every response (app.py): CSP, Permissions-Policy, and HSTS in production only."""

from __future__ import annotations

import httpx2

from tests.conftest import make_app


async def headers_of(app, base_url: str) -> httpx2.Headers:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url=base_url) as http:
        response = await http.get("/static/no-such-file.css")
    return response.headers


async def test_policy_headers_outside_production(client) -> None:
    headers = (await client.get("/")).headers
    policy = [part.strip() for part in headers["content-security-policy"].split(";")]
    assert "base-uri 'none'" in policy
    form_action = next(part for part in policy if part.startswith("form-action"))
    # Our own forms, plus ClaveÚnica's origin for signing out there.
    assert form_action == "form-action 'self' https://accounts.claveunica.gob.cl"
    assert "camera=()" in headers["permissions-policy"]
    assert "geolocation=()" in headers["permissions-policy"]
    assert "strict-transport-security" not in headers


async def test_hsts_in_production(settings) -> None:
    app = make_app(
        settings, app_env="production", session_https_only=True, base_url="https://testserver"
    )
    headers = await headers_of(app, "https://testserver")
    await app.state.engine.dispose()
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "base-uri 'none'" in headers["content-security-policy"]
