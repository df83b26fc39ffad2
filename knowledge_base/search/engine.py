"""Scoring a query over one generation of the index, term at a time.

Whoosh's matchers walk every query term's postings document by document through a tree of
Python objects: about 8 µs per posting here, so a reader's question over 10,000 translations
(a few dozen terms, up to 20,000 postings) took over 100 ms. This module reads each term's
postings once per index generation into a {document: BM25 score} map (kept in a bounded LRU),
and combines the maps of a query with dictionary operations, about 0.3 µs per posting. Whoosh
still stores the index, analyses text, and answers term statistics, stored fields and
character offsets.

A query is a list of concepts (``ConceptQuery``); a concept is the words typed or one of their
synonyms (``Clause``, all words required); a word is the same text looked up in several fields
(``Word``), each field-term a ``Leaf`` with its weight. Scores: BM25 per leaf (field lengths
averaged over the articles that have text in the field's language: most articles have Spanish
text, fewer Chinese, and a Chinese text must not look long next to the average over all
articles); a word scores its best field plus ``FIELD_TIEBREAK`` of the others; a clause sums its
words; a concept scores its best clause plus ``CONCEPT_TIEBREAK`` of the others (an article
that contains five names for the same thing does not outrank one that answers the rest of the
question); the query sums its concepts and scales the sum by the share of concepts matched
(Lucene's classic "coord"), so matching every word in Spanish beats matching one word in the
reader's language.
"""

from __future__ import annotations

import heapq
import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from whoosh.reading import IndexReader

from knowledge_base.search.fuzzy import Vocabulary

K1 = 1.2
B = 0.75
FIELD_TIEBREAK = 0.3
CONCEPT_TIEBREAK = 0.1
COORDINATION = 1.0  # a score is scaled by (concepts matched / concepts asked) ** this
MAX_CACHED_POSTINGS = 500_000

Scores = dict[int, float]


@dataclass(frozen=True)
class Leaf:
    field: str
    text: str
    boost: float


@dataclass(frozen=True)
class Word:
    leaves: tuple[Leaf, ...]


