"""Importing the case system's export: records in, checked, written in batches.

Each batch of ``batch_size`` rows is one transaction: its rows are counted as imported only
once it committed, so an import stopped half-way has lost nothing it reported, and running
it again resumes (rows already stored are skipped by the database, ``writing.py``).

``on_batch(db, changes)`` runs inside each batch's transaction with the cases whose status
moved (following an application hooks here: its emails commit with the batch that caused
them, or not at all)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.cases.validation import CaseRow, Rejection, validate_row
from helpdesk.cases.writing import StatusChange, write_batch
from helpdesk.reference.models import Region

BATCH_SIZE: Final = 10_000
# Rejections kept in the report itself; ``on_reject`` sees every one.
KEPT_REJECTIONS: Final = 10_000

BatchHook = Callable[[AsyncSession, list[StatusChange]], Awaitable[None]]


@dataclass
class ImportReport:
    rows_read: int = 0
    created: int = 0
    added: int = 0
    rejected: int = 0
    status_changes: int = 0
    batches: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """Valid rows committed (added, or found already stored)."""
        return self.rows_read - self.rejected


async def region_codes(sessionmaker: async_sessionmaker[AsyncSession]) -> frozenset[str]:
    async with sessionmaker() as db:
        return frozenset(await db.scalars(select(Region.code)))


def _checked(
    records: Iterable[tuple[int, Mapping[str, Any]]], regions: frozenset[str]
) -> Iterable[CaseRow | Rejection]:
    for line, record in records:
        yield validate_row(record, line, regions)


async def import_records(
    sessionmaker: async_sessionmaker[AsyncSession],
    records: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: BatchHook | None = None,
    on_reject: Callable[[Rejection], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Checks and imports ``(line, record)`` pairs (``sources.read_records``)."""
    regions = await region_codes(sessionmaker)
    return await import_rows(
        sessionmaker,
        _checked(records, regions),
        batch_size=batch_size,
        on_batch=on_batch,
        on_reject=on_reject,
        on_progress=on_progress,
        report=report,
    )


async def import_rows(
    sessionmaker: async_sessionmaker[AsyncSession],
    rows: Iterable[CaseRow | Rejection],
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: BatchHook | None = None,
    on_reject: Callable[[Rejection], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Imports rows already checked (the demo generator makes them valid by construction);
    a ``Rejection`` among them is counted and reported, nothing more. ``report``, when
    given, is filled in as batches commit (still there when the import is cut short)."""
    report = report if report is not None else ImportReport()
    batch: list[CaseRow] = []
    rejected: list[Rejection] = []
    read = 0

    async def flush() -> None:
        nonlocal read
        async with sessionmaker() as db:
            async with db.begin():
                result = await write_batch(await db.connection(), batch)
                if on_batch is not None:
                    await on_batch(db, result.changes)
            # Committed: only now does the report count the batch (before closing the
            # session, which may wait: an import stopped there still counts it).
            report.rows_read += read
            report.rejected += len(rejected)
            report.created += result.created
            report.added += result.added
            report.status_changes += len(result.changes)
            report.batches += 1
        room = KEPT_REJECTIONS - len(report.rejections)
        report.rejections.extend(rejected[: max(room, 0)])
        if on_reject is not None:
            for rejection in rejected:
                on_reject(rejection)
        if on_progress is not None:
            on_progress(read)
        batch.clear()
        rejected.clear()
        read = 0

    for row in rows:
        read += 1
        if isinstance(row, Rejection):
            rejected.append(row)
        else:
            batch.append(row)
        if read >= batch_size:
            await flush()
    if read:
        await flush()
    return report
