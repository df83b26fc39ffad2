"""Reader side: articles with Spanish fallback, sanitizing, votes, views, print view."""

from __future__ import annotations

import httpx2
from sqlalchemy import func, select

from knowledge_base.models import Article, ArticleView, ArticleVote, ContentChange
from tests.support.http import Browser, page_text, parse

BROWSER_UA = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"


async def test_article_in_the_readers_language(client, kb_articles) -> None:
    slug = kb_articles["guide"]
    response = await client.get(f"/ayuda/articulo/{slug}", headers={"Cookie": "lang=ht"})
    assert response.status_code == 200
    text = page_text(response.text)
    assert "Telechaje so elektwonik ksilofòn la" in text and "Antre sou sit la" in text
    assert "Descargar el estampado del xilófono" not in text


async def test_missing_translation_falls_back_to_spanish_with_a_note(client, kb_articles) -> None:
    slug = kb_articles["guide"]
    response = await client.get(f"/ayuda/articulo/{slug}", headers={"Cookie": "lang=en"})
    assert response.status_code == 200
    html = response.text
    assert "Descargar el estampado del xilófono" in page_text(html)
    assert '<h1 lang="es">' in html  # the Spanish text is marked as Spanish
    assert parse(html).html_lang == "en"
    assert f"/ayuda/articulo/{slug}?texto=ht" in html  # the languages that exist are offered


async def test_script_and_javascript_links_never_reach_readers(client, kb_articles) -> None:
    html = (await client.get(f"/ayuda/articulo/{kb_articles['unsafe']}")).text
    body = html[html.index('<div class="article-body"') :]
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    assert 'href="javascript' not in body.lower()  # the link text stays, never as a link
    assert "<img" not in body  # raw HTML in the source is shown as text
    assert '<a href="https://www.gob.cl" rel="noopener noreferrer">bien</a>' in body


async def test_view_counted_once_per_reader_per_day_and_bots_excluded(
    app, kb_articles, sessionmaker
) -> None:
    slug = kb_articles["plain"]

    async def views() -> int:
        await app.state.view_counts.flush(sessionmaker)  # views are written in batches
        async with sessionmaker() as db:
            article_id = await db.scalar(select(Article.id).where(Article.slug == slug))
            return int(
                await db.scalar(
                    select(func.count())
                    .select_from(ArticleView)
                    .where(ArticleView.article_id == article_id)
                )
                or 0
            )

    before = await views()
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for _ in range(3):
            assert (
                await http.get(f"/ayuda/articulo/{slug}", headers={"User-Agent": BROWSER_UA})
            ).status_code == 200
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await other.get(f"/ayuda/articulo/{slug}", headers={"User-Agent": BROWSER_UA})
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as bot:
        await bot.get(f"/ayuda/articulo/{slug}", headers={"User-Agent": "Googlebot/2.1"})
    assert await views() == before + 2


async def test_one_vote_per_reader_without_javascript(app, kb_articles, sessionmaker) -> None:
    slug = kb_articles["plain"]
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        reader = Browser(http)
        page = f"/ayuda/articulo/{slug}"
        first = await reader.submit(
            f"{page}/voto", {"helpful": "0", "comment": "No entendí el paso 2"}, page=page
        )
        assert first.status_code == 303 and first.headers["location"].endswith("gracias=1#voto")
        thanks = await reader.get(first.headers["location"])
        assert "Gracias por su opinión" in page_text(thanks.text)
        second = await reader.submit(f"{page}/voto", {"helpful": "1"}, page=page)
        assert second.status_code == 303
        bad = await reader.submit(f"{page}/voto", {"helpful": "tal vez"}, page=page)
        assert bad.status_code == 422
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        other = Browser(http)
        await other.submit(
            f"/ayuda/articulo/{slug}/voto", {"helpful": "0"}, page=f"/ayuda/articulo/{slug}"
        )
    async with sessionmaker() as db:
        article_id = await db.scalar(select(Article.id).where(Article.slug == slug))
        votes = (
            await db.scalars(select(ArticleVote).where(ArticleVote.article_id == article_id))
        ).all()
    assert sorted(v.helpful for v in votes) == [False, True]  # the first reader changed their vote


async def test_vote_with_htmx_returns_the_fragment(client, kb_articles) -> None:
    slug = kb_articles["plain"]
    token = await client.csrf(f"/ayuda/articulo/{slug}")
    response = await client.post(
        f"/ayuda/articulo/{slug}/voto",
        data={"helpful": "1", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="voto"')
    assert "Gracias por su opinión" in page_text(response.text)


async def test_print_view_and_category_page(client, kb_articles) -> None:
    printed = await client.get(f"/ayuda/articulo/{kb_articles['guide']}/imprimir")
    assert printed.status_code == 200 and "Entre al sitio" in page_text(printed.text)
    assert "csrf_token" not in printed.text
    category = await client.get("/ayuda/tema/estampado_electronico")
    assert f"/ayuda/articulo/{kb_articles['guide']}" in category.text
    assert (await client.get("/ayuda/tema/no-existe")).status_code == 404
    assert (await client.get("/ayuda/articulo/no-existe")).status_code == 404


async def test_related_articles_and_tramites_are_shown(client, kb_articles) -> None:
    html = (await client.get(f"/ayuda/articulo/{kb_articles['guide']}")).text
    assert f"/ayuda/articulo/{kb_articles['plain']}" in html
    assert "Descarga del estampado electrónico" in page_text(html)


async def test_outdated_translation_is_flagged_to_readers(
    client, kb_articles, sessionmaker
) -> None:
    from knowledge_base.models import Translation, TranslationVersion

    slug = kb_articles["guide"]
    before = await client.get(f"/ayuda/articulo/{slug}", headers={"Cookie": "lang=ht"})
    assert 'class="alert" role="note"' not in before.text
    async with sessionmaker() as db, db.begin():
        article_id = await db.scalar(select(Article.id).where(Article.slug == slug))
        spanish = await db.scalar(
            select(Translation).where(
                Translation.article_id == article_id, Translation.locale == "es"
            )
        )
        assert spanish is not None
        old = await db.get(TranslationVersion, spanish.published_version_id)
        assert old is not None
        version = TranslationVersion(
            translation_id=spanish.id,
            number=2,
            title=old.title,
            summary=old.summary,
            body_md=old.body_md,
            steps=old.steps,
            transcript=old.transcript,
        )
        db.add(version)
        await db.flush()
        spanish.published_version_id = version.id
        db.add(ContentChange(article_id=article_id))  # as every publish does
    outdated = await client.get(f"/ayuda/articulo/{slug}", headers={"Cookie": "lang=ht"})
    assert f'href="/ayuda/articulo/{slug}?texto=es"' in outdated.text
    assert 'class="alert" role="note"' in outdated.text
    current = await client.get(f"/ayuda/articulo/{slug}", headers={"Cookie": "lang=es"})
    assert 'class="alert" role="note"' not in current.text
