"""Where SQLite statements run: on the event loop when they cannot wait, on the connection's
thread when they must wait (a first write while another connection writes) or are marked
``off_loop``."""

from __future__ import annotations

import asyncio
import time

import aiosqlite
import pytest
from sqlalchemy import text

from helpdesk.core import sqlite_driver
from helpdesk.core.db import MMAP_BYTES, make_engine, make_sessionmaker
from helpdesk.core.sqlite_driver import off_loop


@pytest.fixture
async def local_sessionmaker(tmp_path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def hops(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The statements handed to a connection's thread."""
    seen: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        if len(args) == 3 and isinstance(args[1], str):  # (many, sql, parameters): ours
            seen.append(args[1].split()[0].upper())
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


async def test_only_marked_reads_and_writes_that_must_wait_leave_the_loop(
    local_sessionmaker, hops
) -> None:
    async with local_sessionmaker() as db, local_sessionmaker() as other:
        await db.execute(text("SELECT count(*) FROM t"))
        assert hops == []
        with off_loop():
            await db.execute(text("SELECT count(*) FROM t"))
        assert hops == ["SELECT"]
        await db.execute(text("INSERT INTO t (v) VALUES ('a')"))  # the lock is free: taken
        await db.execute(text("INSERT INTO t (v) VALUES ('b')"))  # holds it already
        await db.execute(text("SELECT count(*) FROM t"))
        assert hops == ["SELECT"]
        await db.commit()
        await other.execute(text("INSERT INTO t (v) VALUES ('other')"))  # takes the lock
        await other.commit()
        await other.execute(text("UPDATE t SET v = 'o' WHERE v = 'other'"))  # holds it again
        releasing = asyncio.create_task(_commit_soon(other))
        await db.execute(text("UPDATE t SET v = 'c'"))  # must wait: on the thread
        assert hops == ["SELECT", "UPDATE"]
        await releasing
        await db.rollback()
        assert (await db.scalar(text("SELECT count(*) FROM t WHERE v = 'c'"))) == 0
        assert (await db.scalar(text("SELECT count(*) FROM t WHERE v = 'o'"))) == 1


async def _commit_soon(session) -> None:  # type: ignore[no-untyped-def]
    await asyncio.sleep(0.2)
    await session.commit()


async def test_waiting_for_another_writer_never_blocks_the_event_loop(local_sessionmaker) -> None:
    # A holds the write lock until a task on this same event loop lets it commit. Were B's
    # first write run on the loop, SQLite's busy wait would stop that task from running:
    # a deadlock until busy_timeout (10 s) ends it with "database is locked".
    async with local_sessionmaker() as a, local_sessionmaker() as b:
        await a.execute(text("INSERT INTO t (v) VALUES ('from a')"))

        async def commit_a_soon() -> None:
            await asyncio.sleep(0.2)
            await a.commit()

        started = time.monotonic()
        releaser = asyncio.create_task(commit_a_soon())
        await b.execute(text("INSERT INTO t (v) VALUES ('from b')"))
        await b.commit()
        await releaser
        assert time.monotonic() - started < 5
        assert (await b.scalar(text("SELECT count(*) FROM t"))) == 2


@pytest.mark.parametrize(
    ("sql", "read"),
    [
        ("SELECT 1", True),
        ("  select * FROM t", True),
        (
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s) SELECT n FROM s",
            True,
        ),
        ("WITH x AS (SELECT 1) INSERT INTO t (v) SELECT 'a' FROM x", False),
        ("with x as (select id from t) update t set v = 'a' where id in x", False),
        ("WITH x AS (SELECT 1) DELETE FROM t", False),
        ("INSERT INTO t (v) VALUES ('a')", False),
        ("PRAGMA busy_timeout = 0", False),
    ],
)
def test_reads_are_told_from_writes(sql: str, read: bool) -> None:
    assert sqlite_driver._is_read(sql) is read


async def test_connections_read_the_file_through_a_memory_map(local_sessionmaker) -> None:
    async with local_sessionmaker() as db:
        assert (await db.scalar(text("PRAGMA mmap_size"))) == MMAP_BYTES
