"""Attachment rules for citizen and agent uploads: which files are accepted and how they are kept.

A file is accepted only if its content starts like a PDF, JPEG or PNG (magic bytes, through
``filetype``); its name and declared content type are never trusted. Uploads are streamed in
chunks and refused as soon as they pass the size limit, so a huge upload is never held in
memory nor read to its end. Accepted files are written atomically (temporary file, fsync,
``os.replace``) outside the web root under a random name; the name the person gave is kept
only as a sanitized display name, with the extension of the detected type.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import re
import secrets
import tempfile
import unicodedata
from abc import ABCMeta, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import anyio.to_thread
from filetype.types.archive import Pdf
from filetype.types.image import Jpeg, Png

from helpdesk.core.i18n import format_number, ngettext
from helpdesk.core.i18n import gettext as _

MIB = 1024 * 1024
# PDF, JPEG and PNG are recognised within their first 7 bytes (a PDF may start with a UTF-8
# BOM); 261 bytes is what filetype documents as enough for every type it knows.
SNIFF_BYTES = 261
# secrets.token_urlsafe(32): 32 random bytes, 43 URL-safe base64 characters, no padding.
_TOKEN_BYTES = 32
_STORAGE_NAME = re.compile(r"[A-Za-z0-9_-]{43}")
FALLBACK_STEM = "adjunto"
# Punctuation a display name may keep; everything else that is not a letter, mark or digit
# (quotes, angle brackets, slashes, semicolons...) becomes "_".
_NAME_PUNCTUATION = frozenset(" -_.,()[]+'")
_UNDERSCORES = re.compile(r"_{2,}")
_SPACES = re.compile(r" {2,}")


@dataclass(frozen=True)
class AllowedType:
    mime: str
    extension: str
    # Extensions a person may have used for this type; kept (lower-cased) when they match.
    aliases: tuple[str, ...]


PDF = AllowedType("application/pdf", "pdf", ("pdf",))
JPEG = AllowedType("image/jpeg", "jpg", ("jpg", "jpeg", "jpe"))
PNG = AllowedType("image/png", "png", ("png",))
ALLOWED_TYPES = (PDF, JPEG, PNG)
_MATCHERS = ((Pdf(), PDF), (Jpeg(), JPEG), (Png(), PNG))


@dataclass(frozen=True)
class AttachmentPolicy:
    """Limits for the files of one message; the defaults are the citizen portal's."""

    max_bytes: int = 10 * MIB
    max_files: int = 5
    max_name_length: int = 120
    chunk_size: int = 64 * 1024

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_files", "chunk_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"AttachmentPolicy.{name} must be at least 1")
        if self.max_name_length < 16:
            raise ValueError("AttachmentPolicy.max_name_length must be at least 16")

    def check_count(self, count: int) -> None:
        if count > self.max_files:
            raise TooMany(self.max_files)


@dataclass(frozen=True)
class StoredAttachment:
    """What the caller records in the database for a stored file."""

    storage_name: str
    display_name: str
    content_type: str
    size: int
    sha256: str


# --- Errors: a machine code for APIs and tests, a message translated when it is read, so it
# comes out in the language of whoever renders it.


class AttachmentError(ValueError, metaclass=ABCMeta):
    code = "invalid"

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self.name = name

    @property
    @abstractmethod
    def message(self) -> str:
        """The reason, in the active locale (each refusal says its own)."""

    def __str__(self) -> str:
        return self.message


class WrongType(AttachmentError):
    code = "wrong_type"

    @property
    def message(self) -> str:
        return _("El archivo %(name)s no es PDF, JPEG ni PNG.", name=self.name)


class TooLarge(AttachmentError):
    code = "too_large"

    def __init__(self, name: str, max_bytes: int) -> None:
        super().__init__(name)
        self.max_bytes = max_bytes

    @property
    def message(self) -> str:
        return _(
            "El archivo %(name)s supera el tamaño máximo de %(size)s MB.",
            name=self.name,
            size=format_number(round(self.max_bytes / MIB, 2)),
        )


class TooMany(AttachmentError):
    code = "too_many"

    def __init__(self, max_files: int) -> None:
        super().__init__()
        self.max_files = max_files

    @property
    def message(self) -> str:
        return ngettext(
            "Puede adjuntar como máximo %(num)d archivo por mensaje.",
            "Puede adjuntar como máximo %(num)d archivos por mensaje.",
            self.max_files,
        )


class EmptyFile(AttachmentError):
    code = "empty"

    @property
    def message(self) -> str:
        return _("El archivo %(name)s está vacío.", name=self.name)


class AttachmentNotFound(LookupError):
    """No stored file answers to that name; a forged name gets the same answer as a missing one."""


# --- Type and name.


def detect_type(head: bytes) -> AllowedType | None:
    """The allowed type whose signature starts ``head`` (the file's first bytes), if any."""
    for matcher, kind in _MATCHERS:
        if matcher.match(head):
            return kind
    return None


def _clean_char(char: str) -> str:
    category = unicodedata.category(char)
    if category[0] == "C":
        # Control, format (bidi overrides that disguise "exe.pdf"), surrogate, private use.
        return ""
    if category[0] == "Z":
        return " "
    if category[0] in "LMN" or char in _NAME_PUNCTUATION:
        return char
    return "_"


def sanitize_filename(
    filename: str | None, kind: AllowedType | None = None, *, max_length: int = 120
) -> str:
    """A display name safe to show and to send in Content-Disposition.

    Keeps only the last path component, drops control and format characters, replaces other
    symbols with "_", keeps letters of every script, and bounds the length. With ``kind`` the
    extension becomes that type's: kept if it already names it, replaced otherwise.
    """
    raw = unicodedata.normalize("NFC", filename or "")
    raw = re.split(r"[/\\]", raw)[-1]
    text = "".join(_clean_char(char) for char in raw)
    text = _SPACES.sub(" ", _UNDERSCORES.sub("_", text))
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    extension = extension.strip().lower()
    if kind is not None:
        if extension not in kind.aliases:
            # A short alphanumeric suffix was an extension (".png" on a PDF): replace it.
            if not (extension.isascii() and extension.isalnum() and len(extension) <= 5):
                stem = text
            extension = kind.extension
    elif not (extension.isascii() and extension.isalnum() and len(extension) <= 5):
        stem, extension = text, ""
    # No leading dot (hidden file) or hyphen (option), no trailing dot or space (Windows).
    stem = stem.strip(" ._-")
    room = max_length - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip(" ._-") or FALLBACK_STEM
    return f"{stem}.{extension}" if extension else stem


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
