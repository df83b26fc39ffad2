"""Measuring search quality against judged queries (tests/knowledge_base/relevance/*.toml).

Each file holds ``[[query]]`` tables with ``text``, ``locale`` and ``expected`` (slugs of the
articles that answer it). recall@3: share of queries with an expected article in the first
three results. MRR: mean of 1/rank of the first expected article (0 when none is found).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from whoosh.index import FileIndex

from helpdesk.core.settings import PROJECT_ROOT
from knowledge_base.content_loader import load_content, read_content
from knowledge_base.documents import published_documents
from knowledge_base.search.index import build_generation, open_or_create
from knowledge_base.search.state import SyncState

JUDGMENTS_DIR = PROJECT_ROOT / "tests" / "knowledge_base" / "relevance"
DEPTH = 10


@dataclass(frozen=True)
class Judgment:
    text: str
    locale: str
    expected: tuple[str, ...]
    source: str


@dataclass
class Scores:
    queries: int = 0
    found_in_3: int = 0
    reciprocal_ranks: float = 0.0

    @property
    def recall_at_3(self) -> float:
        return self.found_in_3 / self.queries if self.queries else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.queries if self.queries else 0.0

    def add(self, rank: int | None) -> None:
        self.queries += 1
        if rank is not None:
            self.found_in_3 += rank <= 3
            self.reciprocal_ranks += 1 / rank


@dataclass
class Evaluation:
    overall: Scores = field(default_factory=Scores)
    by_locale: dict[str, Scores] = field(default_factory=dict)
    misses: list[tuple[Judgment, list[str]]] = field(default_factory=list)

    def table(self) -> str:
        rows = ["| language | queries | recall@3 | MRR |", "|---|---:|---:|---:|"]
        for locale, scores in sorted(self.by_locale.items()):
            rows.append(
                f"| {locale} | {scores.queries} | {scores.recall_at_3:.3f} | {scores.mrr:.3f} |"
            )
        o = self.overall
        rows.append(f"| **all** | {o.queries} | **{o.recall_at_3:.3f}** | **{o.mrr:.3f}** |")
        return "\n".join(rows)


def load_judgments(directory: Path = JUDGMENTS_DIR) -> list[Judgment]:
    judgments: list[Judgment] = []
    for path in sorted(directory.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for item in data.get("query", []):
            judgments.append(
                Judgment(
                    str(item["text"]),
                    str(item["locale"]),
                    tuple(str(s) for s in item["expected"]),
                    path.name,
                )
            )
    return judgments


def first_rank(results: list[str], expected: Iterable[str]) -> int | None:
    wanted = set(expected)
    for rank, slug in enumerate(results, start=1):
        if slug in wanted:
            return rank
    return None


def evaluate(run: Callable[[str, str], list[str]], judgments: Iterable[Judgment]) -> Evaluation:
    """``run(text, locale)`` returns the slugs found, best first."""
    evaluation = Evaluation()
    for judgment in judgments:
        results = run(judgment.text, judgment.locale)[:DEPTH]
        rank = first_rank(results, judgment.expected)
        evaluation.overall.add(rank)
        evaluation.by_locale.setdefault(judgment.locale, Scores()).add(rank)
        if rank is None or rank > 3:
            evaluation.misses.append((judgment, results[:5]))
    return evaluation


async def shipped_content_index(db: AsyncSession, directory: Path) -> FileIndex:
    """Loads the shipped articles into the database (if missing) and indexes only them, so
    other articles in the database do not move the figures."""
    await load_content(db)
    await db.commit()
    slugs = {article.slug for article in read_content()}
    documents = [d for d in await published_documents(db) if d.slug in slugs]
    build_generation(directory, documents, SyncState())
    return open_or_create(directory)
