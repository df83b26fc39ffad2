"""SQLITE_DRIVER: the custom one-hop driver by default, plain aiosqlite (``stock``) as the
fallback; what the engine, the app and this suite actually run on."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from helpdesk.core.db import MMAP_BYTES, make_engine, make_sessionmaker
from helpdesk.core.settings import Settings, SettingsError
from helpdesk.core.sqlite_driver import OneHopConnection, off_loop

DRIVER_CLASSES = {"custom": OneHopConnection, "stock": aiosqlite.Connection}


async def _driver_class(engine: AsyncEngine) -> type:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        return type(raw.driver_connection)


def test_the_setting_defaults_to_custom_and_reads_stock() -> None:
    assert Settings.from_env({}).sqlite_driver == "custom"
    assert Settings.from_env({"SQLITE_DRIVER": "stock"}).sqlite_driver == "stock"


def test_an_unknown_driver_is_refused_clearly() -> None:
    with pytest.raises(SettingsError, match=r"SQLITE_DRIVER must be custom .* or stock"):
        Settings.from_env({"SQLITE_DRIVER": "pysqlite"})
    with pytest.raises(ValueError, match="sqlite_driver must be one of"):
        make_engine("sqlite+aiosqlite:///:memory:", sqlite_driver="pysqlite")


@pytest.mark.parametrize("driver", sorted(DRIVER_CLASSES))
async def test_make_engine_uses_the_driver_asked_for(tmp_path: Path, driver: str) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'd.sqlite3'}", sqlite_driver=driver)
    try:
        assert await _driver_class(engine) is DRIVER_CLASSES[driver]
    finally:
        await engine.dispose()


@pytest.fixture
async def stock_engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'stock.sqlite3'}", sqlite_driver="stock")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    yield engine
    await engine.dispose()


async def test_stock_connections_get_the_same_pragmas(stock_engine: AsyncEngine) -> None:
    async with make_sessionmaker(stock_engine)() as db:
        assert (await db.scalar(text("PRAGMA mmap_size"))) == MMAP_BYTES
        assert (await db.scalar(text("PRAGMA journal_mode"))) == "wal"
        assert (await db.scalar(text("PRAGMA foreign_keys"))) == 1


async def test_off_loop_is_harmless_on_stock(stock_engine: AsyncEngine) -> None:
    # Request search marks its reads off_loop(); stock aiosqlite runs everything there anyway.
    async with make_sessionmaker(stock_engine)() as db:
        await db.execute(text("INSERT INTO t (v) VALUES ('a')"))
        with off_loop():
            assert (await db.scalar(text("SELECT count(*) FROM t"))) == 1
        await db.rollback()
        assert (await db.scalar(text("SELECT count(*) FROM t"))) == 0


async def test_a_stock_writer_waits_for_another_without_blocking_the_loop(
    stock_engine: AsyncEngine,
) -> None:
    sessionmaker = make_sessionmaker(stock_engine)
    async with sessionmaker() as a, sessionmaker() as b:
        await a.execute(text("INSERT INTO t (v) VALUES ('from a')"))

        async def commit_a_soon() -> None:
            await asyncio.sleep(0.2)
            await a.commit()

        releaser = asyncio.create_task(commit_a_soon())
        await b.execute(text("INSERT INTO t (v) VALUES ('from b')"))
        await b.commit()
        await releaser
        assert (await b.scalar(text("SELECT count(*) FROM t"))) == 2


async def test_the_suite_and_its_app_run_on_the_driver_the_environment_names(
    backend: str, settings: Settings, engine: AsyncEngine, app: Starlette
) -> None:
    """tests/run_all.py's third pass sets SQLITE_DRIVER=stock: this proves it took."""
    if backend != "sqlite":
        pytest.skip("SQLITE_DRIVER only matters on SQLite")
    assert settings.sqlite_driver == os.environ.get("SQLITE_DRIVER", "custom")
    expected = DRIVER_CLASSES[settings.sqlite_driver]
    assert await _driver_class(engine) is expected
    assert await _driver_class(app.state.engine) is expected
