"""One request's page for staff and its actions: reply, note, claim, release, status, files.

Handlers stay thin: access, rules and writes live in ``agent_service``, the page itself in
``page``. Every action is a POST answered with a 303 back to the request's page; a refused
move re-renders the page with a 409 and the reason, and the unit of work rolls everything
back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import helpdesk.core.row_ids  # noqa: F401  (registers the {name:id} route convertor)
from helpdesk.accounts import session
from helpdesk.accounts.permissions import Viewer
from helpdesk.calendar.service import local_today
from helpdesk.core.htmx import wants_fragment
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect, settings
from helpdesk.tickets import downloads, status_flow, uploads
from helpdesk.tickets.answers import effects as template_effects
from helpdesk.tickets.citizen.forms import check_file_count
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.workbench import forms as agent_forms
from helpdesk.tickets.workbench import (
    page,
    person_link,
    presence,
    properties,
    queue_nav,
    staff_files,
)
from helpdesk.tickets.workbench import service as agent_service

# --- One request.


async def detail(request: Request) -> Response:
    viewer, item = await page.load(request)
    return await page.render_detail(request, viewer, item)


async def reply(request: Request) -> Response:
    viewer, item = await page.load(request)
    async with request.form(max_files=uploads.MAX_FORM_FILES, max_fields=20) as form:
        data, errors = agent_forms.parse_reply(form)
        seen_id = agent_forms.parse_seen(form)
        macro_code = template_effects.parse_code(form)
        cola = queue_nav.clean(_field(form, queue_nav.PARAM))
        and_next = _field(form, "siguiente") == "1"
        files = uploads.chosen_files(form)
        check_file_count(len(files), uploads.POLICY.max_files, errors)
        # The person's limits and checks, stored before the unit of work commits.
        stored = [] if errors else await uploads.store(request, files, errors)
    values = {"texto": data.body, "luego": data.then_status or "", "plantilla": macro_code}
    if data.language:
        values["idioma"] = data.language
    lost = bool(files)
    if errors:
        await uploads.discard(request, stored)
        return await page.render_detail(
            request, viewer, item, errors, values, 422, cola=cola, files_lost=lost
        )
    if await presence.replied_since(db(request), viewer, item, seen_id):
        await uploads.discard(request, stored)
        crossed = presence.crossed_reply_message()
        shown = {"form": crossed, "visto": crossed}  # at the top and next to the send button
        return await page.render_detail(
            request, viewer, item, shown, values, 409, cola=cola, files_lost=lost
        )
    try:
        message = await template_effects.reply_with_macro(
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
        staff_files.attach(db(request), item, message, stored, session.actor(request, viewer))
    except (agent_service.AgentActionRefused, status_flow.TransitionNotAllowed) as refusal:
        await uploads.discard(request, stored)
        return await page.render_detail(
            request, viewer, item, {"form": refusal.message}, values, 409, cola=cola,
            files_lost=lost,
        )  # fmt: skip
    except BaseException:
        await uploads.discard(request, stored)
        raise
    await presence.leave(db(request), viewer, item)
    if and_next:
        return await _next(request, viewer, item, cola)
    return page.back(item, "respuesta", cola=cola)


async def _next(request: Request, viewer: Viewer, item: Ticket, cola: str) -> Response:
    """ "Enviar y siguiente": the next request of the queue the agent came from, or that
    queue when this was its last."""
    folio = await queue_nav.next_folio(db(request), viewer, item, cola, local_today())
    if folio is None:
        if wants_fragment(request):
            # The queue answers htmx with its results region, not the #main the reply form
            # swaps: the browser loads the queue as a page instead.
            return Response(status_code=204, headers={"HX-Redirect": queue_nav.queue_url(cola)})
        return redirect(queue_nav.queue_url(cola))
    return redirect(queue_nav.request_url(folio, cola, anterior=item.folio, enviada=item.folio))


def _field(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def edit_properties(request: Request) -> Response:
    """The side pane's form: htmx gets the pane back (refused: 422 with the reason in it);
    without JavaScript, a 303 to the page, or the page with the reason."""
    viewer, item = await page.load(request)
    async with request.form(max_files=0, max_fields=12) as form:
        wanted, errors = agent_forms.parse_properties(form)
        cola = queue_nav.clean(_field(form, queue_nav.PARAM))
    if not errors:
        try:
            await properties.apply(
                db(request), viewer, item, wanted, session.actor(request, viewer)
            )
        except properties.PropertyRefused as refusal:
            errors = {refusal.field: refusal.message}
        except (agent_service.AgentActionRefused, status_flow.TransitionNotAllowed) as refusal:
            errors = {"form": refusal.message}  # checked before; a race with a colleague
    if wants_fragment(request):
        code = 422 if errors else 200
        notice = "" if errors else "propiedades"
        return await page.render_pane(request, viewer, item, errors, code, notice, cola)
    if errors:
        return await page.render_detail(request, viewer, item, errors, status_code=422, cola=cola)
    return page.back(item, "propiedades", fragment="propiedades", cola=cola)


async def note(request: Request) -> Response:
    viewer, item = await page.load(request)
    async with request.form(max_files=0, max_fields=10) as form:
        body, errors = agent_forms.parse_note(form)
        cola = queue_nav.clean(_field(form, queue_nav.PARAM))
    if errors:
        values = {"nota": body}
        return await page.render_detail(request, viewer, item, errors, values, 422, cola=cola)
    await agent_service.add_note(db(request), viewer, item, body, session.actor(request, viewer))
    return page.back(item, "nota", cola=cola)


async def _cola(request: Request) -> str:
    """The queue the agent came from, sent by a form with nothing else to say."""
    async with request.form(max_files=0, max_fields=5) as form:
        return queue_nav.clean(_field(form, queue_nav.PARAM))


async def claim(request: Request) -> Response:
    viewer, item = await page.load(request)
    cola = await _cola(request)
    try:
        await agent_service.claim(db(request), viewer, item, session.actor(request, viewer))
    except agent_service.AgentActionRefused as refusal:
        return await page.render_detail(
            request, viewer, item, {"form": refusal.message}, status_code=409
        )
    return page.back(item, "asignada", cola=cola)


async def unassign(request: Request) -> Response:
    viewer, item = await page.load(request)
    cola = await _cola(request)
    try:
        await agent_service.unassign(db(request), viewer, item, session.actor(request, viewer))
    except agent_service.AgentActionRefused as refusal:
        return await page.render_detail(
            request, viewer, item, {"form": refusal.message}, status_code=409
        )
    return page.back(item, "liberada", cola=cola)


async def change_status(request: Request) -> Response:
    viewer, item = await page.load(request)
    async with request.form(max_files=0, max_fields=10) as form:
        target, errors = agent_forms.parse_status(form)
        cola = queue_nav.clean(_field(form, queue_nav.PARAM))
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
    return page.back(item, "estado", cola=cola)


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
    Route(
        "/staff/solicitudes/{folio}/propiedades",
        edit_properties,
        methods=["POST"],
        name="staff_request_properties",
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
