"""Parsing the admin's forms for the inbox: pure functions returning (data, errors).

Checks that need the database (a template or trámite that exists, a code already taken)
are the service's; everything about the shape of the input is here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from helpdesk.calendar.working_days import HABILES, UNITS
from helpdesk.core.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from helpdesk.core.i18n import gettext as _
from helpdesk.tickets.kinds import KINDS, DeadlineRule
from helpdesk.tickets.workbench.service import REPLY_TARGETS

Errors = dict[str, str]

# The values ``answer_templates.render_for`` fills; anything else between braces would reach the
# person as written, so the editor refuses it.
PLACEHOLDERS: Final = ("nombre", "folio", "enlace_ayuda")
CODE_MAX = 60
TITLE_MAX = 200
ANSWER_TEMPLATE_BODY_MAX = 10_000
TAG_MAX = 40
TAGS_MAX = 200  # AnswerTemplate.add_tags
KEYWORDS_MAX = 500  # AutoRule.keywords
TEAM_CODE_MAX = 40
TEAM_NAME_MAX = 120
TRAMITE_NAME_MAX = 200
RESERVED_TRAMITE_CODES: Final = ("nuevo",)
DAYS_MIN, DAYS_MAX = 1, 60

_CODE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TAG = re.compile(r"[a-z0-9_-]+")
_BRACED = re.compile(r"\{([^{}]*)\}")


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _checked(form: Mapping[str, Any], name: str) -> bool:
    return _text(form, name) in ("1", "on")


def body_field(locale: str) -> str:
    return f"texto_{locale}"


def check_code(value: str, max_length: int) -> str | None:
    """The message when ``value`` is not a code of lowercase letters, digits, - and _."""
    if not value:
        return _("Escriba un código.")
    if len(value) > max_length or not _CODE.fullmatch(value):
        return _(
            "Use solo letras minúsculas sin tilde, números, guiones y guiones bajos"
            " (hasta %(max)s caracteres).",
            max=max_length,
        )
    return None


def unknown_placeholders(body: str) -> list[str]:
    return [m.group(0) for m in _BRACED.finditer(body) if m.group(1) not in PLACEHOLDERS]


def parse_tags(raw: str) -> tuple[tuple[str, ...], str | None]:
    """Comma-separated tags, lowercased and deduplicated; (tags, error)."""
    tags: list[str] = []
    for part in raw.split(","):
        tag = part.strip().lower()
        if not tag:
            continue
        if len(tag) > TAG_MAX or not _TAG.fullmatch(tag):
            return (), _(
                "La etiqueta «%(tag)s» no es válida: use letras minúsculas sin tilde, números,"
                " guiones y guiones bajos (hasta %(max)s caracteres).",
                tag=tag[:TAG_MAX],
                max=TAG_MAX,
            )
        if tag not in tags:
            tags.append(tag)
    if len(",".join(tags)) > TAGS_MAX:
        return (), _("Las etiquetas suman más de %(max)s caracteres.", max=TAGS_MAX)
    return tuple(tags), None


# --- Respuestas tipo.


@dataclass(frozen=True)
class AnswerTemplateInput:
    code: str
    title: str
    active: bool
    set_status: str | None
    set_kind: str | None
    add_tags: tuple[str, ...]
    bodies: dict[str, str]  # locale -> text; a missing locale has no text


def parse_answer_template(
    form: Mapping[str, Any], code: str | None = None
) -> tuple[AnswerTemplateInput, Errors]:
    """The template form; ``code`` is the existing template's (codes never change, rules
    point at them)."""
    errors: Errors = {}
    if code is None:
        code = _text(form, "codigo").lower()
        if (problem := check_code(code, CODE_MAX)) is not None:
            errors["codigo"] = problem
    title = _text(form, "titulo")
    if not title:
        errors["titulo"] = _("Escriba un título.")
    elif len(title) > TITLE_MAX:
        errors["titulo"] = _("El título puede tener hasta %(max)s caracteres.", max=TITLE_MAX)
    status = _text(form, "estado") or None
    if status is not None and status not in REPLY_TARGETS:
        errors["estado"] = _("Elija un estado de la lista.")
    kind = _text(form, "tipo") or None
    if kind is not None and kind not in KINDS:
        errors["tipo"] = _("Elija un tipo de la lista.")
    tags, problem = parse_tags(_text(form, "etiquetas"))
    if problem is not None:
        errors["etiquetas"] = problem
    bodies: dict[str, str] = {}
    for locale in SUPPORTED_LOCALES:
        field = body_field(locale)
        body = _text(form, field)
        if not body:
            if locale == DEFAULT_LOCALE:
                errors[field] = _(
                    "Escriba el texto en español: se usa cuando falta el idioma de la persona."
                )
            continue
        if len(body) > ANSWER_TEMPLATE_BODY_MAX:
            errors[field] = _(
                "El texto puede tener hasta %(max)s caracteres.",
                max=f"{ANSWER_TEMPLATE_BODY_MAX:,}",
            )
        elif unknown := unknown_placeholders(body):
            errors[field] = _(
                "Marcador desconocido: %(found)s. Use solo {nombre}, {folio} o {enlace_ayuda}.",
                found=", ".join(unknown[:3]),
            )
        bodies[locale] = body
    data = AnswerTemplateInput(
        code, title[:TITLE_MAX], _checked(form, "activa"), status, kind, tags, bodies
    )
    return data, errors


# --- Reglas automáticas.


@dataclass(frozen=True)
class RuleInput:
    kind: str
    tramite_code: str | None
    keywords: str
    canned_code: str
    active: bool


def parse_rule(form: Mapping[str, Any]) -> tuple[RuleInput, Errors]:
    errors: Errors = {}
    kind = _text(form, "tipo")
    if kind not in KINDS:
        errors["tipo"] = _("Elija un tipo de la lista.")
    canned_code = _text(form, "plantilla")
    if not canned_code:
        errors["plantilla"] = _("Elija una respuesta tipo.")
    words = [w.strip() for w in _text(form, "palabras").split(",")]
    keywords = ", ".join(w for w in words if w)
    if len(keywords) > KEYWORDS_MAX:
        errors["palabras"] = _(
            "Las palabras clave suman más de %(max)s caracteres.", max=KEYWORDS_MAX
        )
    rule = RuleInput(
        kind,
        _text(form, "tramite")[:CODE_MAX] or None,
        keywords[:KEYWORDS_MAX],
        canned_code[:CODE_MAX],
        _checked(form, "activa"),
    )
    return rule, errors


# --- Plazos, cierres, equipos y trámites.


def _days(value: str) -> int | None:
    return int(value) if value.isdecimal() and len(value) <= 3 else None


def parse_deadline(form: Mapping[str, Any]) -> tuple[DeadlineRule, Errors]:
    """A kind's rule: legal days, optional internal target, unit (días hábiles or corridos)
    and optional extension, all in that unit."""
    errors: Errors = {}
    unit = _text(form, "unidad") or HABILES
    if unit not in UNITS:
        errors["unidad"] = _("Elija días hábiles o días corridos.")
        unit = HABILES
    out_of_range = _(
        "Escriba un número de días entre %(min)s y %(max)s.", min=DAYS_MIN, max=DAYS_MAX
    )
    legal = _days(_text(form, "legal"))
    if legal is None or not DAYS_MIN <= legal <= DAYS_MAX:
        errors["legal"] = out_of_range
        legal = DAYS_MIN
    raw_target = _text(form, "meta")
    target = _days(raw_target) if raw_target else None
    if raw_target and (target is None or not DAYS_MIN <= target <= DAYS_MAX):
        errors["meta"] = out_of_range
    elif target is not None and "legal" not in errors and target > legal:
        errors["meta"] = _("La meta interna no puede ser mayor que el plazo legal.")
    raw_extension = _text(form, "prorroga")
    extension = _days(raw_extension) if raw_extension else None
    if raw_extension and (extension is None or not DAYS_MIN <= extension <= DAYS_MAX):
        errors["prorroga"] = out_of_range
    elif extension is not None and "legal" not in errors and extension > legal:
        errors["prorroga"] = _("La prórroga no puede ser mayor que el plazo legal.")
    if errors:
        return DeadlineRule(), errors
    return DeadlineRule(legal, target, unit, extension), errors


@dataclass(frozen=True)
class TeamInput:
    code: str
    name: str
    region_code: str | None


def parse_team(form: Mapping[str, Any]) -> tuple[TeamInput, Errors]:
    errors: Errors = {}
    code = _text(form, "codigo").lower()
    if (problem := check_code(code, TEAM_CODE_MAX)) is not None:
        errors["codigo"] = problem
    name = _text(form, "nombre")
    if not name:
        errors["nombre"] = _("Escriba el nombre del equipo.")
    elif len(name) > TEAM_NAME_MAX:
        errors["nombre"] = _("El nombre puede tener hasta %(max)s caracteres.", max=TEAM_NAME_MAX)
    region = _text(form, "region").upper()[:2] or None
    return TeamInput(code[:TEAM_CODE_MAX], name[:TEAM_NAME_MAX], region), errors


def parse_member(form: Mapping[str, Any]) -> tuple[int, Errors]:
    raw = _text(form, "persona")
    if not raw.isdecimal() or len(raw) > 9:
        return 0, {"persona": _("Elija una persona de la lista.")}
    return int(raw), {}


def parse_routing(form: Mapping[str, Any]) -> dict[str, str | None]:
    """The team of each kind the form names (None: no team); a kind the form leaves out
    keeps its team. Unknown teams are the service's to refuse."""
    return {
        kind: _text(form, f"equipo_{kind}")[:TEAM_CODE_MAX] or None
        for kind in KINDS
        if f"equipo_{kind}" in form
    }


