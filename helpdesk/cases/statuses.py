"""Case types, statuses and the stages each type goes through (pure rules, DOMAIN.md §6).

The codes are the case system's (the import's ``tipo`` and ``estado``). Names are Spanish
source strings marked with ``lazy_gettext`` and translated when read (``type_name``,
``status_name``, ``Stage.name``), so one frozen table serves every locale.

Each type lists its stages in the order an applicant meets them; a status belongs to one
stage, and a status outside every stage of a type is not valid for that type (a refugio is
``reconocida``, never ``otorgada``; a nationality has no estampado)."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from helpdesk.core.i18n import gettext as _
from helpdesk.core.i18n import lazy_gettext

# Statuses (DOMAIN.md §6's workable internal set, plus refugio's reconocida).
INGRESADA: Final = "ingresada"
ACOGIDA: Final = "acogida"
NO_ACOGIDA: Final = "no_acogida"
ANTECEDENTES_SOLICITADOS: Final = "antecedentes_solicitados"
PAGO_PENDIENTE: Final = "pago_pendiente"
EN_ANALISIS: Final = "en_analisis"
EN_RESOLUCION: Final = "en_resolucion"
OTORGADA: Final = "otorgada"
RECHAZADA: Final = "rechazada"
ARCHIVADA: Final = "archivada"
ESTAMPADO_DESCARGADO: Final = "estampado_descargado"
RECONOCIDA: Final = "reconocida"

STATUS_NAMES: Final = MappingProxyType(
    {
        INGRESADA: lazy_gettext("Ingresada"),
        ACOGIDA: lazy_gettext("Acogida a trámite"),
        NO_ACOGIDA: lazy_gettext("No acogida a trámite"),
        ANTECEDENTES_SOLICITADOS: lazy_gettext("Antecedentes solicitados"),
        PAGO_PENDIENTE: lazy_gettext("Pago pendiente"),
        EN_ANALISIS: lazy_gettext("En análisis"),
        EN_RESOLUCION: lazy_gettext("En resolución"),
        OTORGADA: lazy_gettext("Otorgada"),
        RECHAZADA: lazy_gettext("Rechazada"),
        ARCHIVADA: lazy_gettext("Archivada"),
        ESTAMPADO_DESCARGADO: lazy_gettext("Estampado electrónico descargado"),
        RECONOCIDA: lazy_gettext("Reconocida"),
    }
)
STATUSES: Final = tuple(STATUS_NAMES)
# Nothing follows these in the case system (a rejection may be appealed: a new application).
FINAL_STATUSES: Final = frozenset(
    {NO_ACOGIDA, RECHAZADA, ARCHIVADA, ESTAMPADO_DESCARGADO, RECONOCIDA}
)

# Case types.
PERMANENCIA_TRANSITORIA: Final = "permanencia_transitoria"
PRORROGA_PERMANENCIA_TRANSITORIA: Final = "prorroga_permanencia_transitoria"
AUTORIZACION_TRABAJO: Final = "autorizacion_trabajo"
RESIDENCIA_TEMPORAL: Final = "residencia_temporal"
RESIDENCIA_DEFINITIVA: Final = "residencia_definitiva"
NACIONALIZACION: Final = "nacionalizacion"
REFUGIO: Final = "refugio"
PROTECCION_COMPLEMENTARIA: Final = "proteccion_complementaria"
APATRIDIA: Final = "apatridia"

TYPE_NAMES: Final = MappingProxyType(
    {
        PERMANENCIA_TRANSITORIA: lazy_gettext("Permanencia transitoria"),
        PRORROGA_PERMANENCIA_TRANSITORIA: lazy_gettext("Prórroga de permanencia transitoria"),
        AUTORIZACION_TRABAJO: lazy_gettext("Autorización de trabajo para turistas"),
        RESIDENCIA_TEMPORAL: lazy_gettext("Residencia temporal"),
        RESIDENCIA_DEFINITIVA: lazy_gettext("Residencia definitiva"),
        NACIONALIZACION: lazy_gettext("Nacionalización"),
        REFUGIO: lazy_gettext("Reconocimiento de la condición de refugiado"),
        PROTECCION_COMPLEMENTARIA: lazy_gettext("Protección complementaria"),
        APATRIDIA: lazy_gettext("Reconocimiento de la condición de apátrida"),
    }
)
CASE_TYPES: Final = tuple(TYPE_NAMES)

# Residencia temporal's subcategories (Decreto 177): a)–p), humanitarian ones h1–h5.
SUBCATEGORIES: Final = frozenset([*"abcdefgijklmnop", *(f"h{n}" for n in range(1, 6)), "h"])


@dataclass(frozen=True)
class Stage:
    code: str
    name_source: str
    statuses: tuple[str, ...]

    @property
    def name(self) -> str:
        return _(self.name_source)


def _stage(code: str, name: str, *statuses: str) -> Stage:
    return Stage(code, name, statuses)


_RECEIVED = lazy_gettext("Recepción y admisibilidad")
_DOCUMENTS = lazy_gettext("Documentos adicionales y pago")
_ANALYSIS = lazy_gettext("Análisis")
_RESOLUTION = lazy_gettext("Resolución")
_PAYMENT = lazy_gettext("Pago de derechos")
_ESTAMPADO = lazy_gettext("Estampado electrónico")

# What PDI and the service grant a visitor: a short path, a fee, a decision.
_VISITOR = (
    _stage("recepcion", _RECEIVED, INGRESADA),
    _stage("pago", _PAYMENT, PAGO_PENDIENTE),
    _stage("analisis", _ANALYSIS, EN_ANALISIS),
    _stage("resolucion", _RESOLUTION, OTORGADA, RECHAZADA, ARCHIVADA),
)
# Residence (DOMAIN.md §6: recepcionada y análisis → acogida or not → documentos
# adicionales y/o pago → análisis complementario → resolución; then the estampado).
_RESIDENCE = (
    _stage("recepcion", _RECEIVED, INGRESADA, ACOGIDA, NO_ACOGIDA),
    _stage("documentos", _DOCUMENTS, ANTECEDENTES_SOLICITADOS, PAGO_PENDIENTE),
    _stage("analisis", _ANALYSIS, EN_ANALISIS),
    _stage("resolucion", _RESOLUTION, EN_RESOLUCION, OTORGADA, RECHAZADA, ARCHIVADA),
    _stage("estampado", _ESTAMPADO, ESTAMPADO_DESCARGADO),
)
# Nationality: the carta is granted by decree; its fee is paid online; no estampado.
_NATIONALITY = (
    _stage("recepcion", _RECEIVED, INGRESADA, ACOGIDA, NO_ACOGIDA),
    _stage("documentos", _DOCUMENTS, ANTECEDENTES_SOLICITADOS, PAGO_PENDIENTE),
    _stage("analisis", _ANALYSIS, EN_ANALISIS),
    _stage("resolucion", _RESOLUTION, EN_RESOLUCION, OTORGADA, RECHAZADA, ARCHIVADA),
)
# Protection (Ley 20.430): no fee; recognised or rejected; withdrawn or abandoned: archived.
_PROTECTION = (
    _stage("recepcion", _RECEIVED, INGRESADA, ACOGIDA, NO_ACOGIDA),
    _stage("documentos", _DOCUMENTS, ANTECEDENTES_SOLICITADOS),
    _stage("analisis", _ANALYSIS, EN_ANALISIS),
    _stage("resolucion", _RESOLUTION, EN_RESOLUCION, RECONOCIDA, RECHAZADA, ARCHIVADA),
)

STAGES: Final = MappingProxyType(
    {
        PERMANENCIA_TRANSITORIA: _VISITOR,
        PRORROGA_PERMANENCIA_TRANSITORIA: _VISITOR,
        AUTORIZACION_TRABAJO: _VISITOR,
        RESIDENCIA_TEMPORAL: _RESIDENCE,
        RESIDENCIA_DEFINITIVA: _RESIDENCE,
        NACIONALIZACION: _NATIONALITY,
        REFUGIO: _PROTECTION,
        PROTECCION_COMPLEMENTARIA: _PROTECTION,
        APATRIDIA: _PROTECTION,
    }
)
VALID_STATUSES: Final = MappingProxyType(
    {
        case_type: frozenset(status for stage in stages for status in stage.statuses)
        for case_type, stages in STAGES.items()
    }
)


def is_valid_status(case_type: str, status: str) -> bool:
    return status in VALID_STATUSES.get(case_type, ())


def stage_of(case_type: str, status: str) -> Stage | None:
    for stage in STAGES.get(case_type, ()):
        if status in stage.statuses:
            return stage
    return None


def type_name(case_type: str) -> str:
    source = TYPE_NAMES.get(case_type)
    return _(source) if source else case_type


def status_name(status: str) -> str:
    source = STATUS_NAMES.get(status)
    return _(source) if source else status


def normalize_subcategory(value: str) -> str | None:
    """'B)' -> 'b', 'h.2' -> 'h2'; None when it is not one of Decreto 177's."""
    compact = "".join(ch for ch in value.lower() if ch.isalnum())
    return compact if compact in SUBCATEGORIES else None
