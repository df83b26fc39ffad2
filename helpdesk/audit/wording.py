"""Audit events in words, in the reader's language: "Asignada a Ana Soto (antes: nadie)"
rather than "request.assign · assignee_id: — → 1".

``describe`` is a pure function of the event and the names the page looked up beforehand
(``Names``: one batch query per kind of id on the page, in ``reading.py``), so a table tests
each action (tests/helpdesk/audit/test_wording.py). Every action the code writes has its
sentence; an action added later without one still reads as words ("Solicitud: cambio de
prioridad"), never as a bare code. The values each event changed are listed below the
sentence, with field names in words and ids turned into names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from helpdesk.audit.models import AuditEvent
from helpdesk.core.i18n import gettext as _


@dataclass(frozen=True)
class Names:
    """Names for the ids and codes on one page of events (missing ones read as numbers)."""

    staff: Mapping[int, str] = field(default_factory=dict)
    people: Mapping[int, str] = field(default_factory=dict)
    folios: Mapping[int, str] = field(default_factory=dict)  # request id -> folio
    teams: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Described:
    who: str
    sentence: str
    details: list[str]  # "Campo: antes → después", for each changed value not in the sentence


# Which changed fields hold which kind of id or code (audit rows keep their first names).
STAFF_FIELDS = frozenset({"assignee_id"})
PERSON_FIELDS = frozenset({"person_id"})
TEAM_FIELDS = frozenset({"team_code", "equipo"})
KIND_FIELDS = frozenset({"kind", "tipo"})
STATUS_FIELDS = frozenset({"status"})


def field_labels() -> dict[str, str]:
    return {
        "status": _("Estado"),
        "priority": _("Prioridad"),
        "assignee_id": _("Asignada a"),
        "team_code": _("Equipo"),
        "equipo": _("Equipo"),
        "kind": _("Tipo de solicitud"),
        "tipo": _("Tipo de solicitud"),
        "tramite_code": _("Trámite"),
        "legal_due_on": _("Plazo legal"),
        "tags": _("Etiquetas"),
        "tag": _("Etiqueta"),
        "plantilla": _("Respuesta tipo"),
        "plantilla_idioma": _("Idioma de la respuesta tipo"),
        "canned_code": _("Respuesta tipo"),
        "rule_id": _("Regla automática"),
        "outcome": _("Respuesta de la persona"),
        "csat_score": _("Calificación"),
        "message": _("Mensaje"),
        "emailed": _("Enviada por correo"),
        "attachments": _("Archivos adjuntos"),
        "related": _("Solicitud relacionada"),
        "follows": _("Continúa la solicitud"),
        "merged_into": _("Fusionada en"),
        "merged_from": _("Fusionó a"),
        "person_id": _("Persona"),
        "folio": _("Folio"),
        "deadline_alerted_on": _("Plazo avisado"),
        "recipients": _("Destinatarios"),
        "reason": _("Motivo"),
        "abandonment_warned_at": _("Aviso de abandono"),
        "extension_days": _("Días de prórroga"),
        "missing_locale": _("Idioma que faltaba"),
        "version": _("Versión"),
        "restored_from": _("Restaurada desde la versión"),
        "note": _("Nota"),
        "fields": _("Campos"),
        "override": _("Diferencias aceptadas"),
        "source": _("Origen"),
        "active": _("Activa"),
        "activa": _("Activa"),
        "available": _("Disponible"),
        "languages": _("Idiomas en que atiende"),
        "disponible": _("Disponible"),
        "teams": _("Equipos"),
        "role": _("Rol"),
        "codigo": _("Código"),
        "nombre": _("Nombre"),
        "region": _("Región"),
        "locale": _("Idioma"),
        "slug": _("Dirección del artículo"),
        "title": _("Título"),
        "run": "RUN",
        "document_type": _("Tipo de documento"),
        "document_number": _("Número de documento"),
        "document_country": _("País que emitió el documento"),
        "birth_date": _("Fecha de nacimiento"),
        "given_names": _("Nombres"),
        "surnames": _("Apellidos"),
        "country_of_birth": _("País de nacimiento"),
        "email": _("Correo electrónico"),
        "email_verified_at": _("Confirmación del correo"),
        "phone": _("Teléfono"),
        "preferred_locale": _("Idioma"),
        "sex_gender": _("Sexo o género"),
        "region_code": _("Región"),
        "oficina": _("Oficina"),
        "tramite": _("Trámite"),
        "inicio": _("Fecha y hora"),
        "grupo_prioritario": _("Grupo prioritario"),
        "motivo": _("Motivo"),
        "duracion": _("Duración (minutos)"),
        "mesones": _("Mesones"),
        "preferentes": _("Cupos preferentes"),
        "estado": _("Estado"),
    }


def _entity_names() -> dict[str, str]:
    return {
        "request": _("Solicitud"),
        "case": _("Solicitud migratoria"),
        "person": _("Ficha de persona"),
        "citizen_account": _("Cuenta del portal"),
        "staff_account": _("Cuenta de personal"),
        "staff": _("Cuenta de personal"),
        "team": _("Equipo"),
        "team_kind": _("Reparto de solicitudes"),
        "canned_response": _("Respuesta tipo"),
        "auto_rule": _("Regla automática"),
        "kind_deadline": _("Plazos de un tipo de solicitud"),
        "tramite": _("Trámite"),
        "closure": _("Cierre de oficina"),
        "appointment": _("Cita"),
        "appointment_service": _("Trámite con citas de una oficina"),
        "kb_article": _("Artículo"),
        "kb_translation": _("Traducción de un artículo"),
    }


class _Reading:
    """One event's changes, with each value turned into words."""

    def __init__(self, event: AuditEvent, names: Names) -> None:
        self.event, self.names = event, names
        self.changes: dict[str, Any] = event.changes or {}
        self.used: set[str] = set()

    def _pair(self, name: str) -> list[Any]:
        value = self.changes.get(name)
        return value if isinstance(value, list) and len(value) == 2 else [None, value]

    def before(self, name: str) -> str:
        self.used.add(name)
        return self.value(name, self._pair(name)[0])

    def after(self, name: str) -> str:
        self.used.add(name)
        return self.value(name, self._pair(name)[1])

    def raw_after(self, name: str) -> Any:
        return self._pair(name)[1]

    def _is_person(self, name: str) -> bool:
        merged = self.event.entity_type == "person" and name in ("merged_into", "merged_from")
        return name in PERSON_FIELDS or merged

    def value(self, name: str, value: Any) -> str:
        names = self.names
        if value is None or value == "" or value == []:
            return _("nadie") if name in STAFF_FIELDS else "—"
        if isinstance(value, bool):
            return _("sí") if value else _("no")
        if isinstance(value, list):
            return ", ".join(self.value(name, v) for v in value)
        if name in STAFF_FIELDS and isinstance(value, int):
            return names.staff.get(value, _("personal N° %(id)s", id=value))
        if self._is_person(name) and isinstance(value, int):
            person = names.people.get(value)
            if person:
                return _("%(name)s (ficha N° %(id)s)", name=person, id=value)
            return _("la ficha N° %(id)s", id=value)
        if name in TEAM_FIELDS:
            return names.teams.get(str(value), str(value))
        if name in KIND_FIELDS:
            return names.kinds.get(str(value), str(value))
        if name in STATUS_FIELDS:
            return names.statuses.get(str(value), str(value))
        if name == "outcome":
            return {"yes": _("resuelta"), "no": _("no resuelta")}.get(str(value), str(value))
        return str(value)

    def details(self) -> list[str]:
        labels = field_labels()
        lines = []
        for name in self.changes:
            if name in self.used:
                continue
            before, after = self._pair(name)
            label = labels.get(name, name.replace("_", " ").capitalize())
            if before is None:
                lines.append(f"{label}: {self.value(name, after)}")
            else:
                lines.append(f"{label}: {self.value(name, before)} → {self.value(name, after)}")
        return lines


