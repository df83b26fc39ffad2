"""The reply box's heartbeat: "I am replying to this request", answered with who else is.

htmx posts it while the agent types (see templates/tickets/workbench/_presence.html) and swaps in
the warning; a plain form post (no htmx) is answered with a 303 back to the request's page,
which shows the same warning.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.core.htmx import wants_fragment
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to
from helpdesk.tickets.workbench import presence
from helpdesk.tickets.workbench import service as agent_service


async def heartbeat(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    item = await agent_service.get_for_staff(db(request), viewer, request.path_params["folio"])
    await presence.touch(db(request), viewer, item)
    if not wants_fragment(request):
        return redirect_to("staff_request", folio=item.folio, fragment="responder")
    others = await presence.others_replying(db(request), viewer, item)
    response = render(
        request, "tickets/workbench/_presence.html", {"item": item, "others_replying": others}
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


routes = [
    Route(
        "/staff/solicitudes/{folio}/presencia",
        heartbeat,
        methods=["POST"],
        name="staff_request_presence",
    ),
]
