"""The citizen's side of the inbox: follow a request by its private link or account
(opening one is ``opening.routes``).

A request is reached two ways: by its private link (``/solicitudes/{folio}/{token}``, the
token emailed, only its digest stored) or, signed in, by folio among the person's own
(``/cuenta/solicitudes/{folio}``). Both serve the same page and forms under their own route
names. Handlers never commit; a 4xx rolls back everything, stored files excepted (deleted here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import helpdesk.core.row_ids  # noqa: F401  (registers the {name:id} route convertor)
from helpdesk.accounts import session
from helpdesk.accounts.password_form import check_rate
from helpdesk.audit.service import Actor
from helpdesk.core import links
from helpdesk.core.errors import NotFound
from helpdesk.core.i18n import gettext as _
from helpdesk.core.i18n import use_page_language
from helpdesk.core.templating import render
from helpdesk.core.unit_of_work import db
from helpdesk.core.web import client_ip, redirect, redirect_to, settings
from helpdesk.tickets import attachments, downloads, status_flow, uploads
from helpdesk.tickets.citizen import forms as citizen_forms
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.kinds import KINDS
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import find_by_private_link
from helpdesk.tickets.workbench import links as merging

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
    # The request's own language, unless the visitor chose one (core.language).
    use_page_language(request.scope, found.locale)
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
        "asks_if_resolved": citizen_service.asks_if_resolved(item),
        "errors": errors or {},
        "values": values or {},
        "files_lost": files_lost,
        "notice": request.query_params.get("hecho", ""),
        "max_files": uploads.POLICY.max_files,
        "max_mb": uploads.POLICY.max_bytes // attachments.MIB,
    }
    response = render(request, "tickets/citizen/detail.html", context, status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def request_page(request: Request) -> Response:
    return await _detail(request, await _access(request))


async def reply(request: Request) -> Response:
    access = await _access(request)
    async with request.form(max_files=uploads.MAX_FORM_FILES, max_fields=20) as form:
        files = uploads.chosen_files(form)
        body, errors = citizen_forms.parse_reply(form, len(files), uploads.POLICY.max_files)
        if not errors and not citizen_service.can_reply(access.request):
            merged = await merging.citizen_notice(db(request), access.request)
            errors["form"] = (
                merged.message
                if merged
                else _("Esta solicitud está cerrada. Puede abrir una nueva solicitud.")
            )
        stored = [] if errors else await uploads.store(request, files, errors)
    if errors:
        values = {"texto": body}
        return await _detail(request, access, errors, values, 422, files_lost=bool(files))
    try:
        await citizen_service.add_reply(db(request), access.request, body, stored, access.actor)
    except citizen_service.CitizenActionRefused as refusal:
        await uploads.discard(request, stored)
        return await _detail(request, access, {"form": refusal.message}, {"texto": body}, 409)
    except BaseException:
        await uploads.discard(request, stored)
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
    """The answer to "¿Resolvió su consulta?": under an automatic answer, or about an
    agent's resolution."""
    access = await _access(request)
    async with request.form(max_files=0, max_fields=10) as form:
        choice = form.get("resolvio")
    if choice not in ("si", "no"):
        return await _detail(
            request, access, {"form": _("Elija si la respuesta resolvió su consulta.")}, None, 422
        )
    item, actor = access.request, access.actor
    automatic = await citizen_service.awaiting_confirmation(db(request), item)
    try:
        if automatic:
            await citizen_service.confirm_auto_answer(db(request), item, choice == "si", actor)
        else:
            await citizen_service.answer_resolution(db(request), item, choice == "si", actor)
    except citizen_service.CitizenActionRefused as refusal:
        return await _detail(request, access, {"form": refusal.message}, status_code=409)
    # Yes to an agent's resolution closes the request; no sends it back to a person.
    done = "resuelta" if automatic else "cerrada"
    notice = done if choice == "si" else "derivada"
    return redirect(access.url("page", query={"hecho": notice}))


async def download(request: Request) -> Response:
    access = await _access(request)
    attachment = await citizen_service.visible_attachment(
        db(request), access.request, int(request.path_params["attachment_id"])
    )
    return await downloads.attachment_response(request, attachment)


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
