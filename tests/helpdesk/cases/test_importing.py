"""The import: upserts keyed on the application number, history appended never twice, the
current status from the latest event, a report of bad rows, batches that survive an
interruption."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.cases import sources, validation
from helpdesk.cases.importing import ImportReport, import_records
from helpdesk.cases.models import Case, CaseEvent
from helpdesk.cases.validation import FIELDS
from helpdesk.cases.writing import StatusChange

Maker = async_sessionmaker[AsyncSession]


def event(number: str, status: str, on: str, **changes: Any) -> dict[str, Any]:
    base = {
        "numero_solicitud": number,
        "tipo": "residencia_temporal",
        "documento_tipo": "pasaporte",
        "documento_numero": f"P{number[-4:]}",
        "documento_pais": "HT",
        "region": "RM",
        "fecha_presentacion": "2025-01-10",
        "estado": status,
        "fecha_estado": on,
        "nota": "",
    }
    return {**base, **changes}


def numbered(records: Iterable[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    return [(line, record) for line, record in enumerate(records, start=2)]


async def history(sessionmaker: Maker, number: str) -> list[tuple[str, date]]:
    async with sessionmaker() as db:
        rows = await db.execute(
            select(CaseEvent.status, CaseEvent.status_on)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(Case.number == number)
            .order_by(CaseEvent.id)
        )
        return [(status, on) for status, on in rows]


async def case(sessionmaker: Maker, number: str) -> Case:
    async with sessionmaker() as db:
        found = await db.scalar(select(Case).where(Case.number == number))
        assert found is not None
        return found


async def counts(sessionmaker: Maker) -> tuple[int, int]:
    async with sessionmaker() as db:
        cases = await db.scalar(select(func.count()).select_from(Case))
        events = await db.scalar(select(func.count()).select_from(CaseEvent))
        return cases or 0, events or 0


FIRST = [
    event("RT-1", "ingresada", "2025-01-10"),
    event("RT-1", "acogida", "2025-02-01"),
    event("RT-2", "ingresada", "2025-01-12", documento_tipo="run", documento_numero="12.345.678-5"),
]


async def test_the_same_file_twice_changes_nothing(sessionmaker: Maker) -> None:
    first = await import_records(sessionmaker, numbered(FIRST))
    assert (first.rows_read, first.created, first.added, first.rejected) == (3, 2, 3, 0)
    before = await counts(sessionmaker)
    updated_at = (await case(sessionmaker, "RT-1")).updated_at

    again = await import_records(sessionmaker, numbered(FIRST))
    assert (again.rows_read, again.created, again.added, again.status_changes) == (3, 0, 0, 0)
    assert await counts(sessionmaker) == before == (2, 3)
    assert (await case(sessionmaker, "RT-1")).updated_at == updated_at


async def test_history_is_appended_and_the_latest_event_is_current(sessionmaker: Maker) -> None:
    await import_records(sessionmaker, numbered(FIRST))
    later = [
        event("RT-1", "acogida", "2025-02-01"),  # already stored
        event("RT-1", "pago_pendiente", "2025-03-05", nota="Pague los derechos"),
        event("RT-1", "ingresada", "2025-01-10"),  # already stored
    ]
    report = await import_records(sessionmaker, numbered(later))
    assert (report.created, report.added, report.status_changes) == (0, 1, 1)
    assert await history(sessionmaker, "RT-1") == [
        ("ingresada", date(2025, 1, 10)),
        ("acogida", date(2025, 2, 1)),
        ("pago_pendiente", date(2025, 3, 5)),
    ]
    current = await case(sessionmaker, "RT-1")
    assert (current.status, current.status_on) == ("pago_pendiente", date(2025, 3, 5))
    # The same status with another note is another event (a second requerimiento).
    noted = [event("RT-1", "pago_pendiente", "2025-03-05", nota="Segundo aviso")]
    assert (await import_records(sessionmaker, numbered(noted))).added == 1


async def test_an_older_event_fills_history_without_moving_the_status(sessionmaker: Maker) -> None:
    await import_records(sessionmaker, numbered(FIRST))
    late = [event("RT-1", "antecedentes_solicitados", "2025-01-20")]
    report = await import_records(sessionmaker, numbered(late))
    assert (report.added, report.status_changes) == (1, 0)
    current = await case(sessionmaker, "RT-1")
    assert (current.status, current.status_on) == ("acogida", date(2025, 2, 1))
    # Of two events of the same day, the one imported last is current.
    same_day = [event("RT-1", "en_analisis", "2025-02-01")]
    await import_records(sessionmaker, numbered(same_day))
    assert (await case(sessionmaker, "RT-1")).status == "en_analisis"


async def test_details_follow_the_case_system(sessionmaker: Maker) -> None:
    await import_records(sessionmaker, numbered(FIRST))
    moved = [event("RT-2", "acogida", "2025-02-01", region="TA", documento_tipo="run",
                   documento_numero="12345678-5", subcategoria="h5")]  # fmt: skip
    await import_records(sessionmaker, numbered(moved))
    current = await case(sessionmaker, "RT-2")
    assert (current.region_code, current.subcategory, current.status) == ("TA", "h5", "acogida")
    assert (current.document_type, current.document_number, current.document_country) == (
        "run",
        "12345678-5",
        "CL",
    )
    # A later file without the subcategory column leaves it as it was.
    await import_records(sessionmaker, numbered([event("RT-2", "en_analisis", "2025-03-01")]))
    assert (await case(sessionmaker, "RT-2")).subcategory == "h5"


async def test_a_repeated_row_in_one_file_is_one_event(sessionmaker: Maker) -> None:
    rows = [FIRST[0], FIRST[0], FIRST[1], FIRST[0]]
    report = await import_records(sessionmaker, numbered(rows), batch_size=2)
    assert (report.created, report.added) == (1, 2)
    assert await counts(sessionmaker) == (1, 2)


async def test_status_changes_reach_the_hook_inside_the_batch(sessionmaker: Maker) -> None:
    await import_records(sessionmaker, numbered(FIRST))
    seen: list[list[StatusChange]] = []

    async def hook(db: AsyncSession, changes: list[StatusChange]) -> None:
        assert db.in_transaction()
        seen.append(changes)

    rows = [
        event("RT-1", "en_analisis", "2025-04-01"),
        event("RT-2", "ingresada", "2025-01-12", documento_tipo="run",
              documento_numero="12.345.678-5"),  # unchanged
        event("RT-3", "ingresada", "2025-04-02"),
    ]  # fmt: skip
    await import_records(sessionmaker, numbered(rows), on_batch=hook)
    rt1 = (await case(sessionmaker, "RT-1")).id
    rt3 = (await case(sessionmaker, "RT-3")).id
    assert sorted(seen[0], key=lambda c: c.case_id) == [
        StatusChange(rt1, "RT-1", "acogida", "en_analisis", date(2025, 4, 1)),
        StatusChange(rt3, "RT-3", None, "ingresada", date(2025, 4, 2)),
    ]
    seen.clear()
    await import_records(sessionmaker, numbered(rows), on_batch=hook)
    assert seen == [[]]  # nothing changed: nothing to tell anyone


BAD = [
    (event("B-1", "ingresada", "2025-01-02", documento_tipo="run", documento_numero="12.345.678-4"),
     validation.BAD_DOCUMENT),
    (event("B-2", "ingresada", "2025-01-02", tipo="visa_oro"), validation.UNKNOWN_TYPE),
    (event("B-3", "perdida", "2025-01-02"), validation.UNKNOWN_STATUS),
    (event("B-4", "reconocida", "2025-01-02"), validation.STATUS_NOT_FOR_TYPE),
    (event("B-5", "ingresada", "2025-01-02", region="XX"), validation.UNKNOWN_REGION),
    (event("B-6", "ingresada", "2 de enero"), validation.BAD_DATE),
    (event("B-7", "ingresada", "2025-01-02", numero_solicitud=""), validation.MISSING),
]  # fmt: skip


async def test_bad_rows_are_reported_by_line_and_the_rest_imported(sessionmaker: Maker) -> None:
    good = event("G-1", "ingresada", "2025-01-02")
    records = [good, *(record for record, _ in BAD), good]
    seen = []
    report = await import_records(
        sessionmaker, numbered(records), on_reject=seen.append, batch_size=3
    )
    expected = [(line, message) for line, (_, message) in enumerate(BAD, start=3)]
    assert [(r.line, r.message) for r in report.rejections] == expected
    assert seen == report.rejections
    assert (report.rows_read, report.rejected, report.accepted, report.added) == (9, 7, 2, 1)
    assert await counts(sessionmaker) == (1, 1)


def write_csv(path: Path, records: list[dict[str, Any]]) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(records)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


@pytest.mark.parametrize("writer", [write_csv, write_jsonl])
async def test_csv_and_json_lines_import_alike(
    sessionmaker: Maker, tmp_path: Path, writer: Any
) -> None:
    records = [
        *FIRST,
        event("RT-1", "en_analisis", "2025-03-01", nota="Revisión, con coma\ny salto"),
    ]
    bad = event("RT-9", "ingresada", "2025-13-01")
    path = tmp_path / ("export.csv" if writer is write_csv else "export.jsonl")
    writer(path, [*records, bad])
    report = await import_records(sessionmaker, sources.read_records(path))
    assert (report.created, report.added, report.rejected) == (2, 4, 1)
    # The bad row is the file's fifth record: CSV line 7 (header, and a note on two lines),
    # JSON Lines line 5.
    assert report.rejections[0].line == (7 if writer is write_csv else 5)
    assert (await case(sessionmaker, "RT-1")).status == "en_analisis"
    async with sessionmaker() as db:
        note = await db.scalar(select(CaseEvent.note).where(CaseEvent.status == "en_analisis"))
    assert note == "Revisión, con coma\ny salto"


class Interrupted(Exception):
    pass


async def test_an_import_interrupted_after_a_batch_resumes_cleanly(sessionmaker: Maker) -> None:
    records = [event(f"RT-{n // 3}", status, f"2025-0{1 + n % 3}-01")
               for n, status in enumerate(["ingresada", "acogida", "en_analisis"] * 5)]  # fmt: skip
    batches = 0

    async def fail_on_third(_db: AsyncSession, _changes: list[StatusChange]) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            raise Interrupted

    report = ImportReport()
    with pytest.raises(Interrupted):
        await import_records(
            sessionmaker, numbered(records), batch_size=4, on_batch=fail_on_third, report=report
        )
    # Two batches committed and reported; the third rolled back with everything it wrote.
    assert (report.batches, report.rows_read, report.added) == (2, 8, 8)
    assert (await counts(sessionmaker))[1] == 8

    again = await import_records(sessionmaker, numbered(records), batch_size=4)
    assert (again.added, again.rows_read) == (7, 15)
    assert await counts(sessionmaker) == (5, 15)
    for n in range(5):
        assert [s for s, _ in await history(sessionmaker, f"RT-{n}")] == [
            "ingresada",
            "acogida",
            "en_analisis",
        ]
        assert (await case(sessionmaker, f"RT-{n}")).status == "en_analisis"
