"""How the parts of a query add up to a score.

``DisMax``: a concept and its synonyms score as their best-matching part (plus a small share
of the others), so an article that happens to contain five names for the same thing does not
outrank one that answers the rest of the question. Whoosh has ``DisjunctionMax``, but in
whoosh-reloaded 2.7.5 its matcher scores a document with the score of whatever document each
side is on (not only the current one) and drops a side when skipping by quality: every article
came out with the same score.

``CoordinatedOr``: the concepts of a query, where an article's summed score is scaled by the
share of concepts it matches (Lucene's classic "coord"). Without it an article that matches
one word of the query in the reader's language outranks one that matches every word in
Spanish.

Both keep ``UnionMatcher``'s walk through documents and only change the scoring; they opt out
of block-quality skipping, which an index of a few thousand articles does not need.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as q
from whoosh.matching import Matcher, NullMatcher, UnionMatcher, WrappingMatcher
from whoosh.util import make_binary_tree


def _here(matcher: Matcher, current: int) -> bool:
    return bool(matcher.is_active() and matcher.id() == current)


class DisMaxMatcher(UnionMatcher):  # type: ignore[misc]
    def __init__(self, a: Matcher, b: Matcher, tiebreak: float = 0.0) -> None:
        super().__init__(a, b)
        self.tiebreak = tiebreak

    def copy(self) -> DisMaxMatcher:
        return DisMaxMatcher(self.a.copy(), self.b.copy(), self.tiebreak)

    def _bound(self, a: float, b: float) -> float:
        return max(a, b) + self.tiebreak * min(a, b)

    def max_quality(self) -> float:
        return self._bound(self.a.max_quality(), self.b.max_quality())

    def block_quality(self) -> float:
        return self._bound(self.a.block_quality(), self.b.block_quality())

    def replace(self, minquality: float = 0) -> Matcher:
        a, b = self.a.replace(), self.b.replace()
        if not a.is_active():
            return b
        if not b.is_active():
            return a
        if a is not self.a or b is not self.b:
            return DisMaxMatcher(a, b, self.tiebreak)
        return self

    def score(self) -> float:
        current = self.id()
        scores = [m.score() for m in (self.a, self.b) if _here(m, current)]
        best = max(scores)
        return best + self.tiebreak * (sum(scores) - best)


class DisMax(q.DisjunctionMax):  # type: ignore[misc]
    def _matcher(self, subs: list[q.Query], searcher: Any, context: Any) -> Matcher:
        # A balanced tree: whoosh's weighted tree builder drops keyword arguments (the
        # tiebreak), and compares matchers when two subqueries have the same size.
        matchers = [sub.matcher(searcher, context) for sub in subs]
        matcher = make_binary_tree(DisMaxMatcher, matchers, tiebreak=self.tiebreak)
        return WrappingMatcher(matcher, self.boost) if self.boost != 1.0 else matcher


class CountingUnionMatcher(UnionMatcher):  # type: ignore[misc]
    """A union that can tell how many of its leaves (the concepts) match the current doc."""

    def replace(self, minquality: float = 0) -> Matcher:
        return super().replace(0)

    def matching_leaves(self) -> int:
        current = self.id()
        return sum(_leaves(m) for m in (self.a, self.b) if _here(m, current))


def _leaves(matcher: Matcher) -> int:
    return matcher.matching_leaves() if isinstance(matcher, CountingUnionMatcher) else 1


class CoordinationMatcher(WrappingMatcher):  # type: ignore[misc]
    def __init__(self, child: Matcher, concepts: int, power: float = 1.0) -> None:
        super().__init__(child)
        self.concepts = concepts
        self.power = power

    def _replacement(self, newchild: Matcher) -> CoordinationMatcher:
        return CoordinationMatcher(newchild, self.concepts, self.power)

    def copy(self) -> CoordinationMatcher:
        return CoordinationMatcher(self.child.copy(), self.concepts, self.power)

    def score(self) -> float:
        share = _leaves(self.child) / self.concepts
        return float(self.child.score()) * share**self.power


class CoordinatedOr(q.Or):  # type: ignore[misc]
    def __init__(self, subqueries: list[q.Query], boost: float = 1.0, power: float = 1.0):
        super().__init__(subqueries, boost=boost)
        self.power = power

    def normalize(self) -> q.Query:
        normalized = super().normalize()
        if isinstance(normalized, CoordinatedOr):
            normalized.power = self.power
        return normalized

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        subs = self.subqueries
        if not subs:
            return NullMatcher()
        if len(subs) == 1:
            return subs[0].matcher(searcher, context)
        matchers = [sub.matcher(searcher, context) for sub in subs]
        tree = make_binary_tree(CountingUnionMatcher, matchers)
        matcher: Matcher = CoordinationMatcher(tree, len(subs), self.power)
        if self.boost != 1.0:
            matcher = WrappingMatcher(matcher, self.boost)
        return matcher
