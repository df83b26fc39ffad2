"""One unit of work per request: a lazily opened session, committed once before the response.

Handlers call ``db(request)`` and never commit. The middleware commits when the response
starts with a status below 400 and rolls back otherwise, so a page and the rows and emails it
caused succeed or fail together. Pages that need no data never open a connection.

On SQLite, requests that may write (every method but GET, HEAD and OPTIONS) take turns in
the process: SQLite has one writer at a time, and a second connection that finds the write
lock taken polls for it with growing sleeps (busy_timeout), which under load turns 2 ms
writes into 100 ms waits. Queueing them on an asyncio lock instead hands the database over
the moment the previous unit of work commits. Reads never wait (WAL). Several processes on
one SQLite file still meet at busy_timeout; PostgreSQL needs none of this. The same lock
(made by ``app.py``) is the turn of the group-commit writer that opens requests: a handler
that hands its writes to it calls ``hand_over_writes`` and gives up its turn while it waits.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SCOPE_KEY = "helpdesk.uow"
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class UnitOfWork:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], write_turn: asyncio.Lock | None
    ) -> None:
        self._sessionmaker = sessionmaker
        self.session: AsyncSession | None = None
        self.write_turn = write_turn  # held while this request may write (SQLite)

    async def hand_over_writes(self) -> None:
        """For a handler whose writes go elsewhere (a group commit): commits what this unit
        of work wrote so far (e.g. a token's "last used"), so SQLite's write lock is free,
        and lets the next writer in now."""
        if self.session is not None and self.session.in_transaction():
            await self.session.commit()
        self.release_write_turn()

    def release_write_turn(self) -> None:
        if self.write_turn is not None:
            self.write_turn.release()
            self.write_turn = None

    def get(self) -> AsyncSession:
        if self.session is None:
            self.session = self._sessionmaker()
        return self.session

    async def finish(self, commit: bool) -> None:
        if self.session is None:
            return
        session, self.session = self.session, None
        try:
            if commit:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()


class UnitOfWorkMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        sessionmaker: async_sessionmaker[AsyncSession],
        write_lock: asyncio.Lock | None = None,
    ) -> None:
        self.app = app
        self.sessionmaker = sessionmaker
        self.write_lock = write_lock  # SQLite: one writing unit of work at a time

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lock = self.write_lock if scope["method"] not in READ_ONLY_METHODS else None
        if lock is not None:
            # The body first: a slow upload (or a client that never finishes one) must not
            # hold every other writer up while it trickles in.
            receive = await _buffered(receive)
            await lock.acquire()
        uow = UnitOfWork(self.sessionmaker, lock)
        scope[SCOPE_KEY] = uow
        finished = False

        async def finish(commit: bool) -> None:
            nonlocal finished
            finished = True
            try:
                await uow.finish(commit)
            finally:
                uow.release_write_turn()  # at commit, not after the body: downloads stream long

        async def send_after_commit(message: Message) -> None:
            if message["type"] == "http.response.start" and not finished:
                await finish(commit=message["status"] < 400)
            await send(message)

        try:
            await self.app(scope, receive, send_after_commit)
        finally:
            if not finished:
                await finish(commit=False)


async def _buffered(receive: Receive) -> Receive:
    """Reads the whole request body now, and replays it to the app. Its size is bounded
    outside (core/body_limits.py: ``receive`` raises once a body passes its limit)."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


def db(conn: HTTPConnection) -> AsyncSession:
    """The request's session; opened on first use."""
    uow: UnitOfWork = conn.scope[SCOPE_KEY]
    return uow.get()


def unit_of_work(conn: HTTPConnection) -> UnitOfWork:
    """The request's unit of work itself (to give up its write turn)."""
    uow: UnitOfWork = conn.scope[SCOPE_KEY]
    return uow
