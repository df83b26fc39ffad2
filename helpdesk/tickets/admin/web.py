"""What the inbox's admin pages share: their URL prefix, page rendering and notices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from helpdesk.accounts import session
from helpdesk.accounts.permissions import Viewer
from helpdesk.core.templating import render
from helpdesk.core.web import redirect_to

# For the route tables of admin/routes.py and answers/routes.py only: links use route names.
PREFIX: Final = "/staff/admin/solicitudes"
NOTICE: Final = "hecho"


def page(
    request: Request,
    viewer: Viewer,
    template: str,
    context: Mapping[str, Any],
    status: int = 200,
) -> Response:
    base: dict[str, Any] = {
        "me": viewer,
        "errors": {},
        "values": {},
        "notice": request.query_params.get(NOTICE, "")[:20],
    }
    response = render(request, template, {**base, **context}, status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def done(request: Request, name: str, notice: str, **params: Any) -> Response:
    """303 back to a page, with the notice it shows."""
    return redirect_to(name, query={NOTICE: notice}, **params)


def form_values(form: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """What the admin typed, to show again beside the errors."""
    return {name: v if isinstance(v := form.get(name), str) else "" for name in names}


async def admin_viewer(request: Request) -> Viewer:
    """The signed-in staff member; the role is checked by each service call."""
    return await session.staff_viewer(request)
