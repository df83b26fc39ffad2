"""BM25F with field lengths averaged per language.

Whoosh divides a field's total length by every document in the index. Here most articles have
Spanish text and fewer have Chinese or Russian, so a Chinese field's "average" length came out
several times shorter than a real Chinese text, and BM25's length normalisation then punished
every match in the reader's language. The average is taken over the articles that have text in
the field's language (counted with the ``locales`` field).
"""

from __future__ import annotations

from typing import Any

from whoosh.scoring import BM25F, BM25FScorer, WeightScorer
from whoosh.searching import Searcher


class _LanguageScorer(BM25FScorer):  # type: ignore[misc]
    def __init__(
        self,
        searcher: Searcher,
        fieldname: str,
        text: bytes,
        b: float,
        k1: float,
        qf: int,
        avg: float,
    ) -> None:
        self.idf = searcher.get_parent().idf(fieldname, text)
        self.avgfl = avg
        self.B = b
        self.K1 = k1
        self.qf = qf
        self.setup(searcher, fieldname, text)


class LanguageBM25F(BM25F):  # type: ignore[misc]
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._averages: dict[str, float] = {}
        self._reader: object = None

    def _average(self, searcher: Searcher, fieldname: str) -> float:
        parent = searcher.get_parent()
        reader = parent.reader()
        if reader is not self._reader:
            self._averages, self._reader = {}, reader
        average = self._averages.get(fieldname)
        if average is None:
            locale = fieldname.rsplit("_", 1)[-1]
            having = parent.doc_frequency("locales", locale) if "_" in fieldname else 0
            documents = having or parent.doc_count_all() or 1
            average = self._averages[fieldname] = parent.field_length(fieldname) / documents or 1.0
        return average

    def scorer(self, searcher: Searcher, fieldname: str, text: bytes, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        b = self._field_B.get(fieldname, self.B)
        average = self._average(searcher, fieldname)
        return _LanguageScorer(searcher, fieldname, text, b, self.K1, qf, average)
