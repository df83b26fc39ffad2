"""What the home page costs a visitor on a slow phone connection, counted as a browser
receives it: compressed bodies plus response headers.

First visit: the page and everything it links to in <head> (styles, scripts, icon).
Repeat visit: the page again, with the first visit's cookies; everything else it links to was
marked immutable, so a browser takes it from its cache without asking.
"""

from __future__ import annotations

from html.parser import HTMLParser

import httpx2

from helpdesk.core.static_files import IMMUTABLE

FIRST_VISIT_BUDGET = 30 * 1024
REPEAT_VISIT_BUDGET = 6 * 1024
BROWSER = {
    "User-Agent": "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile",
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Accept-Language": "es-CL,es;q=0.9",
}


class _Subresources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("rel") in ("stylesheet", "icon") and values.get("href"):
            self.urls.append(str(values["href"]))
        if tag in ("script", "img") and values.get("src"):
            self.urls.append(str(values["src"]))


def subresources(html: str) -> list[str]:
    finder = _Subresources()
    finder.feed(html)
    return finder.urls


async def transferred(http: httpx2.AsyncClient, url: str) -> tuple[int, httpx2.Response]:
    """Bytes on the wire for the response: status line, headers and the body as sent."""
    async with http.stream("GET", url, headers=BROWSER) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    head = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n") + 2
    head += sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
    return head + len(body), response


async def test_home_page_weight_on_a_first_and_a_repeat_visit(app) -> None:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        page_bytes, page = await transferred(http, "/")
        assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
        html = (await http.get("/", headers=BROWSER)).text
        first = page_bytes
        urls = subresources(html)
        assert any(u.endswith(".css") for u in urls)
        for url in urls:
            size, response = await transferred(http, url)
            assert response.status_code == 200, url
            # Every subresource is cached for good: a repeat visit fetches none of them.
            assert response.headers["cache-control"] == IMMUTABLE, url
            first += size
        repeat, again = await transferred(http, "/")
        assert again.status_code == 200
    print(f"home page: first visit {first} bytes, repeat visit {repeat} bytes")
    assert first < FIRST_VISIT_BUDGET
    assert repeat < REPEAT_VISIT_BUDGET
