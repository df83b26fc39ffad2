"""Parsing the citizen's forms: pure functions from submitted fields to (data, errors).

Field names are Spanish because the description field doubles as the knowledge base's
``texto`` query and the draft key as its ``borrador``: htmx sends them as they are named.
Files are counted here (the identity-document and count rules) but checked by content in
``attachments``, which reads them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from helpdesk.accounts.forms import check_email
from helpdesk.core.i18n import gettext as _
from helpdesk.core.i18n import ngettext
from helpdesk.tickets.kinds import KINDS

SUBJECT_MAX = 200
BODY_MAX = 10_000
COMMENT_MAX = 1000
DRAFT_KEY_MAX = 64
FOLIO_MAX = 20

Errors = dict[str, str]


def _field(form: Mapping[str, Any], name: str, max_length: int | None = None) -> str:
    """The field's text, stripped; ``max_length`` cuts only fields that are not checked for it."""
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    return text[:max_length] if max_length else text


@dataclass(frozen=True)
class NewRequestForm:
    kind: str
    region_code: str
    tramite_code: str | None
    subject: str
    body: str
    draft_key: str | None


def parse_new_request(
    form: Mapping[str, Any],
    file_count: int,
    max_files: int,
    region_codes: Collection[str],
    tramite_topics: Mapping[str, str],
) -> tuple[NewRequestForm, Errors]:
    """The new-request form. ``tramite_topics`` maps each active trámite to its topic."""
    errors: Errors = {}
    kind = _field(form, "tipo", 40)
    region = _field(form, "region", 2).upper()
    tramite = _field(form, "tramite", 60) or None
    subject = _field(form, "asunto")
    body = _field(form, "texto")
    draft = _field(form, "borrador", DRAFT_KEY_MAX) or None

    if kind not in KINDS:
        errors["tipo"] = _("Elija el tipo de solicitud.")
    if region not in region_codes:
        errors["region"] = _("Elija la región donde vive.")
    if tramite is not None:
        topic = tramite_topics.get(tramite)
        kind_topic = KINDS[kind].topic if kind in KINDS else None
        if topic is None or (kind_topic is not None and topic != kind_topic):
            errors["tramite"] = _("Ese trámite no corresponde al tipo de solicitud elegido.")
    if not subject:
        errors["asunto"] = _("Escriba el asunto de su solicitud.")
    elif len(subject) > SUBJECT_MAX:
        errors["asunto"] = _(
            "El asunto puede tener como máximo %(max)s caracteres.", max=SUBJECT_MAX
        )
    check_body(body, errors, "texto")
    check_file_count(file_count, max_files, errors)
    if file_count == 0 and kind in KINDS and KINDS[kind].requires_identity_document:
        errors["archivos"] = _(
            "Para este tipo de solicitud adjunte una foto o copia de su documento de "
            "identidad (PDF, JPEG o PNG)."
        )
    data = NewRequestForm(kind, region, tramite, subject[:SUBJECT_MAX], body[:BODY_MAX], draft)
    return data, errors


def check_body(body: str, errors: Errors, field: str) -> None:
    if not body:
        errors[field] = _("Escriba su mensaje.")
    elif len(body) > BODY_MAX:
        errors[field] = _(
            "El mensaje puede tener como máximo %(max)s caracteres.", max=f"{BODY_MAX:,}"
        )


def check_file_count(count: int, max_files: int, errors: Errors) -> None:
    if count > max_files:
        errors["archivos"] = ngettext(
            "Puede adjuntar como máximo %(num)d archivo por mensaje.",
            "Puede adjuntar como máximo %(num)d archivos por mensaje.",
            max_files,
        )


def parse_reply(form: Mapping[str, Any], file_count: int, max_files: int) -> tuple[str, Errors]:
    errors: Errors = {}
    body = _field(form, "texto")
    check_body(body, errors, "texto")
    check_file_count(file_count, max_files, errors)
    return body, errors


def parse_rating(form: Mapping[str, Any]) -> tuple[tuple[int, str | None], Errors]:
    errors: Errors = {}
    raw = _field(form, "puntaje", 2)
    score = int(raw) if raw.isdecimal() else 0
    if not 1 <= score <= 5:
        errors["puntaje"] = _("Elija una nota del 1 al 5.")
    comment = _field(form, "comentario")
    if len(comment) > COMMENT_MAX:
        errors["comentario"] = _(
            "El comentario puede tener como máximo %(max)s caracteres.", max=COMMENT_MAX
        )
    return (score, comment or None), errors


def parse_lost_link(form: Mapping[str, Any]) -> tuple[tuple[str, str], Errors]:
    errors: Errors = {}
    email = check_email(_field(form, "email", 254), errors)
    folio = _field(form, "folio", FOLIO_MAX + 10).upper()
    if not folio:
        errors["folio"] = _("Escriba el folio de su solicitud. Ejemplo: SIAC-2026-000123")
    elif len(folio) > FOLIO_MAX:
        errors["folio"] = _("El folio no es válido. Ejemplo: SIAC-2026-000123")
    return (email, folio), errors
