"""Where stored files' bytes live: a local folder, or the database every web host shares.

A small interface (``FileStorage``): ``save`` consumes an async stream of chunks and returns
the random key the file is read back by, or, if the stream raises, keeps nothing and raises;
``open`` answers an async iterator of chunks (AttachmentNotFound before the first one for an
unknown key); ``delete`` forgets a key. What a file may be (type, size, count) is decided
before any byte reaches a storage (``attachment_store``).

The ``ATTACHMENT_STORAGE`` setting chooses: ``local:/a/folder`` (development and tests: one
host's disk) or ``database`` (production: a table of 256 KiB chunks in the same PostgreSQL as
everything else, so any host serves any file and the backups hold the evidence people sent).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import Protocol

import anyio.to_thread
from sqlalchemy import Integer, LargeBinary, String, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.core.db import Base
from helpdesk.core.settings import Settings
from helpdesk.tickets.attachments import AttachmentNotFound

# secrets.token_urlsafe(32): 32 random bytes, 43 URL-safe base64 characters, no padding.
_TOKEN_BYTES = 32
_STORAGE_NAME = re.compile(r"[A-Za-z0-9_-]{43}")
# One row per 256 KiB: a download holds one row in memory at a time.
DATABASE_CHUNK_BYTES = 256 * 1024
LOCAL_READ_BYTES = 64 * 1024


def new_key() -> str:
    return secrets.token_urlsafe(_TOKEN_BYTES)


def is_storage_name(name: str) -> bool:
    return _STORAGE_NAME.fullmatch(name) is not None


class FileStorage(Protocol):
    async def save(self, chunks: AsyncIterable[bytes]) -> str: ...

    async def open(self, key: str) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...


# --- A folder on this host.


class _PartFile:
    """A file being received: written beside its final place, renamed into it when complete."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        # Same directory as the final file, so os.replace is an atomic rename; mode 0600.
        descriptor, self.path = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
        self.handle = os.fdopen(descriptor, "wb")

    def commit(self, storage_name: str) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.replace(self.path, self.directory / storage_name)

    def discard(self) -> None:
        self.handle.close()
        Path(self.path).unlink(missing_ok=True)


class LocalStorage:
    """Files under a folder outside the web root, written atomically (temporary file, fsync,
    ``os.replace``) under a random name, the only name a file is ever read back by."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        """A stored file's path; AttachmentNotFound for any other name (or a symbolic link)."""
        if not is_storage_name(key):
            raise AttachmentNotFound(key)
        path = self.directory / key
        if not path.is_file() or path.is_symlink():
            raise AttachmentNotFound(key)
        return path

    async def save(self, chunks: AsyncIterable[bytes]) -> str:
        # Creating the file and writing chunks to local disk take microseconds: inline they
        # cost less than a thread hop each. The fsync, which may wait on the disk, goes to a
        # thread.
        part = _PartFile(self.directory)
        try:
            async for chunk in chunks:
                part.handle.write(chunk)
            key = new_key()
            await anyio.to_thread.run_sync(part.commit, key)
        except BaseException:
            part.discard()
            raise
        return key

    async def open(self, key: str) -> AsyncIterator[bytes]:
        handle = self.path(key).open("rb")
        return _read_file(handle)

    async def delete(self, key: str) -> None:
        self.delete_now(key)

    def delete_now(self, key: str) -> None:
        if is_storage_name(key):
            (self.directory / key).unlink(missing_ok=True)


async def _read_file(handle) -> AsyncIterator[bytes]:  # type: ignore[no-untyped-def]
    with handle:
        while chunk := handle.read(LOCAL_READ_BYTES):
            yield chunk


# --- The shared database.


class StoredFileChunk(Base):
    """One piece of a stored file: ``seq`` 0, 1, 2… of at most DATABASE_CHUNK_BYTES each."""

    __tablename__ = "stored_file_chunks"

    storage_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


_INSERT = insert(StoredFileChunk.__table__)


class DatabaseStorage:
    """Files as rows of chunks, written in one transaction of their own (all or nothing) and
    read back one row per query, so a download streams in bounded memory."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        chunk_bytes: int = DATABASE_CHUNK_BYTES,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.chunk_bytes = chunk_bytes

    async def save(self, chunks: AsyncIterable[bytes]) -> str:
        key = new_key()
        buffer = bytearray()
        seq = 0
        async with self.sessionmaker() as db, db.begin():
            async for chunk in chunks:
                buffer += chunk
                while len(buffer) >= self.chunk_bytes:
                    await self._insert(db, key, seq, bytes(buffer[: self.chunk_bytes]))
                    del buffer[: self.chunk_bytes]
                    seq += 1
            if buffer or seq == 0:
                await self._insert(db, key, seq, bytes(buffer))
        return key

    @staticmethod
    async def _insert(db: AsyncSession, key: str, seq: int, data: bytes) -> None:
        await db.execute(_INSERT, {"storage_name": key, "seq": seq, "data": data})

    async def open(self, key: str) -> AsyncIterator[bytes]:
        if not is_storage_name(key):
            raise AttachmentNotFound(key)
        async with self.sessionmaker() as db:
            count = await db.scalar(select(func.count()).where(StoredFileChunk.storage_name == key))
        if not count:
            raise AttachmentNotFound(key)
        return self._chunks(key, count)

    async def _chunks(self, key: str, count: int) -> AsyncIterator[bytes]:
        for seq in range(count):
            async with self.sessionmaker() as db:
                data = await db.scalar(
                    select(StoredFileChunk.data).where(
                        StoredFileChunk.storage_name == key, StoredFileChunk.seq == seq
                    )
                )
            if data is None:  # deleted while being read
                return
            yield bytes(data)

    async def delete(self, key: str) -> None:
        async with self.sessionmaker() as db, db.begin():
            await db.execute(delete(StoredFileChunk).where(StoredFileChunk.storage_name == key))


# --- Choosing one.


def from_settings(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> FileStorage:
    """The storage ATTACHMENT_STORAGE names (checked when the settings were read)."""
    folder = settings.attachment_folder
    return DatabaseStorage(sessionmaker) if folder is None else LocalStorage(folder)


async def read_all(storage: FileStorage, key: str, sha256: str | None = None) -> bytes:
    """A stored file's bytes (for small uses such as an email); checks the digest if given."""
    data = b"".join([chunk async for chunk in await storage.open(key)])
    if sha256 is not None and not secrets.compare_digest(
        hashlib.sha256(data).hexdigest(), sha256.lower()
    ):
        raise AttachmentNotFound(key)
    return data
