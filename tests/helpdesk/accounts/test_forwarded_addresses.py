"""X-Forwarded-For is believed only from TRUSTED_PROXIES (empty by default), so a client
cannot dodge the per-address throttles by naming a new address on every try."""

from __future__ import annotations

import argparse
import secrets
import uuid

import httpx2
import pytest
from sqlalchemy import select

from helpdesk import __main__ as cli
from helpdesk.accounts.models import RateCounter
from helpdesk.core.settings import Settings, SettingsError
from tests.conftest import make_app
from tests.support.http import Browser


def fresh_address(prefix: str) -> str:
    """Rate counters live in the shared test database: each test its own addresses. Drawn
    with ``secrets``: other tests (hypothesis) leave the ``random`` module seeded, and a
    draw that repeats meets a counter an earlier test left."""
    return f"{prefix}.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"


async def sign_in_statuses(app, socket_host: str, forwarded: list[str]) -> list[int]:
    transport = httpx2.ASGITransport(app=app, client=(socket_host, 40000))
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        browser = Browser(http)
        token = await browser.csrf("/staff/ingresar")
        email = f"nobody.{uuid.uuid4().hex[:8]}@test.portal"  # no account's own delays
        statuses = []
        for address in forwarded:
            response = await http.post(
                "/staff/ingresar",
                data={"email": email, "password": "y" * 12, "csrf_token": token},
                headers={"X-Forwarded-For": address},
            )
            statuses.append(response.status_code)
    return statuses


async def counter_keys(sessionmaker, address: str) -> list[str]:
    async with sessionmaker() as db:
        keys = await db.scalars(select(RateCounter.key).where(RateCounter.key.endswith(address)))
        return list(keys)


@pytest.mark.parametrize("socket_prefix", ["127.0", "198.18"])
async def test_by_default_the_throttle_keys_on_the_socket_address(
    settings, sessionmaker, socket_prefix
) -> None:
    assert settings.trusted_proxies == ""
    app = make_app(settings, login_rate_per_minute=3)
    socket_host = fresh_address(socket_prefix)
    forged = [
        fresh_address("198.19") for _ in range(5)
    ]  # no other test uses 198.19/16  # a new "address" on every try
    statuses = await sign_in_statuses(app, socket_host, forged)
    await app.state.engine.dispose()
    assert statuses == [401, 401, 401, 429, 429]
    assert await counter_keys(sessionmaker, f":{socket_host}")
    for address in forged:
        assert not await counter_keys(sessionmaker, f":{address}")


async def test_a_configured_proxy_is_believed(settings, sessionmaker) -> None:
    app = make_app(settings, login_rate_per_minute=3, trusted_proxies="10.77.0.0/16, 10.88.0.1")
    proxy = fresh_address("10.77")
    client = fresh_address("198.19")
    statuses = await sign_in_statuses(app, proxy, [client] * 4)
    others = await sign_in_statuses(app, proxy, [fresh_address("198.19") for _ in range(4)])
    await app.state.engine.dispose()
    assert statuses == [401, 401, 401, 429]  # the client behind the proxy is throttled
    assert others == [401] * 4  # ... and different clients behind it are not
    assert await counter_keys(sessionmaker, f":{client}")
    assert not await counter_keys(sessionmaker, f":{proxy}")


async def test_an_untrusted_host_is_not_believed_even_with_proxies_configured(
    settings, sessionmaker
) -> None:
    app = make_app(settings, login_rate_per_minute=3, trusted_proxies="10.88.0.1")
    socket_host = fresh_address("127.0")
    statuses = await sign_in_statuses(app, socket_host, [fresh_address("203.0") for _ in range(4)])
    await app.state.engine.dispose()
    assert statuses == [401, 401, 401, 429]


def test_trusted_proxies_are_validated() -> None:
    assert Settings.from_env({}).trusted_proxy_list == []
    assert Settings.from_env({"TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16"}).trusted_proxy_list == [
        "10.0.0.5",
        "10.1.0.0/16",
    ]
    for wrong in ("*", "proxy.internal", "10.0.0.300"):
        with pytest.raises(SettingsError, match="TRUSTED_PROXIES must list IP addresses"):
            Settings.from_env({"TRUSTED_PROXIES": wrong})


def test_serve_leaves_forwarded_headers_to_the_app(settings, monkeypatch) -> None:
    import uvicorn

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    cli._serve(settings, argparse.Namespace(host="127.0.0.1", port=8000, workers=1))
    assert seen["proxy_headers"] is False  # uvicorn's default would believe loopback
