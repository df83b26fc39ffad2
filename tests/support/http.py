"""A thin browser-like wrapper: finds the CSRF token in pages and posts forms with it."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import httpx2


class _FormFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.csrf: str | None = None
        self.html_lang: str | None = None
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang")
        if tag == "input" and values.get("name") == "csrf_token" and self.csrf is None:
            self.csrf = values.get("value")
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def parse(html: str) -> _FormFinder:
    finder = _FormFinder()
    finder.feed(html)
    return finder


def page_text(html: str) -> str:
    return " ".join(parse(html).texts)


@dataclass
class Browser:
    http: httpx2.AsyncClient

    async def get(self, url: str, **kw: Any) -> httpx2.Response:
        return await self.http.get(url, **kw)

    async def csrf(self, url: str = "/") -> str:
        response = await self.http.get(url)
        token = parse(response.text).csrf
        assert token, f"no CSRF token on {url}"
        return token

    async def submit(
        self, url: str, data: dict[str, Any], page: str | None = None, **kw: Any
    ) -> httpx2.Response:
        """Loads the form's page for a token, then posts the form like a browser would."""
        token = await self.csrf(page or url)
        return await self.http.post(url, data={**data, "csrf_token": token}, **kw)

    async def post(self, url: str, **kw: Any) -> httpx2.Response:
        return await self.http.post(url, **kw)
