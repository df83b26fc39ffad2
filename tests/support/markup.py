"""Checking that user data stayed data in a page: no element, attribute or URL was injected.

Pages are parsed, not searched as strings: escaped text is read back as the text the person
sees, and an injected tag shows up as an element however it was spelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements our pages never write and a payload would bring in.
FOREIGN_ELEMENTS = frozenset({"svg", "math", "iframe", "frame", "object", "embed", "base"})
# Attributes a browser (or htmx) follows as a URL or a request.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "poster", "data", "background", "xlink:href"}
    | {"hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"}
)
SCRIPT_PREFIX = "/static/"  # the only scripts: our own files (htmx), never inline


@dataclass
class Parsed:
    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    script_texts: list[str] = field(default_factory=list)
    tagged: list[tuple[str, str]] = field(default_factory=list)  # (innermost tracked tag, text)

    @property
    def text(self) -> str:
        """The page's text, nodes joined by newlines (a payload escaped whole stays whole)."""
        return "\n".join(self.texts)

    def values(self, name: str) -> list[str]:
        return [attrs[name] for _, attrs in self.elements if name in attrs]

    def element_texts(self, tag: str) -> list[str]:
        """Text directly inside each ``tag`` (textarea, option, a, title...)."""
        return [text for text_tag, text in self.tagged if text_tag == tag]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = Parsed()
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.result.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("script", "textarea", "title", "pre", "option", "a", "code"):
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.result.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] == "script":
            self.result.script_texts.append(data)
            return
        self.result.texts.append(data)
        if self._open:
            self.result.tagged.append((self._open[-1], data))


def parse_page(html: str) -> Parsed:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.result


def injected(html: str) -> list[str]:
    """What a payload would have added to the page, described; empty when nothing was."""
    parsed = parse_page(html)
    problems: list[str] = []
    for tag, attrs in parsed.elements:
        if tag == "script" and not attrs.get("src", "").startswith(SCRIPT_PREFIX):
            problems.append(f"inline or foreign <script {attrs}>")
        if tag in FOREIGN_ELEMENTS:
            problems.append(f"<{tag}> element")
        if tag == "img" and attrs.get("src") == "x":
            problems.append("<img src=x>")
        for name, value in attrs.items():
            if name.startswith("on") or name.startswith("hx-on"):
                problems.append(f"<{tag} {name}=...> event handler")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                problems.append(f"<{tag} {name}={value!r}> javascript: URL")
    problems += [f"script text {t!r}" for t in parsed.script_texts if t.strip()]
    return problems


def assert_inert(html: str, where: str) -> Parsed:
    """Fails with what was injected into ``where``; returns the parsed page for more checks."""
    problems = injected(html)
    assert not problems, f"{where}: " + "; ".join(problems)
    return parse_page(html)
