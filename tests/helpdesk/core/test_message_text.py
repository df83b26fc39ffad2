"""Messages keep their line breaks and their web addresses become links, safely."""

from __future__ import annotations

import pytest

from helpdesk.core.message_text import message_html
from tests.support.markup import parse_page

LINK = '<a href="https://www.serviciomigraciones.cl/x?a=1&amp;b=2" rel="noopener nofollow">'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola", "<p>Hola</p>"),
        ("uno\ndos", "<p>uno<br>\ndos</p>"),
        ("uno\n\ndos", "<p>uno</p>\n<p>dos</p>"),
        ("<b>x</b> & y", "<p>&lt;b&gt;x&lt;/b&gt; &amp; y</p>"),
        ("*no* [x](y) # z", "<p>*no* [x](y) # z</p>"),  # no Markdown: people write plain text
        (
            "vea https://www.serviciomigraciones.cl/x?a=1&b=2",
            f"<p>vea {LINK}https://www.serviciomigraciones.cl/x?a=1&amp;b=2</a></p>",
        ),
    ],
)
def test_text_to_html(text: str, expected: str) -> None:
    assert message_html(text).strip() == expected


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "<a href='javascript:alert(1)'>x</a>",
        "escriba a alguien@example.com",
        '"><img src=x onerror=alert(1)>',
        "ftp://example.com/archivo",
    ],
)
def test_only_http_links_and_no_markup_come_out(text: str) -> None:
    page = parse_page(str(message_html(text)))
    tags = {tag for tag, _attrs in page.elements}
    assert tags <= {"p", "br", "a"}
    for tag, attrs in page.elements:
        if tag == "a":
            assert attrs["href"].startswith(("http://", "https://"))
            assert attrs["rel"] == "noopener nofollow"
    assert "javascript:" not in "".join(a.get("href", "") for _t, a in page.elements)
