"""The staff side of the inbox: the queues and one request's page with its actions.

Handlers stay thin: access, rules and writes live in ``agent_service``. Every action is a
POST answered with a 303 back to the request's page; a refused move re-renders the page
with a 409 and the reason, and the unit of work rolls everything back.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import helpdesk.core.row_ids  # noqa: F401  (registers the {name:id} route convertor)
from helpdesk.accounts import session
from helpdesk.accounts.permissions import Viewer
from helpdesk.calendar.service import local_today
from helpdesk.core.htmx import wants_fragment
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect, settings
from helpdesk.people.models import Person
from helpdesk.tickets import status_flow
from helpdesk.tickets.answers import effects as template_effects
from helpdesk.tickets.citizen.routes import attachment_response
from helpdesk.tickets.kinds import KINDS, kind_names, priority_names
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue import forms as queue_forms
from helpdesk.tickets.queue import rows as queue_view
from helpdesk.tickets.queue import service as queues
from helpdesk.tickets.queue import tags
from helpdesk.tickets.queue import tools as queue_tools
from helpdesk.tickets.workbench import forms as agent_forms
from helpdesk.tickets.workbench import links as merging
from helpdesk.tickets.workbench import presence
from helpdesk.tickets.workbench import service as agent_service

QUEUE_PATH = "/staff/solicitudes"


def _kind_name(code: str) -> str:
    return KINDS[code].name if code in KINDS else code


# --- The queue.


async def queue(
    request: Request,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    chosen: queue_forms.BulkInput | None = None,
) -> Response:
    """The queue; ``errors``, ``status_code`` and what was ``chosen`` when a refused bulk
    action re-renders it (the selection and the action stay as the agent left them)."""
    chosen = chosen or queue_forms.BulkInput()
    viewer = await session.staff_viewer(request)
    query = agent_forms.parse_queue_query(request.query_params)
    today = local_today()
    # Search results when the search box is filled; tag, team and topic filters otherwise.
    rows = await queue_tools.rows(
        db(request), viewer, request.query_params, query, today, queues.PAGE_SIZE + 1
    )
    page = rows[: queues.PAGE_SIZE]
    more = len(rows) > queues.PAGE_SIZE
    next_before = str(queues.next_cursor(query.queue.view, page[-1])) if more else None
    names = kind_names()
    context = {
        "me": viewer,
        "view": query.queue.view,
        "kind": query.queue.kind or "",
        "views": queues.VIEWS,
        "view_names": queue_view.view_names(),
        "kinds": names,
        "next_before": next_before,
    }
    context |= await queue_tools.context(
        db(request), viewer, request.query_params, query.queue.kind, page, errors
    )
    context["rows"] = page
    context["bulk_chosen"] = chosen
    context["rows_html"] = queue_view.table_rows(
        page, today, names, status_flow.status_names(), context.pop("row_tags"), chosen.folios
    )
    # htmx swaps only the results region (views, filters, rows, paging) in place.
    name = "_results.html" if wants_fragment(request) else "queue.html"
    response = render(request, "tickets/queue/" + name, context, status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- One request.


async def _load(request: Request) -> tuple[Viewer, Ticket]:
    viewer = await session.staff_viewer(request)
    item = await agent_service.get_for_staff(db(request), viewer, request.path_params["folio"])
    return viewer, item


async def _detail(
    request: Request,
    viewer: Viewer,
    item: Ticket,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    session_db = db(request)
    values = dict(values or {})
    template_code = values.get("plantilla") or request.query_params.get("plantilla", "")
    if template_code and "texto" not in values:
        prefill = await agent_service.answer_template_prefill(
            session_db, viewer, item, template_code[:60], settings(request).base_url
        )
        if prefill is not None:
            values["texto"] = prefill
    macro = await template_effects.for_form(session_db, template_code, values)
    history = await agent_service.status_history(session_db, item)
    names = await agent_service.staff_names(
        session_db,
        [item.assignee_id, *(h.actor_id for h in history if h.actor_kind in ("agent", "staff"))],
    )
    context: dict[str, Any] = {
        "me": viewer,
        "item": item,
        "person": await session_db.get(Person, item.person_id),
        "kind_name": _kind_name(item.kind),
        "priority_name": priority_names().get(item.priority, item.priority),
        "status_names": status_flow.status_names(),
        "entries": await agent_service.conversation(session_db, item),
        "history": history,
        "staff_names": names,
        "targets": agent_service.allowed_targets(item),
        "reply_targets": agent_service.REPLY_TARGETS,
        "due_state": queue_view.due_state(item.legal_due_on, item.status, local_today()),
        "base": f"{QUEUE_PATH}/{item.folio}",
        "errors": errors or {},
        "values": values,
        "answer_template_choices": await agent_service.answer_template_choices(session_db),
        "template_code": template_code,
        "macro": macro,
        "notice": request.query_params.get("hecho", ""),
        "links": await merging.links_view(session_db, viewer, item),
        "others_replying": await presence.others_replying(session_db, viewer, item),
        "tags": (await tags.tags_of(session_db, [item.id])).get(item.id, []),
    }
    response = render(request, "tickets/workbench/detail.html", context, status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _back(item: Ticket, notice: str) -> Response:
    return redirect(f"{QUEUE_PATH}/{item.folio}?hecho={notice}")


async def detail(request: Request) -> Response:
    viewer, item = await _load(request)
    return await _detail(request, viewer, item)


async def reply(request: Request) -> Response:
    viewer, item = await _load(request)
    async with request.form(max_files=0, max_fields=10) as form:
        data, errors = agent_forms.parse_reply(form)
        seen_id = agent_forms.parse_seen(form)
        macro_code = template_effects.parse_code(form)
    values = {"texto": data.body, "luego": data.then_status or "", "plantilla": macro_code}
    if errors:
        return await _detail(request, viewer, item, errors, values, 422)
    if await presence.replied_since(db(request), viewer, item, seen_id):
        crossed = presence.crossed_reply_message()
        shown = {"form": crossed, "visto": crossed}  # at the top and next to the send button
        return await _detail(request, viewer, item, shown, values, 409)
    try:
        await template_effects.reply_with_macro(
            db(request),
            viewer,
            item,
            data.body,
            session.actor(request, viewer),
            settings(request).base_url,
            data.then_status,
            macro_code,
        )
    except (agent_service.AgentActionRefused, status_flow.TransitionNotAllowed) as refusal:
        return await _detail(request, viewer, item, {"form": refusal.message}, values, 409)
    await presence.leave(db(request), viewer, item)
    return _back(item, "respuesta")


async def note(request: Request) -> Response:
    viewer, item = await _load(request)
    async with request.form(max_files=0, max_fields=10) as form:
        body, errors = agent_forms.parse_note(form)
    if errors:
        return await _detail(request, viewer, item, errors, {"nota": body}, 422)
    await agent_service.add_note(db(request), viewer, item, body, session.actor(request, viewer))
    return _back(item, "nota")


async def claim(request: Request) -> Response:
    viewer, item = await _load(request)
    try:
        await agent_service.claim(db(request), viewer, item, session.actor(request, viewer))
    except agent_service.AgentActionRefused as refusal:
        return await _detail(request, viewer, item, {"form": refusal.message}, status_code=409)
    return _back(item, "asignada")


async def unassign(request: Request) -> Response:
    viewer, item = await _load(request)
    try:
        await agent_service.unassign(db(request), viewer, item, session.actor(request, viewer))
    except agent_service.AgentActionRefused as refusal:
        return await _detail(request, viewer, item, {"form": refusal.message}, status_code=409)
    return _back(item, "liberada")


async def change_status(request: Request) -> Response:
    viewer, item = await _load(request)
    async with request.form(max_files=0, max_fields=10) as form:
        target, errors = agent_forms.parse_status(form)
    if errors:
        return await _detail(request, viewer, item, errors, status_code=422)
    try:
        await agent_service.change_status(
            db(request), viewer, item, target, session.actor(request, viewer)
        )
    except status_flow.TransitionNotAllowed as refusal:
        return await _detail(request, viewer, item, {"form": refusal.message}, status_code=409)
    return _back(item, "estado")


async def download(request: Request) -> Response:
    viewer, item = await _load(request)
    attachment = await agent_service.attachment_for_staff(
        db(request), viewer, item, int(request.path_params["attachment_id"])
    )
    return attachment_response(request, attachment)


routes = [
    Route(QUEUE_PATH, queue, name="staff_queue"),
    Route(QUEUE_PATH + "/{folio}", detail, name="staff_request"),
    Route(QUEUE_PATH + "/{folio}/responder", reply, methods=["POST"], name="staff_request_reply"),
    Route(QUEUE_PATH + "/{folio}/nota", note, methods=["POST"], name="staff_request_note"),
    Route(QUEUE_PATH + "/{folio}/tomar", claim, methods=["POST"], name="staff_request_claim"),
    Route(
        QUEUE_PATH + "/{folio}/liberar", unassign, methods=["POST"], name="staff_request_unassign"
    ),
    Route(
        QUEUE_PATH + "/{folio}/estado",
        change_status,
        methods=["POST"],
        name="staff_request_status",
    ),
    Route(
        QUEUE_PATH + "/{folio}/adjuntos/{attachment_id:id}",
        download,
        name="staff_request_attachment",
    ),
]