def name_field(locale: str) -> str:
    return f"nombre_{locale}"


@dataclass(frozen=True)
class TramiteInput:
    code: str
    topic: str
    names: dict[str, str]  # locale -> name; Spanish always, other languages where given
    active: bool


def parse_tramite(
    form: Mapping[str, Any], topics: tuple[str, ...], code: str | None = None
) -> tuple[TramiteInput, Errors]:
    """The trámite form: its names in each language (Spanish required) and whether it is
    offered; for a new trámite (``code`` None) also its code and category."""
    errors: Errors = {}
    topic = ""
    if code is None:
        code = _text(form, "codigo").lower()
        if (problem := check_code(code, CODE_MAX)) is not None:
            errors["codigo"] = problem
        elif code in RESERVED_TRAMITE_CODES:  # the new-trámite page's own address
            errors["codigo"] = _("Ese código no se puede usar: elija otro.")
        topic = _text(form, "categoria")
        if topic not in topics:
            errors["categoria"] = _("Elija una categoría de la lista.")
    names: dict[str, str] = {}
    for locale in SUPPORTED_LOCALES:
        field = name_field(locale)
        name = _text(form, field)
        if not name:
            if locale == DEFAULT_LOCALE:
                errors[field] = _(
                    "Escriba el nombre en español: se muestra cuando falta el idioma de la persona."
                )
        elif len(name) > TRAMITE_NAME_MAX:
            errors[field] = _(
                "El nombre puede tener hasta %(max)s caracteres.", max=TRAMITE_NAME_MAX
            )
        else:
            names[locale] = name
    return TramiteInput(code[:CODE_MAX], topic, names, _checked(form, "activo")), errors
