"""One request's page for staff, shared by every action on it.

The page's own routes (``workbench.routes``) and the forms that post to it from other
wings (tags, links and merges, presence) all answer a bad input or a refusal by rendering
this page again with the reason, and a success with a 303 back to it; this module is that
page, so no route module needs another's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from helpdesk.accounts import session
from helpdesk.accounts.permissions import Viewer
from helpdesk.calendar.service import local_today
from helpdesk.core.db import utcnow
from helpdesk.core.htmx import wants_fragment
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to, settings
from helpdesk.people.models import Person
from helpdesk.tickets import attachments, folios, status_flow, uploads
from helpdesk.tickets.answers import composer as answer_composer
from helpdesk.tickets.answers import effects as template_effects
from helpdesk.tickets.citizen import emails as person_emails
from helpdesk.tickets.kinds import KINDS, priority_names
from helpdesk.tickets.lifecycle import extension as lifecycle
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue import rows as queue_view
from helpdesk.tickets.queue import tags
from helpdesk.tickets.workbench import context as person_context
from helpdesk.tickets.workbench import forms as agent_forms
from helpdesk.tickets.workbench import links as merging
from helpdesk.tickets.workbench import person_link, presence, properties, queue_nav
from helpdesk.tickets.workbench import service as agent_service


def kind_name(code: str) -> str:
    return KINDS[code].name if code in KINDS else code


async def load(request: Request) -> tuple[Viewer, Ticket]:
    viewer = await session.staff_viewer(request)
    item = await agent_service.get_for_staff(db(request), viewer, request.path_params["folio"])
    return viewer, item


async def _pane_context(request: Request, viewer: Viewer, item: Ticket) -> dict[str, Any]:
    """What the side pane (properties, tags) and the title row show: rendered with the page
    and alone for htmx after an edit in place."""
    session_db = db(request)
    names = await agent_service.staff_names(session_db, [item.assignee_id])
    to = await person_emails.recipient(session_db, item)
    return {
        "me": viewer,
        "item": item,
        "kind_name": kind_name(item.kind),
        "priority_name": priority_names().get(item.priority, item.priority),
        "status_names": status_flow.status_names(),
        "assignee_name": names.get(item.assignee_id or 0),
        "choices": await properties.choices(session_db, viewer, item),
        "due_state": queue_view.due_state(item.legal_due_on, item.status, local_today()),
        # The language emails go in, when it is not the request's (core.language's rule).
        "email_locale": to.locale if to is not None and to.locale != item.locale else None,
        "tags": (await tags.tags_of(session_db, [item.id])).get(item.id, []),
        "cola": _cola(request),
    }


def _folio_param(request: Request, name: str) -> str:
    """A folio the address names (the request answered before this one): a folio or nothing,
    so a crafted link cannot put other words in the page's notice."""
    text = request.query_params.get(name, "")[:40].strip().upper()
    return text if text and folios.find_folio(text) == text else ""


def _cola(request: Request) -> str:
    """The queue the agent came from: the page's ``cola``, else the queue they just left."""
    given = request.query_params.get(queue_nav.PARAM)
    if given is not None:
        return queue_nav.clean(given)
    return queue_nav.from_referer(request.headers.get("referer"))


async def render_detail(
    request: Request,
    viewer: Viewer,
    item: Ticket,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    *,
    cola: str | None = None,
    files_lost: bool = False,
) -> Response:
    session_db = db(request)
    values = dict(values or {})
    template_code = values.get("plantilla") or request.query_params.get("plantilla", "")
    chosen = values.get("idioma") or agent_forms.parse_language(request.query_params)
    composer = await answer_composer.for_request(
        session_db, item, template_code, chosen, settings(request).base_url
    )
    if composer.inserted is not None and "texto" not in values:
        values["texto"] = composer.inserted.text
    macro = await template_effects.for_form(session_db, composer.usable_code, values)
    history = await agent_service.status_history(session_db, item)
    context = await _pane_context(request, viewer, item)
    if cola is not None:  # a form sent it (the query string is the form's action)
        context["cola"] = cola
    names = await agent_service.staff_names(
        session_db, [h.actor_id for h in history if h.actor_kind in ("agent", "staff")]
    )
    next_folio = await queue_nav.next_folio(
        session_db, viewer, item, context["cola"], local_today()
    )
    previous = _folio_param(request, "anterior")
    context |= {
        "person": await session_db.get(Person, item.person_id),
        "context_sections": await person_context.sections(session_db, viewer, item),
        "entries": await agent_service.conversation(session_db, item),
        "history": history,
        "staff_names": names,
        "targets": agent_service.allowed_targets(item),
        # The person said "No" to the automatic answer: resolving or closing waits for a reply.
        "reply_owed": await agent_service.reply_owed(session_db, item),
        "reply_targets": agent_service.AGENT_REPLY_TARGETS,
        "errors": errors or {},
        "values": values,
        "composer": composer,
        "template_code": template_code,
        "macro": macro,
        "notice": request.query_params.get("hecho", ""),
        "replied_in": _folio_param(request, "enviada"),
        "next_url": queue_nav.request_url(next_folio, context["cola"], anterior=item.folio)
        if next_folio
        else None,
        "previous_url": queue_nav.request_url(previous, context["cola"]) if previous else None,
        "queue_url": queue_nav.queue_url(context["cola"]),
        "max_files": uploads.POLICY.max_files,
        "max_mb": uploads.POLICY.max_bytes // attachments.MIB,
        "files_lost": files_lost,
        "links": await merging.links_view(session_db, viewer, item),
        "held_person": await person_link.held_record(session_db, viewer, item),
        "others_replying": await presence.others_replying(session_db, viewer, item),
        **await lifecycle.panel(session_db, item, utcnow()),
    }
    response = render(request, "tickets/workbench/detail.html", context, status_code)
    response.headers["Cache-Control"] = "private, no-store"
    _push_address(request, response)
    return response


def _push_address(request: Request, response: Response) -> None:
    """A form sent by htmx that ends on another request's page ("Enviar y siguiente"): its
    address goes in the browser's bar, as it would without JavaScript."""
    current = request.headers.get("hx-current-url")
    elsewhere = current is not None and urlsplit(current).path != request.url.path
    if request.method == "GET" and wants_fragment(request) and elsewhere:
        query = request.url.query
        response.headers["HX-Push-Url"] = request.url.path + (f"?{query}" if query else "")


async def render_pane(
    request: Request,
    viewer: Viewer,
    item: Ticket,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    notice: str = "",
    cola: str = "",
) -> Response:
    """The side pane alone (htmx), with the title row swapped out of band."""
    context = await _pane_context(request, viewer, item)
    context |= {"errors": errors or {}, "values": {}, "notice": notice, "oob": True}
    context["cola"] = cola
    response = render(request, "tickets/workbench/_pane.html", context, status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def back(item: Ticket, notice: str, fragment: str = "", cola: str = "") -> Response:
    """303 to the request's page with the notice of what was done (and the queue the agent
    came from, kept for "next")."""
    query = {"hecho": notice, queue_nav.PARAM: cola or None}
    return redirect_to("staff_request", folio=item.folio, query=query, fragment=fragment)
