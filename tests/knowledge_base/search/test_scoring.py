"""Score combination (DisMax, coordination) and per-language length normalisation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import query as q
from whoosh.searching import Searcher

from knowledge_base.documents import IndexDocument, LocalizedText
from knowledge_base.search.analyzers import terms
from knowledge_base.search.combine import CoordinatedOr, DisMax
from knowledge_base.search.index import apply_changes, open_or_create, open_searcher


def _document(article_id: int, texts: dict[str, tuple[str, str]]) -> IndexDocument:
    return IndexDocument(
        article_id,
        f"doc-{article_id}",
        "ficha",
        "otros",
        (),
        {loc: LocalizedText(loc, title, "", body, 1, None) for loc, (title, body) in texts.items()},
    )


@pytest.fixture
def searcher(tmp_path: Path) -> Iterator[Searcher]:
    index = open_or_create(tmp_path / "kb-index")
    documents = [
        _document(1, {"es": ("Alfa beta", "alfa beta gama")}),
        _document(2, {"es": ("Alfa", "alfa alfa alfa alfa")}),
        _document(3, {"es": ("Otra cosa", "beta")}),
        # Long Spanish texts in many articles, one short Chinese one: Chinese field lengths
        # must be compared with Chinese texts only.
        *[_document(10 + n, {"es": ("Relleno", "palabra " * 300)}) for n in range(8)],
        _document(30, {"zh": ("永久居留", "申请永久居留"), "es": ("Residencia", "residencia")}),
    ]
    apply_changes(index, [d.article_id for d in documents], documents, [1])
    with open_searcher(index) as opened:
        yield opened


def term(field: str, word: str) -> q.Term:
    return q.Term(field, terms("es", word)[0])  # as the index holds it (stemmed)


def scores(searcher: Searcher, query: q.Query) -> dict[str, float]:
    return {hit["slug"]: hit.score for hit in searcher.search(query, limit=None)}


def test_dismax_scores_each_document_by_its_own_best_part(searcher: Searcher) -> None:
    title, body = term("title_es", "alfa"), term("body_es", "alfa")
    separate = [scores(searcher, title), scores(searcher, body)]
    best = scores(searcher, DisMax([title, body]))
    summed = scores(searcher, DisMax([title, body], tiebreak=1.0))
    for slug in ("doc-1", "doc-2"):
        parts = [s[slug] for s in separate]
        assert best[slug] == pytest.approx(max(parts))
        assert summed[slug] == pytest.approx(sum(parts))
    assert len({round(v, 6) for v in best.values()}) == 2  # not one score for all


def test_coordination_scales_by_the_share_of_concepts_matched(searcher: Searcher) -> None:
    alfa, beta = term("body_es", "alfa"), term("body_es", "beta")
    plain = scores(searcher, q.Or([alfa, beta]))
    coordinated = scores(searcher, CoordinatedOr([alfa, beta]))
    assert coordinated["doc-1"] == pytest.approx(plain["doc-1"])  # both concepts
    assert coordinated["doc-2"] == pytest.approx(plain["doc-2"] / 2)  # one of two
    assert coordinated["doc-3"] == pytest.approx(plain["doc-3"] / 2)
    squared = scores(searcher, CoordinatedOr([alfa, beta], power=2.0))
    assert squared["doc-2"] == pytest.approx(plain["doc-2"] / 4)


def test_language_fields_are_normalised_by_their_own_average_length(searcher: Searcher) -> None:
    # With whoosh's average over all 12 documents, the Chinese body would look 12 times
    # longer than average; over the one document that has Chinese text it is average.
    reader = searcher.reader()
    assert reader.doc_frequency("locales", "zh") == 1
    weighting = searcher.weighting
    assert weighting._average(searcher, "body_zh") == pytest.approx(reader.field_length("body_zh"))
    assert weighting._average(searcher, "body_es") == pytest.approx(
        reader.field_length("body_es") / reader.doc_frequency("locales", "es")
    )
