"""Search quality on the shipped articles: recall@3 and MRR by language.

    .venv/bin/python bench/search_quality.py [--misses]

Migrates a SQLite database in a temporary directory, loads knowledge_base/content/, indexes it,
runs every judged query of tests/knowledge_base/relevance/*.toml and prints a Markdown table
(the one in docs/search-quality.md). The same figures are asserted by
tests/knowledge_base/test_relevance.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from helpdesk.cli_db import migrate  # noqa: E402
from helpdesk.core.db import make_engine, make_sessionmaker  # noqa: E402
from knowledge_base.search.index import open_snapshot  # noqa: E402
from knowledge_base.search.quality import (  # noqa: E402
    Evaluation,
    evaluate,
    load_judgments,
    shipped_content_index,
)
from knowledge_base.search.query import search  # noqa: E402


async def run(folder: Path) -> Evaluation:
    engine = make_engine(f"sqlite+aiosqlite:///{folder / 'quality.sqlite3'}")
    try:
        await migrate(engine)
        async with make_sessionmaker(engine)() as db:
            index = await shipped_content_index(db, folder / "kb-index")
    finally:
        await engine.dispose()
    snapshot = open_snapshot(index)
    try:
        return evaluate(
            lambda text, locale: [h.slug for h in search(snapshot, text, locale, limit=10)],
            load_judgments(),
        )
    finally:
        snapshot.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list queries not found in top 3")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        evaluation = asyncio.run(run(Path(folder)))
    print(evaluation.table())
    if args.misses:
        for judgment, found in evaluation.misses:
            print(f"- [{judgment.locale}] {judgment.text!r}: expected {list(judgment.expected)}")
            print(f"    got {found}")


if __name__ == "__main__":
    main()
