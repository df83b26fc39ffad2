"""The scoring engine: BM25 per field-term, best field per word, best name per concept,
coordination across concepts, per-language field lengths, deleted documents, filters."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh.index import FileIndex

from knowledge_base.documents import IndexDocument, LocalizedText
from knowledge_base.search import engine
from knowledge_base.search.analyzers import terms
from knowledge_base.search.engine import Clause, ConceptQuery, Leaf, Snapshot, Word, run
from knowledge_base.search.index import apply_changes, open_or_create, open_snapshot


def _document(article_id: int, texts: dict[str, tuple[str, str]], **kw: str) -> IndexDocument:
    return IndexDocument(
        article_id,
        f"doc-{article_id}",
        kw.get("type", "ficha"),
        kw.get("category", "otros"),
        (),
        {loc: LocalizedText(loc, title, "", body, 1, None) for loc, (title, body) in texts.items()},
    )


@pytest.fixture
def index(tmp_path: Path) -> FileIndex:
    index = open_or_create(tmp_path / "kb-index")
    documents = [
        _document(1, {"es": ("Alfa beta", "alfa beta gama")}, type="guia"),
        _document(2, {"es": ("Alfa", "alfa alfa alfa alfa")}, category="multas"),
        _document(3, {"es": ("Otra cosa", "beta")}),
        # Long Spanish texts in many articles, one short Chinese one: Chinese field lengths
        # are compared with Chinese texts only.
        *[_document(10 + n, {"es": ("Relleno", "palabra " * 300)}) for n in range(8)],
        _document(30, {"zh": ("永久居留", "申请永久居留"), "es": ("Residencia", "residencia")}),
    ]
    apply_changes(index, [d.article_id for d in documents], documents, [1])
    return index


@pytest.fixture
def snapshot(index: FileIndex) -> Iterator[Snapshot]:
    opened = open_snapshot(index)
    yield opened
    opened.close()


def leaf(field: str, word: str, boost: float = 1.0) -> Leaf:
    return Leaf(field, terms("es" if field.endswith(("_es", "text")) else "zh", word)[0], boost)


def concept(*clauses: Clause) -> ConceptQuery:
    return ConceptQuery(clauses)


def one(*leaves: Leaf, boost: float = 1.0) -> Clause:
    return Clause((Word(leaves),), boost)


def scores(snapshot: Snapshot, *concepts: ConceptQuery) -> dict[int, float]:
    return dict(run(snapshot, concepts, 100))


def slug_doc(snapshot: Snapshot, slug: str) -> int:
    return next(n for n, f in enumerate(snapshot.reader.all_stored_fields()) if f["slug"] == slug)


def test_leaf_scores_are_whooshs_bm25(snapshot: Snapshot) -> None:
    reader = snapshot.reader
    doc = slug_doc(snapshot, "doc-2")
    text = leaf("body_es", "alfa").text
    n, df = reader.doc_count_all(), reader.doc_frequency("body_es", text)
    average = reader.field_length("body_es") / reader.doc_frequency("locales", "es")
    length = reader.doc_field_length(doc, "body_es")
    tf = 4.0
    expected = (
        (math.log(n / (df + 1)) + 1) * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / average))
    )
    assert snapshot.impacts("body_es", text)[doc] == pytest.approx(expected)


def test_a_word_scores_its_best_field_plus_a_share_of_the_others(snapshot: Snapshot) -> None:
    title, body = leaf("title_es", "alfa"), leaf("body_es", "alfa")
    doc = slug_doc(snapshot, "doc-1")
    parts = [scores(snapshot, concept(one(x)))[doc] for x in (title, body)]
    both = scores(snapshot, concept(one(title, body)))[doc]
    assert both == pytest.approx(max(parts) + engine.FIELD_TIEBREAK * min(parts))


def test_a_concept_scores_its_best_name(snapshot: Snapshot) -> None:
    alfa, beta = one(leaf("body_es", "alfa")), one(leaf("body_es", "beta"), boost=0.5)
    doc = slug_doc(snapshot, "doc-1")
    parts = [scores(snapshot, concept(c))[doc] for c in (alfa, beta)]
    both = scores(snapshot, concept(alfa, beta))[doc]
    assert both == pytest.approx(max(parts) + engine.CONCEPT_TIEBREAK * min(parts))


def test_a_clause_needs_all_its_words(snapshot: Snapshot) -> None:
    both = Clause((Word((leaf("body_es", "alfa"),)), Word((leaf("body_es", "beta"),))))
    assert set(scores(snapshot, concept(both))) == {slug_doc(snapshot, "doc-1")}


def test_coordination_scales_by_the_share_of_concepts_matched(snapshot: Snapshot) -> None:
    alfa, beta = concept(one(leaf("body_es", "alfa"))), concept(one(leaf("body_es", "beta")))
    a, b = scores(snapshot, alfa), scores(snapshot, beta)
    both = scores(snapshot, alfa, beta)
    d1, d2, d3 = (slug_doc(snapshot, f"doc-{n}") for n in (1, 2, 3))
    assert both[d1] == pytest.approx(a[d1] + b[d1])
    assert both[d2] == pytest.approx(a[d2] / 2)
    assert both[d3] == pytest.approx(b[d3] / 2)


def test_language_fields_are_normalised_by_their_own_average_length(snapshot: Snapshot) -> None:
    # Averaged over all 12 articles, the one Chinese body would look 12 times longer than
    # average; averaged over the articles with Chinese text it is average.
    doc = slug_doc(snapshot, "doc-30")
    snapshot.impacts("body_zh", leaf("body_zh", "永久").text)
    norm = snapshot._norms("body_zh")[1][doc]
    assert norm == pytest.approx(engine.K1)  # (1 - B) + B * length / average, with length = avg


def test_ranking_is_best_first_with_ties_in_document_order(snapshot: Snapshot) -> None:
    ranked = run(snapshot, (concept(one(leaf("title_es", "relleno"))),), 3)
    assert len(ranked) == 3
    assert [doc for doc, _ in ranked] == sorted(doc for doc, _ in ranked)
    assert len({round(score, 9) for _, score in ranked}) == 1


def test_filters_and_deleted_documents(index: FileIndex) -> None:
    snapshot = open_snapshot(index)
    try:
        alfa = concept(one(leaf("body_es", "alfa")))
        multas = snapshot.allowed("category", "multas")
        assert [d for d, _ in run(snapshot, (alfa,), 10, multas)] == [slug_doc(snapshot, "doc-2")]
    finally:
        snapshot.close()
    apply_changes(index, [2], [], [2])
    snapshot = open_snapshot(index)
    try:
        assert len(run(snapshot, (alfa,), 10)) == 1  # doc-2 deleted: only doc-1 left
    finally:
        snapshot.close()


def test_postings_cache_is_bounded(index: FileIndex) -> None:
    snapshot = Snapshot(index.reader(), max_postings=10)
    try:
        snapshot.impacts("title_es", leaf("title_es", "relleno").text)  # 8 postings
        snapshot.impacts("body_es", leaf("body_es", "alfa").text)  # 2 more: over the bound
        assert snapshot._cached_postings <= 10
        assert len(snapshot._impacts) == 1
    finally:
        snapshot.close()
