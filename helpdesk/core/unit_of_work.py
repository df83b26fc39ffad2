"""One unit of work per request: a lazily opened session, committed once before the response.

Handlers call ``db(request)`` and never commit. The middleware commits when the response
starts with a status below 400 and rolls back otherwise, so a page and the rows and emails it
caused succeed or fail together. Pages that need no data never open a connection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SCOPE_KEY = "helpdesk.uow"


class UnitOfWork:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self.session: AsyncSession | None = None
        self.after_commit: list[Any] = []

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
    def __init__(self, app: ASGIApp, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.app = app
        self.sessionmaker = sessionmaker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        uow = UnitOfWork(self.sessionmaker)
        scope[SCOPE_KEY] = uow
        finished = False

        async def send_after_commit(message: Message) -> None:
            nonlocal finished
            if message["type"] == "http.response.start" and not finished:
                finished = True
                await uow.finish(commit=message["status"] < 400)
            await send(message)

        try:
            await self.app(scope, receive, send_after_commit)
        finally:
            if not finished:
                await uow.finish(commit=False)


def db(conn: HTTPConnection) -> AsyncSession:
    """The request's session; opened on first use."""
    uow: UnitOfWork = conn.scope[SCOPE_KEY]
    return uow.get()
