"""Browser tests: a real uvicorn server on loopback, driven by Debian's chromium through Playwright.

The server runs in the session's event loop (the same loop pytest-asyncio gives every test), so
Playwright's async API and the app share one loop and no thread. Its database is the suite's
migrated test database, with the demo accounts loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    async_playwright,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import create_app
from helpdesk.core.settings import Settings
from helpdesk.demo import accounts as demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_SECONDS = 15
PAGE_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="chromium not installed (apt-get install chromium)")
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(skip)


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C must stop pytest, not only the server."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@pytest.fixture(scope="session")
async def live_server(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[str]:
    """The base URL (http://127.0.0.1:PORT) of the app served by a real uvicorn."""
    async with sessionmaker() as db:
        await demo.load_demo(db)
        await db.commit()
    # Binding port 0 ourselves gives a free port with no race between choosing and listening.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(replace(settings, base_url=base_url))
    config = uvicorn.Config(app, lifespan="on", ws="none", log_level="warning", access_log=False)
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="e2e-uvicorn")
    try:
        async with asyncio.timeout(SERVER_START_SECONDS):
            while not server.started:
                if task.done():
                    task.result()  # raises what stopped the server
                    raise RuntimeError("uvicorn exited before it started")
                await asyncio.sleep(0.02)
        yield base_url
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    chromium = await playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    await chromium.close()


@dataclass
class ConsoleLog:
    """What the browser complained about: console errors (CSP refusals land here) and
    uncaught exceptions."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        url = str(message.location.get("url", ""))
        # Chromium asks for /favicon.ico on its own and the app has none: not a page error.
        if message.type == "error" and not url.endswith("/favicon.ico"):
            self.errors.append(f"console: {message.text} ({url})")

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught: {error.message}")


async def new_context(
    browser: Browser, base_url: str, *, javascript: bool = True, locale: str | None = None
) -> BrowserContext:
    """A fresh browser profile; ``locale`` sets the language cookie the switcher would set."""
    context = await browser.new_context(
        base_url=base_url, java_script_enabled=javascript, locale="es-CL"
    )
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    if locale:
        await context.add_cookies([{"name": "lang", "value": locale, "url": base_url}])
    return context


@pytest.fixture
async def context(browser: Browser, live_server: str) -> AsyncIterator[BrowserContext]:
    ctx = await new_context(browser, live_server)
    yield ctx
    await ctx.close()


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()
