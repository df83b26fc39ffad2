"""Reading the export: CSV or JSON Lines, each record with the line it starts on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpdesk.cases import sources
from helpdesk.cases.validation import UNREADABLE

HEADER = (
    "numero_solicitud,tipo,documento_tipo,documento_numero,documento_pais,region,"
    "fecha_presentacion,estado,fecha_estado,nota\n"
)
ROW = "N-{n},refugio,pasaporte,AB{n},VE,RM,2025-01-02,ingresada,2025-01-02,{note}\n"


def test_csv_records_keep_the_line_they_start_on(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "\ufeff"  # a byte-order mark, as spreadsheet programs write
        + HEADER
        + ROW.format(n=1, note="")
        + ROW.format(n=2, note='"una nota\nen dos líneas"')
        + "\n"  # a blank line: no record
        + ROW.format(n=3, note="x"),
        encoding="utf-8",
    )
    records = list(sources.read_records(path))
    assert [(line, record["numero_solicitud"]) for line, record in records] == [
        (2, "N-1"),
        (3, "N-2"),
        (6, "N-3"),
    ]
    assert records[1][1]["nota"] == "una nota\nen dos líneas"


def test_json_lines_with_a_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    good = {"numero_solicitud": "N-1", "tipo": "refugio"}
    path.write_text(json.dumps(good) + "\n\n{not json\n[1, 2]\n", encoding="utf-8")
    assert list(sources.read_records(path)) == [
        (1, good),
        (3, {UNREADABLE: True}),
        (4, {UNREADABLE: True}),
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.csv", "{", sources.CSV),
        ("a.JSONL", "x", sources.JSONL),
        ("a.ndjson", "x", sources.JSONL),
        ("export.txt", '\n  {"a": 1}', sources.JSONL),
        ("export", HEADER, sources.CSV),
    ],
)
def test_format_by_extension_or_first_character(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert sources.detect_format(path) == expected


def test_a_csv_without_the_needed_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("numero_solicitud,tipo\nN-1,refugio\n", encoding="utf-8")
    with pytest.raises(sources.SourceError) as refused:
        list(sources.read_records(path))
    assert refused.value.message == sources.MISSING_COLUMNS
    assert "documento_tipo" in str(refused.value.values["columns"])


def test_a_file_not_in_utf8_is_refused_with_where(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes((HEADER + ROW.format(n=1, note="")).encode() + "Año".encode("latin-1"))
    with pytest.raises(sources.SourceError) as refused:
        list(sources.read_records(path))
    assert refused.value.message == sources.NOT_UTF8


def test_a_csv_that_cannot_be_parsed_further_is_refused_with_where(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    huge = "x" * 200_000  # over csv's field size limit
    path.write_text(HEADER + ROW.format(n=1, note="") + ROW.format(n=2, note=huge), "utf-8")
    records = sources.read_records(path)
    assert next(records)[0] == 2
    with pytest.raises(sources.SourceError) as refused:
        next(records)
    assert (refused.value.message, refused.value.values) == (sources.BAD_CSV, {"line": 3})
