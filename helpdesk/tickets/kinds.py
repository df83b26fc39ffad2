"""What a request is: its kind (a SIAC tipo or a portal category), channel and priority.

The kinds table is the shipped default. The legal deadline and the internal target of each
kind are a ``DeadlineRule`` that an admin table may override (``deadline_rule`` takes the
overrides), so the values below are only what a fresh install starts with: shared
DOMAIN.md §2 says no law sets SIAC's maximum and the service answers in 10 días hábiles;
a transparency request (Ley 20.285) has 20, extendable once by 10. A rule counts días
hábiles or días corridos (Ley 21.719's rights requests: 30 corridos, extendable by 30).

Portal categories are one per trámite topic (``helpdesk.reference.data.TOPICS``, which adds
Refugio to the topics of today's portal form); the specific trámite is chosen within the
category from the catalogue (``tramites_for``). Multas and Estampado Electrónico need a
picture of an identity document, as the current portal form asks.

Names and help texts are Spanish source strings marked with ``lazy_gettext`` and translated
when read, so one frozen table serves every locale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Final, Protocol, TypeVar
from zoneinfo import ZoneInfo

from helpdesk.calendar.working_days import (
    CORRIDOS,
    HABILES,
    UNITS,
    Pause,
    WorkingCalendar,
    due_date,
)
from helpdesk.core.i18n import gettext as _
from helpdesk.core.i18n import lazy_gettext

SIAC: Final = "siac"
PORTAL: Final = "portal"
FOLIO_PREFIXES: Final = {SIAC: "SIAC", PORTAL: "AYU"}
DEFAULT_LEGAL_DAYS: Final = 10
# The service's own goal for portal tickets ("tiempos de espera más cortos"), not a legal
# term: an assumption to confirm with the service, editable like the legal one.
PORTAL_TARGET_DAYS: Final = 5


@dataclass(frozen=True)
class DeadlineRule:
    """The days to answer: the legal deadline and an optional, shorter internal target, both
    in ``unit`` (días hábiles, or días corridos), and the one extension the law may allow
    (``extension_days`` of the same unit, granted once, before the deadline, with notice to
    the person). The legal and target deadlines are two separate clocks; both stop while the
    request waits on the citizen."""

    legal_days: int = DEFAULT_LEGAL_DAYS
    target_days: int | None = None
    unit: str = HABILES
    extension_days: int | None = None

    def __post_init__(self) -> None:
        if self.legal_days < 1:
            raise ValueError("a legal deadline needs at least one day")
        if self.target_days is not None and not 1 <= self.target_days <= self.legal_days:
            raise ValueError("an internal target lies between 1 and the legal deadline")
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit of days {self.unit!r}")
        if self.extension_days is not None and not 1 <= self.extension_days <= self.legal_days:
            raise ValueError("an extension lies between 1 and the legal deadline")

    def legal_due(
        self,
        received_at: datetime,
        calendar: WorkingCalendar,
        zone: ZoneInfo,
        pauses: Sequence[Pause] = (),
        extension_days: int | None = None,
    ) -> date | None:
        """The legal due date, counted from reception; ``extension_days`` when the request's
        deadline was extended (the days granted then, whatever the rule says now)."""
        days = self.legal_days + (extension_days or 0)
        return due_date(received_at, days, calendar, zone, pauses, self.unit)

    def target_due(
        self,
        received_at: datetime,
        calendar: WorkingCalendar,
        zone: ZoneInfo,
        pauses: Sequence[Pause] = (),
    ) -> date | None:
        if not self.target_days:
            return None
        return due_date(received_at, self.target_days, calendar, zone, pauses, self.unit)


@dataclass(frozen=True)
class RequestKind:
    code: str
    family: str  # SIAC or PORTAL
    name_source: str  # Spanish msgid; read ``name`` for the active locale
    help_source: str
    deadline: DeadlineRule
    requires_identity_document: bool = False
    topic: str | None = None  # portal categories: the TOPICS code they cover

    @property
    def folio_prefix(self) -> str:
        return FOLIO_PREFIXES[self.family]

    @property
    def name(self) -> str:
        return _(self.name_source)

    @property
    def help_text(self) -> str:
        return _(self.help_source)


def _siac(code: str, name: str, help_text: str) -> RequestKind:
    return RequestKind(code, SIAC, name, help_text, DeadlineRule(DEFAULT_LEGAL_DAYS))


def unit_names() -> dict[str, str]:
    return {HABILES: _("días hábiles"), CORRIDOS: _("días corridos")}


def _portal(topic: str, name: str, help_text: str, *, identity: bool = False) -> RequestKind:
    rule = DeadlineRule(DEFAULT_LEGAL_DAYS, PORTAL_TARGET_DAYS)
    return RequestKind(topic, PORTAL, name, help_text, rule, identity, topic)


_DEFAULT_KINDS: Final = (
    _siac(
        "consulta",
        lazy_gettext("Consulta"),
        lazy_gettext("Una pregunta sobre trámites, requisitos o el estado de una solicitud."),
    ),
    _siac(
        "reclamo",
        lazy_gettext("Reclamo"),
        lazy_gettext("Su disconformidad con una atención o un servicio que recibió de nosotros."),
    ),
    _siac(
        "sugerencia",
        lazy_gettext("Sugerencia"),
        lazy_gettext("Una propuesta para mejorar nuestra atención o nuestros trámites."),
    ),
    _siac(
        "felicitacion",
        lazy_gettext("Felicitación"),
        lazy_gettext("Su reconocimiento a una atención o a una persona de nuestro equipo."),
    ),
    _siac(
        "opinion",
        lazy_gettext("Opinión"),
        lazy_gettext("Su parecer sobre nuestro servicio o sobre cómo trabajamos."),
    ),
    _siac(
        "peticion",
        lazy_gettext("Petición"),
        lazy_gettext("Algo concreto que pide al Servicio y que no es un trámite en línea."),
    ),
    _siac(
        "comentario",
        lazy_gettext("Comentario"),
        lazy_gettext("Cualquier otro mensaje que quiera hacernos llegar."),
    ),
    # Ley 20.285 art. 14: 20 días hábiles, extendable once by 10 (with notice to the person,
    # before the deadline, saying why). Ley 21.719's rights requests will be 30 días
    # corridos extendable by 30: DeadlineRule(30, unit=CORRIDOS, extension_days=30).
    RequestKind(
        "transparencia",
        SIAC,
        lazy_gettext("Solicitud de acceso a la información pública"),
        lazy_gettext(
            "Pida información o documentos que tenga el Servicio (Ley de Transparencia,"
            " Ley 20.285)."
        ),
        DeadlineRule(20, extension_days=10),
    ),
    _portal(
        "permanencia_transitoria",
        lazy_gettext("Permanencia transitoria"),
        lazy_gettext(
            "Prórroga, autorización para trabajar, artistas, tripulantes y órdenes de pago"
            " de quienes están de visita en Chile."
        ),
    ),
    _portal(
        "regularizacion",
        lazy_gettext("Regularización"),
        lazy_gettext("Regularización de niños, niñas y adolescentes y otros procesos."),
    ),
    _portal(
        "estampado_electronico",
        lazy_gettext("Estampado electrónico"),
        lazy_gettext(
            "Descarga del estampado electrónico de su permiso. Adjunte una foto de su"
            " documento de identidad."
        ),
        identity=True,
    ),
    _portal(
        "residencia_temporal",
        lazy_gettext("Residencia temporal"),
        lazy_gettext("Solicitudes de residencia temporal y sus subcategorías."),
    ),
    _portal(
        "residencia_definitiva",
        lazy_gettext("Residencia definitiva"),
        lazy_gettext(
            "Solicitud de residencia definitiva y certificado en trámite, también su"
            " ampliación para menores de edad."
        ),
    ),
    _portal(
        "nacionalizacion",
        lazy_gettext("Nacionalización"),
        lazy_gettext("Carta de nacionalización, pago de derechos y documentos adicionales."),
    ),
    _portal(
        "refugio",
        lazy_gettext("Refugio"),
        lazy_gettext(
            "Reconocimiento de la condición de refugiado, protección complementaria y apatridia."
        ),
    ),
    _portal(
        "multas",
        lazy_gettext("Multas"),
        lazy_gettext(
            "Cálculo, pago y descargos de multas. Adjunte una foto de su documento de identidad."
        ),
        identity=True,
    ),
    _portal(
        "registro_civil",
        lazy_gettext("Registro Civil"),
        lazy_gettext("Cédula de identidad para extranjeros, después del estampado electrónico."),
    ),
    _portal(
        "beneficio_migratorio",
        lazy_gettext("Consulta de beneficio migratorio"),
        lazy_gettext("Preguntas sobre un beneficio migratorio que tiene o que solicitó."),
    ),
    _portal(
        "otros",
        lazy_gettext("Otros temas"),
        lazy_gettext(
            "Solicitud de más antecedentes, recurso administrativo, recuperación de cuenta"
            " y otros temas."
        ),
    ),
)

KINDS: Final[Mapping[str, RequestKind]] = MappingProxyType({k.code: k for k in _DEFAULT_KINDS})
SIAC_KINDS: Final = tuple(k.code for k in _DEFAULT_KINDS if k.family == SIAC)
PORTAL_KINDS: Final = tuple(k.code for k in _DEFAULT_KINDS if k.family == PORTAL)
PORTAL_KIND_BY_TOPIC: Final[Mapping[str, str]] = MappingProxyType(
    {k.topic: k.code for k in _DEFAULT_KINDS if k.topic is not None}
)


def kind_names() -> dict[str, str]:
    """Each kind's name in the active locale: SIAC tipos first, then portal categories."""
    return {code: kind.name for code, kind in KINDS.items()}


