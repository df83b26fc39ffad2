"""The article page is read from the database once and kept until the content changes."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx2
from sqlalchemy import event, select, update

from knowledge_base.article_cache import ArticleCache
from knowledge_base.content_loader import load_content
from knowledge_base.models import Article, ContentChange, Translation, TranslationVersion
from tests.knowledge_base.conftest import write_article
from tests.support.http import Browser, page_text

BROWSER_UA = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"


class StatementCounter:
    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine.sync_engine
        self.statements: list[str] = []

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        self.statements.append(statement)


async def first_visit(app, path: str, **headers: str) -> httpx2.Response:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get(path, headers={"User-Agent": BROWSER_UA, **headers})


async def test_a_kept_article_page_costs_no_database_statement(app, kb_articles) -> None:
    path = f"/ayuda/articulo/{kb_articles['guide']}"
    assert (await first_visit(app, path)).status_code == 200
    with StatementCounter(app.state.engine) as counter:
        response = await first_visit(app, path)
    assert response.status_code == 200
    assert "Descargar el estampado del xilófono" in page_text(response.text)
    # At most the once-a-second look at the newest content change.
    assert len(counter.statements) <= 1
    assert all("kb_changes" in s for s in counter.statements)


async def test_a_returning_reader_who_never_voted_costs_no_statement_either(
    app, kb_articles
) -> None:
    path = f"/ayuda/articulo/{kb_articles['plain']}"
    assert (await first_visit(app, path)).status_code == 200
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        headers = {"User-Agent": BROWSER_UA}
        await http.get(path, headers=headers)
        assert http.cookies.get("rid")  # a returning reader from now on
        with StatementCounter(app.state.engine) as counter:
            again = await http.get(path, headers=headers)
    assert again.status_code == 200
    assert all("kb_changes" in s for s in counter.statements)


async def test_each_language_gets_its_own_text_from_the_cache(app, kb_articles) -> None:
    path = f"/ayuda/articulo/{kb_articles['guide']}"
    for _ in range(2):
        creole = await first_visit(app, path, Cookie="lang=ht")
        spanish = await first_visit(app, path, Cookie="lang=es")
        spanish_text = await first_visit(app, path + "?texto=es", Cookie="lang=ht")
        assert "Telechaje so elektwonik ksilofòn la" in page_text(creole.text)
        assert "Descargar el estampado del xilófono" in page_text(spanish.text)
        assert "Descargar el estampado del xilófono" in page_text(spanish_text.text)


async def test_a_published_change_reaches_readers_and_nothing_else_does(
    app, sessionmaker, tmp_path: Path
) -> None:
    slug = f"cache-{uuid.uuid4().hex[:8]}"
    write_article(
        tmp_path, slug, 'type = "ficha"\ncategory = "multas"\n',
        {"es": '+++\ntitle = "Título primero"\nsummary = "Uno."\n+++\nTexto.'},
    )  # fmt: skip
    async with sessionmaker() as db, db.begin():
        await load_content(db, tmp_path)
    kept = app.state.article_cache
    app.state.article_cache = ArticleCache(check_every=0.0)
    try:
        path = f"/ayuda/articulo/{slug}"
        assert "Título primero" in page_text((await first_visit(app, path)).text)
        async with sessionmaker() as db, db.begin():
            article = await db.scalar(select(Article).where(Article.slug == slug))
            assert article is not None
            version_id = await db.scalar(
                select(Translation.published_version_id).where(Translation.article_id == article.id)
            )
            await db.execute(
                update(TranslationVersion)
                .where(TranslationVersion.id == version_id)
                .values(title="Título segundo")
            )
        # Written behind the workflow's back (no content change): readers keep the kept page.
        assert "Título primero" in page_text((await first_visit(app, path)).text)
        async with sessionmaker() as db, db.begin():
            db.add(ContentChange(article_id=article.id))  # what every publish adds
        assert "Título segundo" in page_text((await first_visit(app, path)).text)
    finally:
        app.state.article_cache = kept


async def test_a_reader_who_voted_sees_their_vote_and_others_do_not(app, kb_articles) -> None:
    slug = kb_articles["unsafe"]
    page = f"/ayuda/articulo/{slug}"
    assert (await first_visit(app, page)).status_code == 200  # the page is kept
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        reader = Browser(http)
        voted = await reader.submit(f"{page}/voto", {"helpful": "0"}, page=page)
        assert voted.status_code == 303
        again = await reader.get(page)
    assert "Usted respondió que no le sirvió" in page_text(again.text)
    assert "Usted respondió" not in page_text((await first_visit(app, page)).text)
