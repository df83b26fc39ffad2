"""Staff actions that tie requests together: merge a duplicate, link and unlink related ones.

Each is a POST answered with a 303; a bad folio, a folio the agent may not work (unknown
and other-region folios look the same) or a refused merge re-render the request's page
with a 4xx and the reason next to the form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import helpdesk.core.row_ids  # noqa: F401  (registers the {name:id} route convertor)
from helpdesk.accounts import session
from helpdesk.core.i18n import gettext as _
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect
from helpdesk.tickets.workbench import links as merging
from helpdesk.tickets.workbench import links_forms as link_forms
from helpdesk.tickets.workbench import routes as routes_agent
from helpdesk.tickets.workbench.routes import QUEUE_PATH

# The request's page and its loader are routes_agent's: one page, these are its forms.
_load = routes_agent._load
_detail = routes_agent._detail


def _unknown(folio: str) -> str:
    return _("No hay una solicitud %(folio)s entre las que usted puede atender.", folio=folio)


PairAction = Callable[..., Awaitable[object]]


async def _with_other(
    request: Request, field: str, act: PairAction, done: Callable[[str, str], str]
) -> Response:
    """The form names another request by folio in ``field``; ``act`` pairs the two."""
    viewer, item = await _load(request)
    async with request.form(max_files=0, max_fields=10) as form:
        folio, errors = link_forms.parse_folio(form, field)
    values = {field: folio}
    if errors:
        return await _detail(request, viewer, item, errors, values, 422)
    other = await merging.find_for_staff(db(request), viewer, folio)
    if other is None:
        return await _detail(request, viewer, item, {field: _unknown(folio)}, values, 404)
    try:
        await act(db(request), viewer, item, other, session.actor(request, viewer))
    except merging.LinkRefused as refusal:
        return await _detail(request, viewer, item, {field: refusal.message}, values, 409)
    return redirect(done(item.folio, other.folio))


async def merge(request: Request) -> Response:
    """This request is the duplicate; the field ``con`` names the request kept."""
    return await _with_other(
        request,
        "con",
        merging.merge_requests,
        lambda _item, kept: f"{QUEUE_PATH}/{kept}?hecho=fusionada",
    )


async def link(request: Request) -> Response:
    return await _with_other(
        request,
        "folio",
        merging.link_requests,
        lambda item, _other: f"{QUEUE_PATH}/{item}?hecho=vinculada",
    )


async def unlink(request: Request) -> Response:
    viewer, item = await _load(request)
    try:
        await merging.unlink_requests(
            db(request),
            viewer,
            item,
            int(request.path_params["link_id"]),
            session.actor(request, viewer),
        )
    except merging.LinkRefused as refusal:
        return await _detail(request, viewer, item, {"form": refusal.message}, status_code=409)
    return redirect(f"{QUEUE_PATH}/{item.folio}?hecho=desvinculada")


routes = [
    Route(QUEUE_PATH + "/{folio}/fusionar", merge, methods=["POST"], name="staff_request_merge"),
    Route(QUEUE_PATH + "/{folio}/vincular", link, methods=["POST"], name="staff_request_link"),
    Route(
        QUEUE_PATH + "/{folio}/desvincular/{link_id:id}",
        unlink,
        methods=["POST"],
        name="staff_request_unlink",
    ),
]
