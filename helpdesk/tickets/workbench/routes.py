"""One request's page for staff and its actions: reply, note, claim, release, status, files.

Handlers stay thin: access, rules and writes live in ``agent_service``, the page itself in
``page``. Every action is a POST answered with a 303 back to the request's page; a refused
move re-renders the page with a 409 and the reason, and the unit of work rolls everything
back.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import helpdesk.core.row_ids  # noqa: F401  (registers the {name:id} route convertor)
from helpdesk.accounts import session
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import settings
from helpdesk.tickets import downloads, status_flow
from helpdesk.tickets.answers import effects as template_effects
from helpdesk.tickets.workbench import forms as agent_forms
from helpdesk.tickets.workbench import page, person_link, presence
from helpdesk.tickets.workbench import service as agent_service

# --- One request.


async def detail(request: Request) -> Response:
    viewer, item = await page.load(request)
    return await page.render_detail(request, viewer, item)


async def reply(request: Request) -> Response:
    viewer, item = await page.load(request)
    async with request.form(max_files=0, max_fields=10) as form:
        data, errors = agent_forms.parse_reply(form)
        seen_id = agent_forms.parse_seen(form)
        macro_code = template_effects.parse_code(form)
    values = {"texto": data.body, "luego": data.then_status or "", "plantilla": macro_code}
    if data.language:
        values["idioma"] = data.language
    if errors:
        return await page.render_detail(request, viewer, item, errors, values, 422)
    if await presence.replied_since(db(request), viewer, item, seen_id):
        crossed = presence.crossed_reply_message()
        shown = {"form": crossed, "visto": crossed}  # at the top and next to the send button
        return await page.render_detail(request, viewer, item, shown, values, 409)
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
            language=data.language,
        )
    except (agent_service.AgentActionRefused, status_flow.TransitionNotAllowed) as refusal:
        return await page.render_detail(
            request, viewer, item, {"form": refusal.message}, values, 409
        )
    await presence.leave(db(request), viewer, item)
    return page.back(item, "respuesta")


async def note(request: Request) -> Response:
    viewer, item = await page.load(request)
    async with request.form(max_files=0, max_fields=10) as form:
        body, errors = agent_forms.parse_note(form)
    if errors:
        return await page.render_detail(request, viewer, item, errors, {"nota": body}, 422)
    await agent_service.add_note(db(request), viewer, item, body, session.actor(request, viewer))
    return page.back(item, "nota")


async def claim(request: Request) -> Response:
    viewer, item = await page.load(request)
    try:
        await agent_service.claim(db(request), viewer, item, session.actor(request, viewer))
    except agent_service.AgentActionRefused as refusal:
        return await page.render_detail(
            request, viewer, item, {"form": refusal.message}, status_code=409
        )
    return page.back(item, "asignada")


async def unassign(request: Request) -> Response:
    viewer, item = await page.load(request)
    try:
        await agent_service.unassign(db(request), viewer, item, session.actor(request, viewer))
    except agent_service.AgentActionRefused as refusal:
        return await page.render_detail(
            request, viewer, item, {"form": refusal.message}, status_code=409
        )
    return page.back(item, "liberada")


async def change_status(request: Request) -> Response:
    viewer, item = await page.load(request)
    async with request.form(max_files=0, max_fields=10) as form:
        target, errors = agent_forms.parse_status(form)
    if errors:
        return await page.render_detail(request, viewer, item, errors, status_code=422)
    try:
        await agent_service.change_status(
            db(request), viewer, item, target, session.actor(request, viewer)
        )
    except status_flow.TransitionNotAllowed as refusal:
        return await page.render_detail(
            request, viewer, item, {"form": refusal.message}, status_code=409
        )
    return page.back(item, "estado")


async def link_person(request: Request) -> Response:
    viewer, item = await page.load(request)
    await person_link.confirm(db(request), viewer, item, session.actor(request, viewer))
    return page.back(item, "persona")


async def download(request: Request) -> Response:
    viewer, item = await page.load(request)
    attachment = await agent_service.attachment_for_staff(
        db(request), viewer, item, int(request.path_params["attachment_id"])
    )
    return await downloads.attachment_response(request, attachment)


routes = [
    Route("/staff/solicitudes/{folio}", detail, name="staff_request"),
    Route(
        "/staff/solicitudes/{folio}/responder", reply, methods=["POST"], name="staff_request_reply"
    ),
    Route("/staff/solicitudes/{folio}/nota", note, methods=["POST"], name="staff_request_note"),
    Route("/staff/solicitudes/{folio}/tomar", claim, methods=["POST"], name="staff_request_claim"),
    Route(
        "/staff/solicitudes/{folio}/liberar",
        unassign,
        methods=["POST"],
        name="staff_request_unassign",
    ),
    Route(
        "/staff/solicitudes/{folio}/estado",
        change_status,
        methods=["POST"],
        name="staff_request_status",
    ),
    Route(
        "/staff/solicitudes/{folio}/persona",
        link_person,
        methods=["POST"],
        name="staff_request_person_link",
    ),
    Route(
        "/staff/solicitudes/{folio}/adjuntos/{attachment_id:id}",
        download,
        name="staff_request_attachment",
    ),
]
