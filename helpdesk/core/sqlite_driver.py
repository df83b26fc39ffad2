"""SQLite through aiosqlite, with most statements run right on the event loop.

aiosqlite runs every call on its connection's own thread and hands the result back to the
event loop. On this machine a hand-over costs the event loop about 120 µs of CPU, far more
than an indexed query or an insert here (tens of µs), and SQLAlchemy's adapter makes four
per statement (open a cursor, execute, fetch, close). So this wrapper runs a statement
where it is cheapest:

- On the event loop, in one call that executes, fetches every row and closes the cursor,
  when the statement cannot wait: a read (WAL readers never wait for the writer), or any
  statement of a transaction that already holds the write lock (its first write took it),
  and COMMIT and ROLLBACK.
- The first write of a transaction, which takes SQLite's write lock, is tried on the event
  loop without waiting (busy_timeout 0 for that one statement). Only when another
  connection holds the lock does it go to the connection's thread, as aiosqlite does, and
  wait there (busy_timeout). Waiting on the event loop would stall every request of the
  process, or deadlock when the writer it waits for is a coroutine of this same process.
- On the thread too inside ``off_loop()``: reads that may run long (a full-text search over
  a million rows) leave the event loop free to serve others meanwhile.

The connection is opened with ``check_same_thread=False``: SQLAlchemy never runs two
statements on one connection at once, so the two threads take turns. SQLAlchemy, the
thread model for waits and the async API the code sees stay as they are. Only buffered
results are supported, which is all the portal asks for (no streamed ``yield_per`` reads).

It leans on aiosqlite internals listed in ``RELIES_ON``, which aiosqlite may change in any
release; the version is pinned and a test checks each of them. ``SQLITE_DRIVER=stock`` (see
``db.make_engine``) runs plain aiosqlite through SQLAlchemy's own adapter instead: every
statement on the thread, ``off_loop()`` then a no-op, correct but slower.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url

_OFF_LOOP: ContextVar[bool] = ContextVar("sqlite_off_loop", default=False)
BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another connection's (on the thread)

# The private attributes of ``aiosqlite.Connection`` this module uses, each with what it must
# be on a connection opened by ``aiosqlite.connect`` (and awaited, except ``_thread``, which is
# set before). aiosqlite promises none of them: tests/helpdesk/core/test_sqlite_driver_contract.py
# checks each against the installed release. Keep this the one list: add any new one here.
RELIES_ON: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "_conn": (
        "the open sqlite3.Connection (statements run on it from the loop and the thread)",
        lambda value: isinstance(value, sqlite3.Connection),
    ),
    "_execute": (
        "a coroutine method _execute(fn, *args) running fn(*args) on the connection's thread",
        inspect.iscoroutinefunction,
    ),
    "_thread": (
        "the connection's threading.Thread, made daemon before the connection is awaited",
        lambda value: isinstance(value, threading.Thread),
    ),
}


@contextlib.contextmanager
def off_loop() -> Iterator[None]:
    """Statements run inside this block go to the connection's thread: for reads that may
    take long enough to hold up other requests. (With ``SQLITE_DRIVER=stock`` every
    statement goes there anyway, and this changes nothing.)"""
    token = _OFF_LOOP.set(True)
    try:
        yield
    finally:
        _OFF_LOOP.reset(token)


_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _is_read(sql: str) -> bool:
    """A SELECT, or a WITH query without a word that could write (a recursive read such as
    the tags' loose index scan). Anything else counts as a write: mistaking a read for a
    write only costs it the careful path, the reverse could stall the event loop."""
    head = sql.lstrip()[:6].upper()
    return head == "SELECT" or (head[:4] == "WITH" and not _WRITE_WORD.search(sql))


class OneHopCursor:
    """What SQLAlchemy's adapter needs of an aiosqlite cursor, backed by a result that
    arrived whole."""

    def __init__(self, owner: OneHopConnection) -> None:
        self._owner = owner
        self._connection = owner._wrapped
        self._rows: deque[Any] = deque()
        self.description: Sequence[Any] | None = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def _run(self, many: bool, sql: str, parameters: Any) -> None:
        # On the connection's thread (aiosqlite's ``_execute`` queue, which SQLAlchemy's own
        # adapter also uses): everything a statement needs, in one go.
        cursor = self._connection._conn.cursor()
        try:
            if many:
                cursor.executemany(sql, parameters)
            elif parameters is None:
                cursor.execute(sql)
            else:
                cursor.execute(sql, parameters)
            self.description = cursor.description
            self._rows = deque(cursor.fetchall() if cursor.description else ())
            self.rowcount = cursor.rowcount
            self.lastrowid = cursor.lastrowid
        finally:
            cursor.close()

    async def execute(self, sql: str, parameters: Any = None) -> OneHopCursor:
        await self._owner.run(self._run, False, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Any) -> OneHopCursor:
        await self._owner.run(self._run, True, sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = size or self.arraysize
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    async def fetchall(self) -> list[Any]:
        rows, self._rows = list(self._rows), deque()
        return rows

    async def close(self) -> None:
        self._rows.clear()

    def __aiter__(self) -> OneHopCursor:
        return self

    async def __anext__(self) -> Any:
        if not self._rows:
            raise StopAsyncIteration
        return self._rows.popleft()


class OneHopConnection:
    """An aiosqlite connection whose cursors run each statement in one thread hop; every
    other attribute (commit, rollback, close, the thread, its queue) is aiosqlite's own."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._wrapped = connection
        self._writing = False  # this transaction holds SQLite's write lock

    def cursor(self) -> OneHopCursor:
        return OneHopCursor(self)

    async def run(self, run: Any, many: bool, sql: str, parameters: Any) -> None:
        read = _is_read(sql)
        if _OFF_LOOP.get():
            await self._wrapped._execute(run, many, sql, parameters)
        elif read or self._writing:
            run(many, sql, parameters)
        elif not self._without_waiting(run, many, sql, parameters):
            await self._wrapped._execute(run, many, sql, parameters)
        if not read:
            self._writing = self._wrapped._conn.in_transaction

    def _without_waiting(self, run: Any, many: bool, sql: str, parameters: Any) -> bool:
        """Runs a transaction's first write on the loop if the write lock is free now; False
        (nothing done) when another connection holds it."""
        connection = self._wrapped._conn
        connection.execute("PRAGMA busy_timeout = 0")
        try:
            run(many, sql, parameters)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            return False  # SQLite took nothing: the statement waits for the lock elsewhere
        finally:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return True

    async def commit(self) -> None:
        self._writing = False
        self._wrapped._conn.commit()

    async def rollback(self) -> None:
        self._writing = False
        self._wrapped._conn.rollback()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


def async_creator(database_url: str) -> Any:
    """For ``create_async_engine(..., async_creator=...)``: the connection SQLAlchemy's
    aiosqlite dialect would open, wrapped."""
    args, kwargs = SQLiteDialect_aiosqlite().create_connect_args(make_url(database_url))

    async def connect() -> OneHopConnection:
        # Statements run on this thread and on the event loop's, never at once: see above.
        connection = aiosqlite.connect(*args, **{**kwargs, "check_same_thread": False})
        connection._thread.daemon = True  # as SQLAlchemy does: never block interpreter exit
        return OneHopConnection(await connection)

    return connect
