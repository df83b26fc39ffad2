"""Case types, statuses and stages: the table each type goes through."""

from __future__ import annotations

import pytest

from helpdesk.cases import statuses as st
from helpdesk.core.i18n import set_locale


@pytest.mark.parametrize(
    ("case_type", "status", "valid"),
    [
        (st.RESIDENCIA_TEMPORAL, st.ACOGIDA, True),
        (st.RESIDENCIA_TEMPORAL, st.ESTAMPADO_DESCARGADO, True),
        (st.RESIDENCIA_TEMPORAL, st.RECONOCIDA, False),
        (st.RESIDENCIA_DEFINITIVA, st.PAGO_PENDIENTE, True),
        (st.NACIONALIZACION, st.OTORGADA, True),
        (st.NACIONALIZACION, st.ESTAMPADO_DESCARGADO, False),  # a carta, not an estampado
        (st.REFUGIO, st.RECONOCIDA, True),
        (st.REFUGIO, st.RECHAZADA, True),
        (st.REFUGIO, st.OTORGADA, False),
        (st.REFUGIO, st.PAGO_PENDIENTE, False),  # no fee
        (st.PRORROGA_PERMANENCIA_TRANSITORIA, st.OTORGADA, True),
        (st.PRORROGA_PERMANENCIA_TRANSITORIA, st.ACOGIDA, False),
        (st.PERMANENCIA_TRANSITORIA, st.EN_ANALISIS, True),
        ("visa_oro", st.INGRESADA, False),
        (st.RESIDENCIA_TEMPORAL, "perdida", False),
    ],
)
def test_which_statuses_each_type_goes_through(case_type: str, status: str, valid: bool) -> None:
    assert st.is_valid_status(case_type, status) is valid


def test_every_type_starts_ingresada_and_every_status_is_used() -> None:
    used = set()
    for case_type, stages in st.STAGES.items():
        assert stages[0].statuses[0] == st.INGRESADA, case_type
        used |= st.VALID_STATUSES[case_type]
    assert used == set(st.STATUSES)
    assert set(st.STAGES) == set(st.CASE_TYPES)


def test_the_issue_s_codes_are_all_known() -> None:
    assert {
        "permanencia_transitoria",
        "prorroga_permanencia_transitoria",
        "residencia_temporal",
        "residencia_definitiva",
        "nacionalizacion",
        "refugio",
    } <= set(st.CASE_TYPES)
    assert {
        "ingresada", "acogida", "no_acogida", "antecedentes_solicitados", "pago_pendiente",
        "en_analisis", "en_resolucion", "otorgada", "rechazada", "archivada",
        "estampado_descargado", "reconocida",
    } == set(st.STATUSES)  # fmt: skip


@pytest.mark.parametrize(
    ("case_type", "status", "stage"),
    [
        (st.RESIDENCIA_TEMPORAL, st.NO_ACOGIDA, "recepcion"),
        (st.RESIDENCIA_TEMPORAL, st.PAGO_PENDIENTE, "documentos"),
        (st.RESIDENCIA_DEFINITIVA, st.OTORGADA, "resolucion"),
        (st.RESIDENCIA_DEFINITIVA, st.ESTAMPADO_DESCARGADO, "estampado"),
        (st.PERMANENCIA_TRANSITORIA, st.PAGO_PENDIENTE, "pago"),
        (st.REFUGIO, st.RECONOCIDA, "resolucion"),
    ],
)
def test_stage_of_a_status(case_type: str, status: str, stage: str) -> None:
    found = st.stage_of(case_type, status)
    assert found is not None and found.code == stage
    assert st.stage_of(st.REFUGIO, st.OTORGADA) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("b", "b"), ("B)", "b"), ("h.5", "h5"), (" H5 ", "h5"), ("z", None), ("h9", None)],
)
def test_subcategories_of_decreto_177(raw: str, expected: str | None) -> None:
    assert st.normalize_subcategory(raw) == expected


def test_names_are_spanish_source_strings_read_in_the_current_language() -> None:
    set_locale("es")
    assert st.status_name(st.EN_ANALISIS) == "En análisis"
    assert st.type_name(st.NACIONALIZACION) == "Nacionalización"
    assert st.STAGES[st.REFUGIO][-1].name == "Resolución"
    assert st.status_name("desconocido") == "desconocido"  # an unknown code shows as itself