def _assign(r: _Reading) -> str:
    if r.raw_after("assignee_id") is None:
        return _("Se quitó la asignación a %(before)s", before=r.before("assignee_id"))
    return _("Asignada a %(after)s (antes: %(before)s)", after=r.after("assignee_id"),
             before=r.before("assignee_id"))  # fmt: skip


def _merge(r: _Reading) -> str:
    if "merged_into" in r.changes:
        return _("Fusionada en %(other)s", other=r.after("merged_into"))
    return _("Se fusionó aquí %(other)s", other=r.after("merged_from"))


def _unmerge(r: _Reading) -> str:
    if "merged_into" in r.changes:
        return _("Se deshizo su fusión con %(other)s", other=r.before("merged_into"))
    return _("Se deshizo la fusión de %(other)s", other=r.before("merged_from"))


def _reply(r: _Reading) -> str:
    r.used.add("message")
    if r.raw_after("emailed"):
        r.used.add("emailed")
        return _("Respondió a la persona (enviado por correo)")
    r.used.add("emailed")
    return _("Respondió a la persona (sin correo)")


def _citizen_reply(r: _Reading) -> str:
    r.used.add("message")
    count = r.raw_after("attachments")
    r.used.add("attachments")
    if count:
        return _("La persona respondió, con %(n)s archivo(s) adjunto(s)", n=count)
    return _("La persona respondió")


