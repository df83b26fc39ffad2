"""Searching articles made through the models, in an index built from the test database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_base.documents import published_documents
from knowledge_base.search.index import KnowledgeIndex, build_generation
from knowledge_base.search.query import MAX_QUERY_CHARS, normalize_query
from knowledge_base.search.state import SyncState
from tests.knowledge_base.search.conftest import Editor, Text


@dataclass(frozen=True)
class Corpus:
    index: KnowledgeIndex
    category: str  # every article here is in it: searches filtered on it see only these
    other_category: str
    ids: dict[str, int]

    def search(self, query: str, locale: str = "es", **filters: str) -> list:
        filters.setdefault("category", self.category)
        return self.index.search_now(query, locale, limit=10, **filters)

    def slugs(self, query: str, locale: str = "es", **filters: str) -> list[str]:
        return [hit.slug.rsplit("--", 1)[0] for hit in self.search(query, locale, **filters)]


@pytest.fixture(scope="module")
async def corpus(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Corpus]:
    tag = uuid.uuid4().hex[:8]
    category, other = f"test-{tag}", f"test-other-{tag}"
    editor = Editor(sessionmaker)
    articles = {
        "residencia": (
            {
                "es": Text(
                    "Residencia definitiva",
                    "Quién puede pedir la residencia definitiva.",
                    "La residencia definitiva permite vivir en Chile sin plazo.",
                ),
                "ht": Text(
                    "Rezidans definitif",
                    "Ki moun ki ka mande rezidans definitif.",
                    "Rezidans definitif pèmèt ou viv nan Chili san limit.",
                ),
            },
            "ficha",
            category,
        ),
        "cedula": (
            {
                "es": Text(
                    "Cómo obtener la cédula",
                    "El documento del Registro Civil.",
                    "Pida su cédula de identidad después del estampado.",
                )
            },
            "guia",
            category,
        ),
        "permanencia": (
            {
                "es": Text(
                    "Permanencia transitoria",
                    "Para turistas que visitan Chile.",
                    "Una estadía corta como turista.",
                )
            },
            "tip",
            category,
        ),
        "chino": (
            {
                "es": Text("Permanencia larga", "Texto en español.", "Sin más detalles."),
                "zh": Text(
                    "长期居留",
                    "如何申请永久居留。",
                    "外国人可以在智利申请永久居留，需要准备材料。",
                ),
            },
            "ficha",
            category,
        ),
        "script": (
            {
                "es": Text(
                    "Un aviso",
                    "Texto del aviso.",
                    'Mensaje <script>alert("x")</script> zorblaxio & más <b>negrita</b>.',
                )
            },
            "ficha",
            category,
        ),
        "otra-categoria": (
            {"es": Text("Residencia en otra categoría", "Residencia.", "Residencia.")},
            "ficha",
            other,
        ),
    }
    ids = {}
    for slug, (texts, type_, cat) in articles.items():
        ids[slug] = await editor.publish(f"{slug}--{tag}", texts, type=type_, category=cat)
    directory = tmp_path_factory.mktemp("kb") / "kb-index"
    # Only this corpus: the shared test database may hold the shipped articles too, and a
    # vocabulary that depends on test order would make typo expansion order-dependent.
    async with sessionmaker() as db:
        documents = await published_documents(db, ids.values())
    build_generation(directory, documents, SyncState())
    index = KnowledgeIndex(directory, sync_interval=0)
    yield Corpus(index, category, other, ids)
    index.close()


async def test_stemming_finds_other_forms(corpus: Corpus) -> None:
    assert corpus.slugs("residencias")[0] == "residencia"
    assert corpus.slugs("definitivas")[0] == "residencia"


@pytest.mark.parametrize("typo", ["recidencia", "residensia", "recidencias definitvas"])
async def test_typos_still_find_the_article(corpus: Corpus, typo: str) -> None:
    assert corpus.slugs(typo)[:1] == ["residencia"]


async def test_accents_do_not_matter(corpus: Corpus) -> None:
    assert corpus.slugs("CEDULA")[:1] == ["cedula"]
    assert corpus.slugs("cédula")[:1] == ["cedula"]


async def test_synonyms_find_the_article_under_another_name(corpus: Corpus) -> None:
    # The article says "cédula", never "carnet"; it says "turistas", never "visa de turista".
    assert corpus.slugs("carnet")[:1] == ["cedula"]
    assert corpus.slugs("carnet de extranjería")[:1] == ["cedula"]
    assert corpus.slugs("tourist", "en")[:1] == ["permanencia"]


async def test_chinese_words_find_an_article_with_the_longer_phrase(corpus: Corpus) -> None:
    hits = corpus.search("永久居留", "zh")
    assert [h.slug.rsplit("--", 1)[0] for h in hits][:1] == ["chino"]
    assert hits[0].locale == "zh"
    assert hits[0].fallback is False
    assert "<mark>" in hits[0].snippet


async def test_reader_language_first_with_its_own_text(corpus: Corpus) -> None:
    hits = corpus.search("rezidans definitif", "ht")
    assert hits[0].slug.startswith("residencia--")
    assert (hits[0].locale, hits[0].title, hits[0].fallback) == ("ht", "Rezidans definitif", False)
    assert "<mark>rezidans</mark>" in hits[0].snippet.lower()


async def test_spanish_match_shows_the_readers_translation_when_there_is_one(
    corpus: Corpus,
) -> None:
    hits = corpus.search("residencia definitiva", "ht")
    assert hits[0].slug.startswith("residencia--")
    assert (hits[0].locale, hits[0].fallback) == ("ht", False)


async def test_spanish_fallback_is_marked(corpus: Corpus) -> None:
    hits = corpus.search("cédula", "ht")
    assert hits[0].slug.startswith("cedula--")
    assert (hits[0].locale, hits[0].fallback) == ("es", True)
    assert hits[0].title == "Cómo obtener la cédula"
    hits = corpus.search("cédula", "fr")
    assert (hits[0].locale, hits[0].fallback) == ("es", True)


async def test_snippet_escapes_content_and_marks_matches(corpus: Corpus) -> None:
    hits = corpus.search("zorblaxio")
    assert len(hits) == 1
    html = str(hits[0].snippet)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html or (
        '&lt;script&gt;alert("x")&lt;/script&gt;' in html
    )
    assert "<mark>zorblaxio</mark>" in html
    assert "&amp;" in html
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


async def test_category_and_type_filters(corpus: Corpus) -> None:
    assert "otra-categoria" not in corpus.slugs("residencia")
    assert corpus.slugs("residencia", category=corpus.other_category) == ["otra-categoria"]
    assert corpus.slugs("cédula residencia", type="guia") == ["cedula"]
    assert corpus.slugs("cédula residencia", type="video") == []
    hit = corpus.search("cédula")[0]
    assert (hit.type, hit.category) == ("guia", corpus.category)
    assert hit.article_id == corpus.ids["cedula"]
    assert hit.score > 0


@pytest.mark.parametrize("query", ["", "   ", "¿?!", "de la el", "mwen ou li", "the of and"])
async def test_empty_or_stop_word_queries_find_nothing(corpus: Corpus, query: str) -> None:
    locale = "ht" if query.startswith("mwen") else "en" if query.startswith("the") else "es"
    assert corpus.search(query, locale) == []


async def test_very_long_queries_are_cut(corpus: Corpus) -> None:
    long_query = "residencia " + "palabra " * 5000
    assert len(normalize_query(long_query)) <= MAX_QUERY_CHARS
    assert corpus.slugs(long_query)[:1] == ["residencia"]


async def test_unknown_locale_searches_as_spanish(corpus: Corpus) -> None:
    assert corpus.search("cédula", "pt")[0].locale == "es"


async def test_search_syncs_with_the_database(corpus: Corpus, db: AsyncSession) -> None:
    hits = await corpus.index.search(db, "zorblaxio", "es", category=corpus.category)
    assert [h.slug.rsplit("--", 1)[0] for h in hits] == ["script"]


def test_index_directory_is_a_link_to_a_generation(corpus: Corpus) -> None:
    directory = Path(corpus.index.directory)
    assert directory.is_symlink()
    assert directory.resolve().name.startswith("kb-index.gen-")
