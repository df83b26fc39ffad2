"""Article views: noted in memory by the page, written in batches, correct across processes."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import httpx2
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from helpdesk.core.db import make_engine, make_sessionmaker
from knowledge_base.models import Article, ArticleView
from knowledge_base.view_counts import ViewCounts
from tests.conftest import make_app

BROWSER_UA = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"
DAY = date(2026, 12, 6)


async def views_of(sessionmaker, article_id: int) -> int:
    async with sessionmaker() as db:
        return int(
            await db.scalar(
                select(func.count())
                .select_from(ArticleView)
                .where(ArticleView.article_id == article_id)
            )
            or 0
        )


async def article_id(sessionmaker, slug: str) -> int:
    async with sessionmaker() as db:
        found = await db.scalar(select(Article.id).where(Article.slug == slug))
    assert found is not None
    return int(found)


async def read(app, slug: str, times: int = 1, user_agent: str = BROWSER_UA) -> None:
    """``times`` visits by one new reader (one cookie jar)."""
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for _ in range(times):
            response = await http.get(f"/ayuda/articulo/{slug}", headers={"User-Agent": user_agent})
            assert response.status_code == 200


async def test_the_page_writes_nothing_and_the_flush_writes_each_view_once(
    app, kb_articles, sessionmaker
) -> None:
    slug = kb_articles["guide"]
    found = await article_id(sessionmaker, slug)
    await app.state.view_counts.flush(sessionmaker)  # what earlier tests left
    before = await views_of(sessionmaker, found)
    await read(app, slug, times=3)
    await read(app, slug)
    await read(app, slug, user_agent="Googlebot/2.1")
    assert await views_of(sessionmaker, found) == before  # no write per request
    assert await app.state.view_counts.flush(sessionmaker) == 2
    assert await views_of(sessionmaker, found) == before + 2
    assert await app.state.view_counts.flush(sessionmaker) == 0


async def test_two_app_processes_both_count_and_a_reader_stays_one_view(
    settings, kb_articles, sessionmaker
) -> None:
    slug = kb_articles["plain"]
    found = await article_id(sessionmaker, slug)
    first, second = make_app(settings), make_app(settings)
    try:
        before = await views_of(sessionmaker, found)
        await read(first, slug)
        await read(second, slug)
        await read(second, slug)
        # One reader whose visits landed on both processes: one view, whoever flushes first.
        transport_one = httpx2.ASGITransport(app=first)
        transport_two = httpx2.ASGITransport(app=second)
        headers = {"User-Agent": BROWSER_UA}
        async with httpx2.AsyncClient(transport=transport_one, base_url="http://t") as one:
            await one.get(f"/ayuda/articulo/{slug}", headers=headers)
            cookie = one.cookies["rid"]
        async with httpx2.AsyncClient(transport=transport_two, base_url="http://t") as two:
            two.cookies.set("rid", cookie)
            await two.get(f"/ayuda/articulo/{slug}", headers=headers)
        assert first.state.view_counts.pending == 2 and second.state.view_counts.pending == 3
        await second.state.view_counts.flush(sessionmaker)
        await first.state.view_counts.flush(sessionmaker)
        assert await views_of(sessionmaker, found) == before + 4
    finally:
        await first.state.engine.dispose()
        await second.state.engine.dispose()


async def test_background_flush_by_time_and_at_shutdown(kb_articles, sessionmaker) -> None:
    found = await article_id(sessionmaker, kb_articles["unsafe"])
    before = await views_of(sessionmaker, found)
    counts = ViewCounts()
    async with counts.flushing(sessionmaker, every=0.05):
        counts.note(found, uuid.uuid4().hex, "es", DAY)
        await asyncio.sleep(0.4)
        assert counts.pending == 0
        assert await views_of(sessionmaker, found) == before + 1
        counts.note(found, uuid.uuid4().hex, "es", DAY)  # written by the final flush
    assert await views_of(sessionmaker, found) == before + 2


async def test_many_waiting_views_are_flushed_without_waiting_for_the_interval(
    kb_articles, sessionmaker
) -> None:
    found = await article_id(sessionmaker, kb_articles["unsafe"])
    before = await views_of(sessionmaker, found)
    counts = ViewCounts(flush_size=3)
    async with counts.flushing(sessionmaker, every=60):
        for _ in range(3):
            counts.note(found, uuid.uuid4().hex, "es", DAY)
        for _ in range(100):
            if counts.pending == 0:
                break
            await asyncio.sleep(0.02)
        assert counts.pending == 0
        assert await views_of(sessionmaker, found) == before + 3


async def test_views_are_kept_when_the_database_fails(kb_articles, sessionmaker, tmp_path) -> None:
    found = await article_id(sessionmaker, kb_articles["unsafe"])
    before = await views_of(sessionmaker, found)
    counts = ViewCounts()
    reader = uuid.uuid4().hex
    counts.note(found, reader, "es", DAY)
    counts.note(found, reader, "es", DAY)  # the same view twice: one row
    nowhere = make_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/folder.sqlite3")
    try:
        with pytest.raises(DBAPIError):
            await counts.flush(make_sessionmaker(nowhere))
    finally:
        await nowhere.dispose()
    assert counts.pending == 1
    assert await counts.flush(sessionmaker) == 1
    assert await views_of(sessionmaker, found) == before + 1
