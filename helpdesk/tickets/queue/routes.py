"""The queue, its bulk actions, and tags on a request's page.

Mounted before ``workbench.routes``: ``/staff/solicitudes/lote`` would otherwise be taken
for a folio by ``/staff/solicitudes/{folio}``. Like the other agent actions, each is a POST
answered with a 303; bad input re-renders the page with a 422 and a refusal with a 409.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect, redirect_to
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.queue import bulk, tags
from helpdesk.tickets.queue import forms as queue_forms
from helpdesk.tickets.queue import page as queue_page
from helpdesk.tickets.queue import tools as queue_tools
from helpdesk.tickets.workbench import page as request_page


def _back(item: Ticket, notice: str) -> Response:
    query = {"hecho": notice}
    return redirect_to("staff_request", folio=item.folio, query=query, fragment="etiquetas")


async def queue(request: Request) -> Response:
    return await queue_page.render_queue(request)


async def add_tag(request: Request) -> Response:
    viewer, item = await request_page.load(request)
    async with request.form(max_files=0, max_fields=10) as form:
        tag, errors = queue_forms.parse_tag(form)
    if errors:
        values = {"etiqueta": tag}
        return await request_page.render_detail(request, viewer, item, errors, values, 422)
    await tags.add_tag(db(request), viewer, item, tag, session.actor(request, viewer))
    return _back(item, "etiqueta")


async def remove_tag(request: Request) -> Response:
    viewer, item = await request_page.load(request)
    tag = request.path_params["tag"]
    await tags.remove_tag(db(request), viewer, item, tag, session.actor(request, viewer))
    return _back(item, "sin_etiqueta")


async def apply_bulk(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    # Room beyond the limit, so that too many folios get a message rather than a 400.
    async with request.form(max_files=0, max_fields=bulk.MAX_FOLIOS * 4) as form:
        action, errors = queue_forms.parse_bulk(form)
        chosen = queue_forms.bulk_input(form)
    if errors:
        return await queue_page.render_queue(request, errors, 422, chosen)
    try:
        changed = await bulk.apply(db(request), viewer, action, session.actor(request, viewer))
    except bulk.BulkRefused as refusal:
        # Nothing of a refused batch may stay, nor show on the page rendered below.
        await db(request).rollback()
        return await queue_page.render_queue(request, {"form": refusal.message}, 409, chosen)
    return redirect(queue_tools.back_to_queue(request.query_params, changed))


routes = [
    Route("/staff/solicitudes", queue, name="staff_queue"),
    Route("/staff/solicitudes/lote", apply_bulk, methods=["POST"], name="staff_queue_bulk"),
    Route(
        "/staff/solicitudes/{folio}/etiquetas",
        add_tag,
        methods=["POST"],
        name="staff_request_tag",
    ),
    Route(
        "/staff/solicitudes/{folio}/etiquetas/{tag}/quitar",
        remove_tag,
        methods=["POST"],
        name="staff_request_untag",
    ),
]
