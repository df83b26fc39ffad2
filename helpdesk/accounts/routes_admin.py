"""Staff account administration, for admins."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import helpdesk.core.row_ids  # noqa: F401  (registers the {name:id} route convertor)
from helpdesk.accounts import session, staff
from helpdesk.accounts.forms import parse_new_staff
from helpdesk.accounts.models import STAFF_ROLES
from helpdesk.accounts.permissions import require_staff
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to
from helpdesk.reference.service import list_offices


async def staff_accounts(request: Request) -> Response:
    viewer = require_staff(await session.staff_viewer(request), "admin")
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        async with request.form() as form:
            data, errors = parse_new_staff(form)
            values = {
                k: str(form.get(k) or "") for k in ("email", "full_name", "role", "office_slug")
            }
        if data is not None:
            try:
                await staff.create_staff(db(request), data, session.actor(request, viewer))
            except staff.StaffInputError as exc:
                errors["form"] = exc.message
            else:
                return redirect_to("staff_admin")
        status = 422
    accounts = await staff.list_staff(db(request), viewer)
    offices = await list_offices(db(request))
    context = {
        "accounts": accounts,
        "offices": offices,
        "roles": STAFF_ROLES,
        "errors": errors,
        "values": values,
        "me": viewer,
    }
    return render(request, "accounts/staff_admin.html", context, status)


async def staff_account_state(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    async with request.form() as form:
        active = form.get("active") == "1"
    await staff.set_staff_active(
        db(request),
        viewer,
        int(request.path_params["staff_id"]),
        active,
        session.actor(request, viewer),
    )
    return redirect_to("staff_admin")


routes = [
    Route("/staff/admin/cuentas", staff_accounts, methods=["GET", "POST"], name="staff_admin"),
    Route(
        "/staff/admin/cuentas/{staff_id:id}/estado",
        staff_account_state,
        methods=["POST"],
        name="staff_account_state",
    ),
]
