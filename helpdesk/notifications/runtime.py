"""Background services that run inside the web process in development: the mail catcher, the
mail worker and the worker's periodic jobs (deadline alerts), as ``python -m helpdesk worker``
runs them in production."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence

import jinja2
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.settings import Settings
from helpdesk.notifications.catcher import start_catcher_from_settings
from helpdesk.notifications.worker import Job, Worker

log = logging.getLogger(__name__)
# How long shutdown waits for a batch in flight before cancelling it; its rows are
# picked up again once their lease expires.
STOP_GRACE_SECONDS = 5.0


@contextlib.asynccontextmanager
async def background_services(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    env: jinja2.Environment,
    jobs: Sequence[Job] = (),
) -> AsyncIterator[None]:
    async with contextlib.AsyncExitStack() as stack:
        if settings.mail_catcher:
            try:
                catcher = await start_catcher_from_settings(settings)
            except OSError as exc:
                # Usually another dev server's catcher already holds the port: mail goes there.
                log.warning(
                    "mail catcher not started on %s:%s: %s",
                    settings.smtp_host,
                    settings.smtp_port,
                    exc,
                )
            else:
                stack.push_async_callback(catcher.stop)
        if settings.run_worker:
            stop = asyncio.Event()

            async def work() -> None:
                await asyncio.gather(
                    Worker(sessionmaker, settings, env).run_forever(stop),
                    *(job(sessionmaker, settings, stop) for job in jobs),
                )

            task = asyncio.create_task(work(), name="mail-worker")

            async def stop_worker() -> None:
                stop.set()
                try:
                    await asyncio.wait_for(task, timeout=STOP_GRACE_SECONDS)
                except TimeoutError:
                    log.warning("background worker did not stop in time; cancelled")

            stack.push_async_callback(stop_worker)
        yield
