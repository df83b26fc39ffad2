"""What ``core/sqlite_driver.py`` takes from aiosqlite's internals still holds in the installed
release: every attribute of ``sqlite_driver.RELIES_ON`` is there and behaves as the driver
uses it, and the installed aiosqlite is the one pinned in pyproject.toml. When one of these
fails after an upgrade, ``SQLITE_DRIVER=stock`` runs the portal on plain aiosqlite until the
driver is adapted."""

from __future__ import annotations

import re
import threading
import tomllib
from importlib.metadata import version
from pathlib import Path

import aiosqlite
import pytest

from helpdesk.core import sqlite_driver
from helpdesk.core.settings import PROJECT_ROOT

INSTALLED = version("aiosqlite")
FALLBACK = "set SQLITE_DRIVER=stock or adapt the driver"


def _changed(name: str, what: str) -> str:
    return (
        f"aiosqlite {INSTALLED} changed `Connection.{name}`: helpdesk/core/sqlite_driver.py "
        f"relies on it being {what}; {FALLBACK}"
    )


def _pinned_aiosqlite() -> str:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for requirement in project["project"]["dependencies"]:
        match = re.fullmatch(r"aiosqlite==(\S+)", requirement.strip())
        if match:
            return match.group(1)
    raise AssertionError(
        "pyproject.toml no longer pins aiosqlite exactly (aiosqlite==X.Y.Z): "
        "helpdesk/core/sqlite_driver.py uses its internals and needs one known release"
    )


def test_the_installed_aiosqlite_is_the_pinned_one() -> None:
    pinned = _pinned_aiosqlite()
    assert pinned == INSTALLED, (
        f"aiosqlite {INSTALLED} is installed but pyproject.toml pins {pinned}. When bumping the "
        "pin, re-read aiosqlite's core.py (Connection) for every attribute in "
        "helpdesk/core/sqlite_driver.py's RELIES_ON and what SQLAlchemy's aiosqlite adapter "
        "uses, run this file and tests/helpdesk/core/test_sqlite_driver.py, and the suite with "
        "SQLITE_DRIVER=stock as well (python -m tests.run_all runs both)"
    )


@pytest.fixture
async def connection(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real aiosqlite connection, opened the way ``sqlite_driver.async_creator`` opens one."""
    opening = aiosqlite.connect(tmp_path / "contract.sqlite3", check_same_thread=False)
    thread = getattr(opening, "_thread", None)
    if isinstance(thread, threading.Thread):
        thread.daemon = True
    async with opening as opened:
        yield opened


@pytest.mark.parametrize("name", sorted(sqlite_driver.RELIES_ON))
async def test_aiosqlite_still_has_what_the_driver_relies_on(
    connection: aiosqlite.Connection, name: str
) -> None:
    what, holds = sqlite_driver.RELIES_ON[name]
    assert hasattr(connection, name), _changed(name, what) + " (the attribute is gone)"
    assert holds(getattr(connection, name)), _changed(name, what)


async def test_execute_runs_the_function_with_its_arguments_on_the_connections_thread(
    connection: aiosqlite.Connection,
) -> None:
    def where(first: int, second: str) -> tuple[int, str, int]:
        return first, second, threading.get_ident()

    first, second, ident = await connection._execute(where, 1, "two")
    assert (first, second) == (1, "two"), _changed(
        "_execute", sqlite_driver.RELIES_ON["_execute"][0]
    )
    assert ident == connection._thread.ident, _changed(
        "_execute", "a queue run on Connection._thread (the thread that may wait on SQLite's lock)"
    )
    assert ident != threading.get_ident()


async def test_conn_is_the_connection_statements_run_on(
    connection: aiosqlite.Connection,
) -> None:
    await connection.execute("CREATE TABLE t (v TEXT)")
    await connection.execute("INSERT INTO t VALUES ('through aiosqlite')")
    raw = connection._conn
    assert raw.in_transaction, _changed("_conn", "the sqlite3.Connection aiosqlite itself uses")
    # The driver runs statements on the event loop's thread too (check_same_thread=False).
    assert raw.execute("SELECT v FROM t").fetchall() == [("through aiosqlite",)]
    raw.commit()
    assert not raw.in_transaction


async def test_the_thread_starts_only_when_the_connection_is_awaited(tmp_path: Path) -> None:
    # The driver makes it a daemon between connect() and await, as SQLAlchemy does; Python
    # refuses that on a started thread.
    opening = aiosqlite.connect(tmp_path / "thread.sqlite3")
    thread = opening._thread
    assert isinstance(thread, threading.Thread), _changed("_thread", "a threading.Thread")
    assert not thread.is_alive(), _changed(
        "_thread", "a thread started only when the connection is awaited"
    )
    thread.daemon = True
    async with opening:
        assert thread.is_alive()
    thread.join(timeout=5)
    assert not thread.is_alive()


async def test_the_custom_driver_opens_through_these_attributes(tmp_path: Path) -> None:
    connect = sqlite_driver.async_creator(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}")
    wrapped = await connect()
    try:
        assert isinstance(wrapped, sqlite_driver.OneHopConnection)
        assert wrapped._thread.daemon
        cursor = wrapped.cursor()
        await cursor.execute("CREATE TABLE t (v TEXT)")
        await cursor.execute("INSERT INTO t VALUES (?)", ("a",))
        await wrapped.commit()
        await cursor.execute("SELECT v FROM t")
        assert await cursor.fetchall() == [("a",)]
    finally:
        await wrapped.close()
