"""A disjunction scored by its best-matching part (plus a small share of the others).

Used for a concept and its synonyms: an article that happens to contain five names for the
same thing should not outrank one that answers the rest of the question. Whoosh has
``DisjunctionMax``, but in whoosh-reloaded 2.7.5 its matcher scores a document with the score
of whatever document each side is on (not only the current one), and drops a side when
skipping by quality, so every article came out with the same score. This matcher keeps
``UnionMatcher``'s document walk and only replaces the scoring; it opts out of block-quality
skipping, which our small index does not need.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as q
from whoosh.matching import Matcher, UnionMatcher


class DisMaxMatcher(UnionMatcher):  # type: ignore[misc]
    def __init__(self, a: Matcher, b: Matcher, tiebreak: float = 0.0) -> None:
        super().__init__(a, b)
        self.tiebreak = tiebreak

    def copy(self) -> DisMaxMatcher:
        return DisMaxMatcher(self.a.copy(), self.b.copy(), self.tiebreak)

    def supports_block_quality(self) -> bool:
        return False

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
        scores = [m.score() for m in (self.a, self.b) if m.is_active() and m.id() == current]
        best = max(scores)
        return best + self.tiebreak * (sum(scores) - best)


class DisMax(q.DisjunctionMax):  # type: ignore[misc]
    def _matcher(self, subs: list[q.Query], searcher: Any, context: Any) -> Matcher:
        reader = searcher.reader()
        return self._tree_matcher(
            subs,
            DisMaxMatcher,
            searcher,
            context,
            lambda sub: sub.estimate_size(reader),
            tiebreak=self.tiebreak,
        )
