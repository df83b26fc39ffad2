"""A help article's related trámites are named in the reader's language, in Spanish (marked
lang="es") where the trámite has no name in it."""

from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import delete

from helpdesk.reference.models import TramiteName
from helpdesk.reference.tramite_names import TRAMITE_NAMES


class _Related(HTMLParser):
    """The items of the "related trámites" list: (lang attribute, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str | None, str]] = []
        self._in_section = False
        self._in_item = False
        self._lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and values.get("aria-labelledby") == "tramites-title":
            self._in_section = True
        elif tag == "li" and self._in_section:
            self._in_item, self._lang = True, values.get("lang")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._in_section = False

    def handle_data(self, data: str) -> None:
        if self._in_item and data.strip():
            self.items.append((self._lang, data.strip()))
            self._in_item = False


async def related(client, slug: str, locale: str) -> list[tuple[str | None, str]]:
    page = await client.get(f"/ayuda/articulo/{slug}", headers={"Cookie": f"lang={locale}"})
    assert page.status_code == 200
    parser = _Related()
    parser.feed(page.text)
    return parser.items


async def test_related_tramites_in_the_readers_language(client, kb_articles, sessionmaker) -> None:
    slug = kb_articles["guide"]  # related to estampado-descarga
    names = TRAMITE_NAMES["estampado-descarga"]
    assert await related(client, slug, "es") == [(None, "Descarga del estampado electrónico")]
    assert await related(client, slug, "ht") == [(None, names["ht"])]
    assert await related(client, slug, "zh") == [(None, names["zh"])]
    async with sessionmaker() as db, db.begin():
        await db.execute(
            delete(TramiteName).where(
                TramiteName.tramite_code == "estampado-descarga", TramiteName.locale == "ru"
            )
        )
    try:
        assert await related(client, slug, "ru") == [("es", "Descarga del estampado electrónico")]
    finally:
        async with sessionmaker() as db, db.begin():
            db.add(TramiteName(tramite_code="estampado-descarga", locale="ru", name=names["ru"]))