def deadline_rule(code: str, overrides: Mapping[str, DeadlineRule] | None = None) -> DeadlineRule:
    """The rule in force for a kind: the admin's override when there is one, else the default.
    Raises KeyError for an unknown kind."""
    default = KINDS[code].deadline
    return overrides.get(code, default) if overrides else default


class _HasTopic(Protocol):
    @property
    def topic(self) -> str: ...


_Row = TypeVar("_Row", bound=_HasTopic)


def tramites_for(code: str, tramites: Iterable[_Row]) -> tuple[_Row, ...]:
    """The trámites to choose from in a portal category (none for a SIAC tipo), out of a
    catalogue: the catalogue's active rows, or ``reference.data.TRAMITES``."""
    topic = KINDS[code].topic
    return tuple(t for t in tramites if t.topic == topic) if topic else ()


# --- Channels and priorities.

WEB: Final = "web"
EMAIL: Final = "email"
PRESENCIAL: Final = "presencial"
TELEFONO: Final = "telefono"
TERRENO: Final = "terreno"
MUNICIPIO: Final = "municipio"
CHANNELS: Final = (WEB, EMAIL, PRESENCIAL, TELEFONO, TERRENO, MUNICIPIO)


def channel_names() -> dict[str, str]:
    return {
        WEB: _("Portal web"),
        EMAIL: _("Correo electrónico (casilla OIRS)"),
        PRESENCIAL: _("Atención presencial"),
        TELEFONO: _("Teléfono"),
        TERRENO: _("Operativo en terreno"),
        MUNICIPIO: _("Municipio Sello Migrante"),
    }


BAJA: Final = "baja"
NORMAL: Final = "normal"
ALTA: Final = "alta"
URGENTE: Final = "urgente"
PRIORITIES: Final = (BAJA, NORMAL, ALTA, URGENTE)  # lowest first; sort by PRIORITIES.index
DEFAULT_PRIORITY: Final = NORMAL


def priority_names() -> dict[str, str]:
    return {
        BAJA: _("Baja"),
        NORMAL: _("Normal"),
        ALTA: _("Alta"),
        URGENTE: _("Urgente"),
    }
