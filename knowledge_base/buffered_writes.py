"""Flushing counts gathered in memory: every few seconds, sooner when many are waiting, and
once more at shutdown.

Readers' counts (searches, article views) must not turn each page into a database write. Each
process gathers them and writes them in one short transaction from a background task; the
writes add up (or ignore duplicates) in the database, so several processes stay correct. What
a killed process had not flushed yet, at most one interval of counts, is lost: acceptable for
statistics.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def flushing(
    flush: Callable[[], Awaitable[object]],
    every: float,
    name: str,
    wake: asyncio.Event | None = None,
) -> AsyncIterator[None]:
    """Calls ``flush`` every ``every`` seconds (or as soon as ``wake`` is set) while the
    block runs, and once more when it ends."""

    async def loop() -> None:
        while True:
            if wake is None:
                await asyncio.sleep(every)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), every)
                wake.clear()
            try:
                await flush()
            except Exception:
                log.exception("%s not written; will retry", name)

    task = asyncio.create_task(loop(), name=name)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await flush()
