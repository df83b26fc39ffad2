"""Shared fixtures: a migrated database (SQLite, or PostgreSQL with --db=postgresql),
the app built from test Settings, and an HTTP client speaking to it."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx2
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from app import create_app, register_contributions, register_links
from helpdesk.cases import private_links as case_links
from helpdesk.cli_db import migrate
from helpdesk.core.db import make_engine, make_sessionmaker
from helpdesk.core.security import configure_password_hashing
from helpdesk.core.settings import Settings
from helpdesk.tickets.citizen import private_links
from tests.support import database
from tests.support.http import Browser


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database backend the suite runs against",
    )


@pytest.fixture(scope="session", autouse=True)
def contributions() -> None:
    """What app.py registers across domains (timeline sources, merge hooks), also for tests
    that call the people services without building an app."""
    register_contributions()


@pytest.fixture(scope="session", autouse=True)
def route_links() -> None:
    """The route table links are built from (app.py), also for tests that call services
    which write emails without building an app."""
    register_links()


TEST_SECRET_KEY = "test-secret-key-" + "x" * 40
TEST_BASE_URL = "http://testserver"


@pytest.fixture(scope="session", autouse=True)
def private_link_secret() -> None:
    """The secret private links in emails are signed with (app.py configures it from the
    settings), also for tests that call services which write emails without an app."""
    private_links.configure(TEST_SECRET_KEY, TEST_BASE_URL)
    case_links.configure(TEST_SECRET_KEY, TEST_BASE_URL)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
async def database_url(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if backend == "sqlite":
        url = database.sqlite_url(tmp_path_factory.mktemp("db"))
        name = None
    else:
        if not await database.postgres_available():
            pytest.exit(
                "--db=postgresql but no PostgreSQL answers at " + database.POSTGRES_ADMIN_DSN, 2
            )
        url, name = await database.create_postgres_database()
    # Migrated through the driver the suite runs on (tests/run_all.py's stock pass sets it).
    engine = make_engine(url, sqlite_driver=os.environ.get("SQLITE_DRIVER", "custom"))
    await migrate(engine)
    await engine.dispose()
    yield url
    if name:
        await database.drop_postgres_database(name)


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(
        kb_index_dir=str(tmp_path_factory.mktemp("kb-index") / "index"),
        attachment_storage=f"local:{tmp_path_factory.mktemp('attachments')}",
        app_env="test",
        secret_key=TEST_SECRET_KEY,
        database_url=database_url,
        base_url=TEST_BASE_URL,
        smtp_port=1,  # nothing listens: tests that send mail start their own server
        argon2_time_cost=1,  # still argon2id, at the cheapest allowed profile: tests hash a lot
        argon2_memory_kib=8192,
        login_rate_per_minute=100_000,  # tests that check throttling lower it on their own app
        login_address_max_failures=100_000,  # every test signs in from the same address
        case_lookups_per_address=100_000,
        case_lookups_per_number=100_000,
        sqlite_driver=os.environ.get("SQLITE_DRIVER", "custom"),  # "stock": run_all's third pass
    )
    configure_password_hashing(settings.argon2_time_cost, settings.argon2_memory_kib)
    return settings


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(settings.database_url, sqlite_driver=settings.sqlite_driver)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
async def db(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking data; tests commit what the app must see."""
    async with sessionmaker() as session:
        yield session


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    yield application
    await application.state.engine.dispose()


def make_app(settings: Settings, **changes: object) -> Starlette:
    return create_app(replace(settings, **changes))  # type: ignore[arg-type]


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[Browser]:
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield Browser(http)


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]
