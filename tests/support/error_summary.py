"""Reading a page's error summary (templates/partials/_error_summary.html) with a parser, and
checking it against the fields it links to."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

SUMMARY_ID = "resumen-errores"
VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "source", "wbr", "col", "area"})


@dataclass
class Page:
    by_id: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    texts_by_id: dict[str, str] = field(default_factory=dict)
    summary: dict[str, str] | None = None
    summary_position: int = -1  # how many elements came before it
    main_position: int = -1
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text) in the summary
    items: list[str] = field(default_factory=list)  # the summary's list items' texts
    title: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._stack: list[tuple[str, str | None]] = []  # (tag, id) of open elements
        self._count = 0
        self._texts: dict[str, list[str]] = {}

    def _inside(self, element_id: str) -> bool:
        return any(open_id == element_id for _, open_id in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self._count += 1
        element_id = values.get("id")
        if element_id:
            self.page.by_id[element_id] = (tag, values)
            self._texts.setdefault(element_id, [])
        if element_id == SUMMARY_ID:
            self.page.summary = values
            self.page.summary_position = self._count
        if tag == "main":
            self.page.main_position = self._count
        if self._inside(SUMMARY_ID) and tag == "a":
            self.page.links.append((values.get("href", ""), ""))
        if self._inside(SUMMARY_ID) and tag == "li":
            self.page.items.append("")
        if tag not in VOID:
            self._stack.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1][0] == "title":
            self.page.title += data
        for _, open_id in self._stack:
            if open_id:
                self._texts[open_id].append(data)
        if self._inside(SUMMARY_ID) and data.strip():
            if self._stack and self._stack[-1][0] == "a" and self.page.links:
                href, text = self.page.links[-1]
                self.page.links[-1] = (href, (text + " " + data.strip()).strip())
            if self.page.items:
                self.page.items[-1] = (self.page.items[-1] + " " + data.strip()).strip()

    def close(self) -> None:
        super().close()
        self.page.texts_by_id = {k: " ".join(" ".join(v).split()) for k, v in self._texts.items()}


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page


def check_summary(html: str, expected_fields: list[str], *, at_top: bool = True) -> Page:
    """Asserts the GOV.UK pattern: the summary first in the main content (``at_top``),
    focusable and announced, one link per field in ``expected_fields`` (ids, in order) to a
    control that is marked invalid and described by its own error message, which says the
    same."""
    page = read(html)
    summary = page.summary
    assert summary is not None, "no error summary"
    assert page.main_position >= 0 and page.summary_position > page.main_position
    if at_top:
        assert page.summary_position == page.main_position + 1, "the summary is not on top"
    assert summary.get("role") == "alert" and summary.get("tabindex") == "-1"
    assert "autofocus" in summary
    assert page.title.startswith("Error: "), page.title  # what a screen reader says first
    heading = summary.get("aria-labelledby", "")
    assert page.texts_by_id.get(heading), "the summary has no heading"
    hrefs = [href for href, _ in page.links]
    assert hrefs == [f"#{name}" for name in expected_fields], hrefs
    for href, text in page.links:
        target = href[1:]
        assert target in page.by_id, f"{href} leads nowhere"
        tag, attrs = page.by_id[target]
        assert tag in ("input", "select", "textarea"), f"{href} is a {tag}"
        assert attrs.get("aria-invalid") == "true", f"{href} is not marked invalid"
        described = attrs.get("aria-describedby", "").split()
        messages = [page.texts_by_id.get(i, "") for i in described if i.endswith("-error")]
        assert messages, f"{href} is described by no error message"
        assert any(text in message for message in messages), (text, messages)
    return page
