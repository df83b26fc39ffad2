"""Search quality on the shipped articles, against the judged queries in relevance/*.toml."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_base.search.engine import Snapshot
from knowledge_base.search.index import open_snapshot
from knowledge_base.search.quality import (
    Evaluation,
    evaluate,
    load_judgments,
    shipped_content_index,
)
from knowledge_base.search.query import search

RECALL_AT_3 = 0.9
MRR = 0.75


@pytest.fixture(scope="module")
async def snapshot(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Snapshot]:
    directory: Path = tmp_path_factory.mktemp("relevance") / "kb-index"
    async with sessionmaker() as db:
        index = await shipped_content_index(db, directory)
    opened = open_snapshot(index)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def evaluation(snapshot: Snapshot) -> Evaluation:
    judgments = load_judgments()
    if not judgments:
        pytest.skip("no judged queries yet")

    def run(text: str, locale: str) -> list[str]:
        return [hit.slug for hit in search(snapshot, text, locale, limit=10)]

    return evaluate(run, judgments)


def test_judged_queries_name_shipped_articles(snapshot: Snapshot) -> None:
    slugs = {fields["slug"] for fields in snapshot.reader.all_stored_fields()}
    unknown = {
        (j.source, slug) for j in load_judgments() for slug in j.expected if slug not in slugs
    }
    assert not unknown, f"expected slugs that are not shipped articles: {sorted(unknown)}"


def test_recall_at_3_and_mrr(evaluation: Evaluation) -> None:
    misses = "\n".join(
        f"  [{j.locale}] {j.text!r}: expected {list(j.expected)}, got {found}"
        for j, found in evaluation.misses
    )
    report = f"\n{evaluation.table()}\nmisses:\n{misses}"
    assert evaluation.overall.recall_at_3 >= RECALL_AT_3, report
    assert evaluation.overall.mrr >= MRR, report
