"""The text of an email as people read it, as pure functions over strings.

``html_to_text`` reduces an HTML body to its visible text (scripts and styles dropped,
blockquotes quoted with "> "); ``strip_reply`` keeps the new part of a reply, its quoted
history and signature cut off; ``clean_text`` drops what databases refuse. Nothing here
raises on malformed input.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Drop control characters and lone surrogates, which databases refuse (PostgreSQL: NUL)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# --- HTML to text ------------------------------------------------------------------------

# <head> itself is not skipped: an unclosed one would swallow the whole body.
_SKIPPED = frozenset(
    {"script", "style", "title", "template", "noscript", "iframe", "object", "svg", "math"}
)
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"})
_BLOCKS = _PARAGRAPHS | {"div", "li", "tr", "dl", "dt", "dd", "pre", "hr", "section", "article"}
_BLOCKS |= {"header", "footer", "address", "blockquote", "center", "form", "fieldset"}


class _TextExtractor(HTMLParser):
    """Visible text only: entities unescaped, blockquotes quoted with "> " for strip_reply."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._line_depth = 0
        self._skip = 0
        self._quote = 0
        self._pre = 0

    def _flush(self, *, force: bool = False) -> None:
        if self._line or force:
            text = "".join(self._line).rstrip()
            depth = self._line_depth if self._line else self._quote
            self.lines.append(("> " * depth + text).rstrip())
            self._line = []

    def _break(self, tag: str) -> None:
        self._flush()
        if tag in _PARAGRAPHS and self.lines and self.lines[-1].strip("> "):
            self.lines.append(">" * self._quote)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip += 1
        elif tag == "br":
            self._flush(force=True)
        elif tag in _BLOCKS:
            self._break(tag)
            self._quote += tag == "blockquote"
            self._pre += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self._break(tag)
            if tag == "blockquote":
                self._quote = max(0, self._quote - 1)
            if tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            first, *rest = data.split("\n")
            self._add(first)
            for line in rest:
                self._flush(force=True)
                self._add(line)
            return
        text = re.sub(r"\s+", " ", data)
        if not self._line:
            text = text.lstrip()
        self._add(text)

    def _add(self, text: str) -> None:
        if text:
            if not self._line:
                self._line_depth = self._quote
            self._line.append(text)

    def text(self) -> str:
        self._flush()
        joined = "\n".join(self.lines)
        return re.sub(r"\n{3,}", "\n\n", joined).strip("\n")


def html_to_text(html: str) -> str:
    """Readable text of an HTML body; script, style and other non-visible content is dropped."""
    extractor = _TextExtractor()
    # HTMLParser is lenient; should it still fail, keep the text read before the failure.
    with contextlib.suppress(Exception):
        extractor.feed(html)
        extractor.close()
    return clean_text(extractor.text())


# --- quoted history and signatures -------------------------------------------------------

# "El lun, 2 mar 2026 a las 10:15, Ana <ana@x.cl> escribió:" (Gmail wraps it over lines),
# "On Mon, ... wrote:", "Le lun. 2 mars 2026 à 10:15, ... a écrit :", Creole "... te ekri:".
_ATTRIBUTION_START = re.compile(r"^\s*(?:on|el|le|nan)\b", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(
    r"(?:wrote|escribió|escribio|a écrit|a ecrit|te ekri)\s*:\s*$", re.IGNORECASE
)
# Outlook's block, "*From:*" when bold was flattened; [\s*]* rather than \s*\**\s* keeps the
# matching linear on long lines of spaces.
_HEADER_FROM = re.compile(r"^[\s*]*(?:from|de)[\s*]*:", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^[\s*]*(?:sent|date|to|subject|cc|enviado|fecha|para|asunto|envoyé|envoye|à|objet)[\s*]*:",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*(?:-{3,}\s*(?:original message|mensaje original|message d'origine|"
    r"message original|mesaj orijinal)\s*-{3,}|_{20,})\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^--\s?$")
_SENT_FROM = re.compile(
    r"^\s*(?:sent from my|sent from outlook|get outlook for|enviado desde mi|"
    r"obtener outlook para|envoyé de mon|envoyé depuis mon|obtenir outlook pour|"
    r"voye (?:depi|soti nan))\b",
    re.IGNORECASE,
)


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_length(lines: Sequence[str], index: int) -> int:
    """How many lines (1 to 3) an attribution starting at ``index`` spans, or 0."""
    line = lines[index]
    if not line.strip() or _is_quoted(line):
        return 0
    starts = bool(_ATTRIBUTION_START.match(line)) or "@" in line
    if not starts:
        return 0
    joined = ""
    for span in range(3):
        if index + span >= len(lines) or not lines[index + span].strip():
            return 0
        joined = f"{joined} {lines[index + span].strip()}"
        if _ATTRIBUTION_END.search(joined):
            return span + 1
    return 0


def _is_header_block(lines: Sequence[str], index: int) -> bool:
    if not _HEADER_FROM.match(lines[index]):
        return False
    return any(_HEADER_NEXT.match(line) for line in lines[index + 1 : index + 5])


def _history_start(lines: Sequence[str]) -> int | None:
    for index, line in enumerate(lines):
        if (
            _SEPARATOR.match(line)
            or _attribution_length(lines, index)
            or _is_header_block(lines, index)
        ):
            return index
    return None


def _cut_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line) or _SENT_FROM.match(line):
            return lines[:index]
    return lines


def _tidy(lines: Iterable[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def strip_reply(text: str) -> str:
    """The new part of a reply: quoted history, attributions and signatures removed.

    Top-posted replies keep what precedes the history; bottom-posted ones (history first)
    keep the unquoted lines that follow it.
    """
    lines = clean_text(text).split("\n")
    start = _history_start(lines)
    head = lines if start is None else lines[:start]
    reply = _tidy(line for line in _cut_signature(head) if not _is_quoted(line))
    if reply.strip() or start is None:
        return reply
    kept: list[str] = []
    index = 0
    while index < len(lines):
        span = _attribution_length(lines, index)
        if span:
            index += span
            continue
        if not _is_quoted(lines[index]) and not _SEPARATOR.match(lines[index]):
            kept.append(lines[index])
        index += 1
    return _tidy(_cut_signature(kept))
