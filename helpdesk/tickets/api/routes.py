"""/api/v1 requests: open one, read it and write more by its private token, list a person's.

The same checks as the citizen form (``citizen_forms``) run on API input, so a request opened
by an integration can be nothing the form would refuse; their messages come back localized in
the API's one error shape.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpdesk.accounts import session
from helpdesk.accounts.forms import check_email
from helpdesk.accounts.password_form import check_rate
from helpdesk.accounts.permissions import Viewer, check_person_access, region_scope
from helpdesk.api.errors import Unauthorized
from helpdesk.api.openapi import operation
from helpdesk.api.validation import InvalidInput, parse_body
from helpdesk.core.errors import DomainError, NotFound, PermissionDenied
from helpdesk.core.i18n import SUPPORTED_LOCALES, get_locale
from helpdesk.core.i18n import gettext as _
from helpdesk.core.row_ids import MAX_ROW_ID  # (also registers the {name:id} route convertor)
from helpdesk.core.unit_of_work import db, unit_of_work
from helpdesk.people.models import Person
from helpdesk.reference.data import REGIONS
from helpdesk.tickets import service as tickets_service
from helpdesk.tickets.attachments import AttachmentPolicy
from helpdesk.tickets.citizen import forms as citizen_forms
from helpdesk.tickets.citizen import service as citizen_service
from helpdesk.tickets.kinds import CHANNELS, KINDS, WEB
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import NewRequest, find_by_private_link

Locale = Literal["es", "ht", "en", "fr", "zh", "ru"]
Channel = Literal["web", "email", "presencial", "telefono", "terreno", "municipio"]
TOKEN_MAX = 100
# The form's field names, as the API calls them.
FORM_FIELDS = {
    "tipo": "kind",
    "region": "region_code",
    "tramite": "tramite_code",
    "asunto": "subject",
    "texto": "body",
    "archivos": "kind",  # kinds that need an identity document take files: the form only
}
assert set(CHANNELS) == set(Channel.__args__)  # type: ignore[attr-defined]


class Conflict(DomainError):
    status_code = 409


# What email_address.normalized refuses that "format: email" allows: non-ASCII or quoting
# before the @, a reserved domain (.test, .local, localhost...).
PLAIN_ADDRESS = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?!(?:[^@]*\.)?(?:"
    + "|".join(sorted(SPECIAL_USE_DOMAIN_NAMES))
    + r")\.?$)[^@\s\x00]+$"
)
# Text with something other than spaces, and no NUL (refused by parse_body).
SOME_TEXT = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
API_KINDS = [code for code, kind in KINDS.items() if not kind.requires_identity_document]


def _staff_must_send(schema: dict[str, Any]) -> None:
    schema["required"] = [*schema.get("required", []), "email", "channel"]


class NewRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_staff_must_send)
    # The kinds that need an identity document take files: the form opens them, not the API.
    kind: str = Field(max_length=40, json_schema_extra={"enum": API_KINDS})
    # Schema hints (not validation: the form's own checks answer with localized messages).
    subject: str = Field(
        max_length=citizen_forms.SUBJECT_MAX, json_schema_extra={"pattern": SOME_TEXT}
    )
    body: str = Field(max_length=citizen_forms.BODY_MAX, json_schema_extra={"pattern": SOME_TEXT})
    region_code: str = Field(
        max_length=2, json_schema_extra={"enum": [region.code for region in REGIONS]}
    )
    tramite_code: str | None = Field(default=None, max_length=60)
    # Required for staff (the schema says so); a citizen may leave both out, or send their
    # own verified email and "web".
    email: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": "string",
                "format": "email",
                "minLength": 1,
                "maxLength": 254,
                "pattern": PLAIN_ADDRESS,
            }
        ),
    ] = Field(default=None, max_length=254)
    channel: Annotated[
        Channel | None, WithJsonSchema({"type": "string", "enum": list(CHANNELS)})
    ] = None
    locale: Locale | None = None


class OpenedOut(BaseModel):
    folio: str
    token: str  # the private token: shown once, stored only as a digest
    kind: str
    status: str
    legal_due_on: date | None


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=citizen_forms.BODY_MAX, json_schema_extra={"pattern": SOME_TEXT})


class MessageOut(BaseModel):
    id: int
    author: Literal["citizen", "staff", "system"]
    text: str
    created_at: datetime


class RequestOut(BaseModel):
    folio: str
    kind: str
    status: str
    subject: str
    received_at: datetime
    legal_due_on: date | None
    messages: list[MessageOut]


class RequestSummaryOut(BaseModel):
    folio: str
    kind: str
    channel: str
    status: str
    subject: str
    region_code: str | None
    received_at: datetime
    legal_due_on: date | None


class RequestList(BaseModel):
    items: list[RequestSummaryOut]


def _json(model: BaseModel, status: int = 200) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), status_code=status)


def _invalid(errors: dict[str, str]) -> InvalidInput:
    details: list[dict[str, object]] = [
        {"field": FORM_FIELDS.get(name, name), "problem": "invalid", "message": message}
        for name, message in errors.items()
    ]
    return InvalidInput(_("Revise los datos ingresados"), details)


def _query(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1, "maxLength": TOKEN_MAX},
    }


FOLIO_PARAM = {"name": "folio", "in": "path", "required": True, "schema": {"type": "string"}}
TOKEN_PARAM = _query("token", "The private token returned when the request was opened")


async def _caller(request: Request) -> Viewer:
    viewer = await session.current_viewer(request)
    if viewer is None:
        raise Unauthorized("sign in")
    return viewer


async def _requester(
    request: Request, viewer: Viewer, body: NewRequestIn
) -> tuple[str, int | None, str]:
    """(email, person id, channel) for a staff integration or the signed-in citizen."""
    if viewer.kind == "citizen":
        person = await db(request).get(Person, viewer.person_id) if viewer.person_id else None
        if person is None or not person.email or person.email_verified_at is None:
            raise PermissionDenied("a verified email is needed")
        own = body.email is None or body.email.strip().lower() == person.email.lower()
        if not own or body.channel not in (None, WEB):
            raise InvalidInput(
                _("Revise los datos ingresados"),
                [{"field": "channel" if own else "email", "problem": "extra"}],
            )
        return person.email, person.id, WEB
    scope = region_scope(viewer)  # staff who work requests only
    errors: dict[str, str] = {}
    email = check_email(body.email or "", errors)
    if body.channel is None:
        errors["channel"] = _("Indique el canal por el que llegó la solicitud.")
    if errors:
        raise _invalid(errors)
    if scope is not None and body.region_code.strip().upper() != scope:
        raise PermissionDenied("outside your region")
    assert body.channel is not None
    return email, None, body.channel


@operation(
    "/requests",
    "POST",
    "Open a request (a staff API token, or a signed-in citizen); answers 201",
    "requests",
    request_model=NewRequestIn,
    response_model=OpenedOut,
    auth=True,
)
async def create_request(request: Request) -> Response:
    viewer = await _caller(request)
    body = await parse_body(request, NewRequestIn)
    email, person_id, channel = await _requester(request, viewer, body)
    if viewer.kind == "citizen":
        await check_rate(request, "open-request")
    regions = await citizen_service.regions(db(request))
    tramites = await citizen_service.active_tramites(db(request))
    form = {
        "tipo": body.kind,
        "region": body.region_code,
        "tramite": body.tramite_code,
        "asunto": body.subject,
        "texto": body.body,
    }
    data, errors = citizen_forms.parse_new_request(
        form,
        0,
        AttachmentPolicy().max_files,
        {r.code for r in regions},
        {t.code: t.topic for t in tramites},
    )
    if errors:
        raise _invalid(errors)
    locale = body.locale or get_locale()
    assert locale in SUPPORTED_LOCALES
    created = await tickets_service.open_in_group(
        request.app.state.request_opener,
        NewRequest(
            kind=data.kind,
            subject=data.subject,
            body=data.body,
            channel=channel,
            email=email,
            locale=locale,
            person_id=person_id,
            region_code=data.region_code,
            tramite_code=data.tramite_code,
            staff_region=region_scope(viewer) if viewer.is_staff else None,
        ),
        session.actor(request, viewer),
        request.app.state.settings.base_url,
        before_waiting=unit_of_work(request).hand_over_writes,
    )
    out = OpenedOut(
        folio=created.folio,
        token=created.access_token,
        kind=created.kind,
        status=created.status,
        legal_due_on=created.legal_due_on,
    )
    return _json(out, 201)


async def _by_token(request: Request) -> Ticket:
    token = request.query_params.get("token", "")
    if not token or len(token) > TOKEN_MAX:
        raise InvalidInput(
            _("Falta el token privado de la solicitud."), [{"field": "token", "problem": "missing"}]
        )
    folio = request.path_params["folio"]
    found = None
    if len(folio) <= citizen_forms.FOLIO_MAX:
        found = await find_by_private_link(db(request), folio, token)
    if found is None:
        raise NotFound("request")
    return found


def _message_out(entry: citizen_service.ConversationEntry) -> MessageOut:
    m = entry.message
    author = m.author_kind if m.author_kind in ("citizen", "staff") else "system"
    return MessageOut(id=m.id, author=author, text=m.body, created_at=m.created_at)  # type: ignore[arg-type]


@operation(
    "/requests/{folio}",
    "GET",
    "A request by its folio and private token",
    "requests",
    response_model=RequestOut,
    parameters=(FOLIO_PARAM, TOKEN_PARAM),
)
async def read_request(request: Request) -> Response:
    row = await _by_token(request)
    entries = await citizen_service.conversation(db(request), row)
    out = RequestOut(
        folio=row.folio,
        kind=row.kind,
        status=row.status,
        subject=row.subject,
        received_at=row.received_at,
        legal_due_on=row.legal_due_on,
        messages=[_message_out(e) for e in entries],
    )
    return _json(out)


@operation(
    "/requests/{folio}/messages",
    "POST",
    "Add the citizen's message, by the private token; answers 201",
    "requests",
    request_model=MessageIn,
    response_model=MessageOut,
    parameters=(FOLIO_PARAM, TOKEN_PARAM),
)
async def add_message(request: Request) -> Response:
    row = await _by_token(request)
    body = await parse_body(request, MessageIn)
    text = body.text.strip()
    errors: dict[str, str] = {}
    citizen_forms.check_body(text, errors, "text")
    if errors:
        raise _invalid(errors)
    viewer = await session.current_viewer(request)
    try:
        message = await citizen_service.add_reply(
            db(request), row, text, [], session.actor(request, viewer)
        )
    except citizen_service.CitizenActionRefused as refusal:
        raise Conflict(refusal.message) from refusal
    message.via = "api"
    out = MessageOut(
        id=message.id, author="citizen", text=message.body, created_at=message.created_at
    )
    return _json(out, 201)


@operation(
    "/people/{person_id}/requests",
    "GET",
    "A person's requests (staff within their region, or the citizen themself)",
    "requests",
    response_model=RequestList,
    auth=True,
    parameters=(
        {"name": "person_id", "in": "path", "required": True, "schema": {"type": "integer"}},
    ),
)
async def person_requests(request: Request) -> Response:
    viewer = await _caller(request)
    person_id: int = request.path_params["person_id"]
    if viewer.kind == "citizen":
        check_person_access(viewer, person_id, None)
    else:
        region_scope(viewer)  # refuse before revealing whether the person exists
    person = await db(request).get(Person, person_id) if person_id <= MAX_ROW_ID else None
    try:
        if person is not None:
            check_person_access(viewer, person.id, person.region_code)
    except PermissionDenied:
        person = None  # outside the viewer's region: answered as a record that does not exist
    if person is None:
        raise NotFound("person")
    scope = region_scope(viewer) if viewer.kind == "staff" else None
    rows = await citizen_service.requests_of(db(request), person.id, scope)
    items = [RequestSummaryOut.model_validate(r, from_attributes=True) for r in rows]
    return _json(RequestList(items=items))


routes = [
    Route("/requests", create_request, methods=["POST"], name="api_create_request"),
    Route("/requests/{folio}", read_request, name="api_request"),
    Route("/requests/{folio}/messages", add_message, methods=["POST"], name="api_request_messages"),
    Route("/people/{person_id:id}/requests", person_requests, name="api_person_requests"),
]
