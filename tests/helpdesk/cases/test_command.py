"""``python -m helpdesk import-cases FILE``: the report on standard error, the summary, the
exit status, and an import killed half-way then run again."""

from __future__ import annotations

import asyncio
import csv
import itertools
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.cases.demo import generate
from helpdesk.cases.models import Case, CaseEvent
from helpdesk.cases.validation import FIELDS
from helpdesk.core.settings import PROJECT_ROOT

HEADER = ",".join(FIELDS) + "\n"
GOOD = "RT-1,residencia_temporal,run,12.345.678-5,,RM,2025-01-02,ingresada,2025-01-02,\n"
BAD_RUN = "RT-2,residencia_temporal,run,12.345.678-4,,RM,2025-01-02,ingresada,2025-01-02,\n"
BAD_REGION = "RT-3,refugio,pasaporte,AB1,VE,ZZ,2025-01-02,ingresada,2025-01-02,\n"


def command(database_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "helpdesk", "import-cases", *args]


def environment(database_url: str) -> dict[str, str]:
    return {**os.environ, "APP_ENV": "test", "DATABASE_URL": database_url}


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(database_url, *args),
        cwd=PROJECT_ROOT,
        env=environment(database_url),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_bad_rows_are_named_and_the_rest_imported(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(HEADER + GOOD + BAD_RUN + BAD_REGION, encoding="utf-8")
    done = cli(database_url, str(path))
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "línea 3: documento: el RUN no es válido (dígito verificador incorrecto)",
        "línea 4: región desconocida: «ZZ»",
    ]
    assert done.stdout.strip() == (
        "Filas leídas: 3. Solicitudes nuevas: 1. Estados agregados: 1. "
        "Cambios de estado actual: 1. Filas rechazadas: 2."
    )
    again = cli(database_url, str(path))  # nothing new is still a success
    assert again.returncode == 0, again.stderr
    assert "Estados agregados: 0." in again.stdout


def test_nothing_importable_exits_non_zero(database_url: str, tmp_path: Path) -> None:
    all_bad = tmp_path / "bad.csv"
    all_bad.write_text(HEADER + BAD_RUN + BAD_REGION, encoding="utf-8")
    no_columns = tmp_path / "columns.csv"
    no_columns.write_text("numero_solicitud,tipo\nRT-1,refugio\n", encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    for path in (all_bad, no_columns, empty, tmp_path / "missing.csv"):
        done = cli(database_url, str(path))
        assert done.returncode == 1, (path, done.stdout, done.stderr)
    assert "faltan columnas en la cabecera" in cli(database_url, str(no_columns)).stderr
    assert "No se encontró el archivo" in cli(database_url, str(tmp_path / "x.csv")).stderr


def write_export(path: Path, rows: int) -> tuple[int, int]:
    """A realistic export of ``rows`` events; returns (applications, events)."""
    numbers = set()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for row in itertools.islice(generate(rows // 3), rows):
            numbers.add(row.number)
            writer.writerow(
                [row.number, row.case_type, row.document_type, row.document_number,
                 row.document_country, row.region_code, row.submitted_on.isoformat(),
                 row.status, row.status_on.isoformat(), row.note or ""]
            )  # fmt: skip
    return len(numbers), rows


async def stored(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessionmaker() as db:
        cases = await db.scalar(select(func.count()).select_from(Case))
        events = await db.scalar(select(func.count()).select_from(CaseEvent))
    return cases or 0, events or 0


async def test_an_import_killed_half_way_resumes_when_run_again(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    applications, rows = write_export(path, 60_000)
    process = subprocess.Popen(  # noqa: ASYNC220 (the test polls the database meanwhile)
        command(database_url, str(path), "--batch-size", "1000"),
        cwd=PROJECT_ROOT,
        env=environment(database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(3000):
            if (await stored(sessionmaker))[1] >= 3000 or process.poll() is not None:
                break
            await asyncio.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    _, events = await stored(sessionmaker)
    assert 0 < events < rows, "the import ended before it could be killed: make the file larger"
    assert events % 1000 == 0  # whole batches only: each committed as one transaction

    done = cli(database_url, str(path), "--batch-size", "1000")
    assert done.returncode == 0, done.stderr
    assert f"Estados agregados: {rows - events}." in done.stdout
    assert await stored(sessionmaker) == (applications, rows)


async def test_stopped_with_ctrl_c_it_keeps_everything_it_reported(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    _, rows = write_export(path, 60_000)
    process = subprocess.Popen(  # noqa: ASYNC220 (the test polls the database meanwhile)
        command(database_url, str(path), "--batch-size", "1000"),
        cwd=PROJECT_ROOT,
        env=environment(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(3000):
            if (await stored(sessionmaker))[1] >= 3000 or process.poll() is not None:
                break
            await asyncio.sleep(0.01)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Importación interrumpida" in err
    _, kept = await stored(sessionmaker)
    assert 0 < kept < rows
    reported = int(re.search(r"Estados agregados: (\d+)\.", out).group(1))  # type: ignore[union-attr]
    # Nothing it reported is lost. A batch whose COMMIT was under way when Ctrl-C came may
    # be kept without being counted (the database may answer after the process stopped
    # listening); never the other way round.
    assert reported <= kept <= reported + 1000
