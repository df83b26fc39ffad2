"""Markdown to reader HTML: nothing a reader sees can carry script."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from knowledge_base.rendering import to_html, to_text

PAYLOADS = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<img src=x onerror="alert(1)">',
    "<iframe src=//evil.example></iframe>",
    '<svg onload="alert(1)">',
    '[x](https://ok.example "t" onmouseover=alert(1))',
    '<div style="background:url(javascript:alert(1))">x</div>',
]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_executable_markup_survives(payload: str) -> None:
    parser = _Elements()
    parser.feed(to_html(f"Texto\n\n{payload}\n\n**fin**"))
    tags = {tag for tag, _ in parser.found}
    assert tags <= {"p", "strong", "a", "img", "em"}, tags
    for _tag, attrs in parser.found:
        for name, value in attrs.items():
            assert not name.startswith("on") and name != "style", (payload, name)
            if name in ("href", "src"):
                assert not (value or "").strip().lower().startswith(DANGEROUS_SCHEMES), payload
    assert ("strong", {}) in parser.found


def test_safe_markup_is_kept() -> None:
    html = to_html(
        "## Pasos\n\n1. Uno\n2. [Sitio](https://www.gob.cl)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h2>Pasos</h2>" in html and "<ol>" in html and "<table>" in html
    assert '<a href="https://www.gob.cl" rel="noopener noreferrer">Sitio</a>' in html


def test_plain_text_for_search() -> None:
    assert (
        to_text("## Título\n\nUn **texto** con [enlace](https://x.cl).")
        == "Título Un texto con enlace."
    )
