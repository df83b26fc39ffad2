"""Group commit: writes that arrive together share one transaction.

A request handler submits an item and waits; a single writer task takes every item waiting
(up to ``max_batch``), writes them all in one transaction with the given function, commits,
and only then answers each handler: a result is never returned before it is on disk. Under
load, items pile up while the previous group is written, so groups grow by themselves;
alone, an item is written at once, with no timer to wait for.

If a group fails, each of its items is written again in a transaction of its own, so one
bad item fails alone (its handler gets the exception) and the others still commit.

On SQLite the writer takes the process's write turn (``write_lock``, the same one the unit
of work middleware gives each writing request), so it never meets another writer of the
process at SQLite's lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
WriteFunction = Callable[[AsyncSession, Sequence[Item]], Awaitable[list[Result]]]
MAX_BATCH = 64


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        write: WriteFunction[Item, Result],
        write_lock: asyncio.Lock | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._write = write
        self._lock = write_lock
        self._max_batch = max_batch
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.groups_written = 0  # transactions committed, for tests and benchmarks

    async def submit(self, item: Item) -> Result:
        """Writes ``item`` with whatever else is waiting; returns once it is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done() or self._writer.get_loop() is not loop:
            self._writer = loop.create_task(self._write_all(), name="group-commit")
        return await future

    async def close(self) -> None:
        """Waits for what was submitted to be written."""
        if self._writer is not None and not self._writer.done():
            await self._writer

    async def _write_all(self) -> None:
        while self._waiting:
            async with self._lock if self._lock is not None else contextlib.nullcontext():
                # Taken after the turn came: what arrived meanwhile joins this group.
                group = [(i, f) for i, f in self._waiting[: self._max_batch] if not f.done()]
                del self._waiting[: self._max_batch]
                if group:
                    await self._write_group(group)

    async def _write_group(self, group: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._in_transaction([item for item, _ in group])
        except Exception as error:
            if len(group) == 1:
                _settle(group[0][1], error=error)
                return
            log.warning("a group of %d failed (%s); writing each alone", len(group), error)
            for item, future in group:
                try:
                    (result,) = await self._in_transaction([item])
                except Exception as alone:
                    _settle(future, error=alone)
                else:
                    _settle(future, result)
            return
        except BaseException as error:  # cancelled at shutdown: nobody waits forever
            for _, future in group:
                _settle(future, error=error)
            raise
        for (_, future), result in zip(group, results, strict=True):
            _settle(future, result)

    async def _in_transaction(self, items: list[Item]) -> list[Result]:
        async with self._sessionmaker() as db:
            async with db.begin():
                results = await self._write(db, items)
            self.groups_written += 1
            return results


def _settle(
    future: asyncio.Future[Result], result: Result | None = None, error: BaseException | None = None
) -> None:
    if future.done():  # its handler gave up (the client went away)
        return
    if isinstance(error, asyncio.CancelledError):
        future.cancel()
    elif error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]
