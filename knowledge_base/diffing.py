"""What changed between two versions of a translation: line by line, with the changed words of
changed lines marked. Pure functions over plain text.

Nothing here builds markup: every piece of text leaves as data and the template escapes it, so a
version that contains ``<script>`` shows those characters and never runs them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

CONTEXT_LINES = 3
_WORDS = re.compile(r"\s+|[^\s]+")


class VersionText(Protocol):
    title: str
    summary: str
    body_md: str
    steps: list[dict[str, Any]]
    transcript: str


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class DiffLine:
    kind: str  # same | added | removed | gap (unchanged lines left out)
    segments: tuple[Segment, ...] = ()
    old_number: int | None = None
    new_number: int | None = None

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)


@dataclass(frozen=True)
class FieldDiff:
    field: str  # title | summary | body_md | steps | transcript
    lines: tuple[DiffLine, ...]

    @property
    def changed(self) -> bool:
        return any(line.kind in ("added", "removed") for line in self.lines)


FIELDS = ("title", "summary", "body_md", "steps", "transcript")


def steps_text(steps: Sequence[dict[str, Any]]) -> str:
    """Steps as numbered plain text, so they diff like the body."""
    blocks = []
    for number, step in enumerate(steps, start=1):
        lines = [f"{number}. {step.get('title', '')}"]
        body = str(step.get("body", "")).strip()
        if body:
            lines.append(body)
        if step.get("image"):
            lines.append(f"[{step['image']}]")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def field_text(version: VersionText, field: str) -> str:
    if field == "steps":
        return steps_text(version.steps or [])
    return str(getattr(version, field) or "")


def compare(old: VersionText, new: VersionText) -> list[FieldDiff]:
    """Every field, each with its differing lines and a little context around them."""
    return [
        FieldDiff(field, tuple(diff_lines(field_text(old, field), field_text(new, field))))
        for field in FIELDS
    ]


def diff_lines(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    result: list[DiffLine] = []
    groups = list(matcher.get_grouped_opcodes(context))
    if not groups:  # identical (or both empty): every line, unchanged
        return [_same(line, n, n) for n, line in enumerate(old_lines, start=1)]
    for index, group in enumerate(groups):
        first_old, first_new = group[0][1], group[0][3]
        if index > 0 or first_old > 0 or first_new > 0:
            result.append(DiffLine("gap"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result.extend(
                    _same(old_lines[i], i + 1, j1 + k + 1) for k, i in enumerate(range(i1, i2))
                )
            elif tag == "delete":
                result.extend(
                    _whole("removed", old_lines[i], old_number=i + 1) for i in range(i1, i2)
                )
            elif tag == "insert":
                result.extend(
                    _whole("added", new_lines[j], new_number=j + 1) for j in range(j1, j2)
                )
            else:
                result.extend(_replaced(old_lines, new_lines, i1, i2, j1, j2))
    last = groups[-1][-1]
    if last[2] < len(old_lines) or last[4] < len(new_lines):
        result.append(DiffLine("gap"))
    return result


def _same(line: str, old_number: int, new_number: int) -> DiffLine:
    return DiffLine("same", (Segment(line, False),), old_number, new_number)


def _whole(
    kind: str, line: str, old_number: int | None = None, new_number: int | None = None
) -> DiffLine:
    return DiffLine(kind, (Segment(line, True),), old_number, new_number)


def _replaced(
    old_lines: list[str], new_lines: list[str], i1: int, i2: int, j1: int, j2: int
) -> list[DiffLine]:
    """Removed lines then added lines; lines paired in order get their changed words marked."""
    pairs = min(i2 - i1, j2 - j1)
    removed: list[DiffLine] = []
    added: list[DiffLine] = []
    for k in range(pairs):
        before, after = word_segments(old_lines[i1 + k], new_lines[j1 + k])
        removed.append(DiffLine("removed", before, old_number=i1 + k + 1))
        added.append(DiffLine("added", after, new_number=j1 + k + 1))
    removed += [_whole("removed", old_lines[i], old_number=i + 1) for i in range(i1 + pairs, i2)]
    added += [_whole("added", new_lines[j], new_number=j + 1) for j in range(j1 + pairs, j2)]
    return removed + added


def word_segments(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    before: list[Segment] = []
    after: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            _append(before, "".join(old_words[i1:i2]), changed)
        if j2 > j1:
            _append(after, "".join(new_words[j1:j2]), changed)
    return tuple(before), tuple(after)


def _append(segments: list[Segment], text: str, changed: bool) -> None:
    if segments and segments[-1].changed == changed:
        segments[-1] = Segment(segments[-1].text + text, changed)
    else:
        segments.append(Segment(text, changed))
