"""Case import benchmark (issue 15): a case-system export of N rows into a fresh database.

    .venv/bin/python bench/import_cases.py [--rows 1000000] [--postgresql] [--keep DIR]

Generates ``--rows`` status events (``helpdesk.cases.demo.generate``: valid RUNs with their
check digits, passports and ID cards, every region, plausible histories of about five
events per application), writes them as the case system's CSV, migrates a fresh SQLite
database (with ``--postgresql`` also a scratch PostgreSQL database, created and dropped on
the server the tests use) and imports the file through ``python -m helpdesk import-cases``'s
code path (reading, checking, batches). Then imports it again: idempotent, 0 rows added.
Prints a Markdown table; exits 1 when the first SQLite import takes 120 s or more.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

import helpdesk.models  # noqa: E402, F401 (every table known, so foreign keys resolve)
from helpdesk.cases import sources  # noqa: E402
from helpdesk.cases.demo import generate  # noqa: E402
from helpdesk.cases.importing import ImportReport, import_records  # noqa: E402
from helpdesk.cases.validation import FIELDS  # noqa: E402
from helpdesk.cli_db import migrate  # noqa: E402
from helpdesk.core.db import make_engine, make_sessionmaker  # noqa: E402

TARGET_SECONDS = 120.0
ROWS_PER_CASE = 4  # fewer than the generator averages: islice stops at --rows


@dataclass
class Run:
    backend: str
    label: str
    seconds: float
    cpu: float  # this process's CPU time: steadier than wall time on a shared machine
    report: ImportReport


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*FIELDS, "subcategoria"])
        for row in itertools.islice(generate(int(rows / ROWS_PER_CASE) + 10), rows):
            writer.writerow(
                [
                    row.number,
                    row.case_type,
                    row.document_type,
                    row.document_number,
                    row.document_country,
                    row.region_code,
                    row.submitted_on.isoformat(),
                    row.status,
                    row.status_on.isoformat(),
                    row.note or "",
                    row.subcategory or "",
                ]
            )


async def import_twice(backend: str, url: str, path: Path) -> list[Run]:
    engine = make_engine(url)
    runs = []
    try:
        await migrate(engine)
        sessionmaker = make_sessionmaker(engine)
        for label in ("first import", "same file again"):
            started, cpu = time.perf_counter(), time.process_time()
            report = await import_records(sessionmaker, sources.read_records(path))
            assert report.rejected == 0, report.rejections[:3]
            seconds = time.perf_counter() - started
            runs.append(Run(backend, label, seconds, time.process_time() - cpu, report))
    finally:
        await engine.dispose()
    return runs


async def on_postgresql(path: Path) -> list[Run]:
    from tests.support import database

    url, name = await database.create_postgres_database()
    try:
        return await import_twice("PostgreSQL", url, path)
    finally:
        await database.drop_postgres_database(name)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        models = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
    if models:
        cpu = models[0]
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--keep", type=Path, help="write the CSV and database here (kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "cases.csv"
        started = time.perf_counter()
        write_csv(path, args.rows)
        generated = time.perf_counter() - started
        size = path.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows ({size:.0f} MB) in {generated:.1f} s")
        database = folder / "cases.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        runs = asyncio.run(import_twice("SQLite", f"sqlite+aiosqlite:///{database}", path))
        if args.postgresql:
            runs += asyncio.run(on_postgresql(path))
    print(f"\n{machine()}, load average {os.getloadavg()[0]:.1f}\n")
    print("| database | import | seconds | CPU s (importer) | rows/s | applications created "
          "| events added |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        rate = run.report.rows_read / run.seconds
        print(
            f"| {run.backend} | {run.label} | {run.seconds:.1f} | {run.cpu:.1f} | {rate:,.0f} "
            f"| {run.report.created:,} | {run.report.added:,} |"
        )
    return 0 if runs[0].seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
