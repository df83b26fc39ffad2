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
from helpdesk.core.web import redirect_to
from helpdesk.tickets.workbench import links as merging
from helpdesk.tickets.workbench import links_forms as link_forms
from helpdesk.tickets.workbench.page import load as _load
from helpdesk.tickets.workbench.page import render_detail as _detail


def _back(folio: str, notice: str) -> Response:
    return redirect_to("staff_request", folio=folio, query={"hecho": notice})


def _unknown(folio: str) -> str:
    return _("No hay una solicitud %(folio)s entre las que usted puede atender.", folio=folio)


PairAction = Callable[..., Awaitable[object]]


async def _with_other(
    request: Request, field: str, act: PairAction, done: Callable[[str, str], Response]
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
    return done(item.folio, other.folio)


async def merge(request: Request) -> Response:
    """This request is the duplicate; the field ``con`` names the request kept."""
    return await _with_other(
        request,
        "con",
        merging.merge_requests,
        lambda _item, kept: _back(kept, "fusionada"),
    )


async def link(request: Request) -> Response:
    return await _with_other(
        request,
        "folio",
        merging.link_requests,
        lambda item, _other: _back(item, "vinculada"),
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
    return _back(item.folio, "desvinculada")


routes = [
    Route(
        "/staff/solicitudes/{folio}/fusionar", merge, methods=["POST"], name="staff_request_merge"
    ),
    Route("/staff/solicitudes/{folio}/vincular", link, methods=["POST"], name="staff_request_link"),
    Route(
        "/staff/solicitudes/{folio}/desvincular/{link_id:id}",
        unlink,
        methods=["POST"],
        name="staff_request_unlink",
    ),
]
