"""Prorrogar plazo, from the request's staff page: a POST answered with a 303 back to the
page, or the page again with the reason (422 for a missing reason, 409 for a refusal)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.core.db import utcnow
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import settings
from helpdesk.tickets.lifecycle import extension
from helpdesk.tickets.workbench import page

NOTICE = "prorroga"
FRAGMENT = "plazo"


async def extend(request: Request) -> Response:
    viewer, item = await page.load(request)
    async with request.form(max_files=0, max_fields=5) as form:
        raw = form.get("motivo")
        reason = raw.strip() if isinstance(raw, str) else ""
    values = {"motivo": reason}
    try:
        await extension.extend(
            db(request),
            viewer,
            item,
            reason,
            session.actor(request, viewer),
            settings(request).base_url,
            utcnow(),
        )
    except extension.ExtensionRefused as refusal:
        if refusal.code == "reason":
            errors, status = {"motivo": refusal.message}, 422
        else:
            errors, status = {"form": refusal.message}, 409
        return await page.render_detail(request, viewer, item, errors, values, status)
    return page.back(item, NOTICE, FRAGMENT)


routes = [
    Route(
        "/staff/solicitudes/{folio}/prorrogar",
        extend,
        methods=["POST"],
        name="staff_request_extend",
    ),
]
