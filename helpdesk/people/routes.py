"""Staff views of persons (region-scoped) and the citizen's own profile."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.accounts.forms import parse_profile
from helpdesk.accounts.permissions import require_citizen, require_staff
from helpdesk.core.row_ids import row_id  # (also registers the {name:id} route convertor)
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to, remember_locale, settings
from helpdesk.people import profile_page, sections
from helpdesk.people import service as people
from helpdesk.people.models import SEX_GENDER_VALUES
from helpdesk.reference.service import list_regions

PAGE_SIZE = 50


async def staff_home(request: Request) -> Response:
    viewer = require_staff(await session.staff_viewer(request))
    # Other domains' panels (an agent's availability, ...): see sections.py.
    panels = await sections.staff_home_panels(db(request), viewer)
    return render(request, "people/staff_home.html", {"me": viewer, "panels": panels})


async def people_list(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    after = request.query_params.get("antes")
    after_id = row_id(after or "")
    rows = await people.list_people(db(request), viewer, after_id, PAGE_SIZE + 1)
    next_after = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    return render(
        request,
        "people/list.html",
        {"people": rows[:PAGE_SIZE], "next_after": next_after, "me": viewer},
    )


async def person_detail(request: Request) -> Response:
    viewer = await session.staff_viewer(request)
    person = await people.get_person(db(request), viewer, int(request.path_params["person_id"]))
    # The page's requests and timeline: access to the person was checked just above.
    return await profile_page.render_profile(request, viewer, person)


async def my_profile(request: Request) -> Response:
    viewer = require_citizen(await session.citizen_viewer(request))
    assert viewer.person_id is not None
    person = await people.get_person(db(request), viewer, viewer.person_id)
    regions = await list_regions(db(request))
    context = {
        "person": person,
        "regions": regions,
        "errors": {},
        "saved": False,
        "sex_gender_values": SEX_GENDER_VALUES,
    }
    if request.method == "GET":
        context["saved"] = request.query_params.get("guardado") == "1"
        return render(request, "people/profile.html", context)
    async with request.form() as form:
        changes, errors = parse_profile(form, {r.code for r in regions})
    if errors:
        context["errors"] = errors
        return render(request, "people/profile.html", context, 422)
    await people.update_person(db(request), viewer, person, changes, session.actor(request, viewer))
    response = redirect_to("citizen_profile", query={"guardado": 1})
    remember_locale(response, changes["preferred_locale"], settings(request).session_https_only)
    return response


routes = [
    Route("/staff", staff_home, name="staff_home"),
    Route("/staff/personas", people_list, name="staff_people"),
    Route("/staff/personas/{person_id:id}", person_detail, name="staff_person"),
    Route("/cuenta", my_profile, methods=["GET", "POST"], name="citizen_profile"),
]
