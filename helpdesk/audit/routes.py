"""The audit log, for supervisors and admins: who changed what, when and from where."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.audit import reading
from helpdesk.core import links
from helpdesk.core.row_ids import row_id
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db


def _number(text: str) -> int | None:
    return row_id(text)


async def audit_log(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    params = request.query_params
    person = params.get("persona", "").strip()
    folio = params.get("solicitud", "").strip()[:20]
    request_id = await reading.request_id_for(db(request), folio) if folio else None
    wanted = reading.AuditFilter(
        person_id=_number(person),
        # An unknown folio shows nothing rather than everything.
        request_id=request_id if not folio or request_id is not None else -1,
        before_id=_number(params.get("antes", "")),
    )
    page = await reading.audit_page(db(request), viewer, wanted)
    kept = {k: v for k, v in (("persona", person), ("solicitud", folio)) if v}
    context = {
        "me": viewer,
        "page": page,
        "events": page.events,
        "person": person,
        "folio": folio,
        "older": (
            links.url_path("audit_log", query={**kept, "antes": page.next_before})
            if page.next_before
            else None
        ),
    }
    response = render(request, "audit/log.html", context)
    response.headers["Cache-Control"] = "private, no-store"
    return response


routes = [
    Route("/staff/auditoria", audit_log, name="audit_log"),
]
