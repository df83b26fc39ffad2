"""Markdown to safe HTML (markdown-it-py, then nh3), and to plain text for search."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt(
    "commonmark", {"html": False, "linkify": False, "typographer": False}
).enable("table")

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "code",
    "pre",
    "blockquote",
    "br",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
# Only these schemes survive: no javascript:, data: or vbscript: links.
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


@lru_cache(maxsize=4096)
def to_html(markdown: str) -> str:
    """Safe HTML for readers: raw HTML in the source is escaped by markdown-it, and nh3 then
    removes anything outside the allow-list (scripts, event handlers, dangerous URLs)."""
    html = _markdown.render(markdown)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
    )


_SPACE = re.compile(r"\s+")
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|td|th|tr|blockquote|pre)>")


def to_text(markdown: str) -> str:
    """Plain text for the search index and snippets (escape it again before showing it)."""
    rendered = _BLOCK_END.sub(r"\g<0> ", _markdown.render(markdown))  # keep blocks' words apart
    return _SPACE.sub(" ", html.unescape(nh3.clean(rendered, tags=set()))).strip()
