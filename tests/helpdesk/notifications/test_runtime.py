"""The in-process mail services of development: catcher and worker start and stop with the app."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
from pathlib import Path

import jinja2
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.core.settings import Settings
from helpdesk.notifications import outbox
from helpdesk.notifications.catcher import CaughtMessage, list_messages
from helpdesk.notifications.runtime import background_services


async def caught(directory: Path, count: int) -> list[CaughtMessage]:
    for _ in range(500):
        messages = await asyncio.to_thread(list_messages, directory)
        if len(messages) >= count:
            return messages
        await asyncio.sleep(0.01)
    raise AssertionError(f"the catcher did not receive {count} message(s)")


async def test_worker_delivers_into_the_catcher_and_both_stop(
    tmp_path: Path,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    email_env: jinja2.Environment,
    unused_port: int,
) -> None:
    config = dataclasses.replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=unused_port,
        mail_catcher=True,
        mail_catcher_dir=str(tmp_path / "mail"),
        run_worker=True,
        worker_poll_seconds=0.01,
    )
    async with background_services(config, sessionmaker, email_env):
        async with sessionmaker() as db, db.begin():
            outbox.enqueue(
                db,
                "prove_email",
                "ana@example.cl",
                "es",
                {"link": "https://portal.example/correo/confirmar/x"},
            )
        [message] = await caught(tmp_path / "mail", 1)

    assert message.to == "ana@example.cl"
    assert message.subject == "Confirme su correo para continuar"
    assert not [task for task in asyncio.all_tasks() if task.get_name() == "mail-worker"]
    with pytest.raises(ConnectionRefusedError):  # the catcher no longer listens
        await asyncio.open_connection("127.0.0.1", unused_port)


async def test_periodic_jobs_run_beside_the_worker_and_stop_with_it(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    email_env: jinja2.Environment,
) -> None:
    started, stopped = asyncio.Event(), asyncio.Event()

    async def job(_sm: object, _settings: Settings, stop: asyncio.Event) -> None:
        started.set()
        await stop.wait()
        stopped.set()

    config = dataclasses.replace(settings, run_worker=True, worker_poll_seconds=0.01)
    async with background_services(config, sessionmaker, email_env, jobs=[job]):
        await asyncio.wait_for(started.wait(), timeout=5)
        assert not stopped.is_set()
    assert stopped.is_set()


async def test_a_busy_catcher_port_is_reported_not_fatal(
    tmp_path: Path,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    email_env: jinja2.Environment,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        config = dataclasses.replace(
            settings,
            smtp_host="127.0.0.1",
            smtp_port=busy.getsockname()[1],
            mail_catcher=True,
            mail_catcher_dir=str(tmp_path / "mail"),
        )
        with caplog.at_level(logging.WARNING, logger="helpdesk.notifications.runtime"):
            async with background_services(config, sessionmaker, email_env):
                pass
    assert "mail catcher not started" in caplog.text


async def test_nothing_starts_when_both_are_off(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    email_env: jinja2.Environment,
) -> None:
    before = asyncio.all_tasks()
    async with background_services(settings, sessionmaker, email_env):
        assert asyncio.all_tasks() == before
