"""An agent marks themself available or not for round-robin assignment, and says which
languages they answer in (requests in those languages reach them first).

The form sits on the staff home page (``home_panel``, registered from ``app.py``) and on its
own page; both post here. Without JavaScript the answer is a 303 back to where the form was;
with htmx, the form's section alone, swapped in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.accounts.permissions import Viewer, require_staff
from helpdesk.core import links
from helpdesk.core.i18n import gettext as _
from helpdesk.core.templating import is_htmx, render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect, safe_next
from helpdesk.people.sections import Section
from helpdesk.tickets.teams import service as teams

PAGE = "tickets/teams/availability.html"
PARTIAL = "tickets/teams/_availability.html"
LANGUAGES_PARTIAL = "tickets/teams/_languages.html"
HOME_PANEL = "tickets/teams/_home_panel.html"
CHOICES = {"si": True, "no": False}


def parse_availability(form: Mapping[str, Any]) -> tuple[bool | None, dict[str, str]]:
    choice = form.get("disponible")
    if choice not in CHOICES:
        return None, {"disponible": _("Elija si está disponible o no.")}
    return CHOICES[choice], {}


async def home_panel(db: AsyncSession, viewer: Viewer) -> Section | None:
    """The form on the staff home, for members of a team (the home page checked the viewer)."""
    memberships = await teams.memberships(db, viewer)
    return Section(HOME_PANEL, memberships) if memberships else None


async def availability_page(request: Request) -> Response:
    viewer = require_staff(await session.staff_viewer(request))
    context = {
        "memberships": await teams.memberships(db(request), viewer),
        "languages": await teams.languages_of(db(request), viewer),
        "languages_saved": request.query_params.get("idiomas") == "1",
        "errors": {},
        "saved": False,
    }
    return render(request, PAGE, context)


async def set_languages(request: Request) -> Response:
    """Any subset of the portal's languages is valid (none: "not said", Spanish)."""
    viewer = require_staff(await session.staff_viewer(request))
    async with request.form(max_files=0, max_fields=10) as form:
        chosen = [str(value) for value in form.getlist("idioma")]
    languages = await teams.set_languages(
        db(request), viewer, chosen, session.actor(request, viewer)
    )
    if not is_htmx(request):
        return redirect(links.url_path("staff_availability", query={"idiomas": "1"}))
    return render(request, LANGUAGES_PARTIAL, {"languages": languages, "languages_saved": True})


async def set_availability(request: Request) -> Response:
    viewer = require_staff(await session.staff_viewer(request))
    async with request.form(max_files=0, max_fields=5) as form:
        available, errors = parse_availability(form)
        back = safe_next(str(form.get("next") or ""), links.url_path("staff_availability"))
    status_code = 422
    if available is not None:
        try:
            await teams.set_availability(
                db(request), viewer, available, session.actor(request, viewer)
            )
            status_code = 200
        except teams.AvailabilityRefused as refusal:
            errors, status_code = {"form": refusal.message}, 409
    if status_code == 200 and not is_htmx(request):
        return redirect(back)
    context = {
        "memberships": await teams.memberships(db(request), viewer),
        "languages": await teams.languages_of(db(request), viewer),
        "errors": errors,
        "saved": status_code == 200,
        "next": back,
    }
    return render(request, PARTIAL if is_htmx(request) else PAGE, context, status_code)


routes = [
    Route("/staff/disponibilidad", availability_page, name="staff_availability"),
    Route(
        "/staff/disponibilidad",
        set_availability,
        methods=["POST"],
        name="staff_availability_set",
    ),
    Route(
        "/staff/disponibilidad/idiomas",
        set_languages,
        methods=["POST"],
        name="staff_languages_set",
    ),
]
