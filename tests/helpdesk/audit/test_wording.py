"""Audit events in words, by table: every action the code writes has its sentence, field
names read as words, and ids read as names."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from helpdesk.audit import wording
from helpdesk.audit.models import AuditEvent
from helpdesk.core.settings import PROJECT_ROOT

NAMES = wording.Names(
    staff={1: "Ana Soto", 2: "Luis Rojas"},
    people={7: "Rosa Pierre", 8: "Rose Pierre"},
    folios={40: "SIAC-2026-000040"},
    teams={"rm-consultas": "Consultas RM"},
    statuses={"abierto": "Abierto", "resuelto": "Resuelto"},
    kinds={"consulta": "Consulta general", "reclamo": "Reclamo"},
)


def event(action: str, changes: dict, entity: str = "request", entity_id: int = 40,
          actor: tuple[str, int | None] = ("staff", 1)) -> AuditEvent:  # fmt: skip
    return AuditEvent(
        at=datetime(2026, 12, 6, tzinfo=UTC), actor_type=actor[0], actor_id=actor[1],
        action=action, entity_type=entity, entity_id=entity_id, changes=changes,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("action", "changes", "entity", "sentence", "details"),
    [
        ("request.assign", {"assignee_id": [None, 1]}, "request",
         "Asignada a Ana Soto (antes: nadie)", []),
        ("request.assign", {"assignee_id": [1, 2], "team_code": [None, "rm-consultas"]},
         "request", "Asignada a Luis Rojas (antes: Ana Soto)", ["Equipo: Consultas RM"]),
        ("request.unassign", {"assignee_id": [2, None]}, "request",
         "Se quitó la asignación a Luis Rojas", []),
        ("request.assign", {"assignee_id": [None, 99]}, "request",
         "Asignada a personal N° 99 (antes: nadie)", []),
        ("request.team", {"team_code": [None, "rm-consultas"]}, "request",
         "Enviada al equipo Consultas RM", []),
        ("request.status", {"status": ["abierto", "resuelto"]}, "request",
         "Estado cambiado de «Abierto» a «Resuelto»", []),
        ("request.create", {"folio": [None, "SIAC-2026-000040"], "kind": [None, "consulta"]},
         "request", "Solicitud SIAC-2026-000040 recibida, de tipo Consulta general", []),
        ("request.macro", {"plantilla": [None, "antecedentes"], "kind": ["consulta", "reclamo"],
                           "tags": [None, ["urgente", "visa"]]}, "request",
         "Respondió con la respuesta tipo «antecedentes»",
         ["Tipo de solicitud: Consulta general → Reclamo", "Etiquetas: urgente, visa"]),
        ("request.staff_reply", {"message": [None, 5], "emailed": [None, True]}, "request",
         "Respondió a la persona (enviado por correo)", []),
        ("request.staff_reply", {"message": [None, 5], "emailed": [None, False]}, "request",
         "Respondió a la persona (sin correo)", []),
        ("request.citizen_reply", {"message": [None, 6], "attachments": [None, 2]}, "request",
         "La persona respondió, con 2 archivo(s) adjunto(s)", []),
        ("request.note", {"message": [None, 7]}, "request", "Agregó una nota interna", []),
        ("request.team", {"team_code": ["rm-consultas", None]}, "request",
         "Se quitó del equipo Consultas RM", []),
        ("request.priority", {"priority": ["normal", "alta"]}, "request",
         "Prioridad cambiada de «normal» a «alta»", []),
        ("request.kind", {"kind": ["consulta", "reclamo"], "legal_due_on": ["2026-12-10",
                                                                         "2026-12-24"]},
         "request", "Tipo cambiado de «Consulta general» a «Reclamo»",
         ["Plazo legal: 2026-12-10 → 2026-12-24"]),
        ("request.staff_attachments", {"message": [None, 5], "attachments": [None, 2]},
         "request", "Adjuntó 2 archivo(s) a su respuesta", []),
        ("request.csat", {"csat_score": [None, 4]}, "request",
         "La persona calificó la atención con 4 de 5", []),
        ("request.auto_answer_outcome", {"outcome": [None, "no"]}, "request",
         "La persona indicó si la respuesta automática la ayudó: no resuelta", []),
        ("request.person", {"person_id": [8, 7]}, "request",
         "Pasó de Rose Pierre (ficha N° 8) a Rosa Pierre (ficha N° 7)", []),
        ("request.person", {"person_id": [8, 123]}, "request",
         "Pasó de Rose Pierre (ficha N° 8) a la ficha N° 123", []),
        ("request.tag", {"tag": [None, "urgente"]}, "request", "Etiqueta «urgente» agregada", []),
        ("request.untag", {"tag": ["urgente", None]}, "request", "Etiqueta «urgente» quitada", []),
        ("request.merge", {"merged_into": [None, "SIAC-2026-000041"]}, "request",
         "Fusionada en SIAC-2026-000041", []),
        ("person.merge", {"merged_into": [None, 7], "reason": [None, "Pasaporte renovado"]},
         "person", "Fusionada en Rosa Pierre (ficha N° 7)", ["Motivo: Pasaporte renovado"]),
        ("person.unmerge", {"merged_from": [8, None]}, "person",
         "Se deshizo la fusión de Rose Pierre (ficha N° 8)", []),
        ("person.update", {"phone": [None, "+56 9 1111 2222"], "email": ["a@x.cl", "b@x.cl"]},
         "person", "Datos de la ficha actualizados",
         ["Teléfono: +56 9 1111 2222", "Correo electrónico: a@x.cl → b@x.cl"]),
        ("staff.disable", {"active": [True, False]}, "staff_account",
         "Cuenta de personal desactivada", ["Activa: sí → no"]),
        ("team.route_kind", {"tipo": ["reclamo", "reclamo"], "equipo": [None, "rm-consultas"]},
         "team_kind", "Las solicitudes de tipo Reclamo van ahora al equipo Consultas RM", []),
        ("appointment.book", {"inicio": [None, "2026-12-09 09:00-03:00"],
                              "oficina": [None, "santiago"]}, "appointment",
         "Cita reservada para el 2026-12-09 09:00-03:00",
         ["Oficina: santiago"]),
        ("appointment.reschedule", {"inicio": ["2026-12-09 09:00-03:00",
                                               "2026-12-10 10:00-03:00"]}, "appointment",
         "Cita cambiada del 2026-12-09 09:00-03:00 al 2026-12-10 10:00-03:00", []),
        ("appointment.cancel", {"estado": ["booked", "cancelled"]}, "appointment",
         "Cita anulada", ["Estado: booked → cancelled"]),
        # An action without a sentence yet still reads as words, its fields too.
        ("request.priority_change", {"priority_level": ["low", "high"]}, "request",
         "Solicitud: priority change", ["Priority level: low → high"]),
    ],
)  # fmt: skip
def test_sentences(action, changes, entity, sentence, details) -> None:
    said = wording.describe(event(action, changes, entity), NAMES)
    assert said.sentence == sentence
    assert said.details == details
    assert said.who == "Ana Soto"


@pytest.mark.parametrize(
    ("actor", "who"),
    [
        (("staff", 2), "Luis Rojas"),
        (("staff", 99), "personal N° 99"),
        (("citizen", 3), "la persona"),
        (("anonymous", None), "una persona sin cuenta"),
        (("system", None), "el sistema"),
    ],
)
def test_who(actor, who) -> None:
    assert wording.describe(event("request.csat", {}, actor=actor), NAMES).who == who


@pytest.mark.parametrize(
    ("entity", "entity_id", "words"),
    [
        ("request", 40, "SIAC-2026-000040"),
        ("person", 7, "Rosa Pierre (Ficha N° 7)"),
        ("person", 9, "Ficha N° 9"),
        ("staff_account", 2, "Luis Rojas"),
        ("kind_deadline", 0, "Plazos de un tipo de solicitud"),
        ("closure", 3, "Cierre de oficina N° 3"),
    ],
)
def test_entity_in_words(entity, entity_id, words) -> None:
    assert wording.entity_in_words(event("x.y", {}, entity, entity_id), NAMES) == words


RECORDS = (
    "request|person|citizen_account|staff|team|canned|auto_rule|kind_deadline|tramite|closure|"
    "kb_article|kb_translation|office|appointment|appointment_service"
)
ACTION = re.compile(rf'"((?:{RECORDS})\.[a-z_]+)"')
KB_STEP = re.compile(r'_record\(\s*db, actor, "([a-z_]+)"')


def test_every_action_written_has_a_sentence() -> None:
    """The log never shows a bare code for an action the code writes: a new action gets
    its sentence in wording.py (this test lists what is missing)."""
    written: set[str] = set()
    for folder in ("helpdesk", "knowledge_base"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            if "audit" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            written |= set(ACTION.findall(text))
            written |= {f"kb_translation.{step}" for step in KB_STEP.findall(text)}
    assert len(written) > 40
    assert written - wording.known_actions() == set()
