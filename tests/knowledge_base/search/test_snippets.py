from __future__ import annotations

from markupsafe import Markup

from knowledge_base.search.snippets import WIDTH, snippet


def test_marks_matches_and_escapes_everything_else() -> None:
    text = 'Antes <script>alert("x")</script> & la cédula <b>aquí</b>.'
    start = text.index("cédula")
    html = snippet(text, [(start, start + len("cédula"))])
    assert isinstance(html, Markup)
    assert "<mark>cédula</mark>" in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;" in html and "&amp;" in html
    assert str(html).replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_markup_inside_a_match_is_escaped_too() -> None:
    text = "x <i>y</i> z"
    html = snippet(text, [(2, 10)])
    assert "<mark>&lt;i&gt;y&lt;/i&gt;</mark>" in html


def test_long_text_shows_a_window_around_the_densest_matches() -> None:
    text = "palabra " * 100 + "visa residencia visa " + "palabra " * 100
    spans = [(m, m + 4) for m in range(len(text)) if text.startswith("visa", m)]
    html = snippet(text, spans)
    assert html.count("<mark>") == 2
    assert html.startswith("…") and html.endswith("…")
    assert len(str(html).replace("<mark>", "").replace("</mark>", "")) <= WIDTH + 4


def test_without_matches_the_start_of_the_text() -> None:
    assert snippet("Corto.") == "Corto."
    long_text = "uno dos tres " * 50
    html = snippet(long_text)
    assert html.startswith("uno dos") and html.endswith("…")


def test_overlapping_spans_are_merged() -> None:
    assert snippet("永久居留申请", [(0, 2), (0, 4), (2, 4)]) == "<mark>永久居留</mark>申请"
