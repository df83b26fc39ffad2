"""``python -m helpdesk import-cases FILE``: the import on the command line.

Every rejected row goes to standard error as it is found (``línea 12: …``), then a summary;
a progress bar only when standard error is a terminal. The exit status is 1 only when
nothing could be imported (no valid row, or a file that cannot be read); a file imported
before, which adds nothing, is a success. Stopped with Ctrl-C, it still prints the summary
of the batches committed (nothing it counts is lost) and exits 130."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from helpdesk.cases import sources
from helpdesk.cases.importing import BATCH_SIZE, BatchHook, ImportReport, import_records
from helpdesk.cases.validation import Rejection
from helpdesk.core.db import make_engine, make_sessionmaker
from helpdesk.core.i18n import gettext as _
from helpdesk.core.settings import Settings

INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C


def summary(report: ImportReport) -> str:
    return _(
        "Filas leídas: %(read)s. Solicitudes nuevas: %(created)s. Estados agregados: "
        "%(added)s. Cambios de estado actual: %(changes)s. Filas rechazadas: %(rejected)s.",
        read=report.rows_read,
        created=report.created,
        added=report.added,
        changes=report.status_changes,
        rejected=report.rejected,
    )


def rejection_line(rejection: Rejection) -> str:
    return _("línea %(line)s: %(reason)s", line=rejection.line, reason=rejection.reason)


def run(
    settings: Settings,
    path: Path,
    *,
    batch_size: int = BATCH_SIZE,
    on_batch: BatchHook | None = None,
    err: IO[str] | None = None,
    out: IO[str] | None = None,
) -> int:
    """Imports ``path``; returns the exit status. ``on_batch`` runs in each batch's
    transaction with its status changes (``importing.import_rows``)."""
    err = err or sys.stderr
    out = out or sys.stdout
    if not path.is_file():
        print(_("No se encontró el archivo %(path)s.", path=str(path)), file=err)
        return 1
    show_bar = err.isatty()
    bar = tqdm(
        total=max(sources.count_lines(path) - 1, 0) if show_bar else None,
        disable=not show_bar,
        file=err,
        unit=" filas",
        unit_scale=True,
    )
    report = ImportReport()
    try:
        return asyncio.run(_run(settings, path, batch_size, on_batch, bar, report, err))
    except KeyboardInterrupt:
        bar.close()
        # What the summary counts was committed; the batch under way was rolled back.
        print(_("Importación interrumpida: lo importado hasta aquí queda guardado; "
                "vuelva a ejecutarla para completarla."), file=err)  # fmt: skip
        return INTERRUPTED
    finally:
        bar.close()
        print(summary(report), file=out)


async def _run(
    settings: Settings,
    path: Path,
    batch_size: int,
    on_batch: BatchHook | None,
    bar: tqdm[Any],
    report: ImportReport,
    err: IO[str],
) -> int:
    show_bar = not bar.disable

    def reject(rejection: Rejection) -> None:
        if show_bar:
            bar.write(rejection_line(rejection), file=err)
        else:
            print(rejection_line(rejection), file=err)

    engine = make_engine(settings.database_url, sqlite_driver=settings.sqlite_driver)
    failure = None
    try:
        await import_records(
            make_sessionmaker(engine),
            sources.read_records(path),
            batch_size=batch_size,
            on_batch=on_batch,
            on_reject=reject,
            on_progress=bar.update,
            report=report,
        )
    except sources.SourceError as error:
        failure = error
    finally:
        await engine.dispose()
    if failure is not None:
        reason = _(failure.message, **failure.values)
        print(_("No se puede leer el archivo: %(reason)s", reason=reason), file=err)
    return 0 if report.accepted else 1
