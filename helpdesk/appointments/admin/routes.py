"""/staff/admin/citas/<office>: the trámites an office attends by appointment, for the
admin (duration, counters, seats kept for the priority groups). Linked from the office's
admin page; the inbox's admin menu heads it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.accounts.permissions import require_staff
from helpdesk.appointments.admin import services as services_admin
from helpdesk.calendar import snapshot
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to

PAGE = "appointments/admin_services.html"
NOTICE = "hecho"


async def _page(
    request: Request,
    slug: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    viewer = await session.staff_viewer(request)
    office, services = await services_admin.office_services(db(request), viewer, slug)
    tramites = [(t.code, t.name) for t in (await snapshot.current(db(request))).tramites]
    context = {
        "me": viewer,
        "office": office,
        "services": services,
        "tramites": tramites,
        "values": values or {},
        "errors": errors or {},
        "notice": request.query_params.get(NOTICE, "")[:20],
    }
    response = render(request, PAGE, context, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def services(request: Request) -> Response:
    slug = str(request.path_params["slug"])
    if request.method == "GET":
        return await _page(request, slug)
    viewer = await session.staff_viewer(request)
    require_staff(viewer, "admin")
    async with request.form(max_files=0, max_fields=8) as form:
        data, errors = services_admin.parse_service(form)
        values = {
            k: str(form.get(k) or "")[:60]
            for k in ("tramite", "duracion", "mesones", "preferentes")
        }
    office, _rows = await services_admin.office_services(db(request), viewer, slug)
    if data.tramite_code and data.tramite_code not in {
        t.code for t in (await snapshot.current(db(request))).tramites
    }:
        errors["tramite"] = services_admin.unknown_tramite()
    if errors:
        return await _page(request, slug, values, errors, 422)
    actor = session.actor(request, viewer)
    await services_admin.save_service(db(request), viewer, office, data, actor)
    return redirect_to("appointments_admin_services", slug=slug, query={NOTICE: "guardado"})


async def remove(request: Request) -> Response:
    slug = str(request.path_params["slug"])
    viewer = await session.staff_viewer(request)
    office, _rows = await services_admin.office_services(db(request), viewer, slug)
    code = str(request.path_params["tramite"])[:60]
    await services_admin.remove_service(
        db(request), viewer, office, code, session.actor(request, viewer)
    )
    return redirect_to("appointments_admin_services", slug=slug, query={NOTICE: "quitado"})


routes = [
    Route(
        "/staff/admin/citas/{slug}",
        services,
        methods=["GET", "POST"],
        name="appointments_admin_services",
    ),
    Route(
        "/staff/admin/citas/{slug}/{tramite}/quitar",
        remove,
        methods=["POST"],
        name="appointments_admin_service_remove",
    ),
]
