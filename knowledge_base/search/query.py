"""Searching the knowledge base: a reader's words in, ranked articles in their language out.

A query looks in the reader's language and in Spanish (every article has Spanish text, and
people often type the Spanish name of a trámite whatever their language); a hit is shown in
the reader's language when the article has it, otherwise in Spanish, marked as such. Each
typed word also matches known words one or two edits away, and names from ``synonyms`` match
with a lower weight. Weights: title > tags > summary > body, reader's language > Spanish.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup
from whoosh import query as q
from whoosh.reading import IndexReader
from whoosh.searching import Hit, Searcher

from knowledge_base.models import SOURCE_LOCALE
from knowledge_base.search import analyzers
from knowledge_base.search.combine import CoordinatedOr, DisMax
from knowledge_base.search.fuzzy import Vocabulary
from knowledge_base.search.schema import LOCALES, TEXT_PARTS, field
from knowledge_base.search.snippets import snippet
from knowledge_base.search.synonyms import Concept, concepts

MAX_QUERY_CHARS = 200
MAX_WORDS = 12
MAX_LIMIT = 50

PART_WEIGHTS = {"title": 4.0, "summary": 1.5, "body": 1.0}
TAGS_WEIGHT = 2.5
SPANISH_WEIGHT = 0.5  # Spanish fields, for a reader of another language
SYNONYM_WEIGHT = 0.6
FUZZY_WEIGHT = 0.3
COMMON_SHARE = 0.5
TIEBREAK = 0.1
FIELD_TIEBREAK = 0.3  # a word's best field counts fully, its other fields this much
COORDINATION = 1.0  # scores scale by (concepts matched / concepts asked) ** this


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    slug: str
    locale: str  # the language of title and snippet
    title: str
    snippet: Markup  # escaped text, matched words in <mark>
    type: str
    category: str
    score: float
    fallback: bool  # True when shown in Spanish because the reader's language is missing


@dataclass(frozen=True)
class QueryPlan:
    normalized: str
    locale: str
    concepts: tuple[Concept, ...]


def normalize_query(text: str) -> str:
    """Lowercase, accents folded, punctuation stripped, cut to a sane length."""
    words = analyzers.normalize(text[: MAX_QUERY_CHARS * 4]).split()[:MAX_WORDS]
    return " ".join(words)[:MAX_QUERY_CHARS].strip()


def reader_locale(locale: str) -> str:
    return locale if locale in LOCALES else SOURCE_LOCALE


def languages(locale: str) -> tuple[str, ...]:
    return (locale,) if locale == SOURCE_LOCALE else (locale, SOURCE_LOCALE)


def _is_stop_word(word: str, locale: str) -> bool:
    return any(not analyzers.terms(lang, word) for lang in languages(locale))


def plan(text: str, locale: str) -> QueryPlan | None:
    """The concepts of a query, without stop words; None when nothing is left to look for."""
    locale = reader_locale(locale)
    normalized = normalize_query(text)
    words = analyzers.split_words(normalized)[: MAX_WORDS * 2]
    found: list[Concept] = []
    for concept in concepts(words, locale):
        kept = tuple(w for w in concept.words if not _is_stop_word(w, locale))
        if kept or concept.alternatives:
            found.append(Concept(kept, concept.alternatives))
    if not found:
        return None
    return QueryPlan(normalized, locale, tuple(found))


class _Builder:
    """Turns a plan into a Whoosh query over the terms that exist in this index."""

    def __init__(self, reader: IndexReader, vocabulary: Vocabulary, locale: str) -> None:
        self.reader = reader
        self.vocabulary = vocabulary
        self.locale = locale
        self._texts = {lang: reader.doc_frequency("locales", lang) for lang in languages(locale)}

    def _terms(
        self, fieldname: str, texts: Iterable[tuple[str, float]], boost: float, lang: str
    ) -> list[q.Query]:
        """Terms that exist in the field; in summaries and bodies, not the words most texts of
        the language contain (they rank nothing, and their long postings cost the most)."""
        common = COMMON_SHARE * self._texts.get(lang, 0) if COMMON_SHARE else 0
        found = []
        for text, weight in texts:
            frequency = self.reader.doc_frequency(fieldname, text)
            if not frequency or (common and frequency > common and fieldname[:5] != "title"):
                continue
            found.append(q.Term(fieldname, text, boost=boost * weight))
        return found

    def word(self, word: str, fuzzy: bool) -> q.Query:
        clauses: list[q.Query] = []
        for lang in languages(self.locale):
            lang_weight = 1.0 if lang == self.locale else SPANISH_WEIGHT
            texts = [(t, 1.0) for t in analyzers.terms(lang, word)]
            if fuzzy:
                near = self.vocabulary.near
                texts += [(n, FUZZY_WEIGHT) for t, _ in texts for n in near(lang, t)]
            for part in TEXT_PARTS:
                boost = PART_WEIGHTS[part] * lang_weight
                clauses += self._terms(field(part, lang), texts, boost, lang)
        tag_texts = [(t, 1.0) for t in analyzers.terms(SOURCE_LOCALE, word)]
        if fuzzy:
            near_tag = self.vocabulary.near_tag
            tag_texts += [(n, FUZZY_WEIGHT) for t, _ in tag_texts for n in near_tag(t)]
        clauses += self._terms("tags_text", tag_texts, TAGS_WEIGHT, "tags")
        if not clauses:
            return q.NullQuery
        return DisMax(clauses, tiebreak=FIELD_TIEBREAK) if len(clauses) > 1 else clauses[0]

    def words(self, words: tuple[str, ...], fuzzy: bool) -> q.Query:
        clauses = [self.word(w, fuzzy) for w in words]
        if not clauses:
            return q.NullQuery
        return clauses[0] if len(clauses) == 1 else q.And(clauses)

    def concept(self, concept: Concept) -> q.Query:
        clauses = [self.words(concept.words, fuzzy=True)]
        for alternative in concept.alternatives:
            words = tuple(w for w in alternative if not _is_stop_word(w, self.locale))
            clause = self.words(words, fuzzy=False)
            if clause is not q.NullQuery:
                clause.boost = SYNONYM_WEIGHT  # type: ignore[attr-defined]
            clauses.append(clause)
        clauses = [c for c in clauses if c is not q.NullQuery]
        if not clauses:
            return q.NullQuery
        return DisMax(clauses, tiebreak=TIEBREAK) if len(clauses) > 1 else clauses[0]

    def build(self, plan: QueryPlan) -> q.Query:
        clauses = [self.concept(c) for c in plan.concepts]
        clauses = [c for c in clauses if c is not q.NullQuery]
        if not clauses:
            return q.NullQuery
        return CoordinatedOr(clauses, power=COORDINATION).normalize()


def build_query(plan: QueryPlan, reader: IndexReader, vocabulary: Vocabulary) -> q.Query:
    return _Builder(reader, vocabulary, plan.locale).build(plan)


def _filter(category: str | None, type: str | None) -> q.Query | None:
    terms = [q.Term("category", category)] if category else []
    if type:
        terms.append(q.Term("type", type))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else q.And(terms)


def _spans(searcher: Searcher, hit: Hit, fieldname: str, matched: list[tuple[str, bytes]]):
    spans: list[tuple[int, int]] = []
    for name, btext in matched:
        if name != fieldname:
            continue
        postings = searcher.postings(fieldname, btext)
        postings.skip_to(hit.docnum)
        if postings.is_active() and postings.id() == hit.docnum:
            spans.extend((start, end) for _, start, end in postings.value_as("characters"))
    return spans


def _hit(searcher: Searcher, hit: Hit, locale: str) -> SearchHit:
    stored = hit.fields()
    available = stored.get("locales", "").split()
    shown = locale if locale in available else SOURCE_LOCALE
    if shown not in available and available:
        shown = available[0]
    matched = hit.matched_terms() or []
    summary = stored.get(field("summary", shown), "")
    body = stored.get(field("body", shown), "")
    spans = _spans(searcher, hit, field("summary", shown), matched)
    if spans:
        excerpt = snippet(summary, spans)
    else:
        spans = _spans(searcher, hit, field("body", shown), matched)
        excerpt = snippet(body, spans) if spans or not summary else snippet(summary)
    return SearchHit(
        article_id=int(stored["id"]),
        slug=stored["slug"],
        locale=shown,
        title=stored.get(field("title", shown), stored["slug"]),
        snippet=excerpt,
        type=stored["type"],
        category=stored["category"],
        score=float(hit.score or 0.0),
        fallback=shown != locale,
    )


def search(
    searcher: Searcher,
    text: str,
    locale: str,
    category: str | None = None,
    type: str | None = None,
    limit: int = 10,
    *,
    vocabulary: Vocabulary | None = None,
) -> list[SearchHit]:
    """Ranked articles for a reader's query; [] for an empty or all-stop-word query."""
    query_plan = plan(text, locale)
    if query_plan is None or limit <= 0:
        return []
    reader = searcher.reader()
    vocabulary = vocabulary or Vocabulary(reader)
    whoosh_query = build_query(query_plan, reader, vocabulary)
    if whoosh_query is q.NullQuery:
        return []
    results = searcher.search(
        whoosh_query, limit=min(limit, MAX_LIMIT), filter=_filter(category, type), terms=True
    )
    return [_hit(searcher, hit, query_plan.locale) for hit in results]
