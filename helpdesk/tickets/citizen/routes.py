"""The citizen's side of the inbox: open a request, follow it by its private link or account.

A request is reached two ways: by its private link (``/solicitudes/{folio}/{token}``, the
token emailed, only its digest stored) or, signed in, by folio among the person's own
(``/cuenta/solicitudes/{folio}``). Both serve the same page and forms under their own route
names. Handlers never commit; a 4xx rolls back everything, stored files excepted (deleted here).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import helpdesk.core.row_ids  # noqa: F401  (registers the {name:id} route convertor)
from helpdesk.accounts import session
from helpdesk.accounts.password_form import check_rate
from helpdesk.accounts.permissions import Viewer
from helpdesk.audit.service import Actor
from helpdesk.core import links
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import get_locale
from helpdesk.core.i18n import gettext as _
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db, unit_of_work
from helpdesk.core.web import client_ip, redirect, redirect_to, settings
from helpdesk.tickets import attachment_store, attachments, downloads, status_flow
from helpdesk.tickets import service as tickets_service
from helpdesk.tickets.citizen import forms as citizen_forms
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.kinds import KINDS, WEB
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import NewRequest, find_by_private_link
from helpdesk.tickets.workbench import links as merging

POLICY = attachments.AttachmentPolicy()
RECEIPT_KEY = "request_receipt"
# Starlette's own ceiling on file parts; the policy's count is checked (and explained) after.
MAX_FORM_FILES = 20


def _uploads(form: FormData) -> list[UploadFile]:
    """The files chosen; a file input left empty still sends a part with no name."""
    return [
        f
        for f in form.getlist("archivos")
        if isinstance(f, UploadFile) and (f.filename or (f.size or 0) > 0)
    ]


async def _store(
    request: Request, uploads: Sequence[UploadFile], errors: dict[str, str]
) -> list[attachments.StoredAttachment]:
    try:
        return await attachment_store.store_attachments(
            [(f.filename, f) for f in uploads],
            attachment_store.directory(settings(request)),
            POLICY,
        )
    except attachments.AttachmentError as refusal:
        errors["archivos"] = refusal.message
        return []


def _discard(request: Request, stored: Sequence[attachments.StoredAttachment]) -> None:
    for attachment in stored:
        attachment_store.delete_stored(
            attachment_store.directory(settings(request)), attachment.storage_name
        )


# --- Opening a request.


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
        "max_files": POLICY.max_files,
        "max_mb": POLICY.max_bytes // attachments.MIB,
        "subject_max": citizen_forms.SUBJECT_MAX,
        "body_max": citizen_forms.BODY_MAX,
        "errors": {},
        "values": {},
    }


async def new_request(request: Request) -> Response:
    requester, viewer = await _requester(request)
    if requester is None:
        if viewer is not None and viewer.kind == "citizen":
            return redirect_to("citizen_ask_email")
        status = 200 if request.method == "GET" else 403
        return render(request, "tickets/citizen/ways_in.html", {}, status)
    context = await _form_context(request, requester)
    if request.method == "GET":
        default_region = requester.region_code
        context["values"] = {"region": default_region or "", "borrador": _draft_key()}
        return render(request, "tickets/citizen/new.html", context)

    await check_rate(request, "open-request")
    region_codes = {r.code for r in context["regions"]}
    tramite_topics = {t.code: t.topic for t in context["tramites"]}
    async with request.form(max_files=MAX_FORM_FILES, max_fields=50) as form:
        uploads = _uploads(form)
        data, errors = citizen_forms.parse_new_request(
            form, len(uploads), POLICY.max_files, region_codes, tramite_topics
        )
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        stored = [] if errors else await _store(request, uploads, errors)
    if errors:
        context.update(errors=errors, values=values, files_lost=bool(uploads))
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
        _discard(request, stored)
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


# --- One request: by private link or by account.


# Route names of the request's page and forms: by private link (folio, token) or account.
_FORMS = ("reply", "close", "rate", "confirm", "attachment")
BY_LINK = {"page": "request_private", **{form: f"request_{form}" for form in _FORMS}}
BY_ACCOUNT = {"page": "my_request", **{form: f"my_request_{form}" for form in _FORMS}}


@dataclass(frozen=True)
class Access:
    request: Ticket
    routes: dict[str, str]  # BY_LINK or BY_ACCOUNT: how this visitor reaches the request
    params: dict[str, str]  # those routes' folio (and token)
    actor: Actor

    def url(self, what: str, /, **extra: Any) -> str:  # "page", "reply", ... for this visitor
        return links.url_path(self.routes[what], **self.params, **extra)


async def _access(request: Request) -> Access:
    folio = str(request.path_params["folio"])
    if "token" in request.path_params:
        token = str(request.path_params["token"])
        found = await find_by_private_link(db(request), folio, token)
        if found is None:
            raise NotFound("request")
        routes, params = BY_LINK, {"folio": found.folio, "token": token}
    else:
        viewer = await session.citizen_viewer(request)
        if viewer.kind != "citizen" or viewer.person_id is None:
            raise NotFound("request")
        found = await citizen_service.find_for_person(db(request), viewer.person_id, folio)
        if found is None:
            raise NotFound("request")
        routes, params = BY_ACCOUNT, {"folio": found.folio}
    # Holding the link (or the account) is what identifies the person here.
    return Access(found, routes, params, Actor("citizen", found.person_id, client_ip(request)))


async def _detail(
    request: Request,
    access: Access,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
    files_lost: bool = False,
) -> Response:
    item = access.request
    context = {
        "item": item,
        "request_url": access.url,
        "kind_name": KINDS[item.kind].name if item.kind in KINDS else item.kind,
        "status_name": status_flow.status_names().get(item.status, item.status),
        "entries": await citizen_service.conversation(db(request), item),
        "can_reply": citizen_service.can_reply(item),
        "merge_notice": await merging.citizen_notice(db(request), item),
        "can_close": citizen_service.can_close(item),
        "can_rate": citizen_service.can_rate(item),
        "waiting": item.status == status_flow.EN_ESPERA_CIUDADANO,
        "awaiting_confirmation": await citizen_service.awaiting_confirmation(db(request), item),
        "errors": errors or {},
        "values": values or {},
        "files_lost": files_lost,
        "notice": request.query_params.get("hecho", ""),
        "max_files": POLICY.max_files,
        "max_mb": POLICY.max_bytes // attachments.MIB,
    }
    response = render(request, "tickets/citizen/detail.html", context, status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def request_page(request: Request) -> Response:
    return await _detail(request, await _access(request))


async def reply(request: Request) -> Response:
    access = await _access(request)
    async with request.form(max_files=MAX_FORM_FILES, max_fields=20) as form:
        uploads = _uploads(form)
        body, errors = citizen_forms.parse_reply(form, len(uploads), POLICY.max_files)
        if not errors and not citizen_service.can_reply(access.request):
            merged = await merging.citizen_notice(db(request), access.request)
            errors["form"] = (
                merged.message
                if merged
                else _("Esta solicitud está cerrada. Puede abrir una nueva solicitud.")
            )
        stored = [] if errors else await _store(request, uploads, errors)
    if errors:
        values = {"texto": body}
        return await _detail(request, access, errors, values, 422, files_lost=bool(uploads))
    try:
        await citizen_service.add_reply(db(request), access.request, body, stored, access.actor)
    except citizen_service.CitizenActionRefused as refusal:
        _discard(request, stored)
        return await _detail(request, access, {"form": refusal.message}, {"texto": body}, 409)
    except BaseException:
        _discard(request, stored)
        raise
    return redirect(access.url("page", query={"hecho": "respuesta"}))


async def close(request: Request) -> Response:
    access = await _access(request)
    try:
        await citizen_service.close_by_citizen(db(request), access.request, access.actor)
    except citizen_service.CitizenActionRefused as refusal:
        return await _detail(request, access, {"form": refusal.message}, status_code=409)
    return redirect(access.url("page", query={"hecho": "cerrada"}))


async def rate(request: Request) -> Response:
    access = await _access(request)
    async with request.form(max_files=0, max_fields=10) as form:
        (score, comment), errors = citizen_forms.parse_rating(form)
    if errors:
        values = {"puntaje": str(score or ""), "comentario": comment or ""}
        return await _detail(request, access, errors, values, 422)
    try:
        await citizen_service.rate(db(request), access.request, score, comment, access.actor)
    except citizen_service.CitizenActionRefused as refusal:
        return await _detail(request, access, {"form": refusal.message}, status_code=409)
    return redirect(access.url("page", query={"hecho": "evaluada"}))


async def confirm(request: Request) -> Response:
    """The answer to "¿Resolvió su consulta?" under an automatic answer."""
    access = await _access(request)
    async with request.form(max_files=0, max_fields=10) as form:
        choice = form.get("resolvio")
    if choice not in ("si", "no"):
        return await _detail(
            request, access, {"form": _("Elija si la respuesta resolvió su consulta.")}, None, 422
        )
    try:
        await citizen_service.confirm_auto_answer(
            db(request), access.request, choice == "si", access.actor
        )
    except citizen_service.CitizenActionRefused as refusal:
        return await _detail(request, access, {"form": refusal.message}, status_code=409)
    notice = "resuelta" if choice == "si" else "derivada"
    return redirect(access.url("page", query={"hecho": notice}))


async def download(request: Request) -> Response:
    access = await _access(request)
    attachment = await citizen_service.visible_attachment(
        db(request), access.request, int(request.path_params["attachment_id"])
    )
    return downloads.attachment_response(request, attachment)


# --- Lost link and the account's list.


async def lost_link(request: Request) -> Response:
    context: dict[str, Any] = {"errors": {}, "values": {}, "sent": False}
    if request.method == "GET":
        context["sent"] = request.query_params.get("enviado") == "1"
        return render(request, "tickets/citizen/recover.html", context)
    await check_rate(request, "request-link")
    async with request.form(max_files=0, max_fields=10) as form:
        (email, folio), errors = citizen_forms.parse_lost_link(form)
    if errors:
        context.update(errors=errors, values={"email": email, "folio": folio})
        return render(request, "tickets/citizen/recover.html", context, 422)
    actor = session.actor(request, await session.current_viewer(request))
    await citizen_service.renew_link(db(request), email, folio, settings(request).base_url, actor)
    return redirect_to("request_lost_link", query={"enviado": 1})


async def my_requests(request: Request) -> Response:
    viewer = await session.citizen_viewer(request)
    if viewer.kind != "citizen" or viewer.person_id is None:
        raise NotFound("requests")
    items = await citizen_service.requests_of(db(request), viewer.person_id)
    context = {"items": items, "status_names": status_flow.status_names()}
    return render(request, "tickets/citizen/mine.html", context)


routes = [
    Route("/solicitudes/nueva", new_request, methods=["GET", "POST"], name="request_new"),
    Route("/solicitudes/recibida", receipt, name="request_receipt"),
    Route("/solicitudes/recuperar", lost_link, methods=["GET", "POST"], name="request_lost_link"),
    Route("/solicitudes/{folio}/{token}", request_page, name="request_private"),
    Route("/solicitudes/{folio}/{token}/responder", reply, methods=["POST"], name="request_reply"),
    Route("/solicitudes/{folio}/{token}/cerrar", close, methods=["POST"], name="request_close"),
    Route("/solicitudes/{folio}/{token}/evaluar", rate, methods=["POST"], name="request_rate"),
    Route(
        "/solicitudes/{folio}/{token}/resolvio", confirm, methods=["POST"], name="request_confirm"
    ),
    Route(
        "/solicitudes/{folio}/{token}/adjuntos/{attachment_id:id}",
        download,
        name="request_attachment",
    ),
    Route("/cuenta/solicitudes", my_requests, name="my_requests"),
    Route("/cuenta/solicitudes/{folio}", request_page, name="my_request"),
    Route(
        "/cuenta/solicitudes/{folio}/responder", reply, methods=["POST"], name="my_request_reply"
    ),
    Route("/cuenta/solicitudes/{folio}/cerrar", close, methods=["POST"], name="my_request_close"),
    Route("/cuenta/solicitudes/{folio}/evaluar", rate, methods=["POST"], name="my_request_rate"),
    Route(
        "/cuenta/solicitudes/{folio}/resolvio",
        confirm,
        methods=["POST"],
        name="my_request_confirm",
    ),
    Route(
        "/cuenta/solicitudes/{folio}/adjuntos/{attachment_id:id}",
        download,
        name="my_request_attachment",
    ),
]
