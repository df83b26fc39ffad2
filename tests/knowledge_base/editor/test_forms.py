"""The editors' form parsers: a table of cases per rule."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from knowledge_base.editor_forms import parse_article, parse_note, parse_translation


def form(**fields: str | list[str]) -> FormData:
    items: list[tuple[str, str]] = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            items.append((name.replace("_", "-") if name.startswith("step") else name, one))
    return FormData(items)


ARTICLE = {"slug": "multas-y-pagos", "title": "Multas", "type": "ficha", "category": "multas"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, None),
        ({"slug": ""}, "slug"),
        ({"slug": "Multas"}, None),  # lowercased
        ({"slug": "multas_y_pagos"}, "slug"),
        ({"slug": "multas--pagos"}, "slug"),
        ({"slug": "-multas"}, "slug"),
        ({"slug": "múltas"}, "slug"),
        ({"slug": "a" * 121}, "slug"),
        ({"title": ""}, "title"),
        ({"type": "podcast"}, "type"),
        ({"category": "astronomia"}, "category"),
        ({"tramites": ["multas-calculo-pago", "no-existe"]}, "tramites"),
        ({"tags": ", ".join(f"t{n}" for n in range(21))}, "tags"),
        ({"tags": "x" * 61}, "tags"),
        ({"related": "otro articulo"}, "related"),
        ({"type": "video"}, "video_url"),
        ({"type": "video", "video_url": "javascript:alert(1)"}, "video_url"),
        ({"type": "video", "video_url": "http://video.example/1"}, "video_url"),
        ({"type": "video", "video_url": "https://video.example/1"}, None),
    ],
)
def test_article_rules(changes: dict[str, object], field: str | None) -> None:
    data, errors = parse_article(form(**{**ARTICLE, **changes}), creating=True)  # type: ignore[arg-type]
    if field is None:
        assert errors == {} and data is not None
    else:
        assert field in errors and data is None


def test_article_values_are_normalized() -> None:
    data, errors = parse_article(
        form(**ARTICLE, tags="Multa, pago,\nmulta", related="uno, dos,uno",
             tramites=["multas-calculo-pago", "multas-calculo-pago"], video_url="https://x.cl"),
        creating=True,
    )  # fmt: skip
    assert errors == {} and data is not None
    assert data.tags == ("multa", "pago") and data.related == ("uno", "dos")
    assert data.tramites == ("multas-calculo-pago",)
    assert data.video_url is None  # only videos keep a link
    data, errors = parse_article(form(slug="IGNORED!", type="tip", category="otros"), False)
    assert errors == {} and data is not None and data.slug == "" and data.title == ""


def test_steps_are_ordered_and_blank_rows_dropped() -> None:
    parsed, errors = parse_translation(
        form(title="Guía", body_md="Intro\r\nlínea",
             step_0_title="Segundo", step_0_position="2", step_0_body="B",
             step_1_title="", step_1_body="", step_1_image="",
             step_2_title="Primero", step_2_position="1", step_2_image="guias/paso-1.png"),
        "guia",
    )  # fmt: skip
    assert errors == {}
    assert [s["title"] for s in parsed.text.steps] == ["Primero", "Segundo"]
    assert parsed.text.steps[0]["image"] == "guias/paso-1.png"
    assert parsed.text.body_md == "Intro\nlínea"
    assert len(parsed.rows) == 3  # as the form showed them, for errors to stay in place


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": "x" * 401}, "summary"),
        ({"step_0_body": "sin título"}, "step-0-title"),
        ({"step_0_title": "A", "step_0_image": "../../etc/passwd.png"}, "step-0-image"),
        ({"step_0_title": "A", "step_0_image": "https://evil.example/x.png"}, "step-0-image"),
        ({"step_0_title": "A", "step_0_image": "x.exe"}, "step-0-image"),
        ({"step_0_title": "A", "step_0_position": "primero"}, "step-0-position"),
    ],
)
def test_translation_errors(fields: dict[str, str], field: str) -> None:
    _parsed, errors = parse_translation(form(**{"title": "T", **fields}), "guia")
    assert field in errors


def test_fields_of_other_types_are_ignored() -> None:
    parsed, errors = parse_translation(
        form(title="T", transcript="Hola", step_0_title="Paso"), "ficha"
    )
    assert errors == {} and parsed.text.steps == () and parsed.text.transcript == ""
    parsed, _errors = parse_translation(form(title="T", transcript="Hola"), "video")
    assert parsed.text.transcript == "Hola"


def test_notes() -> None:
    assert parse_note(form(note=""), required=True)[1].keys() == {"note"}
    assert parse_note(form(note=" Bien "), required=True) == ("Bien", {})
    assert parse_note(form(), required=False) == ("", {})
    assert "note" in parse_note(form(note="x" * 201), required=False)[1]
