"""Merging two person records from the staff person page: the preview (both records side by
side and what will happen), the confirmation, and a supervisor's undo. The person page
itself: profile_page.py; the rules: merge_rules.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.accounts.permissions import Viewer
from helpdesk.core.i18n import gettext as _
from helpdesk.core.row_ids import row_id  # (also registers the {name:id} route convertor)
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import redirect_to
from helpdesk.people import merge_preview, merge_rules, merging, unmerging
from helpdesk.people import service as people
from helpdesk.people.models import Person
from helpdesk.people.profile_page import person_in_scope, render_profile


def parse_merge(form: Mapping[str, Any]) -> tuple[int | None, dict[str, str]]:
    """The kept person's record number (``con``), as shown on their page."""
    value = form.get("con")
    text = value.strip().lstrip("#").strip() if isinstance(value, str) else ""
    person_id = row_id(text)
    if person_id is None:
        return None, {"con": _("Escriba el número de ficha de la otra persona (solo dígitos).")}
    return person_id, {}


def _text(form: Mapping[str, Any], name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


async def _render_preview(
    request: Request,
    viewer: Viewer,
    duplicate: Person,
    kept: Person,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    preview = await merge_preview.preview(db(request), viewer, duplicate, kept)
    context = {
        "me": viewer,
        "preview": preview,
        "errors": errors or {},
        "values": values or {},
        "reason_min": merge_rules.REASON_MIN,
        "reason_max": merge_rules.REASON_MAX,
    }
    response = render(request, "people/merge_preview.html", context, status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def _pair(
    request: Request, viewer: Viewer, form: Mapping[str, Any]
) -> tuple[Person, Person | None, Response | None]:
    """(duplicate, kept, the profile's error page when ``con`` names no record in scope)."""
    person = await people.get_person(db(request), viewer, int(request.path_params["person_id"]))
    kept_id, errors = parse_merge(form)
    raw = form.get("con")
    values = {"con": raw[:12] if isinstance(raw, str) else ""}
    if errors or kept_id is None:
        return person, None, await render_profile(request, viewer, person, errors, values, 422)
    kept = await person_in_scope(request, viewer, kept_id)
    if kept is None:
        message = _("No hay una ficha N° %(id)s entre las que usted puede ver.", id=kept_id)
        page = await render_profile(request, viewer, person, {"con": message}, values, 404)
        return person, None, page
    return person, kept, None


async def merge_preview_page(request: Request) -> Response:
    """This record is the duplicate; ``con`` is the record kept. Changes nothing."""
    viewer = await session.staff_viewer(request)
    duplicate, kept, error_page = await _pair(request, viewer, request.query_params)
    if error_page is not None or kept is None:
        assert error_page is not None
        return error_page
    return await _render_preview(request, viewer, duplicate, kept)


async def merge(request: Request) -> Response:
    """The confirmation posted from the preview."""
    viewer = await session.staff_viewer(request)
    async with request.form(max_files=0, max_fields=10) as form:
        duplicate, kept, error_page = await _pair(request, viewer, form)
        shown = _text(form, "huella", 64)
        reason = _text(form, "motivo", merge_rules.REASON_MAX)
    if error_page is not None or kept is None:
        assert error_page is not None
        return error_page
    values = {"motivo": reason}
    if shown != merge_preview.fingerprint(duplicate, kept):
        message = _("Las fichas cambiaron desde que abrió esta vista previa. Revísela de nuevo.")
        return await _render_preview(
            request, viewer, duplicate, kept, {"form": message}, values, 409
        )
    try:
        await merging.merge_people(
            db(request), viewer, duplicate, kept, session.actor(request, viewer),
            override_reason=reason or None,
        )  # fmt: skip
    except merging.PersonMergeRefused as refusal:
        # A supervisor who left out the reason corrects a field (422); the rest is a refusal.
        levels = {c.level for c in merge_rules.conflicts(duplicate, kept)}
        missing_reason = (
            merge_rules.may_override(viewer)
            and len(reason) < merge_rules.REASON_MIN
            and levels & {merge_rules.OVERRIDE, merge_rules.REFUSED} == {merge_rules.OVERRIDE}
        )
        field = "motivo" if missing_reason else "form"
        status = 422 if missing_reason else 409
        return await _render_preview(
            request, viewer, duplicate, kept, {field: refusal.message}, values, status
        )
    return redirect_to("staff_person", person_id=kept.id, query={"hecho": "fusionada"})


async def undo(request: Request) -> Response:
    """A supervisor restores the absorbed record (the button on either record's page)."""
    viewer = await session.staff_viewer(request)
    record = await unmerging.get_merge(db(request), viewer, int(request.path_params["merge_id"]))
    try:
        await unmerging.undo_merge(db(request), viewer, record, session.actor(request, viewer))
    except merging.PersonMergeRefused as refusal:
        kept = await people.get_person(db(request), viewer, record.kept_id)
        return await render_profile(request, viewer, kept, {"form": refusal.message}, None, 409)
    return redirect_to("staff_person", person_id=record.duplicate_id, query={"hecho": "restaurada"})


routes = [
    Route(
        "/staff/personas/{person_id:id}/fusionar",
        merge_preview_page,
        methods=["GET"],
        name="staff_person_merge_preview",
    ),
    Route(
        "/staff/personas/{person_id:id}/fusionar",
        merge,
        methods=["POST"],
        name="staff_person_merge",
    ),
    Route(
        "/staff/fusiones/{merge_id:id}/deshacer",
        undo,
        methods=["POST"],
        name="staff_person_merge_undo",
    ),
]
