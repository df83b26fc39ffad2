"""Editor fixtures: two editors (the four-eyes rule needs two), a second HTTP client, and the
suite's live server and chromium for the browser tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest
from starlette.applications import Starlette

# The browser tests reuse the suite's live server and chromium.
from tests.e2e.conftest import browser, live_server, playwright  # noqa: F401
from tests.knowledge_base.editor.helpers import Staff, staff
from tests.support.http import Browser


@pytest.fixture
async def author(sessionmaker) -> Staff:
    return await staff(sessionmaker)


@pytest.fixture
async def reviewer(sessionmaker) -> Staff:
    return await staff(sessionmaker)


@pytest.fixture
async def other_client(app: Starlette) -> AsyncIterator[Browser]:
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.8", 40001))
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Browser(http)
