"""Differences between versions: lines, changed words, context, steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from knowledge_base.diffing import compare, diff_lines, steps_text, word_segments


@dataclass
class Text:
    title: str = "T"
    summary: str = ""
    body_md: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)
    transcript: str = ""


def kinds(lines) -> list[str]:  # type: ignore[no-untyped-def]
    return [line.kind for line in lines]


def test_identical_texts_have_no_change() -> None:
    lines = diff_lines("a\nb", "a\nb")
    assert kinds(lines) == ["same", "same"]
    assert diff_lines("", "") == []


def test_added_removed_and_replaced_lines() -> None:
    lines = diff_lines("uno\ndos\ntres", "uno\ndos bis\ntres\ncuatro")
    assert kinds(lines) == ["same", "removed", "added", "same", "added"]
    assert lines[1].old_number == 2 and lines[2].new_number == 2
    assert lines[4].text == "cuatro" and lines[4].new_number == 4


def test_changed_words_are_marked() -> None:
    before, after = word_segments("Pague la multa hoy", "Pague la multa mañana")
    assert [(s.text, s.changed) for s in before] == [("Pague la multa ", False), ("hoy", True)]
    assert [(s.text, s.changed) for s in after] == [("Pague la multa ", False), ("mañana", True)]


def test_far_unchanged_lines_become_gaps() -> None:
    old = "\n".join(f"línea {n}" for n in range(1, 31))
    new = old.replace("línea 15", "línea quince")
    lines = diff_lines(old, new)
    assert lines[0].kind == "gap" and lines[-1].kind == "gap"
    assert len([line for line in lines if line.kind == "same"]) == 6


def test_markup_stays_text() -> None:
    lines = diff_lines("hola", "hola <script>alert(1)</script>")
    assert lines[-1].kind == "added" and "<script>" in lines[-1].text  # escaped by the template


def test_compare_covers_every_field_and_steps() -> None:
    old = Text(steps=[{"title": "Uno", "body": "Texto", "image": ""}])
    new = Text(summary="Nuevo", steps=[{"title": "Uno", "body": "Texto", "image": "a.png"}])
    fields = {f.field: f for f in compare(old, new)}
    assert set(fields) == {"title", "summary", "body_md", "steps", "transcript"}
    assert fields["summary"].changed and fields["steps"].changed
    assert not fields["title"].changed and not fields["body_md"].changed
    assert steps_text(new.steps) == "1. Uno\nTexto\n[a.png]"
