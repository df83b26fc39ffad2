"""A short excerpt of an article around the words that matched, as safe HTML.

Everything taken from the article is escaped; the only markup in a snippet is the ``<mark>``
put around matched words here. Article text may contain anything ("<script>" included), and
templates show snippets without escaping them again.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from markupsafe import Markup

WIDTH = 220
LEAD = 60  # characters of context shown before the first match
ELLIPSIS = "…"


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window(spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The ``width`` characters holding the most matches, starting a little before one."""
    best_start, best_count = 0, -1
    for i, (start, _) in enumerate(spans):
        count = sum(1 for s, e in spans[i:] if e <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    return best_start, best_start + width


def _start_at_word(text: str, index: int) -> int:
    """Moves a start back to the beginning of its word (Chinese has no spaces: kept)."""
    if index <= 0:
        return 0
    space = text.rfind(" ", max(0, index - 20), index)
    return space + 1 if space >= 0 else index


def _end_at_word(text: str, index: int) -> int:
    if index >= len(text):
        return len(text)
    space = text.rfind(" ", max(0, index - 20), index)
    return space if space > 0 else index


def snippet(text: str, spans: Iterable[tuple[int, int]] = (), width: int = WIDTH) -> Markup:
    merged = [(s, e) for s, e in _merge(spans) if 0 <= s < e <= len(text)]
    if not merged:
        start, end = 0, width
    else:
        first, _ = _window(merged, width - LEAD)
        start = max(0, first - LEAD)
        end = start + width
    start = _start_at_word(text, start)
    end = _end_at_word(text, end)
    parts: list[str] = [ELLIPSIS] if start > 0 else []
    cursor = start
    for s, e in merged:
        if s < start or e > end:
            continue
        parts.append(escape(text[cursor:s], quote=False))
        parts.append("<mark>" + escape(text[s:e], quote=False) + "</mark>")
        cursor = e
    parts.append(escape(text[cursor:end].rstrip(), quote=False))
    if end < len(text):
        parts.append(ELLIPSIS)
    return Markup("".join(parts).strip())  # noqa: S704 (every piece of text is escaped above)
