"""One row of the case system's export, checked and normalised (pure rules).

A row is one status event of one application. ``validate_row`` returns the ``CaseRow`` or
the ``Rejection`` that says why not, as a Spanish msgid with its values, translated when
the report is shown (``Rejection.reason``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, NamedTuple

from helpdesk.cases import documents, statuses
from helpdesk.core.i18n import gettext, lazy_gettext

FIELDS: Final = (
    "numero_solicitud",
    "tipo",
    "documento_tipo",
    "documento_numero",
    "documento_pais",
    "region",
    "fecha_presentacion",
    "estado",
    "fecha_estado",
    "nota",
)
# Every field but these must have a value; the country only for a document other than a RUN.
OPTIONAL: Final = frozenset({"documento_pais", "nota"})
SUBCATEGORY: Final = "subcategoria"  # an optional extra column (residencia temporal)
UNREADABLE: Final = "__unreadable__"  # a JSON line that is no object (sources.py)
MAX_CASE_NUMBER: Final = 40
MAX_NOTE: Final = 2000

MISSING = lazy_gettext("falta el campo %(field)s")
UNKNOWN_TYPE = lazy_gettext("tipo de solicitud desconocido: «%(value)s»")
UNKNOWN_STATUS = lazy_gettext("estado desconocido: «%(value)s»")
STATUS_NOT_FOR_TYPE = lazy_gettext(
    "el estado «%(status)s» no corresponde a una solicitud de tipo «%(type)s»"
)
UNKNOWN_REGION = lazy_gettext("región desconocida: «%(value)s»")
BAD_DATE = lazy_gettext("fecha mal formada en %(field)s: «%(value)s» (se espera AAAA-MM-DD)")
BAD_SUBCATEGORY = lazy_gettext("subcategoría desconocida: «%(value)s»")
NUMBER_TOO_LONG = lazy_gettext("número de solicitud demasiado largo (máximo %(max)s caracteres)")
NOTE_TOO_LONG = lazy_gettext("nota demasiado larga (máximo %(max)s caracteres)")
BAD_DOCUMENT = lazy_gettext("documento: %(reason)s")
NOT_AN_OBJECT = lazy_gettext("la línea no es un objeto JSON válido")


class CaseRow(NamedTuple):
    """A checked row (a named tuple: the demo makes a million of them, twice as fast as a
    frozen dataclass)."""

    line: int
    number: str
    case_type: str
    subcategory: str | None
    document_type: str
    document_number: str
    document_country: str
    region_code: str
    submitted_on: date
    status: str
    status_on: date
    note: str | None


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    message: str  # a msgid
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The reason in the current locale (nested msgids translated too)."""
        values = {k: gettext(v) if k == "reason" else v for k, v in self.values.items()}
        return gettext(self.message, **values)


def normalize_case_number(value: str) -> str:
    """'rt-2025 0001' -> 'RT-20250001': how the import stores a number and a lookup reads
    what a person typed (spaces dropped, letters upper-case)."""
    return "".join(value.split()).upper()


def _shown(value: str) -> str:
    return value if len(value) <= 40 else value[:39] + "…"


def parse_date(value: str) -> date | None:
    """An ISO 8601 date, or the date of an ISO 8601 date-time as written; None otherwise."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def validate_row(
    raw: Mapping[str, Any], line: int, regions: Collection[str]
) -> CaseRow | Rejection:
    if UNREADABLE in raw:
        return Rejection(line, NOT_AN_OBJECT)
    values = {name: _text(raw, name) for name in FIELDS}
    for name in FIELDS:
        if not values[name] and name not in OPTIONAL:
            return Rejection(line, MISSING, {"field": name})
    number = normalize_case_number(values["numero_solicitud"])
    if len(number) > MAX_CASE_NUMBER:
        return Rejection(line, NUMBER_TOO_LONG, {"max": MAX_CASE_NUMBER})
    case_type = values["tipo"].lower()
    if case_type not in statuses.TYPE_NAMES:
        return Rejection(line, UNKNOWN_TYPE, {"value": _shown(values["tipo"])})
    status = values["estado"].lower().replace(" ", "_")
    if status not in statuses.STATUS_NAMES:
        return Rejection(line, UNKNOWN_STATUS, {"value": _shown(values["estado"])})
    if not statuses.is_valid_status(case_type, status):
        return Rejection(line, STATUS_NOT_FOR_TYPE, {"status": status, "type": case_type})
    region = values["region"].upper().removeprefix("CL-")
    if region not in regions:
        return Rejection(line, UNKNOWN_REGION, {"value": _shown(values["region"])})
    try:
        document = documents.parse_document(
            values["documento_tipo"], values["documento_numero"], values["documento_pais"]
        )
    except documents.DocumentError as refused:
        if refused.message == documents.BAD_COUNTRY and not values["documento_pais"]:
            return Rejection(line, MISSING, {"field": "documento_pais"})
        return Rejection(line, BAD_DOCUMENT, {"reason": refused.message})
    dates = {}
    for name in ("fecha_presentacion", "fecha_estado"):
        parsed = parse_date(values[name])
        if parsed is None:
            return Rejection(line, BAD_DATE, {"field": name, "value": _shown(values[name])})
        dates[name] = parsed
    subcategory = None
    raw_subcategory = _text(raw, SUBCATEGORY)
    if raw_subcategory and case_type == statuses.RESIDENCIA_TEMPORAL:
        subcategory = statuses.normalize_subcategory(raw_subcategory)
        if subcategory is None:
            return Rejection(line, BAD_SUBCATEGORY, {"value": _shown(raw_subcategory)})
    note = values["nota"] or None
    if note is not None and len(note) > MAX_NOTE:
        return Rejection(line, NOTE_TOO_LONG, {"max": MAX_NOTE})
    return CaseRow(
        line=line,
        number=number,
        case_type=case_type,
        subcategory=subcategory,
        document_type=document.type,
        document_number=document.number,
        document_country=document.country,
        region_code=region,
        submitted_on=dates["fecha_presentacion"],
        status=status,
        status_on=dates["fecha_estado"],
        note=note,
    )
