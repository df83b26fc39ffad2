"""The demo applications: valid by the import's own checks, plausible, every region, the demo
citizens' own included, loaded once."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from helpdesk.cases import demo, statuses
from helpdesk.cases.models import Case, CaseEvent
from helpdesk.cases.validation import CaseRow, validate_row
from helpdesk.demo.accounts import DEMO_CITIZENS
from helpdesk.reference.data import REGIONS

REGION_CODES = frozenset(region.code for region in REGIONS)
DOCUMENT_TYPES = {"passport": "pasaporte", "national_id": "dni"}


def as_export(row: CaseRow) -> dict[str, str]:
    """The row as the case system would write it, for the import's checks."""
    return {
        "numero_solicitud": row.number,
        "tipo": row.case_type,
        "subcategoria": row.subcategory or "",
        "documento_tipo": row.document_type,
        "documento_numero": row.document_number,
        "documento_pais": row.document_country,
        "region": row.region_code,
        "fecha_presentacion": row.submitted_on.isoformat(),
        "estado": row.status,
        "fecha_estado": row.status_on.isoformat(),
        "nota": row.note or "",
    }


def test_generated_rows_pass_the_import_s_checks_and_histories_are_plausible() -> None:
    rows = [*demo.generate(2000), *demo.own_applications()]
    by_case: dict[str, list[CaseRow]] = defaultdict(list)
    for row in rows:
        checked = validate_row(as_export(row), row.line, REGION_CODES)
        assert checked == row, checked  # valid, and already in normal form
        by_case[row.number].append(row)
    assert len(by_case) == 2000 + len(demo.OWN_APPLICATIONS)
    for history in by_case.values():
        assert history[0].status == statuses.INGRESADA
        days = [row.status_on for row in history]
        assert days == sorted(days) and days[0] >= history[0].submitted_on
        assert days[-1] <= demo.AS_OF
        assert len({row.status for row in history}) == len(history)  # no status twice
    assert {row.region_code for row in rows} == REGION_CODES
    assert {row.case_type for row in rows} == set(statuses.CASE_TYPES)
    kinds = {row.document_type for row in rows}
    assert kinds == {"run", "pasaporte", "dni", "otro"}
    # Some are still pending, some granted, some rejected or archived.
    finals = {history[-1].status for history in by_case.values()}
    assert {statuses.EN_RESOLUCION, statuses.OTORGADA, statuses.RECHAZADA} <= finals
    assert list(demo.generate(50)) == list(demo.generate(50))  # seeded: loads agree


def test_the_demo_citizens_own_applications_are_included() -> None:
    own = {
        (r.document_type, r.document_number, r.document_country) for r in demo.own_applications()
    }
    for citizen in DEMO_CITIZENS:
        document = (
            DOCUMENT_TYPES[str(citizen["document_type"])],
            citizen["document_number"],
            citizen["document_country"],
        )
        assert document in own
    assert ("run", "44444444-4", "CL") in own  # a ClaveÚnica sandbox RUN


async def test_loaded_once(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    report = await demo.load_cases(sessionmaker, n=300)
    assert report is not None and report.rejected == 0
    assert report.created == 300 + len(demo.OWN_APPLICATIONS)
    assert await demo.load_cases(sessionmaker, n=300) is None
    async with sessionmaker() as db:
        cases = await db.scalar(select(func.count()).select_from(Case))
        events = await db.scalar(select(func.count()).select_from(CaseEvent))
        marie = await db.scalar(select(Case).where(Case.document_number == "HT1234567"))
    assert (cases, events) == (report.created, report.added)
    assert marie is not None and marie.status == statuses.PAGO_PENDIENTE
    assert report.rows_read == report.added  # no row repeated
