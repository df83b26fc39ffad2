"""Realistic demo applications: valid RUNs and passports, plausible histories and dates,
every region, and the demo citizens' own applications.

Rows are made valid by construction and written through the import's batch writer
(``importing.import_rows``), so the demo exercises the same path the case system's files
take. Seeded: the same ``n`` gives the same applications, so loading again adds nothing."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from stdnum.cl import rut

from helpdesk.cases import statuses as st
from helpdesk.cases.documents import CHILE, DNI, OTRO, PASAPORTE, RUN
from helpdesk.cases.importing import ImportReport, import_rows
from helpdesk.cases.models import Case
from helpdesk.cases.validation import CaseRow

DEMO_CASES: Final = 200_000
AS_OF: Final = date(2026, 12, 1)  # histories stop here: what is later is still pending
FIRST_DAY: Final = date(2022, 1, 3)

# Where applicants live (weights roughly as foreign residents are spread).
REGION_WEIGHTS: Final = {
    "AP": 3, "TA": 6, "AN": 9, "AT": 2, "CO": 3, "VS": 7, "RM": 58, "LI": 3,
    "ML": 2, "NB": 1, "BI": 2, "AR": 1, "LR": 1, "LL": 1, "AI": 0.3, "MA": 0.7,
}  # fmt: skip
# Nationalities (DOMAIN.md §7), and whether a national ID card is commonly presented.
COUNTRY_WEIGHTS: Final = {
    "VE": 30, "PE": 16.6, "HT": 12.2, "CO": 11.7, "BO": 8.9, "AR": 4, "EC": 3,
    "CN": 1, "DO": 3, "CU": 3, "BR": 2, "ES": 1, "US": 0.5, "RU": 0.3,
}  # fmt: skip
ID_CARD_COUNTRIES: Final = frozenset({"VE", "PE", "CO", "BO", "AR", "EC", "BR"})
TYPE_WEIGHTS: Final = {
    st.RESIDENCIA_TEMPORAL: 44, st.RESIDENCIA_DEFINITIVA: 24,
    st.PRORROGA_PERMANENCIA_TRANSITORIA: 8, st.PERMANENCIA_TRANSITORIA: 4,
    st.AUTORIZACION_TRABAJO: 3, st.NACIONALIZACION: 8, st.REFUGIO: 6,
    st.PROTECCION_COMPLEMENTARIA: 2, st.APATRIDIA: 1,
}  # fmt: skip
PREFIXES: Final = {
    st.PERMANENCIA_TRANSITORIA: "PT", st.PRORROGA_PERMANENCIA_TRANSITORIA: "PP",
    st.AUTORIZACION_TRABAJO: "AT", st.RESIDENCIA_TEMPORAL: "RT",
    st.RESIDENCIA_DEFINITIVA: "RD", st.NACIONALIZACION: "NA", st.REFUGIO: "RF",
    st.PROTECCION_COMPLEMENTARIA: "PC", st.APATRIDIA: "AP",
}  # fmt: skip
# Who already has a RUN: an applicant for definitiva or nationality has held a residence.
RUN_SHARE: Final = {st.RESIDENCIA_DEFINITIVA: 0.95, st.NACIONALIZACION: 1.0}
SUBCATEGORY_WEIGHTS: Final = {"b": 40, "a": 25, "c": 8, "e": 6, "h5": 8, "h4": 3, "k": 2, "l": 3}
NOTES: Final = {
    st.ANTECEDENTES_SOLICITADOS: (
        "Se solicita certificado de antecedentes penales del país de origen, apostillado.",
        "Se solicita contrato de trabajo firmado ante notario.",
        "Se solicita comprobante de domicilio actualizado.",
        "Se solicita pasaporte vigente (todas las páginas).",
    ),
    st.NO_ACOGIDA: ("Solicitud incompleta: falta documento de identidad.",),
    st.RECHAZADA: (
        "No acredita medios de subsistencia.",
        "No cumple con el tiempo de residencia exigido.",
    ),
    st.ARCHIVADA: ("Desistimiento de la persona.", "Abandono del procedimiento."),
}

_Step = tuple[str, int]  # a status and the days since the previous one


def _path(case_type: str, rng: random.Random) -> list[_Step]:
    """A plausible history for a type: most are granted, some rejected or archived."""
    steps: list[_Step] = [(st.INGRESADA, 0)]
    visitor = st.STAGES[case_type][0].statuses == (st.INGRESADA,)
    protection = st.RECONOCIDA in st.VALID_STATUSES[case_type]
    if visitor:
        if rng.random() < 0.7:
            steps.append((st.PAGO_PENDIENTE, rng.randint(1, 5)))
        steps.append((st.EN_ANALISIS, rng.randint(1, 10)))
        steps.append(_outcome(rng, st.OTORGADA, (0.88, 0.07), 14))
        return steps
    if rng.random() < 0.08:
        return [*steps, (st.NO_ACOGIDA, rng.randint(10, 60))]
    steps.append((st.ACOGIDA, rng.randint(5, 90)))
    if rng.random() < 0.35:
        steps.append((st.ANTECEDENTES_SOLICITADOS, rng.randint(20, 120)))
    if not protection and rng.random() < 0.6:
        steps.append((st.PAGO_PENDIENTE, rng.randint(10, 60)))
    steps.append((st.EN_ANALISIS, rng.randint(5, 90)))
    steps.append((st.EN_RESOLUCION, rng.randint(30, 240)))
    if protection:
        steps.append(_outcome(rng, st.RECONOCIDA, (0.05, 0.55), 90))
    else:
        steps.append(_outcome(rng, st.OTORGADA, (0.82, 0.1), 30))
        if steps[-1][0] == st.OTORGADA and case_type != st.NACIONALIZACION and rng.random() < 0.8:
            steps.append((st.ESTAMPADO_DESCARGADO, rng.randint(1, 45)))
    return steps


def _outcome(rng: random.Random, granted: str, shares: tuple[float, float], days: int) -> _Step:
    roll = rng.random()
    status = granted if roll < shares[0] else st.RECHAZADA
    if roll >= shares[0] + shares[1]:
        status = st.ARCHIVADA
    return (status, rng.randint(1, days))


def _document(rng: random.Random, case_type: str, country: str) -> tuple[str, str, str]:
    if rng.random() < RUN_SHARE.get(case_type, 0.3):
        body = rng.randint(20_000_000, 27_999_999)  # foreigners' RUNs are the high numbers
        return RUN, f"{body}-{rut.calc_check_digit(str(body))}", CHILE
    if country in ID_CARD_COUNTRIES and rng.random() < 0.4:
        return (
            DNI,
            f"{'V' if country == 'VE' else ''}{rng.randint(4_000_000, 35_000_000)}",
            country,
        )
    if rng.random() < 0.03:
        return OTRO, f"IPE{rng.randint(100_000, 999_999)}", country
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVXYZ") for _ in range(2))
    return PASAPORTE, f"{letters}{rng.randint(1_000_000, 9_999_999)}", country


def _weighted(rng: random.Random, weights: dict[str, float], k: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


def generate(n: int, seed: int = 15, as_of: date = AS_OF) -> Iterator[CaseRow]:
    """The status events of ``n`` applications (several rows each), in file order."""
    rng = random.Random(seed)  # noqa: S311 (demo data, seeded on purpose)
    types = _weighted(rng, TYPE_WEIGHTS, n)
    regions = _weighted(rng, REGION_WEIGHTS, n)
    countries = _weighted(rng, COUNTRY_WEIGHTS, n)
    span = (as_of - FIRST_DAY).days
    line = 1
    for i in range(n):
        case_type = types[i]
        submitted = FIRST_DAY + timedelta(days=rng.randint(0, span))
        doc_type, number, country = _document(rng, case_type, countries[i])
        subcategory = None
        if case_type == st.RESIDENCIA_TEMPORAL:
            subcategory = _weighted(rng, SUBCATEGORY_WEIGHTS, 1)[0]
        case_number = f"{PREFIXES[case_type]}-{submitted.year}-{i + 1:07d}"
        on = submitted
        for status, days in _path(case_type, rng):
            on += timedelta(days=days)
            if on > as_of:
                break  # not there yet: the application is pending at its last status
            notes = NOTES.get(status)
            line += 1
            yield CaseRow(
                line, case_number, case_type, subcategory, doc_type, number, country,
                regions[i], submitted, status, on, rng.choice(notes) if notes else None,
            )  # fmt: skip


# The demo citizens' own applications (helpdesk/demo/accounts.py), and two of ClaveÚnica's
# sandbox RUNs (DOMAIN.md §4), each at a status that asks something of the person.
OWN_APPLICATIONS: Final = (
    ("RT-2025-D000001", st.RESIDENCIA_TEMPORAL, "h5", PASAPORTE, "HT1234567", "HT", "RM",
     date(2025, 9, 1), ((st.INGRESADA, 0), (st.ACOGIDA, 30), (st.PAGO_PENDIENTE, 40))),
    ("RD-2025-D000002", st.RESIDENCIA_DEFINITIVA, None, DNI, "V12345678", "VE", "TA",
     date(2025, 6, 10), ((st.INGRESADA, 0), (st.ACOGIDA, 20), (st.ANTECEDENTES_SOLICITADOS, 60))),
    ("RT-2024-D000003", st.RESIDENCIA_TEMPORAL, "b", PASAPORTE, "E98765432", "CN", "RM",
     date(2024, 11, 4), ((st.INGRESADA, 0), (st.ACOGIDA, 25), (st.EN_ANALISIS, 50),
                         (st.EN_RESOLUCION, 90), (st.OTORGADA, 30))),
    ("NA-2025-D000004", st.NACIONALIZACION, None, RUN, "44444444-4", CHILE, "RM",
     date(2025, 3, 3), ((st.INGRESADA, 0), (st.ACOGIDA, 30), (st.EN_ANALISIS, 60),
                        (st.EN_RESOLUCION, 120))),
    ("RF-2024-D000005", st.REFUGIO, None, RUN, "55555555-5", CHILE, "AN",
     date(2024, 8, 19), ((st.INGRESADA, 0), (st.ACOGIDA, 45), (st.EN_ANALISIS, 90),
                         (st.EN_RESOLUCION, 200), (st.RECONOCIDA, 60))),
)  # fmt: skip


def own_applications() -> Iterator[CaseRow]:
    for number, case_type, sub, doc_type, doc, country, region, submitted, path in OWN_APPLICATIONS:
        on = submitted
        for status, days in path:
            on += timedelta(days=days)
            note = NOTES[status][0] if status in NOTES else None
            yield CaseRow(
                0, number, case_type, sub, doc_type, doc, country, region, submitted, status,
                on, note,
            )  # fmt: skip


async def load_cases(
    sessionmaker: async_sessionmaker[AsyncSession], n: int = DEMO_CASES
) -> ImportReport | None:
    """Writes the demo applications once: None when they are already there. The demo
    citizens' own come last, so finding them means every batch before was committed; a
    load cut short runs again and adds only what is missing (the import is idempotent)."""
    async with sessionmaker() as db:
        if await db.scalar(select(Case.id).where(Case.number == OWN_APPLICATIONS[-1][0])):
            return None
    rows = (row for part in (generate(n), own_applications()) for row in part)
    return await import_rows(sessionmaker, rows)
