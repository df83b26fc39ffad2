"""Searching the knowledge base: a reader's words in, ranked articles in their language out.

A query looks in the reader's language and in Spanish (every article has Spanish text, and
people often type the Spanish name of a trámite whatever their language); a hit is shown in
the reader's language when the article has it, otherwise in Spanish, marked as such. A typed
word that the index does not know in any of those languages also matches known words one or
two edits away; names from ``synonyms`` match with a lower weight. Weights: title > tags >
summary > body, reader's language > Spanish. ``engine`` scores and ranks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup

from knowledge_base.models import SOURCE_LOCALE
from knowledge_base.search import analyzers
from knowledge_base.search.engine import Clause, ConceptQuery, Leaf, Snapshot, Word, run
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
    """Turns a plan into leaves, words, clauses and concepts over terms this index holds."""

    def __init__(self, snapshot: Snapshot, locale: str) -> None:
        self.snapshot = snapshot
        self.vocabulary = snapshot.vocabulary
        self.locale = locale

    def _leaves(
        self, fieldname: str, texts: Iterable[tuple[str, float]], boost: float
    ) -> list[Leaf]:
        return [
            Leaf(fieldname, text, boost * weight)
            for text, weight in texts
            if self.snapshot.frequency(fieldname, text)
        ]

    def _known(self, word: str) -> bool:
        """Whether the index holds the word in any language searched (then it is no typo)."""
        for lang in languages(self.locale):
            for term in analyzers.terms(lang, word):
                if any(self.snapshot.frequency(field(p, lang), term) for p in TEXT_PARTS):
                    return True
        return any(self.snapshot.frequency("tags_text", t) for t in analyzers.terms("es", word))

    def word(self, word: str, fuzzy: bool) -> Word | None:
        fuzzy = fuzzy and not self._known(word)
        leaves: list[Leaf] = []
        for lang in languages(self.locale):
            lang_weight = 1.0 if lang == self.locale else SPANISH_WEIGHT
            texts = [(t, 1.0) for t in analyzers.terms(lang, word)]
            if fuzzy:
                near = self.vocabulary.near
                texts += [(n, FUZZY_WEIGHT) for t, _ in texts for n in near(lang, t)]
            for part in TEXT_PARTS:
                leaves += self._leaves(field(part, lang), texts, PART_WEIGHTS[part] * lang_weight)
        tag_texts = [(t, 1.0) for t in analyzers.terms(SOURCE_LOCALE, word)]
        if fuzzy:
            near_tag = self.vocabulary.near_tag
            tag_texts += [(n, FUZZY_WEIGHT) for t, _ in tag_texts for n in near_tag(t)]
        leaves += self._leaves("tags_text", tag_texts, TAGS_WEIGHT)
        return Word(tuple(leaves)) if leaves else None

    def clause(self, words: tuple[str, ...], fuzzy: bool, boost: float) -> Clause | None:
        found = [self.word(w, fuzzy) for w in words]
        if not found or None in found:
            return None  # every word is required, and one is nowhere in the index
        return Clause(tuple(w for w in found if w is not None), boost)

    def concept(self, concept: Concept) -> ConceptQuery | None:
        typed = self.clause(concept.words, fuzzy=True, boost=1.0)
        clauses = [typed] if typed else []
        # Names that come out as the same index terms ("residence", "residency") would only
        # repeat a clause: keep the first (the words typed come first).
        seen = {_key(c) for c in clauses}
        for alternative in concept.alternatives:
            words = tuple(w for w in alternative if not _is_stop_word(w, self.locale))
            clause = self.clause(words, fuzzy=False, boost=SYNONYM_WEIGHT) if words else None
            if clause is not None and _key(clause) not in seen:
                seen.add(_key(clause))
                clauses.append(clause)
        return ConceptQuery(tuple(clauses)) if clauses else None

    def build(self, plan: QueryPlan) -> tuple[ConceptQuery, ...]:
        found = (self.concept(c) for c in plan.concepts)
        return tuple(c for c in found if c is not None)


def _key(clause: Clause) -> tuple[frozenset[tuple[str, str]], ...]:
    return tuple(frozenset((leaf.field, leaf.text) for leaf in w.leaves) for w in clause.words)


def build_query(plan: QueryPlan, snapshot: Snapshot) -> tuple[ConceptQuery, ...]:
    return _Builder(snapshot, plan.locale).build(plan)


def _allowed(snapshot: Snapshot, category: str | None, type: str | None) -> frozenset[int] | None:
    sets = [
        snapshot.allowed(name, value)
        for name, value in (("category", category), ("type", type))
        if value
    ]
    if not sets:
        return None
    return frozenset.intersection(*sets)


def _hit(snapshot: Snapshot, doc: int, score: float, leaves: list[Leaf], locale: str) -> SearchHit:
    stored = snapshot.reader.stored_fields(doc)
    available = stored.get("locales", "").split()
    shown = locale if locale in available else SOURCE_LOCALE
    if shown not in available and available:
        shown = available[0]
    excerpt = None
    for part in ("summary", "body"):
        name = field(part, shown)
        terms = snapshot.matched(doc, leaves, name)
        if terms:
            excerpt = snippet(stored.get(name, ""), snapshot.spans(doc, name, terms))
            break
    if excerpt is None:
        summary = stored.get(field("summary", shown), "")
        excerpt = snippet(summary or stored.get(field("body", shown), ""))
    return SearchHit(
        article_id=int(stored["id"]),
        slug=stored["slug"],
        locale=shown,
        title=stored.get(field("title", shown), stored["slug"]),
        snippet=excerpt,
        type=stored["type"],
        category=stored["category"],
        score=score,
        fallback=shown != locale,
    )


def search(
    snapshot: Snapshot,
    text: str,
    locale: str,
    category: str | None = None,
    type: str | None = None,
    limit: int = 10,
) -> list[SearchHit]:
    """Ranked articles for a reader's query; [] for an empty or all-stop-word query."""
    query_plan = plan(text, locale)
    if query_plan is None or limit <= 0:
        return []
    concepts_ = build_query(query_plan, snapshot)
    ranked = run(snapshot, concepts_, min(limit, MAX_LIMIT), _allowed(snapshot, category, type))
    leaves = [leaf for c in concepts_ for cl in c.clauses for w in cl.words for leaf in w.leaves]
    return [_hit(snapshot, doc, score, leaves, query_plan.locale) for doc, score in ranked]
