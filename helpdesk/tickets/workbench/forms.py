"""Parsing the forms on a request's staff page: pure functions returning (data, errors)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from helpdesk.core.i18n import SUPPORTED_LOCALES
from helpdesk.core.i18n import gettext as _
from helpdesk.core.row_ids import row_id
from helpdesk.tickets import status_flow
from helpdesk.tickets.citizen.forms import BODY_MAX, Errors, check_body
from helpdesk.tickets.kinds import KINDS, PRIORITIES
from helpdesk.tickets.workbench.properties import Wanted
from helpdesk.tickets.workbench.service import AGENT_REPLY_TARGETS


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


# The language an agent chose for a respuesta tipo that lacks the request's language.
LANGUAGE_FIELD = "idioma"


@dataclass(frozen=True)
class ReplyForm:
    body: str
    then_status: str | None
    language: str | None = None


def parse_language(form: Mapping[str, Any]) -> str | None:
    """``idioma``: a supported language's code, else None (no choice: a template that lacks
    the request's language is then shown with its warning again, never inserted)."""
    value = _text(form, LANGUAGE_FIELD)
    return value if value in SUPPORTED_LOCALES else None


def parse_reply(form: Mapping[str, Any]) -> tuple[ReplyForm, Errors]:
    errors: Errors = {}
    body = _text(form, "texto")
    check_body(body, errors, "texto")
    then = _text(form, "luego") or None
    if then is not None and then not in AGENT_REPLY_TARGETS:
        errors["luego"] = _("Elija un estado de la lista.")
        then = None
    language = parse_language(form)
    if _text(form, LANGUAGE_FIELD) and language is None:
        errors["form"] = _("Elija un idioma de la lista para la respuesta tipo.")
    return ReplyForm(body[:BODY_MAX], then, language), errors


def parse_note(form: Mapping[str, Any]) -> tuple[str, Errors]:
    errors: Errors = {}
    body = _text(form, "nota")
    if not body:
        errors["nota"] = _("Escriba la nota.")
    elif len(body) > BODY_MAX:
        errors["nota"] = _(
            "La nota puede tener como máximo %(max)s caracteres.", max=f"{BODY_MAX:,}"
        )
    return body[:BODY_MAX], errors


def parse_status(form: Mapping[str, Any]) -> tuple[str, Errors]:
    target = _text(form, "estado")
    if target not in status_flow.STATUSES:
        return "", {"estado": _("Elija un estado de la lista.")}
    return target, {}


def parse_seen(form: Mapping[str, Any]) -> int | None:
    """The reply form's ``visto``: the last message id its page showed (None if absent or
    malformed, which skips the crossed-replies check rather than refusing the reply)."""
    seen = _text(form, "visto")
    return row_id(seen)


_TEAM_CODE = re.compile(r"[\w-]{1,40}")


def parse_properties(form: Mapping[str, Any]) -> tuple[Wanted, Errors]:
    """The side pane's form. A field not sent keeps its value; ``asignada`` and ``equipo``
    sent empty mean "nobody" and "no team"."""
    errors: Errors = {}
    status = _text(form, "estado") if "estado" in form else None
    if status is not None and status not in status_flow.STATUSES:
        errors["estado"] = _("Elija un estado de la lista.")
    priority = _text(form, "prioridad") if "prioridad" in form else None
    if priority is not None and priority not in PRIORITIES:
        errors["prioridad"] = _("Elija una prioridad de la lista.")
    kind = _text(form, "tipo") if "tipo" in form else None
    if kind is not None and kind not in KINDS:
        errors["tipo"] = _("Elija un tipo de la lista.")
    assignee_text = _text(form, "asignada")
    assignee = row_id(assignee_text) if assignee_text else None
    if assignee_text and assignee is None:
        errors["asignada"] = _("Elija a una persona de la lista.")
    team = _text(form, "equipo") or None
    if team is not None and not _TEAM_CODE.fullmatch(team):
        errors["equipo"] = _("Elija un equipo de la lista.")
    wanted = Wanted(
        status=None if "estado" in errors else status,
        priority=None if "prioridad" in errors else priority,
        kind=None if "tipo" in errors else kind,
        assignee_sent="asignada" in form and "asignada" not in errors,
        assignee_id=assignee,
        team_sent="equipo" in form and "equipo" not in errors,
        team_code=team,
    )
    return wanted, errors
