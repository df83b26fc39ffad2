"""One row of the export: checked, normalised, or rejected with its reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from helpdesk.cases import documents, validation
from helpdesk.cases.validation import CaseRow, Rejection, validate_row
from helpdesk.core.i18n import set_locale

REGIONS = frozenset({"RM", "TA", "AN"})


def row(**changes: Any) -> dict[str, Any]:
    base = {
        "numero_solicitud": "RT-2025-0000001",
        "tipo": "residencia_temporal",
        "documento_tipo": "run",
        "documento_numero": "12.345.678-5",
        "documento_pais": "",
        "region": "RM",
        "fecha_presentacion": "2025-03-01",
        "estado": "acogida",
        "fecha_estado": "2025-04-02",
        "nota": "",
    }
    return {**base, **changes}


def test_a_valid_row_is_normalised() -> None:
    checked = validate_row(
        row(
            numero_solicitud=" rt-2025-000 0001",
            tipo=" Residencia_Temporal ",
            estado="No acogida",
            region="cl-rm",
            subcategoria="B)",
        ),
        7,
        REGIONS,
    )
    assert checked == CaseRow(
        line=7,
        number="RT-2025-0000001",
        case_type="residencia_temporal",
        subcategory="b",
        document_type="run",
        document_number="12345678-5",
        document_country="CL",
        region_code="RM",
        submitted_on=date(2025, 3, 1),
        status="no_acogida",
        status_on=date(2025, 4, 2),
        note=None,
    )


def test_dates_may_carry_a_time_and_notes_are_kept() -> None:
    checked = validate_row(
        row(fecha_estado="2025-04-02T15:30:00-03:00", nota=" Falta X "), 2, REGIONS
    )
    assert isinstance(checked, CaseRow)
    assert (checked.status_on, checked.note) == (date(2025, 4, 2), "Falta X")


def test_a_subcategory_counts_only_for_residencia_temporal() -> None:
    checked = validate_row(row(tipo="refugio", estado="ingresada", subcategoria="b"), 2, REGIONS)
    assert isinstance(checked, CaseRow) and checked.subcategory is None


@pytest.mark.parametrize(
    ("changes", "message", "values"),
    [
        (
            {"documento_numero": "12.345.678-4"},
            validation.BAD_DOCUMENT,
            {"reason": documents.BAD_RUN},
        ),
        ({"tipo": "visa_oro"}, validation.UNKNOWN_TYPE, {"value": "visa_oro"}),
        ({"estado": "perdida"}, validation.UNKNOWN_STATUS, {"value": "perdida"}),
        (
            {"tipo": "refugio", "estado": "otorgada"},
            validation.STATUS_NOT_FOR_TYPE,
            {"status": "otorgada", "type": "refugio"},
        ),
        ({"region": "ZZ"}, validation.UNKNOWN_REGION, {"value": "ZZ"}),
        (
            {"fecha_presentacion": "01/03/2025"},
            validation.BAD_DATE,
            {"field": "fecha_presentacion", "value": "01/03/2025"},
        ),
        (
            {"fecha_estado": "2025-02-30"},
            validation.BAD_DATE,
            {"field": "fecha_estado", "value": "2025-02-30"},
        ),
        ({"numero_solicitud": " "}, validation.MISSING, {"field": "numero_solicitud"}),
        ({"estado": None}, validation.MISSING, {"field": "estado"}),
        (
            {"documento_tipo": "pasaporte", "documento_numero": "AB1", "documento_pais": ""},
            validation.MISSING,
            {"field": "documento_pais"},
        ),
        ({"subcategoria": "z"}, validation.BAD_SUBCATEGORY, {"value": "z"}),
        ({"numero_solicitud": "N" * 41}, validation.NUMBER_TOO_LONG, {"max": 40}),
        ({"nota": "x" * 2001}, validation.NOTE_TOO_LONG, {"max": 2000}),
    ],
)
def test_each_kind_of_bad_row_says_why(
    changes: dict[str, Any], message: str, values: dict[str, Any]
) -> None:
    assert validate_row(row(**changes), 12, REGIONS) == Rejection(12, message, values)


def test_a_missing_column_is_a_missing_field() -> None:
    raw = row()
    del raw["region"]
    assert validate_row(raw, 3, REGIONS) == Rejection(3, validation.MISSING, {"field": "region"})


def test_the_reason_reads_in_the_current_language() -> None:
    set_locale("es")
    rejection = validate_row(row(documento_numero="12.345.678-4"), 4, REGIONS)
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "documento: el RUN no es válido (dígito verificador incorrecto)"
    unknown = validate_row(row(region="ZZ"), 5, REGIONS)
    assert isinstance(unknown, Rejection)
    assert unknown.reason == "región desconocida: «ZZ»"
