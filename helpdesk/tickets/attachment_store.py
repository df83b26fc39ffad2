"""Where accepted attachments are kept: uploads streamed to disk, and read back by name.

Uploads are read in chunks and refused as soon as they pass the size limit, so a huge upload
is never held in memory nor read to its end; the type is decided from the first bytes
(``attachments.detect_type``). Accepted files are written atomically (temporary file, fsync,
``os.replace``) outside the web root under a random name, which is the only name a file is
ever read back by; the name the person gave is kept only as a sanitized display name.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import re
import secrets
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Protocol

import anyio.to_thread

from helpdesk.core.settings import Settings
from helpdesk.tickets.attachments import (
    SNIFF_BYTES,
    AllowedType,
    AttachmentNotFound,
    AttachmentPolicy,
    EmptyFile,
    StoredAttachment,
    TooLarge,
    WrongType,
    detect_type,
    sanitize_filename,
)

# secrets.token_urlsafe(32): 32 random bytes, 43 URL-safe base64 characters, no padding.
_TOKEN_BYTES = 32
_STORAGE_NAME = re.compile(r"[A-Za-z0-9_-]{43}")


# --- Reading an upload in bounded chunks.


class AsyncReadable(Protocol):
    """Starlette's UploadFile and anything else with an async ``read(size)``."""

    def read(self, size: int = -1, /) -> Awaitable[bytes]: ...


UploadSource = bytes | AsyncReadable | AsyncIterable[bytes]


def _chunk_reader(
    source: UploadSource, policy: AttachmentPolicy
) -> tuple[Callable[[int], Awaitable[bytes | None]], Callable[[], Awaitable[None]]]:
    """A ``next_chunk(room)`` that returns at most about ``room`` bytes, None at the end, and a
    ``close()`` for an iterator abandoned early."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = memoryview(source)
        offset = 0

        async def next_bytes(room: int) -> bytes | None:
            nonlocal offset
            if offset >= len(data):
                return None
            chunk = bytes(data[offset : offset + min(policy.chunk_size, room)])
            offset += len(chunk)
            return chunk

        return next_bytes, _nothing

    read = getattr(source, "read", None)
    if callable(read):

        async def next_read(room: int) -> bytes | None:
            # Asking for at most one byte past the limit tells "too large" without reading on.
            result = read(min(policy.chunk_size, room))
            chunk = await result if inspect.isawaitable(result) else result
            return bytes(chunk) or None

        return next_read, _nothing

    iterator: AsyncIterator[bytes] = aiter(source)  # type: ignore[arg-type]
    finished = False

    async def next_item(room: int) -> bytes | None:
        nonlocal finished
        # The chunk size belongs to the producer here; we stop after the chunk that overflows.
        try:
            return bytes(await anext(iterator))
        except StopAsyncIteration:
            finished = True
            return None

    async def close() -> None:
        aclose = getattr(iterator, "aclose", None)
        if not finished and aclose is not None:
            await aclose()

    return next_item, close


async def _nothing() -> None:
    return None


# --- Storing and reading back.


class _PartFile:
    """A file being received: written beside its final place, renamed into it when complete."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        # Same directory as the final file, so os.replace is an atomic rename; mode 0600.
        descriptor, self.path = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
        self.handle = os.fdopen(descriptor, "wb")
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.handle.write(chunk)
        self.size += len(chunk)

    def commit(self, storage_name: str) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.replace(self.path, self.directory / storage_name)

    def discard(self) -> None:
        self.handle.close()
        Path(self.path).unlink(missing_ok=True)


async def store_attachment(
    source: UploadSource,
    filename: str | None,
    directory: Path,
    policy: AttachmentPolicy | None = None,
) -> StoredAttachment:
    """Check one upload against the policy and store it under a random name in ``directory``.

    Raises WrongType, TooLarge or EmptyFile, having stopped reading at the first byte that
    decides it; nothing is left in ``directory`` then. An async iterator left unfinished is
    closed.
    """
    policy = policy or AttachmentPolicy()
    shown = sanitize_filename(filename, max_length=policy.max_name_length)
    next_chunk, close = _chunk_reader(source, policy)
    # Creating the file and writing small chunks to local disk take microseconds: inline they
    # cost less than a thread hop each. The fsync, which may wait on the disk, goes to a thread.
    part = _PartFile(directory)
    head = bytearray()
    kind: AllowedType | None = None
    try:
        while (chunk := await next_chunk(policy.max_bytes - part.size + 1)) is not None:
            if part.size + len(chunk) > policy.max_bytes:
                raise TooLarge(shown, policy.max_bytes)
            if kind is None and len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
                if len(head) >= SNIFF_BYTES:
                    kind = _require_type(head, shown)
            part.write(chunk)
        if part.size == 0:
            raise EmptyFile(shown)
        kind = kind or _require_type(head, shown)
        storage_name = secrets.token_urlsafe(_TOKEN_BYTES)
        await anyio.to_thread.run_sync(part.commit, storage_name)
    except BaseException:
        part.discard()
        raise
    finally:
        await close()
    return StoredAttachment(
        storage_name=storage_name,
        display_name=sanitize_filename(filename, kind, max_length=policy.max_name_length),
        content_type=kind.mime,
        size=part.size,
        sha256=part.digest.hexdigest(),
    )


def _require_type(head: bytes | bytearray, shown: str) -> AllowedType:
    kind = detect_type(bytes(head))
    if kind is None:
        raise WrongType(shown)
    return kind


async def store_attachments(
    uploads: Sequence[tuple[str | None, UploadSource]],
    directory: Path,
    policy: AttachmentPolicy | None = None,
) -> list[StoredAttachment]:
    """Store the (filename, source) pairs of one message, all or none.

    The count is checked before any byte is read; if one file is refused, those already
    stored are deleted and the error is raised.
    """
    policy = policy or AttachmentPolicy()
    policy.check_count(len(uploads))
    stored: list[StoredAttachment] = []
    try:
        for filename, source in uploads:
            stored.append(await store_attachment(source, filename, directory, policy))
    except BaseException:
        for attachment in stored:
            delete_stored(directory, attachment.storage_name)
        raise
    return stored


def directory(settings: Settings) -> Path:
    """Outside the web root, beside the search index (var/attachments in development): the
    one place uploads, the mail listener and downloads agree on."""
    return Path(settings.kb_index_dir).parent / "attachments"


def is_storage_name(name: str) -> bool:
    return _STORAGE_NAME.fullmatch(name) is not None


def stored_path(directory: Path, storage_name: str) -> Path:
    """The path of a stored file, for a FileResponse; AttachmentNotFound for any other name."""
    if not is_storage_name(storage_name):
        raise AttachmentNotFound(storage_name)
    path = directory / storage_name
    if not path.is_file() or path.is_symlink():
        raise AttachmentNotFound(storage_name)
    return path


def read_stored(directory: Path, storage_name: str, sha256: str | None = None) -> bytes:
    """A stored file's bytes (for small uses such as an email); checks the digest if given."""
    data = stored_path(directory, storage_name).read_bytes()
    if sha256 is not None and not secrets.compare_digest(
        hashlib.sha256(data).hexdigest(), sha256.lower()
    ):
        raise AttachmentNotFound(storage_name)
    return data


def delete_stored(directory: Path, storage_name: str) -> None:
    if is_storage_name(storage_name):
        (directory / storage_name).unlink(missing_ok=True)
