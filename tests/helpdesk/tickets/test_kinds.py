"""Request kinds, channels and priorities: deadlines, folio prefixes, names."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from helpdesk.calendar.working_days import CORRIDOS, HABILES
from helpdesk.core import i18n
from helpdesk.reference.data import TOPICS, TRAMITES
from helpdesk.tickets.kinds import (
    CHANNELS,
    DEFAULT_PRIORITY,
    KINDS,
    PORTAL_KIND_BY_TOPIC,
    PORTAL_KINDS,
    PRIORITIES,
    SIAC_KINDS,
    DeadlineRule,
    channel_names,
    deadline_rule,
    kind_names,
    priority_names,
    tramites_for,
)


@pytest.fixture(autouse=True)
def spanish() -> Iterator[None]:
    i18n.set_locale("es")
    yield
    i18n.set_locale("es")


def test_siac_tipos_and_portal_categories() -> None:
    assert SIAC_KINDS == (
        "consulta",
        "reclamo",
        "sugerencia",
        "felicitacion",
        "opinion",
        "peticion",
        "comentario",
        "transparencia",
    )
    # One portal category per trámite topic, in the catalogue's order.
    assert PORTAL_KINDS == TOPICS
    assert dict(PORTAL_KIND_BY_TOPIC) == {topic: topic for topic in TOPICS}
    assert tuple(KINDS) == SIAC_KINDS + PORTAL_KINDS
    assert all(code == kind.code for code, kind in KINDS.items())


@pytest.mark.parametrize(
    ("code", "prefix", "legal", "target", "identity"),
    [
        ("consulta", "SIAC", 10, None, False),
        ("reclamo", "SIAC", 10, None, False),
        ("sugerencia", "SIAC", 10, None, False),
        ("felicitacion", "SIAC", 10, None, False),
        ("opinion", "SIAC", 10, None, False),
        ("peticion", "SIAC", 10, None, False),
        ("comentario", "SIAC", 10, None, False),
        ("transparencia", "SIAC", 20, None, False),
        ("permanencia_transitoria", "AYU", 10, 5, False),
        ("regularizacion", "AYU", 10, 5, False),
        ("estampado_electronico", "AYU", 10, 5, True),
        ("residencia_temporal", "AYU", 10, 5, False),
        ("residencia_definitiva", "AYU", 10, 5, False),
        ("nacionalizacion", "AYU", 10, 5, False),
        ("refugio", "AYU", 10, 5, False),
        ("multas", "AYU", 10, 5, True),
        ("registro_civil", "AYU", 10, 5, False),
        ("beneficio_migratorio", "AYU", 10, 5, False),
        ("otros", "AYU", 10, 5, False),
    ],
)
def test_defaults(code: str, prefix: str, legal: int, target: int | None, identity: bool) -> None:
    kind = KINDS[code]
    assert kind.folio_prefix == prefix
    extension = 10 if code == "transparencia" else None  # Ley 20.285 art. 14
    assert deadline_rule(code) == DeadlineRule(legal, target, HABILES, extension)
    assert kind.requires_identity_document is identity
    assert kind.topic == (code if prefix == "AYU" else None)


def test_every_kind_is_in_the_parametrized_table() -> None:
    assert len(KINDS) == 19


def test_an_admin_override_replaces_the_default_for_its_kind_only() -> None:
    overrides = {"reclamo": DeadlineRule(15, 7), "multas": DeadlineRule(20)}
    assert deadline_rule("reclamo", overrides) == DeadlineRule(15, 7)
    assert deadline_rule("multas", overrides) == DeadlineRule(20, None)
    assert deadline_rule("consulta", overrides) == DeadlineRule(10, None)
    assert deadline_rule("consulta", {}) == DeadlineRule(10, None)
    with pytest.raises(KeyError):
        deadline_rule("queja", overrides)


def test_the_defaults_cannot_be_edited_in_place() -> None:
    with pytest.raises(TypeError):
        KINDS["consulta"] = KINDS["reclamo"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        KINDS["consulta"].deadline = DeadlineRule(3)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("legal", "target", "unit", "extension"),
    [
        (0, None, HABILES, None),
        (-1, None, HABILES, None),
        (10, 0, HABILES, None),
        (10, 11, HABILES, None),
        (10, None, "semanas", None),
        (10, None, HABILES, 0),
        (10, None, CORRIDOS, 11),
    ],
)
def test_impossible_rules_are_rejected(
    legal: int, target: int | None, unit: str, extension: int | None
) -> None:
    with pytest.raises(ValueError):
        DeadlineRule(legal, target, unit, extension)


def test_the_transparency_kind_and_a_rights_request_rule() -> None:
    transparency = KINDS["transparencia"]
    assert transparency.name == "Solicitud de acceso a la información pública"
    assert transparency.deadline == DeadlineRule(20, None, HABILES, 10)
    # Ley 21.719's rights requests: 30 días corridos, extendable once by 30.
    assert DeadlineRule(30, unit=CORRIDOS, extension_days=30).extension_days == 30


def test_every_kind_has_a_spanish_name_and_help_text() -> None:
    names = kind_names()
    assert tuple(names) == tuple(KINDS)
    assert all(name.strip() for name in names.values())
    assert len(set(names.values())) == len(names)
    assert all(kind.help_text.strip() for kind in KINDS.values())
    assert names["felicitacion"] == "Felicitación"
    assert names["beneficio_migratorio"] == "Consulta de beneficio migratorio"
    assert "documento de identidad" in KINDS["multas"].help_text
    assert "documento de identidad" in KINDS["estampado_electronico"].help_text


def test_names_follow_the_locale_active_when_read() -> None:
    kind = KINDS["permanencia_transitoria"]
    assert kind.name == "Permanencia transitoria"
    i18n.set_locale("en")
    assert kind.name == "Temporary stay"
    assert kind_names()["permanencia_transitoria"] == "Temporary stay"
    assert channel_names()["telefono"] == "Phone"


def test_every_tramite_belongs_to_exactly_one_portal_category() -> None:
    chosen = [t.code for code in KINDS for t in tramites_for(code, TRAMITES)]
    assert sorted(chosen) == sorted(t.code for t in TRAMITES)
    assert tramites_for("consulta", TRAMITES) == ()
    multas = [t.code for t in tramites_for("multas", TRAMITES)]
    assert multas == ["multas-calculo-pago", "multas-descargos"]


def test_tramites_for_takes_catalogue_rows_edited_by_an_admin() -> None:
    @dataclass
    class Row:
        code: str
        topic: str

    rows = [Row("multa-nueva", "multas"), Row("otra", "otros")]
    assert tramites_for("multas", rows) == (rows[0],)


def test_channels() -> None:
    assert CHANNELS == ("web", "email", "presencial", "telefono", "terreno", "municipio")
    names = channel_names()
    assert tuple(names) == CHANNELS
    assert all(name.strip() for name in names.values())
    assert "OIRS" in names["email"]
    assert "Sello Migrante" in names["municipio"]


def test_priorities() -> None:
    assert PRIORITIES == ("baja", "normal", "alta", "urgente")
    assert DEFAULT_PRIORITY == "normal"
    names = priority_names()
    assert tuple(names) == PRIORITIES
    assert names == {"baja": "Baja", "normal": "Normal", "alta": "Alta", "urgente": "Urgente"}
