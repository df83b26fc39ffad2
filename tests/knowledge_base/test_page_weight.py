"""The article page's weight on a first visit: it loads htmx (for the vote) and still stays
within the home page's budget."""

from __future__ import annotations

import httpx2

from helpdesk.core.static_files import IMMUTABLE
from tests.helpdesk.pages.test_page_weight import (
    BROWSER,
    FIRST_VISIT_BUDGET,
    REPEAT_VISIT_BUDGET,
    subresources,
    transferred,
)


async def test_an_article_page_with_htmx_stays_within_the_first_visit_budget(
    app, kb_articles
) -> None:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        path = f"/ayuda/articulo/{kb_articles['guide']}"
        total, _page = await transferred(http, path)
        html = (await http.get(path, headers=BROWSER)).text
        urls = subresources(html)
        assert any("htmx" in u for u in urls)
        for url in urls:
            size, response = await transferred(http, url)
            assert response.headers["cache-control"] == IMMUTABLE, url
            total += size
        repeat, _again = await transferred(http, path)
    print(f"article page: first visit {total} bytes, repeat visit {repeat} bytes")
    assert total < FIRST_VISIT_BUDGET
    assert repeat < REPEAT_VISIT_BUDGET
