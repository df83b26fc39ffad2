"""Typo tolerance: index terms within a small edit distance of a query term.

Whoosh's own fuzzy matching walks each segment's term list with an automaton, and falls back to
comparing every term with the prefix once an index has several segments (as it does between
merges). Here each language's terms are read once per index generation into buckets by first
letter, and compared with a bit-parallel Levenshtein distance (Myers/Hyyrö), which in Python is
a handful of integer operations per character.
"""

from __future__ import annotations

from collections import defaultdict

from whoosh.reading import IndexReader

from knowledge_base.search.schema import TEXT_PARTS
from knowledge_base.search.schema import field as field_name

MAX_EXPANSIONS = 4
MAX_REMEMBERED = 20_000


def max_distance(term: str) -> int:
    """Edits allowed for a term of this length: none for short words, which typos would turn
    into other real words."""
    if len(term) <= 3:
        return 0
    if len(term) <= 6:
        return 1
    return 2


def distance(a: str, b: str) -> int:
    """Levenshtein distance, bit-parallel over the characters of ``a``."""
    m = len(a)
    if m == 0:
        return len(b)
    masks: dict[str, int] = {}
    for i, char in enumerate(a):
        masks[char] = masks.get(char, 0) | (1 << i)
    full = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = full, 0, m
    for char in b:
        eq = masks.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & full
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = (mh | ~(xv | ph)) & full
        mv = ph & xv
    return score


class LanguageTerms:
    def __init__(self, reader: IndexReader, fields: tuple[str, ...]) -> None:
        self._reader = reader
        self.fields = tuple(name for name in fields if name in reader.schema)
        # The term list alone (no statistics) reads about 3 times faster: frequencies are
        # looked up for the few candidates only.
        terms = {btext.decode("utf-8") for name in self.fields for btext in reader.lexicon(name)}
        self.terms = frozenset(terms)
        by_initial: dict[str, list[str]] = defaultdict(list)
        for term in terms:
            by_initial[term[0]].append(term)
        self.by_initial = dict(by_initial)

    def frequency(self, term: str) -> int:
        return sum(self._reader.doc_frequency(name, term) for name in self.fields)

    def near(self, term: str) -> list[str]:
        """Known terms within the allowed distance, closest and most frequent first; [] when
        the term itself is known (a real word is not corrected)."""
        limit = max_distance(term)
        if limit == 0 or term in self.terms:
            return []
        found: list[tuple[int, str]] = []
        size = len(term)
        for candidate in self.by_initial.get(term[0], ()):
            if abs(len(candidate) - size) > limit:
                continue
            # The shared first letter is the "prefix" whoosh's FuzzyTerm would ask for; the
            # second letter may be the typo, so it is not required.
            d = distance(term, candidate)
            if d <= limit:
                found.append((d, candidate))
        ranked = sorted(found, key=lambda item: (item[0], -self.frequency(item[1]), item[1]))
        return [candidate for _, candidate in ranked[:MAX_EXPANSIONS]]


class Vocabulary:
    """The terms of each language's fields in one reader generation, loaded on first use."""

    def __init__(self, reader: IndexReader) -> None:
        self._reader = reader
        self._languages: dict[str, LanguageTerms] = {}
        self._found: dict[tuple[str, str], list[str]] = {}  # corrections already looked up

    def language(self, analysis: str, fields: tuple[str, ...]) -> LanguageTerms:
        found = self._languages.get(analysis)
        if found is None:
            found = self._languages[analysis] = LanguageTerms(self._reader, fields)
        return found

    def _near(self, analysis: str, fields: tuple[str, ...], term: str) -> list[str]:
        key = (analysis, term)
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= MAX_REMEMBERED:
                self._found.clear()
            found = self._found[key] = self.language(analysis, fields).near(term)
        return found

    def near(self, locale: str, term: str) -> list[str]:
        fields = tuple(field_name(part, locale) for part in TEXT_PARTS)
        return self._near(locale, fields, term)

    def near_tag(self, term: str) -> list[str]:
        return self._near("tags", ("tags_text",), term)