def _team(r: _Reading) -> str:
    if r.raw_after("team_code") is None:  # taken out of its team from the request's page
        return _("Se quitó del equipo %(team)s", team=r.before("team_code"))
    return _("Enviada al equipo %(team)s", team=r.after("team_code"))


def _staff_attachments(r: _Reading) -> str:
    r.used.update(("message", "attachments"))
    return _("Adjuntó %(n)s archivo(s) a su respuesta", n=r.raw_after("attachments"))


def _note(r: _Reading) -> str:
    r.used.add("message")
    return _("Agregó una nota interna")


Sentence = Callable[[_Reading], str]


def _sentences() -> dict[str, Sentence]:
    return {
        "request.create": lambda r: _("Solicitud %(folio)s recibida, de tipo %(kind)s",
                                      folio=r.after("folio"), kind=r.after("kind")),
        "request.status": lambda r: _("Estado cambiado de «%(before)s» a «%(after)s»",
                                      before=r.before("status"), after=r.after("status")),
        "request.assign": _assign,
        "request.unassign": _assign,
        "request.team": _team,
        "request.staff_reply": _reply,
        "request.staff_attachments": _staff_attachments,
        "request.priority": lambda r: _("Prioridad cambiada de «%(before)s» a «%(after)s»",
                                        before=r.before("priority"), after=r.after("priority")),
        "request.kind": lambda r: _("Tipo cambiado de «%(before)s» a «%(after)s»",
                                    before=r.before("kind"), after=r.after("kind")),
        "request.note": _note,
        "request.citizen_reply": _citizen_reply,
        "request.macro": lambda r: _("Respondió con la respuesta tipo «%(code)s»",
                                     code=r.after("plantilla")),
        "request.auto_answer": lambda r: _("Se envió la respuesta automática «%(code)s»",
                                           code=r.after("canned_code")),
        "request.auto_answer_outcome": lambda r: _(
            "La persona indicó si la respuesta automática la ayudó: %(outcome)s",
            outcome=r.after("outcome")),
        "request.csat": lambda r: _("La persona calificó la atención con %(score)s de 5",
                                    score=r.after("csat_score")),
        "request.link_renewed": lambda r: _("Se envió a la persona un nuevo enlace privado"),
        "request.tag": lambda r: _("Etiqueta «%(tag)s» agregada", tag=r.after("tag")),
        "request.untag": lambda r: _("Etiqueta «%(tag)s» quitada", tag=r.before("tag")),
        "request.link": lambda r: _("Relacionada con la solicitud %(folio)s",
                                    folio=r.after("related")),
        "request.unlink": lambda r: _("Ya no está relacionada con la solicitud %(folio)s",
                                      folio=r.before("related")),
        "request.case_link": lambda r: _("Vinculada a la solicitud migratoria %(number)s",
                                         number=r.after("case")),
        "request.case_unlink": lambda r: _("Ya no está vinculada a la solicitud migratoria "
                                           "%(number)s", number=r.before("case")),
        "request.merge": _merge,
        "request.follows": lambda r: _("Continúa la solicitud %(folio)s",
                                       folio=r.after("follows")),
        "request.held": lambda r: _("Retenida: nombra %(folio)s sin remitente probado",
                                    folio=r.after("names")),
        "request.person": lambda r: _("Pasó de %(before)s a %(after)s",
                                      before=r.before("person_id"), after=r.after("person_id")),
        "request.deadline_alert": lambda r: _(
            "Aviso de plazo por vencer (%(due)s) enviado a %(n)s supervisor(es)",
            due=r.after("deadline_alerted_on"), n=r.after("recipients")),
        "person.create": lambda r: _("Ficha creada"),
        "person.update": lambda r: _("Datos de la ficha actualizados"),
        "person.merge": _merge,
        "person.unmerge": _unmerge,
        "person.demo_removed": lambda r: _("Ficha de demostración eliminada"),
        "citizen_account.create": lambda r: _("Cuenta del portal creada"),
        "citizen_account.person": lambda r: _("La cuenta pasó de %(before)s a %(after)s",
                                              before=r.before("person_id"),
                                              after=r.after("person_id")),
        "citizen_account.password_reset": lambda r: _("Contraseña del portal restablecida"),
        "citizen_account.sign_in_failed": lambda r: _(
            "Intento de ingreso con contraseña incorrecta"),
        "case.person": lambda r: _("Solicitud migratoria vinculada a la persona que la consultó"),
        "appointment.book": lambda r: _("Cita reservada para el %(start)s",
                                        start=r.after("inicio")),
        "appointment.reschedule": lambda r: _("Cita cambiada del %(before)s al %(after)s",
                                              before=r.before("inicio"), after=r.after("inicio")),
        "appointment.cancel": lambda r: _("Cita anulada"),
        "appointment_service.create": lambda r: _("La oficina %(office)s da horas para %(tramite)s",
                                                   office=r.after("oficina"),
                                                   tramite=r.after("tramite")),
        "appointment_service.update": lambda r: _("Citas de %(tramite)s en %(office)s modificadas",
                                                   office=r.after("oficina"),
                                                   tramite=r.after("tramite")),
        "appointment_service.delete": lambda r: _(
            "La oficina %(office)s ya no da horas para %(tramite)s",
            office=r.after("oficina"), tramite=r.after("tramite")),
        "staff.create": lambda r: _("Cuenta de personal creada"),
        "staff.disable": lambda r: _("Cuenta de personal desactivada"),
        "staff.enable": lambda r: _("Cuenta de personal activada de nuevo"),
        "staff.demo_removed": lambda r: _("Cuenta de demostración eliminada"),
        "staff.sign_in_failed": lambda r: _("Intento de ingreso con contraseña incorrecta"),
        "staff.availability": lambda r: _("Cambió su disponibilidad para recibir solicitudes"),
        "staff.languages": lambda r: _("Cambió los idiomas en que atiende: %(after)s",
                                       after=r.after("languages") or "—"),
        "team.create": lambda r: _("Equipo creado"),
        "team.member_add": lambda r: _("Agregada al equipo %(team)s", team=r.after("equipo")),
        "team.member_remove": lambda r: _("Quitada del equipo %(team)s",
                                          team=r.before("equipo")),
        "team.member_available": lambda r: _("Cambió su disponibilidad en el equipo %(team)s",
                                             team=r.after("equipo")),
        "team.route_kind": lambda r: _("Las solicitudes de tipo %(kind)s van ahora al equipo "
                                       "%(team)s", kind=r.after("tipo"), team=r.after("equipo")),
        "canned.create": lambda r: _("Respuesta tipo creada"),
        "canned.update": lambda r: _("Respuesta tipo modificada"),
        "auto_rule.create": lambda r: _("Regla de respuesta automática creada"),
        "auto_rule.update": lambda r: _("Regla de respuesta automática modificada"),
        "kind_deadline.set": lambda r: _("Plazos del tipo %(kind)s modificados",
                                         kind=r.after("tipo")),
        "kind_deadline.reset": lambda r: _("Plazos del tipo %(kind)s vueltos a los de origen",
                                           kind=r.after("tipo")),
        "tramite.update": lambda r: _("Trámite modificado"),
        "closure.create": lambda r: _("Cierre de oficina agregado"),
        "closure.delete": lambda r: _("Cierre de oficina eliminado"),
        "kb_article.create": lambda r: _("Artículo creado"),
        "kb_article.update": lambda r: _("Datos del artículo modificados"),
        "kb_translation.create": lambda r: _("Traducción creada"),
        "kb_translation.save": lambda r: _("Traducción guardada"),
        "kb_translation.submit": lambda r: _("Traducción enviada a revisión"),
        "kb_translation.send_back": lambda r: _("Traducción devuelta para corregir"),
        "kb_translation.publish": lambda r: _("Traducción publicada"),
        "kb_translation.rollback": lambda r: _("Traducción vuelta a una versión anterior"),
        "kb_translation.archive": lambda r: _("Traducción archivada"),
        "office.update": lambda r: _("Datos de la oficina modificados"),
        "tramite.create": lambda r: _("Trámite creado"),
        "request.abandonment_warning": lambda r: _(
            "Se avisó a la persona que la solicitud se declarará abandonada si no responde"),
        "request.abandonment_warning_lifted": lambda r: _(
            "Se retiró el aviso de abandono: la persona respondió"),
        "request.auto_answer_skipped": lambda r: _(
            "No se envió la respuesta automática «%(code)s»: no existe en el idioma %(locale)s",
            code=r.after("canned_code"), locale=r.after("missing_locale")),
        "request.deadline_extension": lambda r: _(
            "Plazo legal prorrogado %(days)s días: del %(before)s al %(after)s",
            days=r.after("extension_days"), before=r.before("legal_due_on"),
            after=r.after("legal_due_on")),
    }  # fmt: skip


