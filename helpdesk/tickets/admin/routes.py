"""Admin pages for what shapes the inbox around the answers: each kind's deadlines, the
extra closures, and teams with the routing of kinds to them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import helpdesk.core.row_ids  # noqa: F401  (registers the {name:id} route convertor)
from helpdesk.accounts import session
from helpdesk.accounts.permissions import Viewer
from helpdesk.calendar import closures as calendar_closures
from helpdesk.calendar.service import local_today
from helpdesk.core.unit_of_work import db
from helpdesk.reference.service import list_regions
from helpdesk.tickets.admin import deadlines as admin_deadlines
from helpdesk.tickets.admin import forms as admin_forms
from helpdesk.tickets.admin.web import PREFIX, admin_viewer, done, form_values, page
from helpdesk.tickets.answers.admin import AdminInputError
from helpdesk.tickets.kinds import kind_names, unit_names
from helpdesk.tickets.teams import admin as admin_teams

# --- Plazos por tipo.


async def deadlines(request: Request) -> Response:
    viewer = await admin_viewer(request)
    rows = await admin_deadlines.list_deadlines(db(request), viewer)
    context = {"rows": rows, "units": unit_names()}
    return page(request, viewer, "tickets/admin/deadlines.html", context)


async def deadline_edit(request: Request) -> Response:
    viewer = await admin_viewer(request)
    kind = str(request.path_params["kind"])
    row = await admin_deadlines.get_deadline(db(request), viewer, kind)
    values = admin_deadlines.form_values(row.rule)
    errors: dict[str, str] = {}
    if request.method == "POST":
        async with request.form(max_files=0, max_fields=7) as form:
            rule, errors = admin_forms.parse_deadline(form)
            values = form_values(form, admin_deadlines.FIELDS)
        if not errors:
            await admin_deadlines.set_deadline(
                db(request), viewer, kind, rule, session.actor(request, viewer)
            )
            return done(request, "tickets_admin_deadlines", "plazo")
    context = {"row": row, "values": values, "errors": errors, "units": unit_names()}
    return page(
        request, viewer, "tickets/admin/deadline_form.html", context, 422 if errors else 200
    )


async def deadline_reset(request: Request) -> Response:
    viewer = await admin_viewer(request)
    kind = str(request.path_params["kind"])
    await admin_deadlines.reset_deadline(db(request), viewer, kind, session.actor(request, viewer))
    return done(request, "tickets_admin_deadlines", "restablecido")


# --- Feriados y cierres.


async def _closures_page(
    request: Request,
    viewer: Viewer,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    today = local_today()
    context = {
        "rows": await calendar_closures.upcoming_closures(db(request), viewer, today),
        "regions": await list_regions(db(request)),
        "today": today,
        "values": values or {},
        "errors": errors or {},
    }
    return page(request, viewer, "calendar/closures.html", context, status)


async def closures(request: Request) -> Response:
    viewer = await admin_viewer(request)
    if request.method != "POST":
        return await _closures_page(request, viewer)
    async with request.form(max_files=0, max_fields=6) as form:
        data, errors = calendar_closures.parse_closure(form, local_today())
        values = form_values(form, ("fecha", "region", "motivo"))
    if not errors:
        try:
            await calendar_closures.add_closure(
                db(request), viewer, data, session.actor(request, viewer)
            )
        except calendar_closures.ClosureInvalid as exc:
            errors = {exc.field: exc.message}
        else:
            return done(request, "tickets_admin_closures", "agregado")
    return await _closures_page(request, viewer, values, errors, 422)


async def closure_delete(request: Request) -> Response:
    viewer = await admin_viewer(request)
    try:
        await calendar_closures.delete_closure(
            db(request),
            viewer,
            int(request.path_params["closure_id"]),
            local_today(),
            session.actor(request, viewer),
        )
    except calendar_closures.ClosureRefused as refusal:
        return await _closures_page(request, viewer, errors={"form": refusal.message}, status=409)
    return done(request, "tickets_admin_closures", "eliminado")


# --- Equipos.


async def _teams_page(
    request: Request,
    viewer: Viewer,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "rows": await admin_teams.list_teams(db(request), viewer),
        "routing": await admin_teams.routing(db(request), viewer),
        "regions": await list_regions(db(request)),
        "kind_options": list(kind_names().items()),
        "values": values or {},
        "errors": errors or {},
    }
    return page(request, viewer, "tickets/teams/teams.html", context, status)


async def teams(request: Request) -> Response:
    viewer = await admin_viewer(request)
    if request.method != "POST":
        return await _teams_page(request, viewer)
    async with request.form(max_files=0, max_fields=6) as form:
        data, errors = admin_forms.parse_team(form)
        values = form_values(form, ("codigo", "nombre", "region"))
    if not errors:
        try:
            team = await admin_teams.create_team(
                db(request), viewer, data, session.actor(request, viewer)
            )
        except AdminInputError as exc:
            errors = {exc.field: exc.message}
        else:
            return done(request, "tickets_admin_team", "creado", code=team.code)
    return await _teams_page(request, viewer, values, errors, 422)


async def team_routing(request: Request) -> Response:
    viewer = await admin_viewer(request)
    async with request.form(max_files=0) as form:
        wanted = admin_forms.parse_routing(form)
    try:
        await admin_teams.set_routing(db(request), viewer, wanted, session.actor(request, viewer))
    except AdminInputError as exc:
        return await _teams_page(request, viewer, errors={exc.field: exc.message}, status=422)
    return done(request, "tickets_admin_teams", "rutas")


async def _team_page(
    request: Request, viewer: Viewer, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    team, region_name = await admin_teams.get_team(db(request), viewer, request.path_params["code"])
    context: dict[str, Any] = {
        "team": team,
        "region_name": region_name,
        "members": await admin_teams.team_members(db(request), viewer, team),
        "candidates": await admin_teams.eligible_staff(db(request), viewer, team),
        "errors": errors or {},
    }
    return page(request, viewer, "tickets/teams/team.html", context, status)


async def team(request: Request) -> Response:
    return await _team_page(request, await admin_viewer(request))


async def member_add(request: Request) -> Response:
    viewer = await admin_viewer(request)
    code = str(request.path_params["code"])
    async with request.form(max_files=0, max_fields=5) as form:
        staff_id, errors = admin_forms.parse_member(form)
    if not errors:
        try:
            await admin_teams.add_member(
                db(request), viewer, code, staff_id, session.actor(request, viewer)
            )
        except AdminInputError as exc:
            errors = {exc.field: exc.message}
        else:
            return done(request, "tickets_admin_team", "miembro", code=code)
    return await _team_page(request, viewer, errors, 422)


async def member_remove(request: Request) -> Response:
    viewer = await admin_viewer(request)
    code = str(request.path_params["code"])
    staff_id = int(request.path_params["staff_id"])
    await admin_teams.remove_member(
        db(request), viewer, code, staff_id, session.actor(request, viewer)
    )
    return done(request, "tickets_admin_team", "quitado", code=code)


async def member_available(request: Request) -> Response:
    viewer = await admin_viewer(request)
    code = str(request.path_params["code"])
    async with request.form(max_files=0, max_fields=5) as form:
        available = form.get("disponible") == "1"
    await admin_teams.set_member_available(
        db(request),
        viewer,
        code,
        int(request.path_params["staff_id"]),
        available,
        session.actor(request, viewer),
    )
    return done(request, "tickets_admin_team", "disponibilidad", code=code)


routes = [
    Route(PREFIX + "/plazos", deadlines, name="tickets_admin_deadlines"),
    Route(
        PREFIX + "/plazos/{kind}",
        deadline_edit,
        methods=["GET", "POST"],
        name="tickets_admin_deadline_edit",
    ),
    Route(
        PREFIX + "/plazos/{kind}/restablecer",
        deadline_reset,
        methods=["POST"],
        name="tickets_admin_deadline_reset",
    ),
    Route(PREFIX + "/cierres", closures, methods=["GET", "POST"], name="tickets_admin_closures"),
    Route(
        PREFIX + "/cierres/{closure_id:id}/eliminar",
        closure_delete,
        methods=["POST"],
        name="tickets_admin_closure_delete",
    ),
    Route(PREFIX + "/equipos", teams, methods=["GET", "POST"], name="tickets_admin_teams"),
    Route(
        PREFIX + "/enrutamiento",
        team_routing,
        methods=["POST"],
        name="tickets_admin_team_routing",
    ),
    Route(PREFIX + "/equipos/{code}", team, name="tickets_admin_team"),
    Route(
        PREFIX + "/equipos/{code}/miembros",
        member_add,
        methods=["POST"],
        name="tickets_admin_member_add",
    ),
    Route(
        PREFIX + "/equipos/{code}/miembros/{staff_id:id}/quitar",
        member_remove,
        methods=["POST"],
        name="tickets_admin_member_remove",
    ),
    Route(
        PREFIX + "/equipos/{code}/miembros/{staff_id:id}/disponible",
        member_available,
        methods=["POST"],
        name="tickets_admin_member_available",
    ),
]
