"""The audit log page: a record's history for whoever can see the record, the whole log for
supervisors and admins (``access.py``); each event in words."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.audit import reading
from helpdesk.core import links
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import gettext as _
from helpdesk.core.row_ids import row_id
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db


async def audit_log(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    params = request.query_params
    person = params.get("persona", "").strip()[:12]
    folio = params.get("solicitud", "").strip()[:20]
    # A garbled number is no record (0 never is one), checked after the role like the rest.
    person_id = (row_id(person) or 0) if person else None
    context = {"me": viewer, "person": person, "folio": folio, "older": None, "missing": None}
    try:
        wanted = reading.AuditFilter(
            person_id=person_id,
            folio=folio or None,
            before_id=row_id(params.get("antes", "")),
        )
        page = await reading.audit_page(db(request), viewer, wanted)
    except NotFound:
        # Unknown and out-of-region records answer alike.
        context.update(
            entries=[],
            shows_addresses=False,
            missing=_("No hay una solicitud o ficha con ese número entre las que usted puede ver."),
        )
        response = render(request, "audit/log.html", context, 404)
    else:
        kept = {k: v for k, v in (("persona", person), ("solicitud", folio)) if v}
        context.update(entries=page.entries, shows_addresses=page.shows_addresses)
        if page.next_before:
            query = {**kept, "antes": page.next_before}
            context["older"] = links.url_path("audit_log", query=query)
        response = render(request, "audit/log.html", context)
    response.headers["Cache-Control"] = "private, no-store"
    return response


routes = [
    Route("/staff/auditoria", audit_log, name="audit_log"),
]
