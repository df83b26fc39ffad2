"""OpenID Connect fixtures: the provider process, a recording proxy in front of it, and the app
configured for both ClaveÚnica and the staff provider through that proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx2
import pytest
from starlette.applications import Starlette

from helpdesk.core.settings import Settings
from tests.conftest import make_app
from tests.support.http import Browser
from tests.support.oidc_provider import (
    CLAVEUNICA_CLIENT_ID,
    CLAVEUNICA_CLIENT_SECRET,
    STAFF_CLIENT_ID,
    STAFF_CLIENT_SECRET,
    Provider,
    running_provider,
)
from tests.support.tamper_proxy import TamperProxy, running_proxy


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with running_provider(tmp_path_factory.mktemp("oidc") / "provider.log") as provider:
        yield provider


@pytest.fixture
def provider_proxy(oidc_provider: Provider) -> Iterator[TamperProxy]:
    with running_proxy(oidc_provider.url) as proxy:
        yield proxy


@pytest.fixture
async def oidc_app(settings: Settings, provider_proxy: TamperProxy) -> AsyncIterator[Starlette]:
    """A fresh app per test: Authlib caches the discovery document for the app's lifetime."""
    discovery = f"{provider_proxy.url}/.well-known/openid-configuration"
    app = make_app(
        settings,
        claveunica_client_id=CLAVEUNICA_CLIENT_ID,
        claveunica_client_secret=CLAVEUNICA_CLIENT_SECRET,
        claveunica_metadata_url=discovery,
        staff_oidc_client_id=STAFF_CLIENT_ID,
        staff_oidc_client_secret=STAFF_CLIENT_SECRET,
        staff_oidc_metadata_url=discovery,
    )
    yield app
    await app.state.engine.dispose()


@pytest.fixture
async def open_browser(oidc_app: Starlette) -> AsyncIterator[Callable[[], Browser]]:
    """Opens browsers (each with its own cookies) on the OIDC app."""
    clients: list[httpx2.AsyncClient] = []

    def open_() -> Browser:
        transport = httpx2.ASGITransport(app=oidc_app, client=("203.0.113.7", 40000))
        clients.append(httpx2.AsyncClient(transport=transport, base_url="http://testserver"))
        return Browser(clients[-1])

    yield open_
    for client in clients:
        await client.aclose()


@pytest.fixture
def browser(open_browser: Callable[[], Browser]) -> Browser:
    return open_browser()
