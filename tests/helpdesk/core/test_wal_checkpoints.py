"""WAL checkpoints leave the commits for a thread of their own."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from helpdesk.core.db import make_engine

ROWS = 400
ROW = "x" * 4000  # about a page each: the log outgrows the database file quickly


async def _fill(engine) -> None:  # type: ignore[no-untyped-def]
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    for _ in range(ROWS):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": ROW})


async def _autocheckpoint(engine) -> int:  # type: ignore[no-untyped-def]
    async with engine.connect() as connection:
        return int((await connection.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one())


async def test_the_background_thread_copies_the_log_into_the_database(tmp_path) -> None:
    path = tmp_path / "checkpointed.sqlite3"
    engine = make_engine(f"sqlite+aiosqlite:///{path}", background_checkpoints=True)
    try:
        assert await _autocheckpoint(engine) == 0  # commits never checkpoint themselves
        await _fill(engine)
        for _ in range(50):  # the thread passes every 0.2 s
            if path.stat().st_size >= ROWS * len(ROW):
                break
            await asyncio.sleep(0.1)
        assert path.stat().st_size >= ROWS * len(ROW)
    finally:
        await engine.dispose()


async def test_without_it_commits_checkpoint_as_sqlite_does(tmp_path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'plain.sqlite3'}")
    try:
        assert await _autocheckpoint(engine) == 1000
    finally:
        await engine.dispose()
