"""Attachment rules for citizen and agent uploads: which files are accepted, within which limits,
under which display name, and the errors that refuse the others.

A file is accepted only if its content starts like a PDF, JPEG or PNG (magic bytes, through
``filetype``); its name and declared content type are never trusted. The name the person gave
is kept only as a sanitized display name, with the extension of the detected type. Storing
and reading files back is ``attachment_store``'s.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass

from filetype.types.archive import Pdf
from filetype.types.image import Jpeg, Png

from helpdesk.core.i18n import format_number, ngettext
from helpdesk.core.i18n import gettext as _

MIB = 1024 * 1024
# PDF, JPEG and PNG are recognised within their first 7 bytes (a PDF may start with a UTF-8
# BOM); 261 bytes is what filetype documents as enough for every type it knows.
SNIFF_BYTES = 261
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
