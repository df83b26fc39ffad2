"""A message as people read it: their line breaks kept, web addresses made links.

Messages are plain text written by people and agents. markdown-it-py, with every rule off but
linkify and line breaks, escapes the text and turns http(s) addresses into links; nh3 then
keeps only paragraphs, breaks and links to http or https, each with ``rel="noopener
nofollow"`` (no other scheme, so neither ``javascript:`` nor ``mailto:`` becomes a link).
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("zero", {"linkify": True, "breaks": True}).enable(["linkify", "newline"])
# Only web addresses become links: an email address or an ftp:// one stays text.
_MARKDOWN.validateLink = lambda url: url.lower().startswith(("http://", "https://"))  # type: ignore[method-assign]
_TAGS = {"p", "br", "a"}


@lru_cache(maxsize=4096)  # a conversation is rendered again on every visit
def message_html(text: str) -> Markup:
    html = _MARKDOWN.render(text)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="noopener nofollow",
    )
    return Markup(clean)  # noqa: S704  (nh3 has just sanitized it)