@dataclass(frozen=True)
class Clause:
    words: tuple[Word, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class ConceptQuery:
    clauses: tuple[Clause, ...]


class Snapshot:
    """One generation of the index as a process reads it, with what it caches for it."""

    def __init__(self, reader: IndexReader, max_postings: int = MAX_CACHED_POSTINGS) -> None:
        self.reader = reader
        self.generation = reader.generation()
        self.vocabulary = Vocabulary(reader)
        self.max_postings = max_postings
        self._documents = reader.doc_count_all()
        self._impacts: OrderedDict[tuple[str, str], Scores] = OrderedDict()
        self._cached_postings = 0
        self._length_norms: dict[str, tuple[float, list[float | None]]] = {}
        self._filters: dict[tuple[str, str], frozenset[int]] = {}

    def close(self) -> None:
        self.reader.close()

    def frequency(self, fieldname: str, text: str) -> int:
        return int(self.reader.doc_frequency(fieldname, text))

    def _norms(self, fieldname: str) -> tuple[float, list[float | None]]:
        """The field's average length, and BM25's length normalisation of each document,
        filled in as postings need it (reading all lengths up front costs ~25 ms a field)."""
        found = self._length_norms.get(fieldname)
        if found is None:
            locale = fieldname.rsplit("_", 1)[-1]
            having = self.frequency("locales", locale) or self._documents or 1
            average = self.reader.field_length(fieldname) / having or 1.0
            found = self._length_norms[fieldname] = (average, [None] * self._documents)
        return found

    def impacts(self, fieldname: str, text: str) -> Scores:
        """{document: BM25 score} of a term in a field (live documents only)."""
        key = (fieldname, text)
        found = self._impacts.get(key)
        if found is not None:
            self._impacts.move_to_end(key)
            return found
        frequency = self.frequency(fieldname, text)
        found = {}
        if frequency:
            idf = math.log(self._documents / (frequency + 1)) + 1
            average, norms = self._norms(fieldname)
            length = self.reader.doc_field_length
            postings = self.reader.postings(fieldname, text)
            while postings.is_active():
                doc, tf = postings.id(), postings.weight()
                norm = norms[doc]
                if norm is None:
                    # whoosh returns None, not the default, for a document without the field
                    size = length(doc, fieldname, 1) or 1
                    norm = norms[doc] = K1 * ((1 - B) + B * size / average)
                found[doc] = idf * tf * (K1 + 1) / (tf + norm)
                postings.next()
        self._impacts[key] = found
        self._cached_postings += len(found) + 1
        while self._cached_postings > self.max_postings and len(self._impacts) > 1:
            _, dropped = self._impacts.popitem(last=False)
            self._cached_postings -= len(dropped) + 1
        return found

    def allowed(self, fieldname: str, value: str) -> frozenset[int]:
        """Documents whose ID field (category, type) holds ``value``."""
        key = (fieldname, value)
        found = self._filters.get(key)
        if found is None:
            found = self._filters[key] = frozenset(self.impacts(fieldname, value))
        return found

    def matched(self, doc: int, leaves: Iterable[Leaf], fieldname: str) -> list[str]:
        """The texts of ``leaves`` in ``fieldname`` that this document contains."""
        return list(
            dict.fromkeys(
                leaf.text
                for leaf in leaves
                if leaf.field == fieldname and doc in self.impacts(leaf.field, leaf.text)
            )
        )

    def spans(self, doc: int, fieldname: str, texts: Iterable[str]) -> list[tuple[int, int]]:
        """Character offsets of the given terms in a document's field."""
        found: list[tuple[int, int]] = []
        for text in texts:
            postings = self.reader.postings(fieldname, text)
            postings.skip_to(doc)
            if postings.is_active() and postings.id() == doc:
                found.extend((start, end) for _, start, end in postings.value_as("characters"))
        return found


def _dismax(parts: Iterable[Scores], tiebreak: float) -> Scores:
    """Each document's best score among ``parts``, plus ``tiebreak`` times the others."""
    best: Scores = {}
    total: Scores = {}
    for part in parts:
        for doc, score in part.items():
            current = best.get(doc)
            if current is None:
                best[doc] = total[doc] = score
            else:
                total[doc] += score
                if score > current:
                    best[doc] = score
    return {doc: score + tiebreak * (total[doc] - score) for doc, score in best.items()}


class _Run:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._words: dict[Word, Scores] = {}

    def word(self, word: Word) -> Scores:
        found = self._words.get(word)
        if found is None:
            parts = (
                {
                    doc: s * leaf.boost
                    for doc, s in self.snapshot.impacts(leaf.field, leaf.text).items()
                }
                for leaf in word.leaves
            )
            found = self._words[word] = _dismax(parts, FIELD_TIEBREAK)
        return found

    def clause(self, clause: Clause) -> Scores:
        words = sorted((self.word(w) for w in clause.words), key=len)
        if not words:
            return {}
        first, others = words[0], words[1:]
        return {
            doc: (score + sum(other[doc] for other in others)) * clause.boost
            for doc, score in first.items()
            if all(doc in other for other in others)
        }

    def concept(self, concept: ConceptQuery) -> Scores:
        return _dismax((self.clause(c) for c in concept.clauses), CONCEPT_TIEBREAK)


def run(
    snapshot: Snapshot,
    concepts: tuple[ConceptQuery, ...],
    limit: int,
    allowed: frozenset[int] | None = None,
) -> list[tuple[int, float]]:
    """The ``limit`` best (document, score), best first; equal scores in document order."""
    if not concepts or limit <= 0:
        return []
    scoring = _Run(snapshot)
    total: Scores = {}
    matched: dict[int, int] = {}
    for concept in concepts:
        for doc, score in scoring.concept(concept).items():
            total[doc] = total.get(doc, 0.0) + score
            matched[doc] = matched.get(doc, 0) + 1
    count = len(concepts)
    scored = (
        (score * (matched[doc] / count) ** COORDINATION, -doc)
        for doc, score in total.items()
        if allowed is None or doc in allowed
    )
    return [(-negative, score) for score, negative in heapq.nlargest(limit, scored)]
