"""Opening a request on the web: the form (signed in, or with a proven email) and its
receipt. The form's rows are written by the group commit (``tickets.service.open_in_group``);
the receipt shows the folio the session remembers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.accounts.password_form import check_rate
from helpdesk.accounts.permissions import Viewer
from helpdesk.core import links
from helpdesk.core.i18n import get_locale
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db, unit_of_work
from helpdesk.core.web import redirect_to, settings
from helpdesk.tickets import attachments, uploads
from helpdesk.tickets import service as tickets_service
from helpdesk.tickets.citizen import forms as citizen_forms
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.kinds import WEB
from helpdesk.tickets.opening import references
from helpdesk.tickets.service import NewRequest

RECEIPT_KEY = "request_receipt"


@dataclass(frozen=True)
class Requester:
    email: str
    # Signed in: their record. By email proof: none yet, found or made on opening.
    person_id: int | None = None
    region_code: str | None = None


async def _requester(request: Request) -> tuple[Requester | None, Viewer | None]:
    viewer = await session.current_viewer(request)
    if viewer is not None and viewer.kind == "citizen" and viewer.person_id is not None:
        contact = await citizen_service.verified_contact(db(request), viewer.person_id)
        if contact is not None:
            return Requester(contact.email, viewer.person_id, contact.region_code), viewer
        return None, viewer
    verified = request.session.get(session.VERIFIED_EMAIL)
    if viewer is None and isinstance(verified, str) and verified:
        return Requester(verified), None
    return None, viewer


async def _form_context(request: Request, requester: Requester) -> dict[str, Any]:
    siac, portal = citizen_service.kind_groups()
    return {
        "siac_kinds": siac,
        "portal_kinds": portal,
        "regions": await citizen_service.regions(db(request)),
        "tramites": await citizen_service.active_tramites(db(request)),
        "requester": requester,
        "max_files": uploads.POLICY.max_files,
        "max_mb": uploads.POLICY.max_bytes // attachments.MIB,
        "subject_max": citizen_forms.SUBJECT_MAX,
        "body_max": citizen_forms.BODY_MAX,
        "errors": {},
        "values": {},
        "references": [],
    }


async def new_request(request: Request) -> Response:
    requester, viewer = await _requester(request)
    if requester is None:
        if viewer is not None and viewer.kind == "citizen":
            return redirect_to("citizen_ask_email")
        status = 200 if request.method == "GET" else 403
        # Proving the email comes back to the form with what it was about.
        carried = {k: v for k, v in request.query_params.items() if k in references.RESOLVERS}
        next_path = links.url_path("request_new", query=carried or None)
        return render(request, "tickets/citizen/ways_in.html", {"next_path": next_path}, status)
    context = await _form_context(request, requester)
    if request.method == "GET":
        default_region = requester.region_code
        about = await references.resolve(db(request), request.query_params)
        context["references"] = about
        context["values"] = {"region": default_region or "", "borrador": _draft_key()}
        context["values"].update((r.field, r.value) for r in about)
        return render(request, "tickets/citizen/new.html", context)

    await check_rate(request, "open-request")
    region_codes = {r.code for r in context["regions"]}
    tramite_topics = {t.code: t.topic for t in context["tramites"]}
    async with request.form(max_files=uploads.MAX_FORM_FILES, max_fields=50) as form:
        files = uploads.chosen_files(form)
        data, errors = citizen_forms.parse_new_request(
            form, len(files), uploads.POLICY.max_files, region_codes, tramite_topics
        )
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        stored = [] if errors else await uploads.store(request, files, errors)
    about = await references.resolve(db(request), values)
    if errors:
        context.update(errors=errors, values=values, files_lost=bool(files), references=about)
        return render(request, "tickets/citizen/new.html", context, 422)
    new = NewRequest(
        kind=data.kind,
        subject=data.subject,
        body=data.body,
        channel=WEB,
        email=requester.email,
        locale=get_locale(),
        person_id=requester.person_id,
        region_code=data.region_code,
        tramite_code=data.tramite_code,
        draft_key=data.draft_key,
        after_opening=references.after_opening(about),
    )
    try:
        created = await tickets_service.open_in_group(
            request.app.state.request_opener,
            new,
            session.actor(request, viewer),
            settings(request).base_url,
            stored,
            before_waiting=unit_of_work(request).hand_over_writes,
        )
    except BaseException:
        await uploads.discard(request, stored)
        raise
    request.session[RECEIPT_KEY] = created.folio
    return redirect_to("request_receipt")


def _draft_key() -> str:
    return secrets.token_urlsafe(24)


async def receipt(request: Request) -> Response:
    folio = request.session.get(RECEIPT_KEY)
    if not isinstance(folio, str):
        return redirect_to("request_new")
    return render(request, "tickets/citizen/receipt.html", {"folio": folio})


routes = [
    Route("/solicitudes/nueva", new_request, methods=["GET", "POST"], name="request_new"),
    Route("/solicitudes/recibida", receipt, name="request_receipt"),
]
