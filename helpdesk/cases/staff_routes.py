"""Staff link a case to a request, or unlink it, beside the request (issue 15, item 6).

Forms post here and come back to the request's page with 303. The request is found by the
inbox's own finder (``request_links.request_for_staff``: the viewer's access and region);
the case only within the viewer's region, and a number of another region's case answers as
an unknown one does (422 with the form again).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.cases import request_links
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import gettext as _
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to

SECTION = "solicitudes-migratorias-seccion"


async def link_case(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    item = await request_links.request_for_staff(db(request), viewer, request.path_params["folio"])
    async with request.form(max_files=0, max_fields=5) as form:
        typed = form.get("numero")
        number = typed.strip() if isinstance(typed, str) else ""
    case = await request_links.case_for_staff(db(request), viewer, number) if number else None
    if case is None:
        message = (
            _("No hay una solicitud migratoria con ese número en su región.")
            if number
            else _("Escriba el número de la solicitud migratoria.")
        )
        context = {"folio": item.folio, "number": number[:40], "error": message}
        return render(request, "cases/staff_link.html", context, 422)
    actor = session.actor(request, viewer)
    await request_links.link(db(request), item.id, case, actor, staff_id=viewer.id)
    return redirect_to("staff_request", folio=item.folio, fragment=SECTION)


async def unlink_case(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    item = await request_links.request_for_staff(db(request), viewer, request.path_params["folio"])
    case = await request_links.case_for_staff(db(request), viewer, request.path_params["number"])
    if case is None:
        raise NotFound("case")
    await request_links.unlink(db(request), item.id, case, session.actor(request, viewer))
    return redirect_to("staff_request", folio=item.folio, fragment=SECTION)


routes = [
    Route(
        "/staff/solicitudes/{folio}/solicitudes-migratorias",
        link_case,
        methods=["POST"],
        name="staff_request_case_link",
    ),
    Route(
        "/staff/solicitudes/{folio}/solicitudes-migratorias/{number}/desvincular",
        unlink_case,
        methods=["POST"],
        name="staff_request_case_unlink",
    ),
]
