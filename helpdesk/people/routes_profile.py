"""The merge posted from the staff person page (the page itself: profile_page.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.core.i18n import gettext as _
from helpdesk.core.row_ids import row_id  # (also registers the {name:id} route convertor)
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to
from helpdesk.people import merging
from helpdesk.people import service as people
from helpdesk.people.profile_page import person_in_scope, render_profile


def parse_merge(form: Mapping[str, Any]) -> tuple[int | None, dict[str, str]]:
    """The kept person's record number (``con``), as shown on their page."""
    value = form.get("con")
    text = value.strip().lstrip("#").strip() if isinstance(value, str) else ""
    person_id = row_id(text)
    if person_id is None:
        return None, {"con": _("Escriba el número de ficha de la otra persona (solo dígitos).")}
    return person_id, {}


async def merge(request: Request) -> Response:
    """This record is the duplicate; ``con`` is the record kept."""
    viewer = await session.staff_viewer(request)
    person = await people.get_person(db(request), viewer, int(request.path_params["person_id"]))
    async with request.form(max_files=0, max_fields=10) as form:
        kept_id, errors = parse_merge(form)
        raw = form.get("con")
    values = {"con": raw[:12] if isinstance(raw, str) else ""}
    if errors or kept_id is None:
        return await render_profile(request, viewer, person, errors, values, 422)
    kept = await person_in_scope(request, viewer, kept_id)
    if kept is None:
        message = _("No hay una ficha N° %(id)s entre las que usted puede ver.", id=kept_id)
        return await render_profile(request, viewer, person, {"con": message}, values, 404)
    try:
        await merging.merge_people(
            db(request), viewer, person, kept, session.actor(request, viewer)
        )
    except merging.PersonMergeRefused as refusal:
        return await render_profile(request, viewer, person, {"con": refusal.message}, values, 409)
    return redirect_to("staff_person", person_id=kept.id, query={"hecho": "fusionada"})


routes = [
    Route(
        "/staff/personas/{person_id:id}/fusionar",
        merge,
        methods=["POST"],
        name="staff_person_merge",
    ),
]
