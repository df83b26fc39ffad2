"""Stored files' storages (a local folder, the shared database) through one interface, and two
app instances on one database: a file uploaded through one downloads through the other."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import func, select

from helpdesk.core.settings import Settings, SettingsError
from helpdesk.tickets import attachment_store
from helpdesk.tickets.attachments import AttachmentNotFound, AttachmentPolicy, TooLarge
from helpdesk.tickets.file_storage import (
    DATABASE_CHUNK_BYTES,
    DatabaseStorage,
    FileStorage,
    LocalStorage,
    StoredFileChunk,
    from_settings,
    read_all,
)
from helpdesk.tickets.models import TicketAttachment
from tests.conftest import make_app
from tests.helpdesk.tickets.citizen.test_pages import open_one, private_link, prove_email
from tests.support.http import Browser

KIB = 1024
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["local", "database"])
def storage(request: pytest.FixtureRequest, tmp_path: Path, sessionmaker) -> FileStorage:
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    return DatabaseStorage(sessionmaker)


async def stream(data: bytes, piece: int = 64 * KIB) -> AsyncIterator[bytes]:
    for start in range(0, len(data), piece):
        yield data[start : start + piece]


async def kept(storage: FileStorage) -> int:
    """How many things the storage holds: files in the folder, or chunk rows."""
    if isinstance(storage, LocalStorage):
        return len(list(storage.directory.iterdir())) if storage.directory.exists() else 0
    assert isinstance(storage, DatabaseStorage)
    async with storage.sessionmaker() as db:
        return int(await db.scalar(select(func.count()).select_from(StoredFileChunk)) or 0)


@pytest.mark.parametrize(
    "size",
    [1, 1000, DATABASE_CHUNK_BYTES - 1, DATABASE_CHUNK_BYTES, DATABASE_CHUNK_BYTES + 1, 700 * KIB],
)
async def test_a_saved_file_reads_back_byte_identical_in_bounded_chunks(storage, size) -> None:
    data = os.urandom(size)
    key = await storage.save(stream(data))
    chunks = [chunk async for chunk in await storage.open(key)]
    assert b"".join(chunks) == data
    assert max(len(c) for c in chunks) <= DATABASE_CHUNK_BYTES  # streamed, never whole
    if isinstance(storage, DatabaseStorage):
        assert len(chunks) == -(-size // DATABASE_CHUNK_BYTES)
    assert await read_all(storage, key, hashlib.sha256(data).hexdigest()) == data
    await storage.delete(key)
    with pytest.raises(AttachmentNotFound):
        await storage.open(key)


@pytest.mark.parametrize("key", ["", "../../etc/passwd", "a" * 42, "a" * 44, "a" * 42 + "/"])
async def test_names_that_were_never_given_out_are_not_found(storage, key) -> None:
    with pytest.raises(AttachmentNotFound):
        await storage.open(key)
    given = await storage.save(stream(b"x"))
    unknown = given[:-1] + ("B" if given.endswith("A") else "A")  # well formed, never given
    with pytest.raises(AttachmentNotFound):
        await storage.open(unknown)


async def test_a_stream_that_fails_midway_leaves_nothing(storage) -> None:
    before = await kept(storage)

    async def broken() -> AsyncIterator[bytes]:
        yield b"a" * (DATABASE_CHUNK_BYTES + 10)
        raise TooLarge("x.pdf", 1)

    with pytest.raises(TooLarge):
        await storage.save(broken())
    assert await kept(storage) == before


async def test_the_size_limit_holds_for_every_storage(storage) -> None:
    before = await kept(storage)
    policy = AttachmentPolicy(max_bytes=300 * KIB)
    with pytest.raises(TooLarge):
        await attachment_store.store_attachment(
            b"%PDF-1.4\n" + b"0" * (400 * KIB), "grande.pdf", storage, policy
        )
    assert await kept(storage) == before
    pdf = b"%PDF-1.4\n" + os.urandom(290 * KIB)
    stored = await attachment_store.store_attachment(pdf, "ok.pdf", storage, policy)
    assert stored.size == len(pdf) and stored.sha256 == hashlib.sha256(pdf).hexdigest()
    assert await read_all(storage, stored.storage_name, stored.sha256) == pdf


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "local"),
        ({"APP_ENV": "test"}, "local"),
        ({"ATTACHMENT_STORAGE": "database"}, "database"),
        ({"ATTACHMENT_STORAGE": "local:/srv/adjuntos"}, "local"),
    ],
)
def test_the_setting_chooses_the_storage(environ, expected, sessionmaker) -> None:
    chosen = from_settings(Settings.from_env(environ), sessionmaker)
    assert type(chosen) is {"local": LocalStorage, "database": DatabaseStorage}[expected]


def test_production_stores_files_in_the_database_unless_told_otherwise() -> None:
    production = {
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "SESSION_HTTPS_ONLY": "true",
        "BASE_URL": "https://ayuda.example",
    }
    assert Settings.from_env(production).attachment_folder is None
    shared = Settings.from_env({**production, "ATTACHMENT_STORAGE": "local:/mnt/compartido"})
    assert shared.attachment_folder == Path("/mnt/compartido")


@pytest.mark.parametrize("value", ["", "local:", "s3://bucket", "disco", "Database"])
def test_a_malformed_setting_is_refused_with_the_accepted_forms(value) -> None:
    with pytest.raises(SettingsError, match="ATTACHMENT_STORAGE must be database or local:"):
        Settings.from_env({"ATTACHMENT_STORAGE": value})


# --- Two app instances (two hosts) sharing one database.


@pytest.fixture
async def two_hosts(settings: Settings, tmp_path: Path) -> AsyncIterator[tuple[Browser, Browser]]:
    shared = replace(settings, attachment_storage="database")
    apps = [make_app(shared), make_app(shared)]
    async with (
        httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=apps[0], client=("203.0.113.8", 40000)),
            base_url="http://testserver",
        ) as first,
        httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=apps[1], client=("203.0.113.9", 40000)),
            base_url="http://testserver",
        ) as second,
    ):
        yield Browser(first), Browser(second)
    for app in apps:
        await app.state.engine.dispose()


async def test_a_file_uploaded_through_one_host_downloads_through_the_other(
    two_hosts, sessionmaker, settings
) -> None:
    first, second = two_hosts
    email = f"dos.hosts.{uuid.uuid4().hex[:8]}@test.portal"
    await prove_email(first, sessionmaker, email)
    # Several database chunks, so the download streams across rows.
    pdf = b"%PDF-1.4\n" + os.urandom(3 * DATABASE_CHUNK_BYTES + 123)
    response = await open_one(
        first, files=[("archivos", ("pasaporte.pdf", pdf, "application/pdf"))]
    )
    assert response.status_code == 303
    link = await private_link(sessionmaker, email)
    async with sessionmaker() as db:
        attachment = await db.scalar(
            select(TicketAttachment).where(
                TicketAttachment.sha256 == hashlib.sha256(pdf).hexdigest()
            )
        )
        assert attachment is not None
        rows = await db.scalar(
            select(func.count()).where(StoredFileChunk.storage_name == attachment.storage_name)
        )
    assert rows == 4
    # Nothing on the first host's disk: the bytes are in the database.
    folder = settings.attachment_folder
    assert folder is not None and not (folder / attachment.storage_name).exists()

    download = await second.get(f"{link}/adjuntos/{attachment.id}")
    assert download.status_code == 200
    assert download.content == pdf
    plain = await second.get(f"{link}/adjuntos/{attachment.id}", headers={"Accept-Encoding": ""})
    assert plain.content == pdf and plain.headers["content-length"] == str(len(pdf))
    assert download.headers["content-type"].startswith("application/pdf")
    assert download.headers["content-disposition"] == 'attachment; filename="pasaporte.pdf"'
    assert download.headers["cache-control"] == "private, no-store"


async def test_a_refused_upload_keeps_no_bytes_on_either_host(two_hosts, sessionmaker) -> None:
    first, _ = two_hosts
    email = f"dos.hosts.{uuid.uuid4().hex[:8]}@test.portal"
    await prove_email(first, sessionmaker, email)
    async with sessionmaker() as db:
        before = await db.scalar(select(func.count()).select_from(StoredFileChunk))
    # One good file and one that is not what it says: all or none.
    files = [
        ("archivos", ("bueno.pdf", b"%PDF-1.4\n" + b"1" * 1000, "application/pdf")),
        ("archivos", ("malo.pdf", b"<html><script>x</script></html>", "application/pdf")),
    ]
    response = await open_one(first, files=files)
    assert response.status_code == 422
    async with sessionmaker() as db:
        after = await db.scalar(select(func.count()).select_from(StoredFileChunk))
    assert after == before


# --- Two real uvicorn processes, each with a folder of its own, sharing one database.


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _started(base_url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    async with httpx2.AsyncClient(base_url=base_url) as http:
        for _ in range(600):
            if process.returncode is not None:
                raise RuntimeError(f"{base_url} exited; its output is in {log}")
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{base_url} did not start; its output is in {log}")


@pytest.fixture
async def two_processes(settings: Settings, tmp_path: Path) -> AsyncIterator[list[Browser]]:
    processes, urls, logs = [], [], []
    try:
        for name in ("uno", "dos"):
            port = _free_port()
            env = {
                **os.environ,
                "APP_ENV": "test",
                "SECRET_KEY": settings.secret_key,
                "DATABASE_URL": settings.database_url,
                "SQLITE_DRIVER": settings.sqlite_driver,
                "BASE_URL": settings.base_url,
                "SMTP_PORT": "1",
                "ARGON2_TIME_COST": "1",
                "ARGON2_MEMORY_KIB": "8192",
                "LOGIN_RATE_PER_MINUTE": "100000",
                "KB_INDEX_DIR": str(tmp_path / name / "kb-index"),
                "ATTACHMENT_STORAGE": "database",
            }
            logs.append(tmp_path / f"{name}.log")
            with logs[-1].open("wb") as log:
                processes.append(
                    await asyncio.create_subprocess_exec(
                        *[sys.executable, "-m", "uvicorn", "app:app", "--port", str(port)],
                        *["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"],
                        env=env,
                        cwd=ROOT,
                        stdout=log,
                        stderr=log,
                    )
                )
            urls.append(f"http://127.0.0.1:{port}")
        for url, process, log in zip(urls, processes, logs, strict=True):
            await _started(url, process, log)
        async with (
            httpx2.AsyncClient(base_url=urls[0]) as first,
            httpx2.AsyncClient(base_url=urls[1]) as second,
        ):
            yield [Browser(first), Browser(second)]
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            await asyncio.wait_for(process.wait(), 20)


async def test_two_uvicorn_processes_serve_each_others_files(two_processes, sessionmaker) -> None:
    first, second = two_processes
    email = f"dos.procesos.{uuid.uuid4().hex[:8]}@test.portal"
    await prove_email(first, sessionmaker, email)
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(2 * DATABASE_CHUNK_BYTES + 7)
    response = await open_one(first, files=[("archivos", ("foto.png", png, "image/png"))])
    assert response.status_code == 303
    link = await private_link(sessionmaker, email)
    async with sessionmaker() as db:
        attachment = await db.scalar(
            select(TicketAttachment).where(
                TicketAttachment.sha256 == hashlib.sha256(png).hexdigest()
            )
        )
    assert attachment is not None
    download = await second.get(f"{link}/adjuntos/{attachment.id}")
    assert download.status_code == 200 and download.content == png
