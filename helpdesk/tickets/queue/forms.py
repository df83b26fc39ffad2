"""Parsing the queue's view, kind and page, its search and extra filters, the tag form and
the bulk form: pure functions returning data (and errors)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData

from helpdesk.core.i18n import gettext as _
from helpdesk.core.language import LANGUAGES
from helpdesk.core.row_ids import row_id
from helpdesk.tickets import status_flow
from helpdesk.tickets.citizen.forms import Errors
from helpdesk.tickets.kinds import KINDS
from helpdesk.tickets.queue import bulk, tags
from helpdesk.tickets.queue.search import MAX_TEXT
from helpdesk.tickets.queue.service import (
    DUE_ORDERED_VIEWS,
    NEWEST,
    ORDERS,
    VIEWS,
    Cursor,
    QueueFilter,
)


@dataclass(frozen=True)
class QueueQuery:
    queue: QueueFilter
    after: Cursor | None


def parse_queue_query(params: Mapping[str, str]) -> QueueQuery:
    """Unknown values fall back to the whole queue rather than an error page."""
    view = params.get("vista", "all")
    kind = params.get("tipo") or None
    view = view if view in VIEWS else "all"
    order = params.get("orden", NEWEST)
    return QueueQuery(
        QueueFilter(
            view, kind if kind in KINDS else None, order=order if order in ORDERS else NEWEST
        ),
        parse_cursor(view, params.get("antes", "")),
    )


def parse_cursor(view: str, text: str) -> Cursor | None:
    """``antes=123`` (id-ordered views) or ``antes=2026-12-01.123`` (due-ordered views);
    anything else starts from the first page."""
    due_text, _dot, id_text = text.rpartition(".")
    last_id = row_id(id_text)
    if last_id is None:
        return None
    if view not in DUE_ORDERED_VIEWS:
        return None if due_text else Cursor(last_id)
    try:
        return Cursor(last_id, date.fromisoformat(due_text))
    except ValueError:
        return None


TOPICS = frozenset(k.topic for k in KINDS.values() if k.topic)
_CODE = re.compile(r"[\w-]{1,40}")
MY_LANGUAGES = "mis"  # idioma=mis: the languages the signed-in staff member answers in


def staff_languages(stored: str | None) -> tuple[str, ...]:
    """``staff_accounts.languages`` ("es,ht") as the portal's codes, unknown ones dropped."""
    codes = (code.strip() for code in (stored or "").split(","))
    return tuple(dict.fromkeys(code for code in codes if code in LANGUAGES))


@dataclass(frozen=True)
class QueueTools:
    """The search box and the filters beyond view and kind, as given in the query string."""

    text: str = ""  # q: when set, the page lists search results instead of the queue
    tag: str | None = None  # etiqueta
    team_code: str | None = None  # equipo
    topic: str | None = None  # tema
    language: str | None = None  # idioma: a language code, or MY_LANGUAGES

    def refine(self, queue: QueueFilter, mine: tuple[str, ...] = ()) -> QueueFilter:
        """The queue with these filters; ``mine``: the signed-in staff member's languages
        (none: "my languages" filters nothing, as the option is not offered then)."""
        languages = mine if self.language == MY_LANGUAGES else (self.language,)
        return replace(
            queue,
            tag=self.tag,
            team_code=self.team_code,
            topic=self.topic,
            languages=tuple(filter(None, languages)) if self.language else (),
        )

    def query_string(self, kind: str | None, order: str = NEWEST) -> str:
        """``&tipo=…&q=…`` for links that change the view or the page and keep the rest."""
        pairs = {
            "tipo": kind,
            "q": self.text,
            "etiqueta": self.tag,
            "equipo": self.team_code,
            "tema": self.topic,
            "idioma": self.language,
            "orden": None if order == NEWEST else order,
        }
        kept = {name: value for name, value in pairs.items() if value}
        return "&" + urlencode(kept) if kept else ""


def _code(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value if _CODE.fullmatch(value) else None


def parse_queue_tools(params: Mapping[str, str]) -> QueueTools:
    """Unknown or malformed values are dropped rather than refused, as for the views."""
    topic = params.get("tema") or None
    language = params.get("idioma") or None
    return QueueTools(
        " ".join((params.get("q") or "").split())[:MAX_TEXT],
        _code(params.get("etiqueta")),
        _code(params.get("equipo")),
        topic if topic in TOPICS else None,
        language if language in LANGUAGES or language == MY_LANGUAGES else None,
    )


def search_before(text: str) -> int | None:
    """The id to continue search results from: ``antes=123`` (or the id of a due-ordered
    view's ``2026-12-01.123``, when the search box was filled on such a view)."""
    id_text = text.rpartition(".")[2]
    return row_id(id_text)


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_tag(form: Mapping[str, Any]) -> tuple[str, Errors]:
    raw = _text(form, "etiqueta")
    try:
        return tags.normalize_tag(raw), {}
    except tags.InvalidTag as invalid:
        return raw[: tags.TAG_MAX * 2], {"etiqueta": invalid.message}


@dataclass(frozen=True)
class BulkInput:
    """What the agent chose in the bulk form, shown again when the form is refused."""

    folios: frozenset[str] = frozenset()
    action: str = ""
    status: str = ""
    tag: str = ""
    agent_id: int | None = None


def bulk_input(form: FormData) -> BulkInput:
    return BulkInput(
        frozenset(f.strip().upper() for f in form.getlist("folio") if isinstance(f, str)),
        _text(form, "accion")[:20],
        _text(form, "estado")[:40],
        _text(form, "etiqueta")[: tags.TAG_MAX * 2],
        row_id(_text(form, "agente")),
    )


def parse_bulk(form: FormData) -> tuple[bulk.BulkAction, Errors]:
    """The selected folios and the action with its one argument."""
    errors: Errors = {}
    folios = tuple(
        f.strip().upper() for f in form.getlist("folio") if isinstance(f, str) and f.strip()
    )
    if not folios:
        errors["folio"] = _("Seleccione al menos una solicitud.")
    elif len(folios) > bulk.MAX_FOLIOS:
        errors["folio"] = _(
            "Seleccione como máximo %(max)s solicitudes a la vez.", max=str(bulk.MAX_FOLIOS)
        )
    action = _text(form, "accion")
    status = tag = agent_id = None
    if action not in bulk.ACTIONS:
        errors["accion"] = _("Elija una acción de la lista.")
    elif action == bulk.STATUS:
        status = _text(form, "estado")
        if status not in status_flow.STATUSES:
            errors["estado"] = _("Elija un estado de la lista.")
    elif action == bulk.TAG:
        tag, tag_errors = parse_tag(form)
        errors.update(tag_errors)
    elif action == bulk.ASSIGN:
        agent = _text(form, "agente")
        agent_id = row_id(agent)
        if agent_id is None:
            errors["agente"] = _("Elija a quién asignar las solicitudes.")
    return bulk.BulkAction(action, folios[: bulk.MAX_FOLIOS], status, tag, agent_id), errors
