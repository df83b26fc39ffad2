"""The inbox's admin pages: answer templates (respuestas tipo) and automatic rules here;
deadlines, closures and teams in ``tickets.admin.routes``, trámites and offices in
``tickets.admin.reference_routes``.

Handlers stay thin: parse with ``admin_forms``, call the service (which checks the admin
role and audits), answer a page, a 422 with the form again, or a 303.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import helpdesk.core.row_ids  # noqa: F401  (registers the {name:id} route convertor)
from helpdesk.accounts import session
from helpdesk.accounts.permissions import Viewer
from helpdesk.core.i18n import LANGUAGE_NAMES, SUPPORTED_LOCALES
from helpdesk.core.i18n import gettext as _
from helpdesk.core.unit_of_work import db
from helpdesk.tickets import status_flow
from helpdesk.tickets.admin import forms as admin_forms
from helpdesk.tickets.admin.web import PREFIX, admin_viewer, done, form_values, page
from helpdesk.tickets.answers import admin as admin_service
from helpdesk.tickets.kinds import KINDS, kind_names
from helpdesk.tickets.workbench.service import REPLY_TARGETS

ANSWER_TEMPLATE_FIELDS = (
    "codigo",
    "titulo",
    "activa",
    "estado",
    "tipo",
    "etiquetas",
    *(admin_forms.body_field(locale) for locale in SUPPORTED_LOCALES),
)
RULE_FIELDS = ("tipo", "tramite", "palabras", "plantilla", "activa")


async def home(request: Request) -> Response:
    viewer = admin_service.require_admin(await admin_viewer(request))
    return page(request, viewer, "tickets/admin/home.html", {})


# --- Respuestas tipo.


def _answer_template_context() -> dict[str, Any]:
    return {
        "locales": SUPPORTED_LOCALES,
        "status_options": [(s, status_flow.status_names()[s]) for s in REPLY_TARGETS],
        "kind_options": list(kind_names().items()),
        "placeholders": admin_forms.PLACEHOLDERS,
    }


async def answer_template_list(request: Request) -> Response:
    viewer = await admin_viewer(request)
    which, error = admin_service.parse_lacking(request.query_params.get("falta"))
    rows = await admin_service.list_canned(db(request), viewer, which)
    context = {
        "rows": rows,
        "lacking": which,
        "lacking_options": [
            (admin_service.ANY_MISSING, _("Les falta algún idioma")),
            *(
                (code, _("Sin texto en %(language)s", language=LANGUAGE_NAMES[code]))
                for code in SUPPORTED_LOCALES
            ),
        ],
        "errors": {"falta": error} if error else {},
    }
    return page(request, viewer, "tickets/answers/templates.html", context, 422 if error else 200)


async def canned_new(request: Request) -> Response:
    viewer = admin_service.require_admin(await admin_viewer(request))
    values: dict[str, Any] = {"activa": "1"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        async with request.form(max_files=0) as form:
            data, errors = admin_forms.parse_answer_template(form)
            values = form_values(form, ANSWER_TEMPLATE_FIELDS)
        if not errors:
            try:
                canned = await admin_service.create_answer_template(
                    db(request), viewer, data, session.actor(request, viewer)
                )
            except admin_service.AdminInputError as exc:
                errors = {exc.field: exc.message}
            else:
                return done(
                    request, "tickets_admin_answer_templates_edit", "creada", canned_id=canned.id
                )
    context = {**_answer_template_context(), "values": values, "errors": errors, "canned": None}
    return page(
        request, viewer, "tickets/answers/template_form.html", context, 422 if errors else 200
    )


async def canned_edit(request: Request) -> Response:
    viewer = await admin_viewer(request)
    canned_id = int(request.path_params["canned_id"])
    canned, bodies = await admin_service.get_answer_template(db(request), viewer, canned_id)
    values: dict[str, Any] = admin_service.answer_template_values(canned, bodies)
    values["activa"] = "1" if canned.active else ""
    errors: dict[str, str] = {}
    if request.method == "POST":
        async with request.form(max_files=0) as form:
            data, errors = admin_forms.parse_answer_template(form, canned.code)
            values = form_values(form, ANSWER_TEMPLATE_FIELDS)
        if not errors:
            await admin_service.update_answer_template(
                db(request), viewer, canned_id, data, session.actor(request, viewer)
            )
            return done(
                request, "tickets_admin_answer_templates_edit", "guardada", canned_id=canned_id
            )
    context = {**_answer_template_context(), "values": values, "errors": errors, "canned": canned}
    return page(
        request, viewer, "tickets/answers/template_form.html", context, 422 if errors else 200
    )


# --- Reglas automáticas.


async def rules_list(request: Request) -> Response:
    viewer = await admin_viewer(request)
    rows = await admin_service.list_rules(db(request), viewer)
    context = {"rows": rows, "kind_name": lambda code: KINDS[code].name if code in KINDS else code}
    return page(request, viewer, "tickets/answers/rules.html", context)


async def _rule_form(
    request: Request, viewer: Viewer, rule_id: int | None, values: dict[str, Any]
) -> Response:
    errors: dict[str, str] = {}
    if request.method == "POST":
        async with request.form(max_files=0) as form:
            data, errors = admin_forms.parse_rule(form)
            values = form_values(form, RULE_FIELDS)
        if not errors:
            actor = session.actor(request, viewer)
            try:
                if rule_id is None:
                    rule = await admin_service.create_rule(db(request), viewer, data, actor)
                    rule_id, notice = rule.id, "creada"
                else:
                    await admin_service.update_rule(db(request), viewer, rule_id, data, actor)
                    notice = "guardada"
            except admin_service.AdminInputError as exc:
                errors = {exc.field: exc.message}
            else:
                return done(request, "tickets_admin_rules", notice)
    templates, tramites = await admin_service.rule_choices(db(request), viewer)
    context = {
        "values": values,
        "errors": errors,
        "rule_id": rule_id,
        "kind_options": list(kind_names().items()),
        "templates": templates,
        "tramites": tramites,
    }
    return page(request, viewer, "tickets/answers/rule_form.html", context, 422 if errors else 200)


async def rule_new(request: Request) -> Response:
    viewer = admin_service.require_admin(await admin_viewer(request))
    return await _rule_form(request, viewer, None, {"activa": "1"})


async def rule_edit(request: Request) -> Response:
    viewer = await admin_viewer(request)
    rule = await admin_service.get_rule(db(request), viewer, int(request.path_params["rule_id"]))
    values: dict[str, Any] = admin_service.rule_values(rule)
    values["activa"] = "1" if rule.active else ""
    values["tramite"] = rule.tramite_code or ""
    return await _rule_form(request, viewer, rule.id, values)


async def rule_state(request: Request) -> Response:
    viewer = await admin_viewer(request)
    async with request.form(max_files=0, max_fields=5) as form:
        active = form.get("activa") == "1"
    await admin_service.set_rule_active(
        db(request),
        viewer,
        int(request.path_params["rule_id"]),
        active,
        session.actor(request, viewer),
    )
    return done(request, "tickets_admin_rules", "activada" if active else "desactivada")


# --- Trámites.


routes = [
    Route(PREFIX, home, name="tickets_admin_home"),
    Route(PREFIX + "/respuestas", answer_template_list, name="tickets_admin_answer_templates"),
    Route(
        PREFIX + "/respuestas/nueva",
        canned_new,
        methods=["GET", "POST"],
        name="tickets_admin_answer_templates_new",
    ),
    Route(
        PREFIX + "/respuestas/{canned_id:id}",
        canned_edit,
        methods=["GET", "POST"],
        name="tickets_admin_answer_templates_edit",
    ),
    Route(PREFIX + "/reglas", rules_list, name="tickets_admin_rules"),
    Route(
        PREFIX + "/reglas/nueva", rule_new, methods=["GET", "POST"], name="tickets_admin_rule_new"
    ),
    Route(
        PREFIX + "/reglas/{rule_id:id}",
        rule_edit,
        methods=["GET", "POST"],
        name="tickets_admin_rule_edit",
    ),
    Route(
        PREFIX + "/reglas/{rule_id:id}/estado",
        rule_state,
        methods=["POST"],
        name="tickets_admin_rule_state",
    ),
]
