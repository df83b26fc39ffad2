"""The staff person page (the CRM profile: identity, contact, other domains' sections such as
the person's requests, likely duplicates, timeline): rendered for its own address
(routes.py) and again as the merge form's answer (routes_profile.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from helpdesk.accounts.permissions import Viewer
from helpdesk.core.errors import NotFound, PermissionDenied
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.people import duplicates, merge_rules, sections, timeline, unmerging
from helpdesk.people import service as people
from helpdesk.people.models import Person


async def render_profile(
    request: Request,
    viewer: Viewer,
    person: Person,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The page; the caller has checked access to ``person`` (``people.get_person``)."""
    session_db = db(request)
    merged_into = None
    if person.merged_into_id is not None:
        # Named and linked only when in the viewer's scope; else its number says enough.
        merged_into = await person_in_scope(request, viewer, person.merged_into_id)
    context = {
        "person": person,
        "me": viewer,
        # Other domains' parts of the page (the person's requests, ...): see sections.py.
        "sections": await sections.person_sections(session_db, viewer, person),
        "merged_into": merged_into,
        "matches": []
        if person.merged_into_id is not None
        else await duplicates.find_matches(session_db, viewer, person),
        # Merges this record took part in; supervisors may undo those still in force.
        "merges": await unmerging.merges_of(session_db, person),
        "may_undo": merge_rules.may_undo(viewer),
        "timeline": await timeline.timeline(session_db, viewer, person),
        "errors": errors or {},
        "values": values or {},
        "notice": request.query_params.get("hecho", ""),
    }
    response = render(request, "people/detail.html", context, status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def person_in_scope(request: Request, viewer: Viewer, person_id: int) -> Person | None:
    # Unknown and other-region records answer alike: the form reveals nothing about them.
    try:
        return await people.get_person(db(request), viewer, person_id)
    except (NotFound, PermissionDenied):
        return None
