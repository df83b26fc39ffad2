"""Reading the case system's export: CSV (UTF-8, header row, comma) or JSON Lines.

Each record comes with the line it starts on, so the report can name it: in a CSV the
header is line 1; a quoted field may span lines, and the record keeps its first one."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final

from helpdesk.cases.validation import FIELDS, OPTIONAL, UNREADABLE
from helpdesk.core.i18n import lazy_gettext

CSV: Final = "csv"
JSONL: Final = "jsonl"
_EXTENSIONS: Final = {".csv": CSV, ".jsonl": JSONL, ".ndjson": JSONL, ".json": JSONL}


class SourceError(Exception):
    """The file cannot be read as an export at all; ``message`` is a Spanish msgid."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


MISSING_COLUMNS = lazy_gettext("faltan columnas en la cabecera: %(columns)s")
NOT_UTF8 = lazy_gettext("el archivo no está en UTF-8 (cerca de la línea %(line)s)")
EMPTY = lazy_gettext("el archivo está vacío")
BAD_CSV = lazy_gettext("el CSV está mal formado después de la línea %(line)s")


def detect_format(path: Path) -> str:
    """By extension; otherwise a file whose first character is ``{`` is JSON Lines."""
    known = _EXTENSIONS.get(path.suffix.lower())
    if known:
        return known
    with path.open("rb") as handle:
        start = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return JSONL if start.startswith(b"{") else CSV


def count_lines(path: Path) -> int:
    """For the progress bar's total: newlines, counted in large binary chunks (fast)."""
    total = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            total += chunk.count(b"\n")
    return total


def read_records(path: Path, fmt: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, record) for every record of the file."""
    fmt = fmt or detect_format(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = _read_jsonl(handle) if fmt == JSONL else _read_csv(handle)
        line = 0
        try:
            for line, record in reader:
                yield line, record
        except UnicodeDecodeError as exc:
            raise SourceError(NOT_UTF8, line=line + 1) from exc
        except csv.Error as exc:  # e.g. a field over csv's size limit: reading stops there
            raise SourceError(BAD_CSV, line=line + 1) from exc


def _read_csv(handle: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise SourceError(EMPTY)
    names = [name.strip().lower() for name in header]
    missing = [name for name in FIELDS if name not in names and name not in OPTIONAL]
    if missing:
        raise SourceError(MISSING_COLUMNS, columns=", ".join(missing))
    width = len(names)
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # a blank line is no record
        if len(cells) < width:
            cells = [*cells, *([""] * (width - len(cells)))]
        yield line, dict(zip(names, cells, strict=False))


def _read_jsonl(handle: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except ValueError:
            record = None
        yield line, record if isinstance(record, dict) else {UNREADABLE: True}
