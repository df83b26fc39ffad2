"""Admin pages for the reference data the inbox offers people: trámites (their names in
every language, new ones) and offices (in-person attention and opening hours)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.accounts.permissions import Viewer, require_staff
from helpdesk.calendar import opening_hours
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import SUPPORTED_LOCALES
from helpdesk.core.unit_of_work import db
from helpdesk.reference.data import TOPICS
from helpdesk.reference.service import list_offices, list_regions, office_by_slug
from helpdesk.tickets.admin import forms as admin_forms
from helpdesk.tickets.admin import tramites as admin_tramites
from helpdesk.tickets.admin.web import PREFIX, admin_viewer, done, form_values, page
from helpdesk.tickets.answers.admin import AdminInputError
from helpdesk.tickets.kinds import KINDS, PORTAL_KIND_BY_TOPIC

TRAMITE_FIELDS = (
    "codigo",
    "categoria",
    "activo",
    *(admin_forms.name_field(locale) for locale in SUPPORTED_LOCALES),
)
OFFICE_FIELDS = ("presencial", *(opening_hours.day_field(d) for d in opening_hours.WEEKDAYS))


def _topic_names() -> dict[str, str]:
    return {t: KINDS[k].name for t, k in PORTAL_KIND_BY_TOPIC.items()}


# --- Trámites.


async def tramites(request: Request) -> Response:
    viewer = await admin_viewer(request)
    context = {
        "rows": await admin_tramites.list_tramites(db(request), viewer),
        "topic_names": _topic_names(),
    }
    return page(request, viewer, "tickets/admin/tramites.html", context)


def _tramite_form(
    request: Request,
    viewer: Viewer,
    values: dict[str, str],
    errors: dict[str, str],
    tramite: admin_tramites.TramiteRow | None = None,
) -> Response:
    context: dict[str, Any] = {
        "tramite": tramite,
        "topics": [(t, _topic_names().get(t, t)) for t in TOPICS],
        "values": values,
        "errors": errors,
    }
    status = 422 if errors else 200
    return page(request, viewer, "tickets/admin/tramite_form.html", context, status)


async def tramite_new(request: Request) -> Response:
    viewer = await admin_viewer(request)
    require_staff(viewer, "admin")
    if request.method != "POST":
        return _tramite_form(request, viewer, {"activo": "1"}, {})
    async with request.form(max_files=0, max_fields=len(TRAMITE_FIELDS) + 2) as form:
        data, errors = admin_forms.parse_tramite(form, TOPICS)
        values = form_values(form, TRAMITE_FIELDS)
    if not errors:
        try:
            await admin_tramites.create_tramite(
                db(request), viewer, data, session.actor(request, viewer)
            )
        except AdminInputError as exc:
            errors = {exc.field: exc.message}
        else:
            return done(request, "tickets_admin_tramites", "tramite_nuevo")
    return _tramite_form(request, viewer, values, errors)


async def tramite_edit(request: Request) -> Response:
    viewer = await admin_viewer(request)
    code = str(request.path_params["code"])
    row = await admin_tramites.get_tramite(db(request), viewer, code)
    if request.method != "POST":
        values = {admin_forms.name_field(loc): name for loc, name in row.names.items()}
        values["activo"] = "1" if row.tramite.active else ""
        return _tramite_form(request, viewer, values, {}, row)
    async with request.form(max_files=0, max_fields=len(TRAMITE_FIELDS) + 2) as form:
        data, errors = admin_forms.parse_tramite(form, TOPICS, code)
        values = form_values(form, TRAMITE_FIELDS)
    if errors:
        return _tramite_form(request, viewer, values, errors, row)
    await admin_tramites.update_tramite(
        db(request), viewer, code, data, session.actor(request, viewer)
    )
    return done(request, "tickets_admin_tramites", "tramite")


# --- Oficinas.


async def offices(request: Request) -> Response:
    viewer = await admin_viewer(request)
    require_staff(viewer, "admin")
    rows = await list_offices(db(request))
    weeks = await opening_hours.offices_weeks(db(request), [o.id for o in rows])
    context = {
        "rows": [(o, opening_hours.format_week(weeks[o.id])) for o in rows],
        "region_names": {r.code: r.name for r in await list_regions(db(request))},
    }
    return page(request, viewer, "tickets/admin/offices.html", context)


async def office_edit(request: Request) -> Response:
    viewer = await admin_viewer(request)
    require_staff(viewer, "admin")
    slug = str(request.path_params["slug"])
    office = await office_by_slug(db(request), slug)
    if office is None:
        raise NotFound("office")
    errors: dict[str, str] = {}
    if request.method == "POST":
        async with request.form(max_files=0, max_fields=len(OFFICE_FIELDS) + 2) as form:
            data, errors = opening_hours.parse_office_hours(form)
            values = form_values(form, OFFICE_FIELDS)
        if not errors:
            await opening_hours.save_office_attention(
                db(request), viewer, slug, data, session.actor(request, viewer)
            )
            return done(request, "tickets_admin_offices", "oficina")
    else:
        values = opening_hours.week_text(await opening_hours.office_week(db(request), office.id))
        values["presencial"] = "1" if office.attends_in_person else ""
    context = {
        "office": office,
        "days": [
            (opening_hours.day_field(d), opening_hours.weekday_name(d))
            for d in opening_hours.WEEKDAYS
        ],
        "values": values,
        "errors": errors,
    }
    status = 422 if errors else 200
    return page(request, viewer, "tickets/admin/office_form.html", context, status)


routes = [
    Route(PREFIX + "/tramites", tramites, name="tickets_admin_tramites"),
    Route(
        PREFIX + "/tramites/nuevo",
        tramite_new,
        methods=["GET", "POST"],
        name="tickets_admin_tramite_new",
    ),
    Route(
        PREFIX + "/tramites/{code}",
        tramite_edit,
        methods=["GET", "POST"],
        name="tickets_admin_tramite_edit",
    ),
    Route(PREFIX + "/oficinas", offices, name="tickets_admin_offices"),
    Route(
        PREFIX + "/oficinas/{slug}",
        office_edit,
        methods=["GET", "POST"],
        name="tickets_admin_office_edit",
    ),
]