def known_actions() -> frozenset[str]:
    return frozenset(_sentences())


def _fallback(event: AuditEvent) -> str:
    """An action without its sentence yet: its record and its code's words."""
    entity = _entity_names().get(event.entity_type, event.entity_type.replace("_", " "))
    verb = event.action.rpartition(".")[2].replace("_", " ")
    return _("%(entity)s: %(what)s", entity=entity, what=verb)


def who(event: AuditEvent, names: Names) -> str:
    if event.actor_type == "staff" and event.actor_id is not None:
        return names.staff.get(event.actor_id, _("personal N° %(id)s", id=event.actor_id))
    return {
        "citizen": _("la persona"),
        "anonymous": _("una persona sin cuenta"),
        "system": _("el sistema"),
    }.get(event.actor_type, event.actor_type)


def describe(event: AuditEvent, names: Names) -> Described:
    reading = _Reading(event, names)
    sentence = _sentences().get(event.action)
    text = sentence(reading) if sentence is not None else _fallback(event)
    return Described(who(event, names), text, reading.details())


def entity_in_words(event: AuditEvent, names: Names) -> str:
    """The record the event is about: a folio, a person's name, or its kind and number."""
    if event.entity_type == "request" and event.entity_id in names.folios:
        return names.folios[event.entity_id]
    if event.entity_type == "person":
        name = names.people.get(event.entity_id)
        number = _("Ficha N° %(id)s", id=event.entity_id)
        return f"{name} ({number})" if name else number
    if event.entity_type in ("staff_account", "staff") and event.entity_id in names.staff:
        return names.staff[event.entity_id]
    kind = _entity_names().get(event.entity_type, event.entity_type.replace("_", " "))
    return f"{kind} N° {event.entity_id}" if event.entity_id else kind
