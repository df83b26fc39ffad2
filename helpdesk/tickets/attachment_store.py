"""Accepting attachments: uploads checked as they stream into a storage, and read back by key.

Uploads are read in chunks and refused as soon as they pass the size limit, so a huge upload
is never held in memory nor read to its end; the type is decided from the first bytes
(``attachments.detect_type``). Accepted files go to a ``file_storage`` (a local folder, or the
database every host shares) under a random key, which is the only name a file is ever read
back by; the name the person gave is kept only as a sanitized display name.
"""

from __future__ import annotations

import hashlib
import inspect
import secrets
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Protocol

from starlette.requests import Request

from helpdesk.tickets import file_storage
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
from helpdesk.tickets.file_storage import FileStorage, LocalStorage

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

Store = FileStorage | Path  # a Path stands for the LocalStorage of that folder


def as_storage(store: Store) -> FileStorage:
    return LocalStorage(store) if isinstance(store, Path) else store


def storage(request: Request) -> FileStorage:
    """The running app's storage (``ATTACHMENT_STORAGE``), the one uploads, the mail listener
    and downloads agree on."""
    state = request.app.state
    if getattr(state, "attachment_storage", None) is None:
        state.attachment_storage = file_storage.from_settings(state.settings, state.sessionmaker)
    return state.attachment_storage  # type: ignore[no-any-return]


async def store_attachment(
    source: UploadSource,
    filename: str | None,
    store: Store,
    policy: AttachmentPolicy | None = None,
) -> StoredAttachment:
    """Check one upload against the policy and store it under a random key.

    Raises WrongType, TooLarge or EmptyFile, having stopped reading at the first byte that
    decides it; nothing is kept in the storage then. An async iterator left unfinished is
    closed.
    """
    policy = policy or AttachmentPolicy()
    shown = sanitize_filename(filename, max_length=policy.max_name_length)
    next_chunk, close = _chunk_reader(source, policy)
    digest = hashlib.sha256()
    size = 0
    kind: AllowedType | None = None

    async def checked() -> AsyncIterator[bytes]:
        nonlocal size, kind
        head = bytearray()
        while (chunk := await next_chunk(policy.max_bytes - size + 1)) is not None:
            if size + len(chunk) > policy.max_bytes:
                raise TooLarge(shown, policy.max_bytes)
            if kind is None and len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
                if len(head) >= SNIFF_BYTES:
                    kind = _require_type(head, shown)
            digest.update(chunk)
            size += len(chunk)
            yield chunk
        if size == 0:
            raise EmptyFile(shown)
        kind = kind or _require_type(head, shown)

    try:
        storage_name = await as_storage(store).save(checked())
    finally:
        await close()
    assert kind is not None
    return StoredAttachment(
        storage_name=storage_name,
        display_name=sanitize_filename(filename, kind, max_length=policy.max_name_length),
        content_type=kind.mime,
        size=size,
        sha256=digest.hexdigest(),
    )


def _require_type(head: bytes | bytearray, shown: str) -> AllowedType:
    kind = detect_type(bytes(head))
    if kind is None:
        raise WrongType(shown)
    return kind


async def store_attachments(
    uploads: Sequence[tuple[str | None, UploadSource]],
    store: Store,
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
            stored.append(await store_attachment(source, filename, store, policy))
    except BaseException:
        await discard(store, stored)
        raise
    return stored


async def discard(store: Store, stored: Sequence[StoredAttachment]) -> None:
    """Forget files stored for a message that was not recorded after all."""
    for attachment in stored:
        await as_storage(store).delete(attachment.storage_name)


async def open_stored(store: Store, storage_name: str) -> AsyncIterator[bytes]:
    """A stored file's chunks; AttachmentNotFound (before any chunk) for an unknown key."""
    return await as_storage(store).open(storage_name)


# Local folders only: the path of a stored file, its bytes, and deleting without awaiting.


def stored_path(directory: Path, storage_name: str) -> Path:
    """The path of a stored file; AttachmentNotFound for any other name."""
    return LocalStorage(directory).path(storage_name)


def read_stored(directory: Path, storage_name: str, sha256: str | None = None) -> bytes:
    """A stored file's bytes (for small uses such as an email); checks the digest if given."""
    data = stored_path(directory, storage_name).read_bytes()
    if sha256 is not None and not secrets.compare_digest(
        hashlib.sha256(data).hexdigest(), sha256.lower()
    ):
        raise AttachmentNotFound(storage_name)
    return data


def delete_stored(directory: Path, storage_name: str) -> None:
    LocalStorage(directory).delete_now(storage_name)
